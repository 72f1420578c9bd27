"""The verdict on a new version of a terms document: unchanged, noise, not the document, or a change that is
posted. The pipeline decides through `compare_versions`, and `judge_version` gives benchmarks the same answer
from two raw (extracted) texts: `kind == "change"` is exactly a `terms_change` alert."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.language import UNDETERMINED, detect_language
from bot.core.terms.alignment import same_words
from bot.core.terms.availability import not_the_document, section_notice
from bot.core.terms.chrome import LIST_ITEM, Runs, is_chrome, is_clause, link_labels
from bot.core.terms.clauses import ClauseChange, diff_clauses
from bot.core.terms.dates import effective_date, has_upcoming_and_current, last_updated
from bot.core.terms.documents import NormalizedDocument, normalize
from bot.core.terms.segments import NUMBER_ONLY, PATH_SEPARATOR, clause_text, section_of
from bot.core.terms.wording import WORD_TOKEN, clean, noise_key, same_meaning
from bot.core.text import fold, word_runs
from bot.core.topics import TOPICS

KINDS = ("unchanged", "noise", "not_document", "change")
_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}
# A cookie banner's sentence, added or removed whole and unnumbered, is page chrome, not a clause: "We use
# cookies … By continuing you accept them." (the "by continuing / by clicking" part is what banners say)
_CONTINUING = (r"(by (continuing|clicking|using|browsing)|if you continue|en (continuant|cliquant|poursuivant)|"
               r"si vous continuez|wenn sie (fortfahren|weitersurfen)|durch (die )?(weitere )?nutzung|"
               r"al (continuar|hacer clic|navegar)|si contin[uu]as)")
# (either order: "… cookies. By continuing …" or "By continuing to use this site … our use of cookies."), or the
# banner's own promise ("We use cookies to give you the best possible experience on our website")
_BANNER = re.compile(
    rf"\bcookies?\b.{{0,200}}\b{_CONTINUING}\b|\b{_CONTINUING}\b.{{0,200}}\bcookies?\b"
    r"|\bcookies?\b.{0,80}\b(best|better|optimal) (possible )?(browsing |user |online )?experience (on|of) (our|this) "
    r"(web)?site\b"
)
_BANNER_MAX = 400
# A paragraph of at least `_DUPLICATE_MIN` characters that one version holds twice within `_DUPLICATE_LINES` lines
# and the other once (the rest the same) is no change of meaning.
_DUPLICATE_MIN = 40
_DUPLICATE_LINES = 12
# A notice that the terms were (or will be) updated, removed whole and unnumbered, is no change of the terms: the
# update it announced is in the text already ("We've updated these terms. The prior version is available here.",
# "The terms below will be effective on April 30", "These terms reflect our updated data transfer addendum").
# Added, such a notice is posted: it may announce what is coming.
_DOCUMENT = (r"(terms|conditions|polic(y|ies)|agreement|addendum|guidelines|notice|statement|version|"
             r"politique|bedingungen|richtlinie|datenschutzerklarung|condiciones|politica)")
_ANNOUNCEMENT = re.compile(
    rf"\bwe\W?(ve|have)? (recently )?(updated|revised|changed|amended|made changes to)\b.{{0,80}}\b{_DOCUMENT}\b"
    rf"|\b(these|our|the) (updated|revised|new) (\w+ ){{0,4}}{_DOCUMENT}\b"
    rf"|\b(updated|revised|new) (version of )?(these|our|the) (\w+ ){{0,4}}{_DOCUMENT}\b"
    rf"|\b(prior|previous|earlier|current) (version|{_DOCUMENT})\b.{{0,80}}\b(available|here|found|view)\b"
    rf"|\b(view|see|read|consult) (your|the) (current|previous|prior) \w*\s?{_DOCUMENT}\b"
    rf"|\b{_DOCUMENT}\b.{{0,120}}\bwill (become|be) effective\b"
    rf"|\bnous avons (mis a jour|modifie|revise)\b.{{0,80}}\b{_DOCUMENT}\b|\bversion (precedente|anterieure)\b"
    rf"|\b{_DOCUMENT}\b.{{0,120}}\b(entreront|entrent) en vigueur\b"
    rf"|\bwir haben (unsere|diese)\b.{{0,80}}\b(aktualisiert|geandert|uberarbeitet)\b"
    rf"|\b(vorherige|fruhere|bisherige) (fassung|version)\b|\btreten\b.{{0,80}}\bin kraft\b"
    rf"|\bhemos (actualizado|modificado|revisado)\b.{{0,80}}\b{_DOCUMENT}\b|\bversion (anterior|previa)\b"
    rf"|\b{_DOCUMENT}\b.{{0,120}}\bentraran en vigor\b"
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a new version is (`kind`, one of KINDS), why, and for a change what is posted about it."""

    kind: str
    reason: str
    changes: list[ClauseChange] = field(default_factory=list)
    topics: tuple[str, ...] = ()
    severity: str | None = None
    last_updated: str | None = None
    effective_date: str | None = None
    upcoming_and_current: bool = False


