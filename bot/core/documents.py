"""Terms documents: normalized text with cosmetic noise folded away, version hashes, and recognition
of error or placeholder pages. Clause-level comparison lives in `clauses`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                         "–": "-", "—": "-", "‑": "-", "‒": "-", "−": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\f\v]+")
_DATE_LINE = re.compile(
    r"^\W*(last (updated|modified|revised)|effective( date| as of)?|date of last revision|"
    r"derni[eè]re (mise [aà] jour|modification)|en vigueur)\b.{0,60}$",
    re.IGNORECASE,
)
_DATE_LINE_MAX = 81  # longest line `_DATE_LINE` can match when it starts with a word character (21 + 60)
_ERROR_PAGE = re.compile(
    r"\b(access denied|forbidden|not available|page not found|404|captcha|are you a robot|verify you are human|"
    r"enable javascript|temporarily unavailable|service unavailable|too many requests|page introuvable|acc[eè]s refus[eé])\b",
    re.IGNORECASE,
)
ERROR_PAGE_MAX_CHARS = 600

# Markup noise: link targets, emphasis markers, tracking parameters, obfuscated e-mail addresses.
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([ \t]*<?[^)\s>]*>?(?:\s+\"[^\"\n]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.IGNORECASE)
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|igshid|yclid|ref|ref_src|"
                       r"si|spm|source|campaign)$", re.IGNORECASE)
_EMPHASIS = (  # (marker that must occur, pattern); patterns start with a literal so that scanning is fast
    ("**", re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")),
    ("__", re.compile(r"__(?<!\w__)(?=\S)(.+?)(?<=\S)__(?!\w)")),
    ("*", re.compile(r"\*(?<![\w*]\*)(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")),
    ("_", re.compile(r"_(?<!\w_)(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)")),
    ("`", re.compile(r"`+([^`\n]+?)`+")),
)
_AT = r"[ \t]*(?:[\[({<][ \t]*(?:at|arobase)[ \t]*[\])}>]|@)[ \t]*"
_DOT = r"[ \t]*(?:[\[({<][ \t]*(?:dot|point)[ \t]*[\])}>]|\.)[ \t]*"
_EMAIL = re.compile(rf"\b([A-Za-z0-9][\w.+-]*){_AT}([A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*{_DOT}[A-Za-z]{{2,24}})\b")
_DOT_ONLY = re.compile(_DOT)
# Bullet glyphs at the start of a line, the first line apart: a pattern that starts with "\n" is searched for
# quickly, whereas "^" with re.MULTILINE is tried at every position (0.6 ms on a 120 KB page).
_BULLET_GLYPHS = "*+•·▪◦‣"
_BULLET_LINE = re.compile(r"\n[ \t]*[*+•·▪◦‣][ \t]+")
_BULLET_FIRST = re.compile(r"[ \t]*[*+•·▪◦‣][ \t]+")
_AT_HINT = re.compile(r"[\[({<][ \t]*(?:at|AT|At|arobase)[ \t]*[\])}>]")  # what `_has_at_hint` looks for
_AT_WORDS = ("at", "AT", "At", "arobase")
_SPACE_RUNS = re.compile(r"[ \t\f\v]{2,}|[\t\f\v]")
_DOUBLE_SPACES = re.compile(r"  +")
_DOUBLE_SPACE = re.compile("  ")


@dataclass(frozen=True, slots=True)
class NormalizedDocument:
    """Text that is compared, its hash, and the metadata lines kept aside (e.g. "Last updated …"); `lines` are
    the text's lines when `normalize` made it (so that a clause diff need not split the text again)."""

    text: str
    hash: str
    metadata: tuple[str, ...]
    lines: tuple[str, ...] | None = field(default=None, repr=False, compare=False)


