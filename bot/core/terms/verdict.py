"""The verdict on a new version of a terms document: unchanged, noise, not the document, or a change that is
posted. The pipeline decides through `compare_versions`, and `judge_version` gives benchmarks the same answer
from two raw (extracted) texts: `kind == "change"` is exactly a `terms_change` alert."""

from __future__ import annotations

import difflib
import html
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.terms.availability import not_the_document, section_notice
from bot.core.terms.clauses import (
    _HEADING,
    _MARKED,
    _NUMBER_ONLY,
    PATH_SEPARATOR,
    ClauseChange,
    _section,
    diff_clauses,
    effective_date,
    has_upcoming_and_current,
    last_updated,
)
from bot.core.terms.documents import DATE_PHRASES, EMAIL_TOKEN, NormalizedDocument, normalize
from bot.core.text import MONTHS, fold
from bot.core.topics import TOPICS

KINDS = ("unchanged", "noise", "not_document", "change")
_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORDS = re.compile(r"\w+")
_LEADING_NUMBER = re.compile(r"^\W*(\d+(\.\d+)*\.?|\([a-z0-9]{1,5}\)|[a-z]\)|[ivx]{1,5}\.)\s+")
# A cookie banner's sentence, added or removed whole and unnumbered, is page chrome, not a clause: "We use
# cookies … By continuing you accept them." (the "by continuing / by clicking" part is what banners say)
_BANNER = re.compile(
    r"\bcookies?\b.{0,200}\b(by (continuing|clicking|using|browsing)|if you continue|en (continuant|cliquant|poursuivant)|"
    r"si vous continuez|wenn sie (fortfahren|weitersurfen)|durch (die )?(weitere )?nutzung|al (continuar|hacer clic|navegar)|"
    r"si contin[uu]as)\b"
)
_BANNER_MAX = 400


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

    A change of the date lines alone is noise (recorded as a version, never posted). Clause changes that are
    markup only (the same words once e-mail forms are folded), a cookie banner's sentence added or removed,
    a run of page chrome added or removed at the head or foot of the page (`_Runs`) are dropped; a section
    whose clauses gave way to a short geo-block, cookie, login or maintenance notice makes the version not the
    document (its baseline is kept: no alert when the section comes back)."""
    updated = last_updated(new.metadata)
    if old_text == new.text:
        if old_metadata is not None and tuple(old_metadata) != tuple(new.metadata):
            before = last_updated(old_metadata)
            return Verdict("noise", f"only the date line changed ({before or '?'} → {updated or '?'})",
                           last_updated=updated, effective_date=effective_date("\n".join(new.metadata)))
        return Verdict("unchanged", "the same text", last_updated=updated)
    changes = diff_clauses(old_text, new)
    notice = _replaced_section(changes)
    if notice is not None:
        return Verdict("not_document", notice, last_updated=updated)
    context = _Context(old_text, new)
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


def noise_key(text: str, emails: bool = True) -> str:
    """A clause's words in order, lower case, without a leading clause number; with `emails`, every e-mail
    address and protected-e-mail token as the one word "email". Two texts with the same key differ only in
    markup, punctuation, numbering (or, with `emails`, in how an address is written)."""
    folded = fold(text.replace(EMAIL_TOKEN, " email ") if emails else text)
    if emails and "@" in folded:
        folded = _EMAIL.sub(" email ", folded)
    return " ".join(_WORDS.findall(_LEADING_NUMBER.sub("", folded, count=1)))


def _same_but_protected(old: str, new: str) -> bool:
    """Whether two clauses differ only where one shows an address and the other Cloudflare's protected token
    (a changed address, both shown, is a change)."""
    if noise_key(old, emails=False) == noise_key(new, emails=False):
        return True
    if noise_key(old) != noise_key(new):
        return False
    old_addresses = set(_EMAIL.findall(old.lower()))
    new_addresses = set(_EMAIL.findall(new.lower()))
    return (not (old_addresses - new_addresses) or EMAIL_TOKEN in new) and (
        not (new_addresses - old_addresses) or EMAIL_TOKEN in old)


def _is_noise(change: ClauseChange, context: _Context) -> bool:
    """A clause change that changes no meaning for a user of the terms (see the rules below)."""
    if change.kind == "modified":
        old, new = change.old_text or "", change.new_text or ""
        return _same_meaning(old, new, context) or (_is_chrome(old, context.listed(old, False))
                                           and _is_chrome(new, context.listed(new, True)))
    if change.kind == "moved":
        old_path = change.old_path or ""
        return (_same_heading(old_path, change.path) or context.retitled(old_path, change.path, change.old_text or "")
                or _is_chrome(change.new_text or "", context.listed(change.new_text or "", True)))
    text = (change.new_text if change.kind == "added" else change.old_text) or ""
    new_side = change.kind == "added"
    if (_is_chrome(text, context.listed(text, new_side)) or context.was_heading(text, new_side)
            or context.in_link(text, new_side)):
        return True
    numbered = bool(_NUMBER_ONLY.fullmatch(change.path.rsplit(PATH_SEPARATOR, 1)[-1]))
    return (not numbered and len(text) <= _BANNER_MAX and "cookie" in text.lower()
            and bool(_BANNER.search(fold(text))))


class _Context:
    """What the rules read of the two whole versions, worked out when first asked for: the texts of their list
    items (a short list item is content, a short plain line a label), their heading titles, their words (what
    tells a spelling fix from another word) and the runs of lines at their edges that one of them lacks."""

    __slots__ = ("old_lines", "new_lines", "_listed", "_headings", "_plain", "_runs", "_words", "_counts", "_linked", "_old_at")

    def __init__(self, old_text: str, new: NormalizedDocument) -> None:
        self.old_lines: Sequence[str] = old_text.split("\n")
        self.new_lines: Sequence[str] = new.lines if new.lines is not None else new.text.split("\n")
        self._listed: dict[bool, frozenset[str]] = {}
        self._headings: dict[bool, frozenset[str]] = {}
        self._plain: dict[bool, frozenset[str]] = {}
        self._counts: dict[bool, dict[str, int]] = {}
        self._linked: dict[bool, frozenset[str]] = {}
        self._old_at: dict[str, int] | None = None
        self._runs: dict[bool, _Runs] = {}
        self._words: dict[bool, frozenset[str]] = {}

    def listed(self, text: str, new_side: bool) -> bool:
        """Whether `text` is a list item (a bullet or a number before it) in that version."""
        found = self._listed.get(new_side)
        if found is None:
            items = set()
            for line in (self.new_lines if new_side else self.old_lines):
                marked = _LIST_ITEM.match(line)
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
                marked = _MARKED.match(line)
                text = line if marked is None else marked.group(3) if marked.group(3) is not None else marked.group(2)
                found.setdefault(text.strip(), k)
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

    def in_link(self, text: str, new_side: bool) -> bool:
        """Whether `text` is a line of a link label that spans lines in that version: a menu's or a card's
        text between "[Who we are" and "Go to this section](https://…)"."""
        found = self._linked.get(new_side)
        if found is None:
            found = self._linked[new_side] = _link_labels(self.new_lines if new_side else self.old_lines)
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
            for word in _TOKEN.findall("\n".join(self.new_lines if new_side else self.old_lines).casefold()):
                found[word] += 1
        return found

    def spelling_fix(self, before: str, after: str) -> bool:
        """Whether a word pair that looks like a spelling fix (`_spelling_variant`, lower case) may be one: the new
        spelling is new to the document (the old version never uses it), or the old spelling is gone from it (the
        new version never uses it). Two words the versions both use ("contact" and "contract", "consent" and
        "content") are two words, each with its meaning."""
        return after not in self._words_of(False) or before not in self._words_of(True)

    def _words_of(self, new_side: bool) -> frozenset[str]:
        found = self._words.get(new_side)
        if found is None:
            text = "\n".join(self.new_lines if new_side else self.old_lines)
            found = self._words[new_side] = frozenset(_TOKEN.findall(text.casefold()))
        return found

    def runs(self, new_side: bool) -> _Runs:
        """The runs of changed lines of one version (`_Runs`)."""
        found = self._runs.get(new_side)
        if found is None:
            lines, other = (self.new_lines, self.old_lines) if new_side else (self.old_lines, self.new_lines)
            found = self._runs[new_side] = _Runs(lines, frozenset(other))
        return found


# --- the rules -----------------------------------------------------------------------------------------------
# A CLAUSE is a sentence of the terms: several words ending with sentence punctuation, or a long run of words
# that is not a list of capitalised labels. Other lines are labels: titles, menu entries, buttons, bylines.
_CLAUSE_MIN_WORDS = 3
_LONG_WORDS = 8  # lettered words
_CAPITALISED_SHARE = 0.6  # a long line with this share of capitalised words and no stop is a run of labels
_LINK_WORDS_MAX = 15  # a line that is only links (what `normalize` keeps of it: "[label] [label]") this short
_LIST_ITEM = re.compile(r"(?:[-*+][ \t]+|(?:\d+(?:\.\d+)*\.?|\([A-Za-z0-9]{1,5}\)|[A-Za-z]\)|[ivxIVX]{1,5}\.)[ \t]+)")
_LINK_LINE = re.compile(r"(?:!?\[[^\[\]\n]*\][ \t]*)+")
_TABLE_ROW = re.compile(r"\|.*\|")
_RELATIVE_TIME = re.compile(
    r"\b(?:\d+|an?|one|a few|over \d+|about \d+)\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
    r"\s+ago\b|\bil y a (?:\d+|une?|plus de \d+|environ \d+)\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)\b"
    r"|\bvor (?:\d+|einem|einer|uber \d+|etwa \d+)\s+(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|"
    r"jahr(?:en)?)\b|\bhace (?:\d+|una?|mas de \d+)\s+(?:segundos?|minutos?|horas?|dias?|semanas?|mes(?:es)?|anos?)\b"
)
# Vendor banners over a page: a cached copy served while the site is offline
_OFFLINE_BANNER = re.compile(r"\b(?:is|are) (?:currently )?offline\b.{0,300}\b(?:snapshot|cached (?:copy|version)|"
                             r"archived (?:copy|version))\b")
_BANNER_WORDS_MAX = 80
_SENTENCE_END = ".;:?"
_EXCLAIMED = re.compile(r"\w[ \t]?!(?:\s|$)")
_EXCLAIMED_MAX = 25
_TRAILING = " *_\"')]»"


def _is_clause(text: str) -> bool:
    words = _WORDS.findall(text)
    if "!" in text and len(words) <= _EXCLAIMED_MAX and _EXCLAIMED.search(text):
        return False  # a short exclamation is a promotion or a call to action, not a clause
    if len(words) >= _CLAUSE_MIN_WORDS and text.rstrip(_TRAILING)[-1:] in _SENTENCE_END:
        return True
    lettered = [word for word in words if word[0].isalpha()]
    if len(lettered) < _LONG_WORDS:
        return False
    capitalised = sum(1 for word in lettered if word[0].isupper())
    return capitalised < _CAPITALISED_SHARE * len(lettered)


# Contact data that is no sentence but says who the terms are with: an e-mail address, or a number beside words
# (a street address, a postcode and town, a phone number)
_CONTACT_DATA = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+"  # an e-mail address
    r"|\b(?:\d+\w?\s+)?(?:street|st|avenue|ave|road|rd|boulevard|blvd|suite|ste|floor|rue|avenida|calle|via|"
    r"place|plaza|platz|strasse|straße|str|weg|gasse|allee|chemin|quai)\b\.?\s*(?:\d|#)"  # "Market St 10", "rue 12"
    r"|\b\d+\w?,?\s+(?:[A-Z][\w.-]*\s+){0,3}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|way|drive|dr)\b"
    r"|\w(?:strasse|straße|str\.|weg|gasse|allee|platz|avenue|laan|straat|plein|vej|gatan|gade)\s*\d"  # "Minervastrasse 3"
    r"|\b[A-Z]{1,2}-\d{4,5}\b|\b\d{5}\b|\+\d[\d\s().-]{7,}"  # "CH-8050", "94114", "+33 1 23 45 67 89"
)

# A label of one to four words followed by a separator glyph: the links of a footer or menu ("Privacy ·")
_SEPARATED_LABEL = re.compile(r"(?:[-*+]\s+)?[^\s·|•/]+(?:\s+[^\s·|•/]+){0,3}\s*[·|•/]")


def _is_chrome(text: str, listed: bool) -> bool:
    """Page chrome, not a clause: a line without words (a stray period), a protected-address placeholder alone,
    a line of links with short labels (navigation, a table of contents, a language picker), an offline banner,
    or a line that is no clause and is a label (not a list item, not a table row) or carries a relative time
    ("2 weeks ago": a widget, a byline)."""
    stripped = text.strip()
    if not _WORDS.search(stripped.replace(EMAIL_TOKEN, " ")):
        return True
    if _LINK_LINE.fullmatch(stripped) and stripped != EMAIL_TOKEN:
        return stripped.count("[") > 1 or len(_WORDS.findall(stripped)) <= _LINK_WORDS_MAX
    if len(stripped) <= _BANNER_WORDS_MAX * 8 and "offline" in stripped and _OFFLINE_BANNER.search(fold(stripped)):
        return True
    if _SEPARATED_LABEL.fullmatch(stripped):
        return True  # "Privacy ·", "Terms |": a footer link with its separator, list item or not
    if "](" in stripped and _LINK_TAIL.fullmatch(stripped):
        return True  # the end of a link whose label spans lines: a card or teaser ("… Read our tips.](/news/…)")
    if _is_widget(stripped):
        return True
    if len(stripped) <= _BANNER_WORDS_MAX * 8 and _LEAVING.match(fold(stripped)):
        return True  # "You are leaving example.com. …": the dialog before a link to another site
    if _is_clause(_cleaned(stripped)):
        return False
    if "ago" in stripped or not stripped.isascii() or "vor " in stripped:
        if _RELATIVE_TIME.search(fold(stripped)):
            return True
    if _CONTACT_DATA.search(stripped):
        return False  # an address, a phone number, an e-mail of a controller: who the contract is with
    return not listed and not _TABLE_ROW.fullmatch(stripped)


# The tail of a link whose label began lines before (a news card, a teaser: "[![](img)", "#### Title", then
# "Teaser text.](https://…)"), with what starts the next card after it
_LINK_TAIL = re.compile(r"[^\[\]\n]*\]\([^()\s]*\)[\s!\[\]]*")
# Help widgets of a web page (folded: lower case, no accents), in English, French, German and Spanish: how many
# found the page helpful, "was this helpful?", and call-outs to the help desk ("can't find your answer? contact
# us"). A line that is such phrases and at most `_WIDGET_LEFTOVER` other words is chrome, unless it carries an
# e-mail address or a phone number (a contact point of the terms).
_WIDGET = re.compile(
    r"(?:\b(?:\d+ )?(?:out )?of \d+ (?:people |users |customers |members )?)?\b(?:found|find) (?:this|it) "
    r"(?:article |page |answer |post |information )?(?:helpful|useful)"
    r"|\b(?:was|is|did) (?:this|the) (?:article |page |answer |post |information |content |guide )?"
    r"(?:helpful|useful|help(?: you)?|answer your questions?)"
    r"|\bdid you find (?:this|what you (?:were|are) looking for)(?: (?:article|page|answer))?(?: helpful| useful)?"
    r"|\bhow (?:helpful|useful) (?:was|is) (?:this|the) (?:article|page|answer)"
    r"|\bthanks? (?:you )?for (?:your )?feedback"
    r"|\b(?:can't|cannot|can not|couldn't|didn't|did not|unable to) find (?:what you(?:'re| are| were) looking for|"
    r"(?:the |your |an )?answers?(?: you(?:'re| are| were)? (?:looking for|need))?|the information you need)"
    r"|\b(?:still )?(?:have|got) (?:more |any |other |further )?questions"
    r"|\b(?:need|want|looking for) (?:more |further |additional |some )?(?:help|support|assistance)"
    r"|\b(?:contact|reach|ask) (?:us|our (?:support|customer|help)\w*(?: (?:team|service|center|centre|desk))?|"
    r"support|customer (?:service|support|care))"
    r"|\bget in touch(?: with us)?|\bvisit (?:our|the) help (?:center|centre|desk|page)"
    r"|\bwe(?:'re| are) here to help"
    r"|\bno (?:results|matches) (?:were )?found|\btry (?:a )?(?:different|another) (?:search|keyword)(?: terms?)?"
    r"|\b(?:submit|clear) (?:search|text)|\bauto-?suggestions? (?:will )?appear(?: below(?: the)?(?: search)? field)?"
    r"|\bsearch\b|\baucun resultat(?: trouve)?|\bkeine (?:ergebnisse|treffer)(?: gefunden)?"
    r"|\bno se (?:encontraron|han encontrado) resultados"
    r"|(?:\b\d+ )?\b(?:sur|personnes? sur) \d+(?: personnes?)? (?:ont|a) trouve (?:cet article |cette page |cette reponse |"
    r"ceci |cela |ce contenu )?utile"
    r"|\b(?:cet article|cette page|cette reponse|ces informations|ce contenu) (?:vous )?(?:a|ont)[- ]t[- ]"
    r"(?:il|elle|ils|elles) ete utiles?"
    r"|\bavez[- ]vous trouve (?:cet article|cette page|cette reponse|ceci|cela|ce que vous cherchiez)(?: utile)?"
    r"|\bvous ne trouvez pas (?:votre reponse|la reponse|ce que vous cherchez|l'information|les informations)"
    r"|\b(?:vous avez |encore |d'autres |une autre |des )(?:des )?questions|\bbesoin d'(?:aide|assistance)"
    r"|\bcontactez[- ]nous|\bnous contacter|\bmerci (?:pour|de) (?:votre|vos) (?:avis|retours?|commentaires?)"
    r"|(?:\b\d+ )?\bvon \d+ (?:personen |nutzern |kunden )?fanden (?:dies|das|diesen artikel|diese seite|diese antwort)"
    r" hilfreich"
    r"|\b(?:war|ist|waren) (?:dieser artikel|diese seite|diese antwort|diese information(?:en)?|das|dies) hilfreich"
    r"|\bfanden sie (?:diesen artikel|diese seite|diese antwort|das|dies) hilfreich"
    r"|\b(?:sie )?(?:haben|noch) (?:sie )?(?:noch |weitere |andere )?fragen"
    r"|\b(?:nicht gefunden, wonach sie suchen|keine antwort gefunden|nicht das richtige gefunden)"
    r"|\b(?:brauchen|benotigen) sie (?:weitere |mehr )?(?:hilfe|unterstutzung)"
    r"|\bkontaktieren sie uns|\bkontakt aufnehmen|\bdanke fur ihr feedback"
    r"|\ba (?:\d+ )?de \d+ (?:personas |usuarios )?les (?:parecio|resulto) util"
    r"|(?:\b\d+ )?\bde \d+ (?:personas |usuarios )?(?:encontraron|consideraron) (?:esto |este articulo )?util"
    r"|\b(?:te|le|les) (?:ha )?(?:resultado|resulto|parecio|sirvio)(?: util)? (?:este articulo|esta pagina|"
    r"esta respuesta|esta informacion)"
    r"|\b(?:fue|es|ha sido) util (?:este articulo|esta pagina|esta respuesta|esta informacion)"
    r"|\b(?:este articulo|esta pagina|esta respuesta|esta informacion) (?:te |le )?(?:fue|ha sido|resulto) util"
    r"|\bno encuentras? (?:tu respuesta|la respuesta|lo que buscas|la informacion)"
    r"|\b(?:tienes|tiene|tienen) (?:mas |alguna |otras )?preguntas|\bnecesitas? (?:mas )?ayuda"
    r"|\bcontacta(?:nos| con nosotros)|\bponte en contacto con nosotros|\bgracias por (?:tu|su) (?:opinion|comentario)"
)
_WIDGET_HINTS = ("search", "result", "resultat", "ergebnis", "treffer", "resultado", "help", "useful", "question",
                 "find", "contact", "touch", "feedback", "utile", "aide", "trouve",
                 "hilfreich", "fragen", "gefunden", "kontakt", "util", "ayuda", "preguntas", "encuentra")
# The dialog a site shows before a link to another site (en, fr, de, es)
_LEAVING = re.compile(r"\W*(?:you are (?:now )?(?:leaving|about to leave)|vous (?:etes sur le point de |allez )?quitte[rz]"
                      r"|sie verlassen (?:jetzt |nun )?|(?:esta|estas|usted esta) (?:saliendo|abandonando|a punto de "
                      r"(?:salir|abandonar)))\b.{0,200}\b(?:site|website|web|page|pagina|seite|webseite|sitio)(?:s|n)?\b")
_WIDGET_FILLER = frozenset("yes no oui non ja nein si please svp bitte por favor here ici hier aqui the us".split())
_WIDGET_LEFTOVER = 2
_WIDGET_WORDS_MAX = 30
_PHONE = re.compile(r"\+?\d[\d ().-]{7,}\d")


def _is_widget(text: str) -> bool:
    """A helpfulness counter or vote ("12 out of 40 found this helpful", "Cet article vous a-t-il été utile ?") or
    a call-out to the help desk ("Still have questions? Contact us"), with no address or phone number in it."""
    folded = fold(text).replace("\u2019", "'")
    if not any(hint in folded for hint in _WIDGET_HINTS) or len(_WORDS.findall(folded)) > _WIDGET_WORDS_MAX:
        return False
    rest = _WIDGET.sub(" ", folded)
    if rest == folded or "@" in folded or EMAIL_TOKEN.lower() in folded or _PHONE.search(rest):
        return False
    return sum(1 for word in _WORDS.findall(rest) if word not in _WIDGET_FILLER) <= _WIDGET_LEFTOVER


# A RUN of page chrome at an edge of the document: the lines of a version that the other lacks, before the first
# clause both versions share (the header: site menus, sidebars, a tagline) or after the last one (the footer),
# going on over shared lines that are neither clauses nor headings. A run of at least `_RUN_MIN_LINES` lines
# (headings aside) with at least `_RUN_CHROME_SHARE` of them chrome is chrome as a whole, its few sentences too
# (a tagline, a marketing line), unless one of them has a topic. A clause between shared clauses always counts.
_RUN_MIN_LINES = 3
_RUN_CHROME_SHARE = 2 / 3
_LABEL_WORDS_MAX = 10  # lettered words of a list item read as a label in the header ("Jazz Week (Jun 28, 2024)")


class _Runs:
    """The edge runs of one version: which of them are chrome (`chrome`), and the runs each changed line's
    clause text sits in (`of_text`)."""

    __slots__ = ("chrome", "of_text")

    def __init__(self, lines: Sequence[str], other: frozenset[str]) -> None:
        self.chrome: list[bool] = []
        self.of_text: dict[str, list[int]] = defaultdict(list)
        first = next((k for k, line in enumerate(lines) if line in other and _line_kind(line)[0] == "clause"), None)
        if first is None:  # no clause in common: no edges to speak of
            return
        last = next(k for k in range(len(lines) - 1, first - 1, -1)
                    if lines[k] in other and _line_kind(lines[k])[0] == "clause")
        self._read(lines, other, range(first), header=True)
        self._read(lines, other, range(last + 1, len(lines)), header=False)

    def _read(self, lines: Sequence[str], other: frozenset[str], span: range, header: bool) -> None:
        counted = chrome = 0
        texts: list[str] = []
        for k in [*span, None]:
            line = lines[k] if k is not None else None
            if line is not None and line in other:
                if not line.startswith("#") or not _HEADING.match(line):
                    continue  # a shared line that is not a heading: the run goes on
            elif line is not None:
                if line.startswith("#") and _HEADING.match(line):
                    continue  # a heading of this version alone: not counted, the run goes on
                kind, text = _line_kind(line)
                counted += 1
                chrome += kind == "chrome" or (kind == "label" and (header or not any(c.isalpha() for c in text)))
                texts.append(text)
                continue
            if texts:  # the run ends (a shared heading, or the edge's end)
                run = len(self.chrome)
                self.chrome.append(counted >= _RUN_MIN_LINES and chrome >= _RUN_CHROME_SHARE * counted)
                for text in texts:
                    self.of_text[text].append(run)
            counted = chrome = 0
            texts = []


def _line_kind(line: str) -> tuple[str, str]:
    """("chrome" | "clause" | "label" | "other", the clause text) of a line: a list item that is no clause and
    whose words are mostly capitalised, or has no letters, is a "label"."""
    marked = _MARKED.match(line)
    text = line if marked is None else marked.group(3) if marked.group(3) is not None else marked.group(2)
    listed = marked is not None
    if _is_chrome(text, listed):
        return "chrome", text
    if _is_clause(_cleaned(text)):
        return "clause", text
    if listed:
        lettered = [word for word in _WORDS.findall(text) if word[0].isalpha()]
        if len(lettered) <= _LABEL_WORDS_MAX and 2 * sum(word[0].isupper() for word in lettered) >= len(lettered):
            return "label", text
    return "other", text


def _edge_chrome(changes: Sequence[ClauseChange], noise: set[int], context: _Context) -> set[int]:
    """The changes (added, removed, or labels modified) whose lines all sit in chrome runs at the edges of the
    document (`_Runs`), when none of the clauses of those runs has a topic."""
    runs_of: dict[int, list[tuple[bool, int]]] = {}
    blocked: set[tuple[bool, int]] = set()
    for k, change in enumerate(changes):
        if k in noise or change.kind == "moved" or (change.kind == "modified" and any(
                _is_clause(_cleaned(text or "")) for text in (change.old_text, change.new_text))):
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


_LINK_SPAN_MAX = 8  # lines of a link label that spans lines


def _link_labels(lines: Sequence[str]) -> frozenset[str]:
    """The texts of the lines inside link labels that span lines: from a line that opens a bracket it does not
    close to the next line that closes one into a link target ("](…)"), at most `_LINK_SPAN_MAX` lines."""
    found: set[str] = set()
    opened: int | None = None
    for k, line in enumerate(lines):
        if "[" not in line and "]" not in line:
            continue
        if opened is not None and "](" in line and line.count("]") > line.count("["):
            if k - opened < _LINK_SPAN_MAX:
                for inside in lines[opened:k + 1]:
                    found.add(inside.strip())
                    marked = _MARKED.match(inside)
                    if marked is not None:
                        found.add((marked.group(3) if marked.group(3) is not None else marked.group(2)).strip())
            opened = None
        if line.count("[") > line.count("]"):
            opened = k
    return frozenset(found)


def _titles(path: str) -> list[str]:
    return [noise_key(t) for t in path.split(PATH_SEPARATOR) if not _NUMBER_ONLY.fullmatch(t)] if path else []


def _same_heading(old_path: str, new_path: str) -> bool:
    """A clause "moved" under a heading of the same title (the heading levels around it changed)."""
    old_titles = [t for t in old_path.split(PATH_SEPARATOR) if not _NUMBER_ONLY.fullmatch(t)] if old_path else []
    new_titles = [t for t in new_path.split(PATH_SEPARATOR) if not _NUMBER_ONLY.fullmatch(t)] if new_path else []
    return bool(old_titles) and bool(new_titles) and noise_key(old_titles[-1]) == noise_key(new_titles[-1])


# Folded away before two versions of a clause are compared: HTML tags and entities left in the text, link
# targets and paths written out, screen-reader text glued to links, mojibake.
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,2000}>")
_URL_TOKEN = re.compile(r"\S*://\S*|/\S*%[0-9A-Fa-f]{2}\S*|(?<![\w/])/[\w%.~-]+(?:/[\w%.~-]*)+\)?")
_SCREEN_READER = re.compile(
    r"\(?(?:(?:this )?link )?(?:opens|will open) in (?:a )?new (?:tab|window)(?: or (?:tab|window))?"
    r"(?: of (?:your )?browser)?\)?"
    r"|\(?(?:(?:le )?lien )?s'ouvr(?:e|ira) dans (?:un|une) (?:nouvel onglet|nouvelle fen[eê]tre)"
    r"(?: ou (?:un|une) (?:nouvel onglet|nouvelle fen[eê]tre))?(?: de (?:votre )?navigateur)?\)?"
    r"|\(?(?:[öo]ffnet|wird) (?:sich )?in (?:einem )?neue[nm] (?:tab|fenster)(?: oder (?:tab|fenster))?"
    r"(?: ge[öo]ffnet)?\)?"
    r"|\(?se abre en (?:una )?nueva (?:pesta[ñn]a|ventana)(?: o (?:pesta[ñn]a|ventana))?(?: del navegador)?\)?",
    re.IGNORECASE)
_SCREEN_READER_HINTS = ("new tab", "new window", "nouvel onglet", "nouvelle fen", "neuen tab", "neuen fenster",
                        "neuem tab", "neuem fenster",
                        "nueva pesta", "nueva ventana")
# Mojibake: UTF-8 read as Windows-1252 ("Ã©" for "é", "ï¿½" for a replacement character)
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                       "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,3}")


def _repair(match: re.Match[str]) -> str:
    run = match.group(0)
    for encoding in ("cp1252", "latin-1"):
        try:
            return run.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return run


def _cleaned(text: str) -> str:
    """A clause without HTML entities and tags, link targets, screen-reader text and mojibake."""
    if any(hint in text.lower() for hint in _SCREEN_READER_HINTS):
        text = _SCREEN_READER.sub(" ", text)
    if "&" in text and ";" in text:
        text = html.unescape(text)
    if "<" in text and ">" in text:
        text = _HTML_TAG.sub(" ", text)
    if "/" in text or "%" in text:
        text = _URL_TOKEN.sub(" ", text)
    if not text.isascii():
        text = _MOJIBAKE.sub(_repair, text)
    return text


# Cloudflare's placeholder with the fragments of the address that leak around it ("[su [email protected]]( …)",
# "in [email protected]"): one "email" word.
_PLACEHOLDERS = re.escape(EMAIL_TOKEN) + r"(?:[\])(]*" + re.escape(EMAIL_TOKEN) + r")*\S*"
_PLACEHOLDER_RUN = re.compile(r"(?:\[?\b[\w.+-]{1,20} ?)?" + _PLACEHOLDERS)
_PLACEHOLDER = re.compile(_PLACEHOLDERS)
_REPEATED_WORD = re.compile(r"\b(\w+)(?:\W+\1\b)+")


def _same_meaning(old: str, new: str, context: _Context | None = None) -> bool:
    """Two versions of a clause that say the same: the same words once markup, e-mail forms, link targets and
    encoding are folded; or one-word spelling fixes and date-only edits (`_minor_words`; spelling fixes only
    with the `context` of the two versions, which tells a fix from another word)."""
    old, new = _cleaned(old), _cleaned(new)
    if _same_but_protected(old, new):
        return True
    if EMAIL_TOKEN in old or EMAIL_TOKEN in new:
        runs = [noise_key(_PLACEHOLDER_RUN.sub(" email ", text), emails=False) for text in (old, new)]
        plain = [noise_key(_PLACEHOLDER.sub(" email ", text), emails=False) for text in (old, new)]
        if runs[0] == runs[1] or runs[0] == plain[1] or plain[0] == runs[1]:
            return True  # fragments of the address leaked around the placeholder
        if (_REPEATED_WORD.sub(r"\1", noise_key(_PLACEHOLDER.sub(" ", old), emails=False))
                == _REPEATED_WORD.sub(r"\1", noise_key(_PLACEHOLDER.sub(" ", new), emails=False))):
            return True  # the placeholder stripped ("at  at"): nothing was shown of the address anyway
    return _minor_words(old, new, context) or _glued_labels(old, new) or _glued_labels(new, old)


_GLUED_LABELS_MAX = 6  # words of UI labels glued before or after a clause ("Chat Now No Chat Available …")


def _glued_labels(shorter: str, longer: str) -> bool:
    """Whether `longer` is `shorter` with a run of capitalised labels (at least two words, no punctuation, no
    digit) glued before or after it: widget text pulled into the paragraph by the extraction."""
    shorter, longer = shorter.strip(), longer.strip()
    if not shorter or len(longer) <= len(shorter):
        return False
    if longer.endswith(shorter):
        extra = longer[: -len(shorter)]
    elif longer.startswith(shorter):
        extra = longer[len(shorter):]
    else:
        return False
    words = extra.split()
    return (2 <= len(words) <= _GLUED_LABELS_MAX and all(word.isalpha() and word[0].isupper() for word in words))


_TOKEN = re.compile(r"[\w\ufffd]+")
_MINOR_MAX = 3  # word pairs a spelling fix may touch
_KEEP = frozenset(  # words whose change is never a spelling fix: negations, modals, quantities
    "not no nor never none neither may might must shall should will would can cannot could only except unless "
    "without ne pas plus jamais aucun aucune sans peut peuvent doit doivent sauf nicht kein keine keinen keiner "
    "keines nie niemals nur ohne darf durfen muss mussen kann konnen soll sollen nunca ningun ninguna sin solo "
    "puede pueden debe deben salvo all any every each some tous toutes alle todos todas".split())
_DATE_CONTEXT = re.compile(rf"(?:{DATE_PHRASES})|\b(?:updated|amended|revised|modified|appl(?:y|ies|icable) "
                           r"(?:from|as of|since|until)|s'appliquent? (?:a partir|depuis)|mis a jour)\b", re.IGNORECASE)
_DATE_TOKEN = re.compile(r"\d{1,4}(?:st|nd|rd|th|er|e)?|\d{4}-\d\d-\d\dt[\d:z+]*|\d\dz?")
_MONTH_WORDS = frozenset(MONTHS)


def _word_tokens(text: str) -> list[str]:
    folded = text.replace(EMAIL_TOKEN, " email ").casefold()
    return _TOKEN.findall(_LEADING_NUMBER.sub("", folded, count=1))


def _minor_words(old: str, new: str, context: _Context | None = None) -> bool:
    """Whether the words of two clause versions differ only by spelling fixes (each word pair a small edit,
    no digit, no negation or modal: "recognise" → "recognize", "ex-aboné" → "ex-abonné"), by letters lost to
    or repaired from bad encoding ("t��léphone"), or, in a clause that dates the document ("last updated on",
    "applies from", "effective as of"), by the date alone. A spelling fix needs the `context` of the two
    versions and must pass its `spelling_fix` check."""
    a, b = _word_tokens(old), _word_tokens(new)
    dated: bool | None = None
    changed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        olds, news = a[i1:i2], b[j1:j2]
        if all(_is_date_word(word) for word in olds + news):
            if dated is None:
                dated = bool(_DATE_CONTEXT.search(fold(new))) and bool(_DATE_CONTEXT.search(fold(old)))
            if dated:
                continue
            return False
        if op in ("insert", "delete") and len(olds) + len(news) == 1 and fold((olds or news)[0]) in _GLUE_WORDS:
            changed += 1  # a missing article or pronoun put in ("… to the extent it relates …"): grammar
            if changed > _MINOR_MAX:
                return False
            continue
        if op != "replace" or len(olds) != len(news):
            return False
        for before, after in zip(olds, news):
            same = _spelling_variant(before, after)
            if not same and context is not None and _first_letter(before, after):
                (shorter, longer), new_side = ((before, after), False) if len(before) < len(after) else ((after, before), True)
                if context.rare(shorter, longer, new_side):  # "alid" → "valid": a word broken once, nowhere else
                    changed += 1
                    if changed > _MINOR_MAX:
                        return False
                    continue
            if not same:
                return False
            if same is not _ENCODING and before != after:
                if context is None or not context.spelling_fix(before, after):
                    return False
                changed += 1
                if changed > _MINOR_MAX:
                    return False
    return True


# Words whose insertion or removal alone only mends grammar: articles, pronouns, "to", "of" (never a negation, a
# modal, a quantifier or a preposition that changes who or what: those are not in this list)
_GLUE_WORDS = frozenset(
    "a an the it its this that these those to of is are be le la les l un une du des der die das den dem des ein "
    "eine el los las lo una".split()
)


def _is_date_word(word: str) -> bool:
    return word in _MONTH_WORDS or fold(word) in _MONTH_WORDS or bool(_DATE_TOKEN.fullmatch(word))


def _latin_only(word: str) -> bool:
    return all(char.isascii() or "\u00c0" <= char <= "\u017f" or char == "\ufffd" for char in word)


_ENCODING = 2  # (true: what `_spelling_variant` returns for words that differ in their encoding only)


def _spelling_variant(before: str, after: str) -> bool | int:
    if before == after:
        return True
    if any(char.isdigit() for char in before + after):
        return False
    if not (before.isascii() and after.isascii()) and _latin_only(before) and _latin_only(after):
        if "".join(filter(str.isascii, before)) == "".join(filter(str.isascii, after)):
            return _ENCODING  # only accented letters or replacement characters differ (encoding)
    plain_before, plain_after = fold(before), fold(after)
    if plain_before in _KEEP or plain_after in _KEEP:
        return False
    shortest = min(len(plain_before), len(plain_after))
    if shortest >= 5 and (plain_before == plain_after[1:] or plain_after == plain_before[1:]):
        return True  # a first letter lost or put back ("ervices" → "services")
    if shortest >= 5 and _inflected(plain_before, plain_after):
        return True  # an ending put right ("all/select boards" → "all/selected boards")
    if shortest < 4 or plain_before[0] != plain_after[0] or plain_before[-1] != plain_after[-1]:
        return False
    return _distance(plain_before, plain_after, 1 if max(len(plain_before), len(plain_after)) <= 7 else 2)


_ENDINGS = ("s", "d", "ed", "es")


def _inflected(a: str, b: str) -> bool:
    """Whether one word is the other with a plural or past ending added."""
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return longer.startswith(shorter) and longer[len(shorter):] in _ENDINGS


_FIRST_LETTER_MIN = 4  # letters left of a word that lost its first one ("alid"), when that broken word is rare


def _first_letter(a: str, b: str) -> bool:
    """Whether one word is the other without its first letter (four letters left at least, no digit)."""
    a, b = fold(a), fold(b)
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return (len(shorter) >= _FIRST_LETTER_MIN and longer[1:] == shorter and shorter.isalpha()
            and shorter not in _KEEP and longer not in _KEEP and shorter not in _SHORT_WORDS)


# Words of four or five letters that are words of their own once a first letter goes ("yours" → "ours",
# "close" → "lose", "price" → "rice"): a change between them is another word, never a slip
_SHORT_WORDS = frozenset(
    "ours here ever else over ends sent able lose ease earn rent lone hare lace rice rate ring arts ally mail "
    "hose hall just once aged oral ages eight elle vous nous sont leur eine sind ihre alle esta este otro".split())


def _distance(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance (with transpositions) of `a` and `b` is at most `limit`."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


def _regrouped(changes: Sequence[ClauseChange], noise: set[int], context: _Context) -> set[int]:
    """The changes of a section that only split, joined or re-paired clauses: the old texts of its modified and
    removed clauses, in order, say what the new texts of its modified and added clauses say."""
    groups: dict[str, list[int]] = defaultdict(list)
    for k, change in enumerate(changes):
        if change.kind in ("modified", "added", "removed"):
            groups[_section(change.path, "x")].append(k)
    found: set[int] = set()
    for every in groups.values():
        for members in ([k for k in every if k not in noise], every):  # (chrome among them or not)
            if len(members) < 2 or all(k in noise for k in members):
                continue
            old = "\n".join(changes[k].old_text or "" for k in members if changes[k].kind != "added")
            new = "\n".join(changes[k].new_text or "" for k in members if changes[k].kind != "removed")
            if old and new and _same_meaning(old, new, context):
                found.update(members)
                break
    return found


def _replaced_section(changes: Sequence[ClauseChange]) -> str | None:
    """A reason when the clauses of one section gave way to a short notice (a geo block …)."""
    added: dict[str, list[str]] = defaultdict(list)
    removed: dict[str, int] = defaultdict(int)
    for change in changes:
        if change.kind in ("added", "modified"):
            added[_section(change.path, "x")].append(change.new_text or "")
        if change.kind in ("removed", "modified"):
            removed[_section(change.old_path or change.path, "x")] += 1
    for section, texts in added.items():
        what = section_notice(texts, removed.get(section, 0))
        if what is not None:
            return f"the section {section or '(untitled)'!r} was replaced by {what}"
    return None