def judge_version(previous_text: str | None, new_text: str) -> Verdict:
    """The verdict on `new_text` after `previous_text` (extracted texts: what `extract_text` returns, Markdown
    as is). Without a previous version the new one is the baseline ("unchanged") unless it is not the
    document."""
    reason = not_the_document(new_text, previous_text)
    if reason is not None:
        return Verdict("not_document", reason)
    new = normalize(new_text)
    if previous_text is None:
        return Verdict("unchanged", "first version: the baseline", last_updated=last_updated(new.metadata))
    old = normalize(previous_text)
    return compare_versions(old.text, new, old.metadata)


def compare_versions(old_text: str, new: NormalizedDocument, old_metadata: Sequence[str] | None = None) -> Verdict:
    """The verdict on `new` after the normalized text `old_text` (both already known to be the document).

    A change of the date lines alone is noise (recorded as a version, never posted), and so is a version whose
    words, read as one run, say what the old ones said (`alignment.same_words`: laid out, numbered or glued
    anew), and a version in another of the page's languages (a translation served instead). Clause changes that
    are markup only (the same words once e-mail forms are folded), a cookie banner's sentence added or removed, a
    notice of an update removed, a paragraph pasted twice or mended, a run of page chrome added or removed at the
    head or foot of the page (`Runs`) are dropped; a section whose clauses gave way to a short geo-block, cookie,
    login or maintenance notice makes the version not the document (its baseline is kept: no alert when the
    section comes back)."""
    updated = last_updated(new.metadata)
    if old_text == new.text:
        if old_metadata is not None and tuple(old_metadata) != tuple(new.metadata):
            before = last_updated(old_metadata)
            return Verdict("noise", f"only the date line changed ({before or '?'} → {updated or '?'})",
                           last_updated=updated, effective_date=effective_date("\n".join(new.metadata)))
        return Verdict("unchanged", "the same text", last_updated=updated)
    context = _Context(old_text, new)
    if same_words(old_text, new.text, context):
        # read as runs of words, the same (a PDF extracted again with its lines as paragraphs, headings restyled
        # or numbered, words glued together): only the layout changed
        return Verdict("noise", "only layout, markup, numbering or punctuation changed", last_updated=updated)
    before, after = _language_of(old_text), _language_of(new.text)
    if before != after and UNDETERMINED not in (before, after):
        # the page came in another of its languages: clause by clause, everything would differ
        return Verdict("noise", f"the page is now in its {after} version (was {before}): recorded, not posted",
                       last_updated=updated)
    changes = diff_clauses(old_text, new)
    notice = _replaced_section(changes)
    if notice is not None:
        return Verdict("not_document", notice, last_updated=updated)
    noise = {k for k, change in enumerate(changes) if _is_noise(change, context)}
    noise |= _regrouped(changes, noise, context)
    noise |= _edge_chrome(changes, noise, context)
    kept = [change for k, change in enumerate(changes) if k not in noise]
    if not kept:
        what = "markup, layout or page chrome" if changes else "formatting"
        return Verdict("noise", f"only {what} changed", last_updated=updated)
    topics = tuple(t for t in TOPICS if any(t in change.topics for change in kept))
    severity = max((c.severity for c in kept), key=lambda s: _SEVERITY_RANK.get(s, 0))
    announced = "\n".join((*new.metadata, new.text))
    return Verdict("change", f"{len(kept)} clause change(s)", kept, topics, severity, updated,
                   effective_date(announced), has_upcoming_and_current(new.text))


