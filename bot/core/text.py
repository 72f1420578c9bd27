"""The one text toolkit of the core: folding (case and accents), words, quotations and sentences, month names and
dates in English, French, German and Spanish. Terms (documents, clauses, topics, availability) and news
(platforms, language, statements, stories) read text through it; its caches are bounded `functools` caches.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

# --- folding --------------------------------------------------------------------------------------------------

_COMMON_MARKS = re.compile(
    "[" + "".join(chr(code) for code in range(0x300, 0x370) if unicodedata.combining(chr(code))) + "]+"
)
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _decompose(casefolded: str) -> str:
    decomposed = unicodedata.normalize("NFKD", casefolded)
    if decomposed.isascii():
        return decomposed
    stripped = _COMMON_MARKS.sub("", decomposed)
    if stripped.isascii():
        return stripped
    marks = {char for char in _NON_ASCII.findall(stripped) if unicodedata.combining(char)}
    return "".join(char for char in stripped if char not in marks) if marks else stripped


# Latin-1 character → its folding (a Latin-1 character too, but for "µ" (μ) and the fractions, left as they are)
_LATIN_FOLD = bytes(
    ord(folded) if len(folded) == 1 and ord(folded) < 256 else code
    for code, folded in ((code, _decompose(chr(code).casefold())) for code in range(256))
)


def fold(text: str) -> str:
    """Lower case without accents ("Données" → "donnees"), character by character, so that positions in the
    folded text are positions in the text for Latin-1 text. ASCII text is only lower-cased; Latin-1 text goes
    through one table; other text is decomposed (NFKD) and its combining marks dropped."""
    if text.isascii():
        return text.lower()
    return _fold_cached(text) if len(text) <= _CACHED_CHARS else _fold(text)


_CACHED_CHARS = 20_000  # texts up to this long are remembered (the news modules fold one text in turn)


@lru_cache(maxsize=64)
def _fold_cached(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    casefolded = text.casefold()
    latin = casefolded.encode("latin-1", "ignore")
    if len(latin) == len(casefolded) and b"\xbc" not in latin and b"\xbd" not in latin and b"\xbe" not in latin:
        return latin.translate(_LATIN_FOLD).decode("latin-1")
    return _decompose(casefolded)


# --- words ----------------------------------------------------------------------------------------------------

# Bytes of ASCII punctuation and spaces → space; letters, digits and every non-ASCII byte (inside a UTF-8
# sequence) kept: words are split with `bytes.translate`, three times faster than a regex `findall`.
_WORD_BYTES = bytes(byte if chr(byte).isalnum() or byte >= 128 else 32 for byte in range(256))
_NON_ASCII_PUNCTUATION = re.compile("[’‘“”«»„—–…\u00a0\u202f\u2009•·]")


@lru_cache(maxsize=64)
def words(folded: str) -> tuple[str, ...]:
    """The words of folded text: runs of letters and digits ("soundcloud’s" → "soundcloud", "s")."""
    text = folded if folded.isascii() else _NON_ASCII_PUNCTUATION.sub(" ", folded)
    return tuple(text.encode("utf-8").translate(_WORD_BYTES).decode("utf-8").split())


@lru_cache(maxsize=64)
def word_set(folded: str) -> frozenset[str]:
    """The distinct words of folded text (as `words`)."""
    return frozenset(words(folded))


WORDS = re.compile(r"\w+")  # runs of word characters (see word_runs)
# ASCII text with these bytes made blanks splits into its \w+ runs
_ASCII_NON_WORD = bytes(code if chr(code).isalnum() or chr(code) == "_" else 32 for code in range(256))


def word_runs(text: str) -> list[str]:
    """The runs of word characters (`\\w`: letters, digits, "_") of a text, in order. Unlike the toolkit's `words`,
    symbols ("§", "€", "©") are no words and "_" does not cut: the words that tell wording from markup."""
    if text.isascii():  # the same runs, without a regex match object per word (2-3x faster)
        return text.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split()
    return WORDS.findall(text)


_LETTER_RUNS = re.compile(r"[^\W\d_]+")


def letter_runs(text: str) -> list[str]:
    """The runs of letters of `text` as written (no digits: "On March 5, it said" → "On", "March", "it", "said"), for
    short phrases whose words are compared with a table as they are; `words` is the reading of folded text."""
    return _LETTER_RUNS.findall(text)


# --- quotations and sentences ---------------------------------------------------------------------------------

QUOTATION = re.compile(
    r"“([^”]{2,2000})”|«\s?([^»]{2,2000}?)\s?»|„([^“”]{2,2000})[“”]|\"([^\"]{2,2000})\"|»([^«»]{2,2000}?)«|"
    r"‘((?:[^’]|’(?=\w)){2,2000}?)’(?!\w)|"
    # Markdown italics, which some outlets use for a statement they print in full
    r"(?<![\w*])\*(?![\s*])([^*]{10,2000}?)(?<!\s)\*(?![\w*])|(?<![\w_])_(?![\s_])([^_]{10,2000}?)(?<!\s)_(?![\w_])"
)
QUOTE_CUES = ("“", "«", '"', "„", "»", "‘", "*", "_")


def quotations(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of each quotation: “…”, «…», „…“, »…«, ‘…’, "…" and Markdown italics."""
    if not any(cue in text for cue in QUOTE_CUES):
        return []
    found: list[tuple[int, int]] = []
    for match in QUOTATION.finditer(text):
        group = next(g for g in range(1, 9) if match.group(g) is not None)
        found.append((match.start(group), match.end(group)))
    return found


