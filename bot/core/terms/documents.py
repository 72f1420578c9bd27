"""Terms documents: normalized text with cosmetic noise folded away, version hashes, and recognition
of error or placeholder pages. Clause-level comparison lives in `clauses`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from bot.core.text import fold

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                         "–": "-", "—": "-", "‑": "-", "‒": "-", "−": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
                         **{chr(c): " " for c in (*range(0x2000, 0x2009), 0x200a, 0x205f, 0x3000)}, "\u00ad": ""})
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_NBSP_ENTITY = re.compile(r"&(?:nbsp|#160|#x0*a0);", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v]+")
# Date lines ("Last updated: …", "Dernière mise à jour : …", "Stand: …", "Última actualización: …") are kept aside
# as metadata: a change of the date alone is no change of the terms. A date line holds a year.
DATE_PHRASES = (
    r"(?:last|latest|most recent) (?:updated?|modified|modification|revised|revision|amended|amendment|changed?|"
    r"reviewed)|(?:last )?(?:updated|amended|revised)(?:\s*:| on)|version(?= *:? *v?\d)"
    r"|effective(?: date| as of| from| on)?|date of (?:last )?(?:revision|update|amendment)|version date"
    r"|derni[eè]re (?:mise [aà] jour|modification|r[eé]vision|actualisation)|mise? [aà] jour\s*(?:le|:)"
    r"|date (?:de (?:la )?(?:derni[eè]re )?mise [aà] jour|d'entr[eé]e en vigueur|de prise d'effet)"
    r"|(?:entr[eé]e )?en vigueur|version (?:du|en vigueur)"
    r"|stand(?=\s*:|\s+\d)|zuletzt (?:aktualisiert|ge[aä]ndert|[uü]berarbeitet)"
    r"|letzte (?:aktualisierung|[aä]nderung|[uü]berarbeitung)|g[uü]ltig (?:ab|seit)|in kraft (?:ab|seit|getreten)"
    r"|datum des inkrafttretens|aktualisiert am|fassung vom"
    r"|fecha de (?:(?:la )?[uú]ltima )?(?:actualizaci[oó]n|modificaci[oó]n|revisi[oó]n)"
    r"|fecha de (?:entrada en vigor|vigencia)|[uú]ltima (?:actualizaci[oó]n|modificaci[oó]n|revisi[oó]n)"
    r"|actualizad[oa]s? (?:el|en)|(?:vigente|en vigor) (?:desde|a partir del?)"
)
# (a year, or a compact date stamp: "Version 20240301")
_DATE_LINE = re.compile(rf"^(?=[^\n]*\b(?:1[89]|2[01])\d\d(?:[01]\d[0-3]\d)?\b)\W*(?:{DATE_PHRASES})(?!\w).{{0,60}}$",
                        re.IGNORECASE)
_DATE_LINE_MAX = 110  # longest line `_DATE_LINE` can match when it starts with a word character (about 45 + 60)
# A date at the start of a longer paragraph ("Last updated: 3 March 2025. These terms …"): only the date part is
# metadata. The year ends it.
_DATE_PREFIX = re.compile(rf"\W*(?:{DATE_PHRASES})(?!\w)[^\n]{{0,45}}?\b(?:1[89]|2[01])\d\d\b[)\]]?[.;,:]?(?:\s+|$)",
                          re.IGNORECASE)
# What a date line can start with (lower case, first two letters), so that most lines are never matched.
_DATE_INITIALS = frozenset("ACDEFGILMRSUVZÚacdefgilmrsuvzú")  # the letters a date phrase can start with
_LEAD = "#*_-+>:•·|([{ \t\"'"  # what may come before a date phrase on its line
_PLAIN_START = frozenset("0123456789BHJKNOPQTWXYbhjknopqtwxy")  # a long line starting so is not looked at
_ERROR_PAGE = re.compile(
    r"\b(access denied|forbidden|not available|page not found|404|captcha|are you a robot|verify you are human|"
    r"enable javascript|temporarily unavailable|service unavailable|too many requests|page introuvable|acc[eè]s refus[eé])\b",
    re.IGNORECASE,
)
ERROR_PAGE_MAX_CHARS = 600

# Markup noise: link targets, emphasis markers, tracking parameters, obfuscated e-mail addresses.
# (a `javascript:` target may hold spaces: "javascript:location='mailto:…';void 0", an address spelled in escapes)
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([ \t]*(?:javascript:[^)\n]*|<?[^)\s>]*>?(?:\s+\"[^\"\n]*\")?)\s*\)")
# A line that is links and nothing else (a menu entry, a table of contents, a language picker, a button) keeps
# its labels in brackets, "[Pricing] [Blog]", so that the clause diff can tell navigation from clauses.
_LINK_ONLY_LINE = re.compile(
    r"\n([ \t]*(?:[-*+•][ \t]+|\d{1,3}\.[ \t]+)*)[*_]{0,3}"
    r"((?:!?\[[^\[\]\n]*\]\([^()\n]*(?:\([^()\n]*\)[^()\n]*)*\)[ \t]*)+)[*_]{0,3}[ \t]*(?=\n|\Z)")
_LINK_LABEL = re.compile(r"\[([^\[\]\n]*)\]\(")
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
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # Markdown backslash escapes (any ASCII punctuation)
# Cloudflare's e-mail protection, in any escaping: "[email protected]", "[email&#160;protected]", the same as a
# link to /cdn-cgi/l/email-protection#… (its label escaped or not, its fragment a hash or any word), or that link
# alone: one token, so that a flip between them is no change.
EMAIL_TOKEN = "[email protected]"
_PROTECTED_EMAIL = re.compile(
    r"\[\[email(?:&#160;|&nbsp;|\s)protected\]\]\([^)\s]*\)|\[email(?:&#160;|&nbsp;|\s)protected\](?:\([^)\s]*\))?"
    r"|\[((?:\\\]|[^\]\n])*)\]\((?:https?://[^)\s]*)?/cdn-cgi/l/email-protection[^)\s]*\)"
    r"|(?:https?://[^\s)\]>\"]*)?/cdn-cgi/l/email-protection(?:#[^\s)\]>\"]*)?", re.IGNORECASE)
# Setext headings ("Title" over "=====" or "-----") and thematic breaks ("---", "***", "* * *", "___")
_UNDERLINE = re.compile(r"={2,}|-{2,}|(?:[-*_][ \t]*){3,}")
_SETEXT_TITLE_MAX = 120  # the line above an underline is its title when this short and not a sentence
# A line that is bold and nothing else, short and not a sentence, is a heading ("**4. Your content**")
_BOLD_LINE = re.compile(r"\n[ \t]*\*\*([^*\n]{1,80}?)\*\*[ \t]*(?=\n|\Z)")
_LIST_OR_HEADING = re.compile(r"[ \t]*(?:#|[-*+•][ \t])")
# "1) text", "2.1) text" are "1. text", "2.1. text"
_PAREN_NUMBER = re.compile(r"\n([ \t]*)(\d{1,3}(?:\.\d{1,3})*)\)(?=[ \t])")
_PAREN_FIRST = re.compile(r"([ \t]*)(\d{1,3}(?:\.\d{1,3})*)\)(?=[ \t])")
_AT = r"[ \t]*(?:[\[({<][ \t]*(?:at|arobase)[ \t]*[\])}>]|@)[ \t]*"
# A dot of an address: "." itself (never with blanks around it: "example.com. Please" is the end of a sentence)
# or a spelled-out "[dot]" / "(point)" with blanks allowed around it
_DOT = r"(?:[ \t]*[\[({<][ \t]*(?:dot|point)[ \t]*[\])}>][ \t]*|\.)"
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
    if "&" in text and ("&nbsp;" in text or "&#160;" in text or "&#xa0;" in text.lower()):
        text = _NBSP_ENTITY.sub(" ", text)  # no-break spaces written as entities are spaces
    text = _fold_markup(text)
    if "\t" in text or "\f" in text or "\v" in text:
        text = _SPACE_RUNS.sub(" ", text)
    elif _DOUBLE_SPACE.search(text):  # (the regex engine finds "  " faster than `in` does, among many spaces)
        text = _DOUBLE_SPACES.sub(" ", text)
    if text.isascii() and not any(mark in text for mark in "\r\x1c\x1d\x1e"):
        lines = list(filter(None, map(str.strip, text.split("\n"))))  # (faster, the same lines as splitlines)
    else:
        lines = list(filter(None, map(str.strip, text.splitlines())))
    # Date lines become metadata and UI chrome lines go; only short lines, lines that start with a non-word
    # character and lines that start like a date phrase are looked at.
    candidates = [k for k, line in enumerate(lines) if len(line) <= _DATE_LINE_MAX or line[0] not in _PLAIN_START]
    metadata: list[str] = []
    if candidates:
        lines = _set_aside(lines, candidates, metadata)
    body = "\n".join(lines)
    return NormalizedDocument(body, hashlib.sha256(body.encode("utf-8")).hexdigest(), tuple(metadata), tuple(lines))


# UI chrome: lines that are never terms (folded, without bullets and trailing punctuation), and language pickers.
_CHROME = frozenset({
    "skip to main content", "skip to content", "skip to navigation", "back to top", "return to top", "print",
    "print this page", "share", "share this page", "copy link", "menu", "close", "table of contents", "on this page",
    "accept", "accept all", "accept all cookies", "reject all", "decline", "manage cookies", "cookie settings",
    "cookie preferences", "manage preferences", "allow all", "allow all cookies", "necessary cookies only",
    "aller au contenu", "aller au contenu principal", "retour en haut", "haut de page", "imprimer", "partager",
    "tout accepter", "tout refuser", "accepter", "refuser", "parametres des cookies", "gerer les cookies",
    "zum inhalt springen", "zum hauptinhalt springen", "nach oben", "drucken", "teilen", "alle akzeptieren",
    "alle ablehnen", "akzeptieren", "ablehnen", "cookie-einstellungen",
    "ir al contenido", "ir al contenido principal", "volver arriba", "imprimir", "compartir", "aceptar",
    "aceptar todo", "aceptar todas", "rechazar todo", "rechazar todas", "configuracion de cookies",
})
LANGUAGE_NAMES = frozenset({
    "english", "francais", "deutsch", "espanol", "italiano", "portugues", "nederlands", "polski", "svenska", "dansk",
    "norsk", "suomi", "turkce", "cestina", "magyar", "romana", "ελληνικα", "русскии", "українська", "日本語", "한국어",
    "中文", "简体中文", "繁體中文", "العربية", "עברית", "हिन्दी", "ไทย", "tieng", "viet", "bahasa", "indonesia",
    "melayu", "filipino", "brasil", "(brasil)", "(us)", "(uk)", "us", "uk", "language", "langue", "sprache", "idioma",
    "languages", "langues", "sprachen", "idiomas", "select", "choisir", "wahlen", "seleccionar", "en", "fr", "de", "es",
})
_CHROME_SPLIT = re.compile(r"[\s|/·•,;:>()\[\]-]+")


def _is_chrome(line: str) -> bool:
    """A UI line: "Skip to main content", "Back to top", "Print", "Share", a cookie banner's buttons, or a
    language picker (a line made of language names, at least one of the main ones)."""
    folded = fold(line).strip(" -*+•.:|>#")
    if folded in _CHROME:
        return True
    first = folded.split(None, 1)[0] if folded else ""
    if first.strip("|/·•,;:>()[]-") not in LANGUAGE_NAMES:
        return False
    words = [word for word in _CHROME_SPLIT.split(folded) if word]
    return bool(words) and all(word in LANGUAGE_NAMES for word in words) and any(
        word in _MAIN_LANGUAGES for word in words)


_MAIN_LANGUAGES = frozenset({"english", "francais", "deutsch", "espanol", "italiano", "portugues", "nederlands",
                             "日本語", "한국어", "中文", "简体中文"})


def _set_aside(lines: list[str], candidates: list[int], metadata: list[str]) -> list[str]:
    """`lines` without their date lines (added to `metadata`; a date at the start of a paragraph alone),
    UI chrome and thematic breaks, with setext underlines turned into "#" headings. Only the `candidates`
    are read (short lines and those that may start a date phrase)."""
    kept: list[str] = []
    done = 0
    for k in candidates:
        line = lines[k]
        kept.extend(lines[done:k])
        done = k + 1
        first = line[0]
        word_start = first.isalnum() or first == "_"
        short = len(line) <= _DATE_LINE_MAX
        if not word_start and first in "=-*_" and _UNDERLINE.fullmatch(line):
            above = kept[-1] if kept else ""
            if (line.strip(first) == "" and first in "=-" and above and len(above) <= _SETEXT_TITLE_MAX
                    and above[-1] not in ".;:!?," and not _LIST_OR_HEADING.match(above)):
                kept[-1] = ("# " if first == "=" else "## ") + above
        elif line.lstrip(_LEAD)[:1] not in _DATE_INITIALS:
            if short and first != "#" and _is_chrome(line):
                continue
            kept.append(line)
        elif (short or not word_start) and _DATE_LINE.match(line):
            metadata.append(line)
        elif short and first != "#" and _is_chrome(line):
            pass
        elif (prefix := _DATE_PREFIX.match(line)) and prefix.end() < len(line):
            metadata.append(line[:prefix.end()].strip())
            kept.append(line[prefix.end():])
        else:
            kept.append(line)
    kept.extend(lines[done:])
    return kept


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
    if "\\" in text:
        text = _ESCAPED.sub(r"\1", text)
    if ("]" in text or "/" in text) and "protect" in text:
        text = _PROTECTED_EMAIL.sub(EMAIL_TOKEN, text)
    if "*" in text and "**" in text:
        text = _BOLD_LINE.sub(_bold_heading, "\n" + text)[1:]
    if ")" in text:
        text = _PAREN_NUMBER.sub(r"\n\1\2.", text)
        first = _PAREN_FIRST.match(text)
        if first:
            text = f"{first.group(1)}{first.group(2)}." + text[first.end():]
    if "]" in text and "](" in text:
        text = _LINK_ONLY_LINE.sub(_link_line, "\n" + text)[1:]
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


def _link_line(match: re.Match[str]) -> str:
    """A line of links as its labels in brackets (an image or empty link alone: nothing)."""
    labels = [label.strip().lstrip("#").strip() for label in _LINK_LABEL.findall(match.group(2))]
    labels = [label for label in labels if label]
    if not labels:
        return "\n"
    return "\n" + match.group(1) + " ".join(f"[{label}]" for label in labels)


def _bold_heading(match: re.Match[str]) -> str:
    """A bold line that is not a sentence as the deepest heading (it nests under the headings above it)."""
    title = match.group(1).strip()
    if not title or title[-1] in ".!?;,:":
        return match.group(0)
    return f"\n###### {title}"


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
