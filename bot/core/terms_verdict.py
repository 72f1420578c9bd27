"""The verdict on a new version of a terms document: unchanged, noise, not the document, or a change that is
posted. The pipeline decides through `compare_versions`, and `judge_version` gives benchmarks the same answer
from two raw (extracted) texts: `kind == "change"` is exactly a `terms_change` alert."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.availability import not_the_document, section_notice
from bot.core.clauses import (_NUMBER_ONLY, PATH_SEPARATOR, ClauseChange, _section, diff_clauses, effective_date,
                              has_upcoming_and_current, last_updated)
from bot.core.documents import EMAIL_TOKEN, NormalizedDocument, normalize
from bot.core.topics import TOPICS, fold

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
    are dropped; a section whose clauses gave way to a short geo-block, cookie, login or maintenance notice
    makes the version not the document (its baseline is kept: no alert when the section comes back)."""
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
    kept = [change for change in changes if not _is_noise(change)]
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


def _is_noise(change: ClauseChange) -> bool:
    if change.kind == "modified":
        return _same_but_protected(change.old_text or "", change.new_text or "")
    if change.kind in ("added", "removed"):
        text = (change.new_text if change.kind == "added" else change.old_text) or ""
        numbered = bool(_NUMBER_ONLY.fullmatch(change.path.rsplit(PATH_SEPARATOR, 1)[-1]))
        return (not numbered and len(text) <= _BANNER_MAX and "cookie" in text.lower()
                and bool(_BANNER.search(fold(text))))
    return False


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
