"""Terms documents: normalized text, version hashes, error-page recognition and changed passages.

Clause-level segmentation and alignment build on these; here a change is a set of added and
removed paragraphs of the normalized text.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                         "–": "-", "—": "-", "‑": "-", "‒": "-", "−": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\f\v]+")
_DATE_LINE = re.compile(
    r"^\W*(last (updated|modified|revised)|effective( date| as of)?|date of last revision|"
    r"derni[eè]re (mise [aà] jour|modification)|en vigueur)\b.{0,60}$",
    re.IGNORECASE,
)
_ERROR_PAGE = re.compile(
    r"\b(access denied|forbidden|not available|page not found|404|captcha|are you a robot|verify you are human|"
    r"enable javascript|temporarily unavailable|service unavailable|too many requests|page introuvable|acc[eè]s refus[eé])\b",
    re.IGNORECASE,
)
ERROR_PAGE_MAX_CHARS = 600


@dataclass(frozen=True, slots=True)
class NormalizedDocument:
    """Text that is compared, its hash, and the metadata lines kept aside (e.g. "Last updated …")."""

    text: str
    hash: str
    metadata: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TextChange:
    """Paragraphs present only in the new version (`added`) or only in the old one (`removed`)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.added and not self.removed


def normalize(text: str) -> NormalizedDocument:
    """Fold cosmetic noise (spacing, typographic quotes and dashes, zero-width characters, date lines)."""
    text = unicodedata.normalize("NFC", _ZERO_WIDTH.sub("", text)).translate(_QUOTES)
    paragraphs: list[str] = []
    metadata: list[str] = []
    for raw in text.splitlines():
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            continue
        if _DATE_LINE.match(line):
            metadata.append(line)
            continue
        paragraphs.append(line)
    body = "\n".join(paragraphs)
    return NormalizedDocument(body, hashlib.sha256(body.encode("utf-8")).hexdigest(), tuple(metadata))


def looks_like_error_page(text: str) -> str | None:
    """A reason when the text is an error, placeholder or captcha page rather than terms; else None."""
    stripped = text.strip()
    if not stripped:
        return "the page (or the selected part of it) is empty"
    if len(stripped) <= ERROR_PAGE_MAX_CHARS:
        match = _ERROR_PAGE.search(stripped)
        if match:
            return f"the page looks like an error page ({match.group(0)!r} in {len(stripped)} characters)"
    return None


def compare(old: str, new: str) -> TextChange:
    """Paragraph-level difference between two normalized texts (order-insensitive for moved paragraphs)."""
    old_lines = old.split("\n") if old else []
    new_lines = new.split("\n") if new else []
    old_set, new_set = set(old_lines), set(new_lines)
    added: list[str] = []
    removed: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed.extend(line for line in old_lines[i1:i2] if line not in new_set)
        if tag in ("replace", "insert"):
            added.extend(line for line in new_lines[j1:j2] if line not in old_set)
    return TextChange(tuple(added), tuple(removed))