def _language_of(text: str) -> str:
    """The language of a document's body, read at a third and at two thirds of it (a title, a menu or a language
    picker at the top says little), or UNDETERMINED when the two readings differ."""
    first, second = (detect_language(text[len(text) * k // 3:][:2000]) for k in (1, 2))
    return first if first == second else UNDETERMINED


def _is_noise(change: ClauseChange, context: _Context) -> bool:
    """A clause change that changes no meaning for a user of the terms (page chrome: `bot.core.terms.chrome`; the
    same wording: `bot.core.terms.wording`; a cookie banner's sentence)."""
    if change.kind == "modified":
        old, new = change.old_text or "", change.new_text or ""
        return same_meaning(old, new, context) or (is_chrome(old, context.listed(old, False))
                                                   and is_chrome(new, context.listed(new, True)))
    if change.kind == "moved":
        old_path = change.old_path or ""
        return (_same_heading(old_path, change.path) or context.retitled(old_path, change.path, change.old_text or "")
                or is_chrome(change.new_text or "", context.listed(change.new_text or "", True)))
    text = (change.new_text if change.kind == "added" else change.old_text) or ""
    new_side = change.kind == "added"
    if change.path and context.in_link_list(text, new_side):
        return False  # one more (or one less) of the sites, policies or annexes a list of links in the body names
    if (is_chrome(text, context.listed(text, new_side)) or context.was_heading(text, new_side)
            or context.in_link(text, new_side)):
        return True
    numbered = bool(NUMBER_ONLY.fullmatch(change.path.rsplit(PATH_SEPARATOR, 1)[-1]))
    if numbered or len(text) > _BANNER_MAX:
        return False
    if change.kind == "removed" and _ANNOUNCEMENT.search(fold(text)):
        return True  # the notice of an update that is made
    if len(text) >= _DUPLICATE_MIN and context.duplicate(text, new_side):
        return True  # the same paragraph twice, or once again
    return "cookie" in text.lower() and bool(_BANNER.search(fold(text)))


class _Context:
    """What the rules read of the two whole versions, worked out when first asked for: the texts of their list
    items (a short list item is content, a short plain line a label), their heading titles, their words (what
    tells a spelling fix from another word) and the runs of lines at their edges that one of them lacks."""

    __slots__ = ("old_lines", "new_lines", "_listed", "_headings", "_plain", "_runs", "_words", "_counts", "_linked",
                 "_old_at", "_at")

    def __init__(self, old_text: str, new: NormalizedDocument) -> None:
        self.old_lines: Sequence[str] = old_text.split("\n")
        self.new_lines: Sequence[str] = new.lines if new.lines is not None else new.text.split("\n")
        self._listed: dict[bool, frozenset[str]] = {}
        self._headings: dict[bool, frozenset[str]] = {}
        self._plain: dict[bool, frozenset[str]] = {}
        self._counts: dict[bool, dict[str, int]] = {}
        self._linked: dict[bool, frozenset[str]] = {}
        self._old_at: dict[str, int] | None = None
        self._at: dict[bool, dict[str, list[int]]] = {}
        self._runs: dict[bool, Runs] = {}
        self._words: dict[bool, frozenset[str]] = {}

    def listed(self, text: str, new_side: bool) -> bool:
        """Whether `text` is a list item (a bullet or a number before it) in that version."""
        found = self._listed.get(new_side)
        if found is None:
            items = set()
            for line in (self.new_lines if new_side else self.old_lines):
                marked = LIST_ITEM.match(line)
                if marked:
                    items.add(line[marked.end():].strip())
            found = self._listed[new_side] = frozenset(items)
        return text.strip() in found

    def was_heading(self, text: str, new_side: bool) -> bool:
        """Whether an added (`new_side`) clause was a heading in the old version, or a removed one is a heading
        in the new version: a heading turned into a line of text or back is markup."""
        key = noise_key(text)
        return bool(key) and key in self._heading_keys(not new_side)

    def retitled(self, old_path: str, new_path: str, old_text: str) -> bool:
        """Whether a clause "moved" only because the headings above it are lines of text turned into headings or
        back ("Introduction" → "### Introduction"): every title on one path and not on the other is a plain line
        of the other version, or (a heading it lost) still a line of the new one; and in the old version the line
        of the innermost new title is the nearest line above the clause that is a heading in the new one (the
        clause stayed where it was)."""
        old_titles, new_titles = _titles(old_path), _titles(new_path)
        old_only = [t for t in old_titles if t not in new_titles]
        new_only = [t for t in new_titles if t not in old_titles]
        if not (old_only or new_only) or not all(t in self._plain_lines(False) for t in new_only):
            return False
        if not all(t in self._plain_lines(True) or t in self._heading_keys(True) for t in old_only):
            return False
        if not new_only:
            return True
        index = self._old_index().get(old_text.strip())
        if index is None:
            return False
        headings = self._heading_keys(True)
        for line in reversed(self.old_lines[:index]):
            key = noise_key(line.lstrip("#"))
            if key in headings:
                return key == new_only[-1] and not line.startswith("#")
        return False

    def _old_index(self) -> dict[str, int]:
        """The index of the first old line of each clause text (with and without its number or bullet)."""
        found = self._old_at
        if found is None:
            found = {}
            for k, line in enumerate(self.old_lines):
                found.setdefault(clause_text(line).strip(), k)
                found.setdefault(line.strip(), k)
            self._old_at = found
        return found

    def _heading_keys(self, new_side: bool) -> frozenset[str]:
        found = self._headings.get(new_side)
        if found is None:
            found = self._headings[new_side] = frozenset(
                noise_key(line.lstrip("#")) for line in (self.new_lines if new_side else self.old_lines)
                if line.startswith("#"))
        return found

    def _plain_lines(self, new_side: bool) -> frozenset[str]:
        found = self._plain.get(new_side)
        if found is None:
            found = self._plain[new_side] = frozenset(
                noise_key(line) for line in (self.new_lines if new_side else self.old_lines)
                if not line.startswith("#"))
        return found

    def duplicate(self, text: str, new_side: bool) -> bool:
        """Whether an added (`new_side`) or removed clause is one more or one less copy of a clause that stands in
        both versions within a few lines of it: a paragraph pasted twice, or such a double mended."""
        key = text.strip()
        near = [self._places(False).get(key, []), self._places(True).get(key, [])]
        more, fewer = (near[1], near[0]) if new_side else (near[0], near[1])
        return (len(fewer) >= 1 and len(more) == len(fewer) + 1
                and max(b - a for a, b in zip(more, more[1:], strict=False)) <= _DUPLICATE_LINES)

    def _places(self, new_side: bool) -> dict[str, list[int]]:
        """Each clause text of a version (without its number or bullet) → the lines where it stands."""
        found = self._at.get(new_side)
        if found is None:
            found = self._at[new_side] = defaultdict(list)
            for k, line in enumerate(self.new_lines if new_side else self.old_lines):
                found[clause_text(line).strip()].append(k)
        return found

    def in_link_list(self, text: str, new_side: bool) -> bool:
        """Whether `text` is one link ("[label]") of a bulleted list in the body whose items next to it both versions
        have: the sites a policy covers, the product policies it points to. Not a table of
        contents (a label that is a heading of the page), a language picker or a menu of short labels."""
        label = text[1:-1].strip() if text.startswith("[") and text.endswith("]") and text.count("[") == 1 else ""
        if len(label.split()) < 2 or noise_key(label) in self._heading_keys(True) | self._heading_keys(False):
            return False
        lines = self.new_lines if new_side else self.old_lines
        shared = frozenset(self.old_lines if new_side else self.new_lines)
        for k, line in enumerate(lines):
            marked = LIST_ITEM.match(line)
            if marked is None or line[marked.end():].strip() != text:
                continue
            # its neighbours: items both versions have, of two words or more, links or plain (a line of several
            # links, "[Site A], [Site B]", is kept as plain text)
            around = [lines[j] for j in (k - 1, k + 1) if 0 <= j < len(lines)]
            if around and all(LIST_ITEM.match(line) and line in shared and len(word_runs(line)) >= 2
                              for line in around):
                return True
        return False

    def in_link(self, text: str, new_side: bool) -> bool:
        """Whether `text` is a line of a link label that spans lines in that version: a menu's or a card's
        text between "[Who we are" and "Go to this section](https://…)"."""
        found = self._linked.get(new_side)
        if found is None:
            found = self._linked[new_side] = link_labels(self.new_lines if new_side else self.old_lines)
        return text.strip() in found

    def rare(self, broken: str, word: str, new_side: bool) -> bool:
        """Whether `broken` (lower case) occurs once at most in that version and never in the other, while that
        version writes `word` right elsewhere: a slip of the keyboard, not a word of the document."""
        counts = self._count(new_side)
        return counts.get(broken, 0) <= 1 and broken not in self._count(not new_side) and counts.get(word, 0) >= 1

    def _count(self, new_side: bool) -> dict[str, int]:
        found = self._counts.get(new_side)
        if found is None:
            found = self._counts[new_side] = defaultdict(int)
            for word in WORD_TOKEN.findall("\n".join(self.new_lines if new_side else self.old_lines).casefold()):
                found[word] += 1
        return found

    def spelling_fix(self, before: str, after: str) -> bool:
        """Whether a word pair that looks like a spelling fix (`bot.core.terms.wording`, lower case) may be one: the new
        spelling is new to the document (the old version never uses it), or the old spelling is gone from it (the
        new version never uses it). Two words the versions both use ("contact" and "contract", "consent" and
        "content") are two words, each with its meaning."""
        return after not in self._words_of(False) or before not in self._words_of(True)

    def _words_of(self, new_side: bool) -> frozenset[str]:
        found = self._words.get(new_side)
        if found is None:
            text = "\n".join(self.new_lines if new_side else self.old_lines)
            found = self._words[new_side] = frozenset(WORD_TOKEN.findall(text.casefold()))
        return found

    def runs(self, new_side: bool) -> Runs:
        """The runs of changed lines of one version (`Runs`)."""
        found = self._runs.get(new_side)
        if found is None:
            lines, other = (self.new_lines, self.old_lines) if new_side else (self.old_lines, self.new_lines)
            found = self._runs[new_side] = Runs(lines, frozenset(other))
        return found


def _edge_chrome(changes: Sequence[ClauseChange], noise: set[int], context: _Context) -> set[int]:
    """The changes (added, removed, or labels modified) whose lines all sit in chrome runs at the edges of the
    document (`Runs`), when none of the clauses of those runs has a topic."""
    runs_of: dict[int, list[tuple[bool, int]]] = {}
    blocked: set[tuple[bool, int]] = set()
    for k, change in enumerate(changes):
        if k in noise or change.kind == "moved" or (change.kind == "modified" and any(
                is_clause(clean(text or "")) for text in (change.old_text, change.new_text))):
            continue  # (a clause rewritten at an edge is no tagline come or gone: it counts)
        sides = [(side, text) for side, text in ((False, change.old_text), (True, change.new_text)) if text is not None]
        found: list[tuple[bool, int]] = []
        for side, text in sides:
            runs = context.runs(side).of_text.get(text.strip())
            if not runs:
                break
            found.extend((side, run) for run in runs)
        else:
            runs_of[k] = found
            if change.topics:
                blocked.update(found)
    return {k for k, found in runs_of.items()
            if all(context.runs(side).chrome[run] and (side, run) not in blocked for side, run in found)}


def _titles(path: str) -> list[str]:
    return [noise_key(t) for t in path.split(PATH_SEPARATOR) if not NUMBER_ONLY.fullmatch(t)] if path else []


def _same_heading(old_path: str, new_path: str) -> bool:
    """A clause "moved" under a heading of the same title (the heading levels around it changed)."""
    old_titles = [t for t in old_path.split(PATH_SEPARATOR) if not NUMBER_ONLY.fullmatch(t)] if old_path else []
    new_titles = [t for t in new_path.split(PATH_SEPARATOR) if not NUMBER_ONLY.fullmatch(t)] if new_path else []
    return bool(old_titles) and bool(new_titles) and noise_key(old_titles[-1]) == noise_key(new_titles[-1])



# The number of a clause glued into the paragraph before it ("… etc. 1.5. Your use …", "… descriptions. 3.3. If"):
# a joined clause's number, after the end of a sentence, never a figure of the text (it has two levels or more).
_GLUED_NUMBER = re.compile(r"(?<=[.;:!?] )\d{1,3}(?:\.\d{1,3})+\.?(?= )")


def _regrouped(changes: Sequence[ClauseChange], noise: set[int], context: _Context) -> set[int]:
    """The changes of a section that only split, joined or re-paired clauses: the old texts of its modified and
    removed clauses, in order, say what the new texts of its modified and added clauses say."""
    groups: dict[str, list[int]] = defaultdict(list)
    for k, change in enumerate(changes):
        if change.kind in ("modified", "added", "removed"):
            groups[section_of(change.path, "x")].append(k)
    found: set[int] = set()
    for every in groups.values():
        for members in ([k for k in every if k not in noise], every):  # (chrome among them or not)
            if len(members) < 2 or all(k in noise for k in members):
                continue
            old = "\n".join(changes[k].old_text or "" for k in members if changes[k].kind != "added")
            new = "\n".join(changes[k].new_text or "" for k in members if changes[k].kind != "removed")
            old, new = _GLUED_NUMBER.sub("", old), _GLUED_NUMBER.sub("", new)  # ("… etc. 1.5. Your use …")
            if old and new and (same_meaning(old, new, context) or _same_table_items(old, new)):
                found.update(members)
                break
    return found


def _same_table_items(old: str, new: str) -> bool:
    """Whether two runs of table rows list the same items in their cells, in another order or in other rows of the
    section (a cookie table re-sorted: "A1S, A3, A1" → "A1, A1S, A3")."""
    found = [_table_items(old), _table_items(new)]
    return found[0] is not None and found[0] == found[1]


def _table_items(text: str) -> Counter[str] | None:
    """The items of a run of table rows (each cell split at commas, as words), or None when a line is no row."""
    items: Counter[str] = Counter()
    for line in text.split("\n"):
        line = line.strip()
        if len(line) < 2 or line[0] != "|" or line[-1] != "|":
            return None
        items.update(key for cell in line[1:-1].split("|") for item in cell.split(",") if (key := noise_key(item)))
    return items


def _replaced_section(changes: Sequence[ClauseChange]) -> str | None:
    """A reason when the clauses of one section gave way to a short notice (a geo block …)."""
    added: dict[str, list[str]] = defaultdict(list)
    removed: dict[str, int] = defaultdict(int)
    for change in changes:
        if change.kind in ("added", "modified"):
            added[section_of(change.path, "x")].append(change.new_text or "")
        if change.kind in ("removed", "modified"):
            removed[section_of(change.old_path or change.path, "x")] += 1
    for section, texts in added.items():
        what = section_notice(texts, removed.get(section, 0))
        if what is not None:
            return f"the section {section or '(untitled)'!r} was replaced by {what}"
    return None