_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof vs etc inc corp ltd jr sr p.m a.m e.g i.e u.s u.k jan feb mar apr jun jul aug "
    "sep sept oct nov dec mme mlle approx".split()
)
_ABBREVIATIONS_BEFORE_NUMBER = frozenset("no art fig p pp vol ch sec sect st co".split())  # "art. 5", "No. 3"
_DOT_NUMBER = re.compile(r"\.\s*\d")
# A sentence ends at ".", "!", "?" or "…" (and the closing marks after it) before a capital, a digit, an opening
# quote or bracket, or Spanish "¿" / "¡"; or at a blank line.
_BOUNDARY = re.compile(r"[.!?…]+[”»\"')’']*(?:\s+(?=[«“„\"(¿¡\dA-ZÀ-Ý])|\s*$)|\n\s*\n")


def sentence_spans(text: str, quotes: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence, stripped; a sentence never ends inside a quotation (`quotes`, in order:
    `quotations(text)` unless given) or after an abbreviation ("Mr.", "art. 5", "J. Doe")."""
    if quotes is None:
        quotes = quotations(text)
    spans: list[tuple[int, int]] = []
    start = 0
    quote = 0  # quotations are in order, and so are boundaries: one pass over both
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        position = match.start()
        if text[position] != "\n":
            while quote < len(quotes) and quotes[quote][1] - 1 <= position:
                quote += 1
            inside = quote < len(quotes) and quotes[quote][0] < position
            if inside or (text[position] == "." and _is_abbreviation(text, position)):
                continue
            end = position + len(match.group(0).rstrip())
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip())) for s, e in spans]


def sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped."""
    return [text[s:e].strip() for s, e in sentence_spans(text)]


_SENTENCE_END = re.compile(r"[.!?…](?:\s|$)")


def lead_length(text: str, limit: int) -> int:
    """Characters of the first sentence of `text`, at most `limit`: up to the first ".", "!", "?" or "…" before a
    space or the end (a quick cut of a lead; `sentence_spans` is the careful one)."""
    head = text[:limit]
    match = _SENTENCE_END.search(head)
    return match.end() if match else len(head)


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    start = max(text.rfind(" ", max(0, dot - 8), dot), text.rfind("(", max(0, dot - 8), dot)) + 1
    if start == 0 and dot > 7:
        return False  # a word longer than any abbreviation ends here
    word = text[start:dot].lower().strip(".")
    if not word or not word.replace(".", "").isalpha():
        return False
    if word in _ABBREVIATIONS_BEFORE_NUMBER:
        return _DOT_NUMBER.match(text, dot) is not None
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha() and text[dot - 1].isupper())


# --- months and dates -----------------------------------------------------------------------------------------