def normalize(text: str) -> NormalizedDocument:
    """Fold cosmetic noise (spacing, typographic quotes and dashes, zero-width characters, link targets and
    tracking parameters, Markdown emphasis, obfuscated e-mail addresses, bullet glyphs, date lines)."""
    if not text.isascii():  # (O(1)) quotes, dashes, odd spaces and zero-width characters are all non-ASCII
        if any(char in text for char in "\u200b\u200c\u200d\u2060\ufeff"):
            text = _ZERO_WIDTH.sub("", text)
        text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _fold_markup(text)
    if "\t" in text or "\f" in text or "\v" in text:
        text = _SPACE_RUNS.sub(" ", text)
    elif _DOUBLE_SPACE.search(text):  # (the regex engine finds "  " faster than `in` does, among many spaces)
        text = _DOUBLE_SPACES.sub(" ", text)
    if text.isascii() and not any(mark in text for mark in "\r\x1c\x1d\x1e"):
        lines = list(filter(None, map(str.strip, text.split("\n"))))  # (faster, the same lines as splitlines)
    else:
        lines = list(filter(None, map(str.strip, text.splitlines())))
    # A date line is short unless it starts with non-word characters: only those lines are matched.
    dated = [k for k, line in enumerate(lines)
             if (len(line) <= _DATE_LINE_MAX or not (line[0].isalnum() or line[0] == "_")) and _DATE_LINE.match(line)]
    metadata = [lines[k] for k in dated]
    if dated:
        skipped = set(dated)
        lines = [line for k, line in enumerate(lines) if k not in skipped]
    body = "\n".join(lines)
    return NormalizedDocument(body, hashlib.sha256(body.encode("utf-8")).hexdigest(), tuple(metadata), tuple(lines))


def _clean_url(match: re.Match[str]) -> str:
    """A bare URL without its tracking parameters and fragment (trailing punctuation stays outside)."""
    url = match.group(0)
    tail = ""
    while url and url[-1] in ".,;:!?":
        url, tail = url[:-1], url[-1] + tail
    url = url.split("#", 1)[0]
    if "?" in url:
        base, query = url.split("?", 1)
        kept = [part for part in query.split("&") if part and not _TRACKING.match(part.split("=", 1)[0])]
        url = base + ("?" + "&".join(kept) if kept else "")
    return url.rstrip("/") + tail


def _email(match: re.Match[str]) -> str:
    return f"{match.group(1).lower()}@{_DOT_ONLY.sub('.', match.group(2)).lower()}"


def _fold_markup(text: str) -> str:
    """Text without link targets, tracking parameters, emphasis markers, bullet glyphs and e-mail obfuscation.

    Every step is skipped unless a character it needs occurs: single-character `in` tests are memchr-fast,
    while a regex scan or a multi-character `in` test of a 120 KB page costs about 0.1 to 0.6 ms each."""
    if "]" in text and "](" in text:
        text = _MD_LINK.sub(lambda m: m.group(1), text)
    if "/" in text and "://" in text:
        text = _URL.sub(_clean_url, _AUTOLINK.sub(r"\1", text))
    if any(glyph in text for glyph in _BULLET_GLYPHS):
        text = _BULLET_LINE.sub("\n- ", text)
        first = _BULLET_FIRST.match(text)
        if first:
            text = "- " + text[first.end():]
    for marker, pattern in _EMPHASIS:
        if marker[0] in text and marker in text:
            text = pattern.sub(r"\1", text)
    if "@" in text or _has_at_hint(text):
        text = _EMAIL.sub(_email, text)
    return text


def _has_at_hint(text: str) -> bool:
    """Whether `_AT_HINT` occurs ("[at]", "(at)", "< arobase >" …), found from the (memchr-fast) closing
    brackets backwards instead of a regex scan of every position."""
    for close in "])}>":
        index = text.find(close)
        while index >= 0:
            end = index
            while end and text[end - 1] in " \t":
                end -= 1
            for word in _AT_WORDS:
                start = end - len(word)
                if start > 0 and text.startswith(word, start):
                    while start and text[start - 1] in " \t":
                        start -= 1
                    if start and text[start - 1] in "[({<":
                        return True
            index = text.find(close, index + 1)
    return False


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