# Month names (folded) in English, French, German and Spanish, with their usual abbreviations.
_MONTH_NAMES = (
    "january jan janvier enero januar", "february feb fevrier febrero februar",
    "march mar mars marzo marz maerz", "april apr avril abril", "may mai mayo", "june jun juin junio juni",
    "july jul juillet julio juli", "august aug aout agosto", "september sep sept septembre septiembre setiembre",
    "october oct octobre octubre oktober", "november nov novembre noviembre", "december dec decembre diciembre dezember",
)
MONTHS: dict[str, int] = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
# Shorter abbreviations (folded) that datelines use ("fév.", "abr.", "Okt. 5"): too ambiguous for `DATE` in running
# text ("ago", "set"), read only where a date is expected (`names_a_date`).
MONTH_ABBREVIATIONS: dict[str, int] = {"janv": 1, "ene": 1, "fev": 2, "avr": 4, "abr": 4, "juil": 7, "aou": 8, "ago": 8,
                                       "okt": 10, "dic": 12, "dez": 12}
MONTHS_SHORT_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MONTH_PATTERN = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th|er|e|\.)?"
# ISO, day month year ("7 February 2024", "7 fevrier 2024", "1. Februar 2024", "3 de marzo de 2025"), month day
# year ("February 7, 2024") and day.month.year ("01.02.2024"), in folded text
DATE = re.compile(
    rf"(?P<iso>(?P<y1>\d{{4}})-(?P<m1>\d{{1,2}})-(?P<d1>\d{{1,2}}))"
    rf"|(?P<dmy>{_DAY.replace('(', '(?P<d2>', 1)}\s+(?:de\s+)?{MONTH_PATTERN.replace('(', '(?P<m2>', 1)}"
    rf"\s+(?:de\s+)?(?P<y2>\d{{4}}))"
    rf"|(?P<mdy>{MONTH_PATTERN.replace('(', '(?P<m3>', 1)}\s+{_DAY.replace('(', '(?P<d3>', 1)},?\s+(?P<y3>\d{{4}}))"
    rf"|(?P<dot>(?P<d4>\d{{1,2}})\.(?P<m4>\d{{1,2}})\.(?P<y4>\d{{4}}))"
)


def date_of(match: re.Match[str]) -> date | None:
    """The calendar date a `DATE` match names, None when it is no real date (a 31 February, a year 3024)."""
    if match.group("iso"):
        year, month, day = int(match.group("y1")), int(match.group("m1")), int(match.group("d1"))
    elif match.group("dmy"):
        year, month, day = int(match.group("y2")), MONTHS[match.group("m2")], int(match.group("d2"))
    elif match.group("dot"):
        year, month, day = int(match.group("y4")), int(match.group("m4")), int(match.group("d4"))
    else:
        year, month, day = int(match.group("y3")), MONTHS[match.group("m3")], int(match.group("d3"))
    if not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dates(text: str) -> list[date]:
    """Every full date written in `text` (any of the four languages, any of the forms `DATE` reads), in order."""
    found = (date_of(match) for match in DATE.finditer(fold(text)))
    return [moment for moment in found if moment is not None]


_ANY_MONTH = "|".join(sorted({*MONTHS, *MONTH_ABBREVIATIONS}, key=len, reverse=True))
# A month name or abbreviation next to a number ("Feb 16", "16 fevrier", "3 de marzo"), a year, or "16/2"
_DATE_MENTION = re.compile(rf"\b(?:{_ANY_MONTH})\w*\.?\s*\d|\d\.?\s*(?:de\s+)?(?:{_ANY_MONTH})|\b(?:19|20)\d\d\b|"
                           r"\b\d{1,2}/\d{1,2}\b")


def names_a_date(text: str) -> bool:
    """Whether a short text such as a dateline ("Feb 16, 2024, 4:30 PM PT", "16 févr. 10h", "Okt. 5") names a day or a
    year, in any of the four languages, abbreviations included."""
    return _DATE_MENTION.search(fold(text)) is not None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> str:
    """Text safe for a terminal or a log: no control characters, escape sequences or bidi overrides (newlines and
    tabs stay)."""
    return _CONTROL.sub("", text)
