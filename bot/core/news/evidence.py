"""Language-independent evidence in news text: calendar days and numbers read alike in English, French, Spanish
and German ("7 fevrier 2024" is "02-07"), proper names, links, quoted terms, and whether a text reports a change of terms.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.language import STOP_WORDS
from bot.core.text import MONTHS, fold

# The names by first letter ("(?:a(?:pril|...)|d(?:...)|...)"): a word that is no month fails at its first letter
# instead of once per name. (The \b after a name decides which name matches, whatever the order.)
_MONTH = "(?:" + "|".join(
    re.escape(letter) + "(?:" + "|".join(sorted((name[1:] for name in MONTHS if name[0] == letter),
                                                key=len, reverse=True)) + ")"
    for letter in sorted({name[0] for name in MONTHS})
) + ")"

_MONTH_ENDS = frozenset(name[-3:] for name in MONTHS)  # (every name has three letters or more)

# A number: digits not glued to a word, a decimal or another number, with their separators and a percent sign.
# The digit comes before the look-behind (`\d(?<![\w.,:-]\d)` is `(?<![\w.,:-])\d`), so the regex engine skips
# to the next digit in C instead of trying the look-behind at every position (2x faster); in ASCII text, where
# `\d` is `[0-9]`, the ASCII spelling is tested faster still.
# What follows a number, read in the same regex pass (zero-width, so that the numbers found are the same): a clock
# time (group 1, as `_CLOCK_AFTER`), the rest of an ISO date (groups 2 and 3, as `_ISO_TAIL`), a month after a
# day (group 4, as `_DAY_THEN_MONTH`); each group is None when it does not follow.
_FOLLOWING = (r"(?:(?=(\s?[:h]\s?\d{2}\b|\s?[ap]\.?m\b))|)(?:(?=-(\d{2})-(\d{2})\b)|)"
              rf"(?:(?=(?:st|nd|rd|th|er|e)?\.?\s+(?:de\s+)?({_MONTH})\b)|)")

_NUMERIC = re.compile(
    r"\d(?<![\w.,:-]\d)\d*(?:[.,]\d+)*(?:[ \u00a0\u202f]\d{3}(?![\d.,]))*"
    r"(?:\s?(?:%|percent\b|pour cent\b|por ciento\b|prozent\b))?" + _FOLLOWING
)

_NUMERIC_ASCII = re.compile(
    r"[0-9](?<![\w.,:-][0-9])[0-9]*(?:[.,][0-9]+)*(?:[ \u00a0\u202f][0-9]{3}(?![0-9.,]))*"
    r"(?:\s?(?:%|percent\b|pour cent\b|por ciento\b|prozent\b))?" + _FOLLOWING
)

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*(?:[ \u00a0\u202f]\d{3})*")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})+")
_SEPARATORS = re.compile(r"[.,\s\u00a0\u202f]")
_ISO_TAIL = re.compile(r"-(\d{2})-(\d{2})\b")
_DAY_THEN_MONTH = re.compile(rf"(?:st|nd|rd|th|er|e)?\.?\s+(?:de\s+)?({_MONTH})\b")
_MONTH_THEN_DAY = re.compile(rf"\b({_MONTH})\.?\s+$")
_CLOCK_AFTER = re.compile(r"\s?[:h]\s?\d{2}\b|\s?[ap]\.?m\b")
_CLOCK_BEFORE = re.compile(r"\d\s?[:h]\s?$")
_URL = re.compile(r"https?://[^\s<>\"“”«»)]+", re.IGNORECASE)
QUOTED = re.compile(r"[“«\"„]\s?([^”»\"“\n]{2,60}?)\s?[”»\"“]")

# A capitalised word (and the capitalised words after it) preceded by a word or a comma: inside a sentence.
# (The group is the name: the pattern starts at the space before it, which the regex engine finds faster than
# a capital letter.)
_NAME = re.compile(
    r" (?<=[\w,;)’'] )([A-ZÀ-Ý][\w’'&-]*(?:[ \t]+(?:of |de |du |des |for |van |von )?[A-ZÀ-Ý][\w’'&-]*)*)"
)

_POSSESSIVE_END = re.compile(r"'s?$")

# Phrases by which an article reports a change of terms (folded); plain substrings, tested with `in`.
_DOCUMENT_PHRASES = (
    "terms of service", "terms of use", "terms and conditions", "privacy policy", "user agreement",
    "community guidelines", "its terms", "new terms", "updated terms", "revised terms", "its policy", "new policy",
    "updated policy", "revised policy", "its policies", "clause", "conditions d'utilisation",
    "conditions generales", "cgu", "politique de confidentialite", "politique de vie privee",
    "conditions de service", "terminos de uso", "terminos y condiciones", "politica de privacidad",
    "nutzungsbedingungen", "datenschutzrichtlinie", "ai policy", "terminos de servicio", "terminos del servicio",
    "sus terminos", "nuevos terminos", "condiciones de uso", "condiciones del servicio", "condiciones de servicio",
    "ses conditions", "nouvelles conditions", " agb", "geschaftsbedingungen", "datenschutzbestimmungen",
    "datenschutzerklarung",
)

_SECTION_NUMBER = re.compile(r"\bsection \d")

# Every phrase above (and "section 4") contains one of these words: a set test first.
DOCUMENT_WORDS = frozenset(("terms", "policy", "policies", "agreement", "guidelines", "clause", "conditions",
                            "cgu", "politique", "terminos", "politica", "nutzungsbedingungen",
                            "datenschutzrichtlinie", "section", "condiciones", "agb", "geschaftsbedingungen",
                            "datenschutzbestimmungen", "datenschutzerklarung"))

# The phrases by a shorter string each contains: a text without "terms" is not searched for "its terms" …
_PHRASE_ANCHORS = ("clause", "terms", "polic", "politi", "conditions", "agreement", "guidelines", "cgu", "terminos",
                   "nutzungsbedingungen", "datenschutzrichtlinie", "condiciones", "agb", "geschaftsbedingungen",
                   "datenschutzbestimmungen", "datenschutzerklarung")

_PHRASES_BY_ANCHOR = tuple(
    (anchor, tuple(phrase for phrase in _DOCUMENT_PHRASES
                   if anchor in phrase and not any(other in phrase for other in _PHRASE_ANCHORS[:k])))
    for k, anchor in enumerate(_PHRASE_ANCHORS)
)

assert sum(len(phrases) for _, phrases in _PHRASES_BY_ANCHOR) == len(_DOCUMENT_PHRASES)
_EXTRA_STOP = frozenset(
    "said says told would could also new one two three year years week weeks month months day days today "
    "according company platform users user people time first last just like get make made using use used "
    "monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi vendredi samedi dimanche "
    "update updated http https www com org html mise jour".split()
)

STOP = frozenset().union(*STOP_WORDS.values(), _EXTRA_STOP)
_NAME_STOP = frozenset(
    "the a an this that these those it its in on at for of and but or as by to from with update updated "
    "le la les un une des du de l dans selon pour par mise el los las en con por und der die das ein eine".split()
)

_NAME_SKIP = _NAME_STOP | STOP
CACHE_SIZE = 100_000  # words (names, numbers) whose reading is remembered; a cache is emptied when full


class Stems(dict[str, str]):
    """word → the stem it brings to an item's words: its first five letters, "" for none (a stop word, a word of
    one or two letters, a number, a platform's name). Filled as words are met, read in C (`map(stems, words)`)."""

    __slots__ = ("ignore",)

    def __init__(self, ignore: frozenset[str]) -> None:
        super().__init__()
        self.ignore = ignore

    def __missing__(self, word: str) -> str:
        stem = "" if len(word) <= 2 or word.isdigit() or word in STOP or word in self.ignore else word[:5]
        if len(self) >= CACHE_SIZE:
            self.clear()
        self[word] = stem
        return stem


class Names(dict[str, str]):
    """A capitalised phrase as written → the proper name it is (folded), "" for none (see `names_in`)."""

    __slots__ = ("ignore",)

    def __init__(self, ignore: frozenset[str]) -> None:
        super().__init__()
        self.ignore = ignore

    def __missing__(self, written: str) -> str:
        name = _name_form(written)
        if name and names_a_platform(name, self.ignore):
            name = ""
        if len(self) >= CACHE_SIZE:
            self.clear()
        self[written] = name
        return name


@lru_cache(maxsize=16)
def readers_for(ignore: frozenset[str]) -> tuple[Stems, Names, frozenset[str]]:
    """The caches of stems and names for one set of platform names (bounded: the names of at most 16 sets of
    platforms are remembered), and the words that are never stems."""
    return Stems(ignore), Names(ignore), STOP | ignore


def dates_and_numbers(folded: str) -> tuple[set[str], set[str]]:
    """Calendar days ("MM-DD") and identifying numbers named in folded text, whatever the language:
    "7 fevrier 2024" and "February 7, 2024" are both "02-07"; "6,4" and "6.4" are "6.4", "10 000" and
    "10,000" are "10000", "20 %" is "20%". Single digits, years and clock times are left out."""
    dates: set[str] = set()
    numbers: set[str] = set()
    finditer = (_NUMERIC_ASCII if folded.isascii() else _NUMERIC).finditer
    for match in finditer(folded):
        start, end = match.span()
        clock, iso_month, iso_day, month = match.groups()
        token = folded[start:end]
        plain = token.isdigit()
        if plain and end - start == 4:
            if iso_month is not None:
                _add_date(dates, int(iso_month), int(iso_day))
                continue
            if 1900 <= int(token) <= 2099:
                continue  # a year
        if clock is not None:
            continue
        if start > 1:
            previous = folded[start - 1]
            # (`\d\s?[:h]\s?$` ends with ":" or "h", or with one of them and a space: only then is it tried)
            if (previous in ":h" or (previous == " " and folded[start - 2] in ":h")) and _CLOCK_BEFORE.search(
                    folded, start - 4 if start > 4 else 0, start):
                continue
        if plain:
            if end - start > 2:
                numbers.add(token)
                continue
            if month is not None and folded[end:end + 1] in (" ", ".", "s", "n", "r", "t", "e"):  # (no other space)
                _add_date(dates, MONTHS[month], int(token))
                continue
            before = None
            if start and folded[start - 1].isspace():  # (`\s+$`: a space right before the day …
                month_end = start - 1
                while month_end and folded[month_end - 1].isspace():
                    month_end -= 1
                if month_end and folded[month_end - 1] == ".":
                    month_end -= 1
                if folded[month_end - 3 if month_end > 3 else 0:month_end] in _MONTH_ENDS:  # … after a month)
                    before = _MONTH_THEN_DAY.search(folded, start - 14 if start > 14 else 0, start)
            if before:
                _add_date(dates, MONTHS[before.group(1)], int(token))
                continue
            if end - start == 2:
                numbers.add(token)
            continue
        number = _number_form(token)
        if number:
            numbers.add(number)
    return dates, numbers


@lru_cache(maxsize=CACHE_SIZE)
def _number_form(token: str) -> str:
    """A number written with separators or a percent sign ("10,000", "20 %") as `dates_and_numbers` names it ("10000",
    "20%"; "" for none)."""
    percent = not token[-1].isdigit()
    digits = _DIGITS.match(token)
    if digits is None:
        return ""
    number = digits.group(0)
    if _THOUSANDS.fullmatch(number):
        number = _SEPARATORS.sub("", number)  # 10,000 / 10.000 / 10 000
    else:
        number = number.replace(",", ".")
    if "." not in number and (len(number) < 2 or (len(number) == 4 and 1900 <= int(number) <= 2099)):
        return ""
    return number + ("%" if percent else "")


def _add_date(dates: set[str], month: int, day: int) -> None:
    key = DAYS.get((month, day))
    if key is not None:
        dates.add(key)


DAYS = {(month, day): f"{month:02d}-{day:02d}" for month in range(1, 13) for day in range(1, 32)}  # "MM-DD"


def dates_in(folded: str) -> set[str]:
    """Calendar days named in folded text as "MM-DD" (see `dates_and_numbers`)."""
    return dates_and_numbers(folded)[0]


def numbers_in(folded: str) -> set[str]:
    """Identifying numbers named in folded text (see `dates_and_numbers`)."""
    return dates_and_numbers(folded)[1]


def names_in(text: str, ignore: frozenset[str]) -> set[str]:
    """Proper names (folded) written inside a sentence: "Eliza Marsh", "Open Ears", "DreamUp" — the capital of a
    sentence's first word says nothing, so a name that opens a sentence counts from its second word."""
    found = set(map(readers_for(ignore)[1].__getitem__, _NAME.findall(text)))
    found.discard("")
    return found


def _name_form(written: str) -> str:
    """The folded name a capitalised phrase stands for ("" when it is not one: a month, a stop word …)."""
    words = written.split()
    while words and words[0].lower() in _NAME_STOP:
        words = words[1:]
    if not words:
        return ""
    name = _POSSESSIVE_END.sub("", fold(" ".join(words)).replace("’", "'")).strip(" -'")
    if len(name) < 3 or name in MONTHS or name in STOP:
        return ""
    return name


def names_a_platform(name: str, platform_names: frozenset[str]) -> bool:
    """"spotify", "spotify for artists", "soundcloud ceo", "spotify's ai" (a platform's name, possessive or not,
    and what follows it: every story of the platform may name it so) → True."""
    if name in platform_names:
        return True
    if " " not in name:
        return False
    words = name.split()
    first, second = (_POSSESSIVE_END.sub("", word) if "'" in word else word for word in words[:2])
    return first in platform_names or (len(words) > 2 and f"{words[0]} {second}" in platform_names)


def urls_in(text: str) -> set[str]:
    """Links in a text, normalised to host and path (scheme, "www.", query and trailing slash dropped)."""
    found: set[str] = set()
    for match in _URL.finditer(text):
        found.add(normalise_link(match.group(0).rstrip(".,;:!?")))
    return found


def normalise_link(link: str) -> str:
    """"https://www.Example.org/a/b/?utm=1#x" → "example.org/a/b"."""
    value = link.strip()
    scheme = value.find("://")
    if 0 < scheme < 12:
        value = value[scheme + 3:]
    value = value.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    host, _, path = value.partition("/")
    host = host.lower().removeprefix("www.")
    return f"{host}/{path}" if path else host


def outlet_of(link: str | None, feed_title: str = "") -> str:
    """Who published an item, for "Also reported by …": the feed's title, else the link's domain."""
    if feed_title.strip():
        return feed_title.strip()
    if link:
        return normalise_link(link).split("/", 1)[0]
    return ""


def reports_terms(folded: str) -> bool:
    """Does folded text name one of `_DOCUMENT_PHRASES` (or "section 4")?"""
    # (`\bsection \d` is tried only where "section " occurs: a search would try it at every position)
    start = folded.find("section ")
    while start >= 0:
        if _SECTION_NUMBER.match(folded, start) is not None:  # (`match` at `start` sees the text before it)
            return True
        start = folded.find("section ", start + 1)
    for anchor, phrases in _PHRASES_BY_ANCHOR:
        if anchor in folded:
            for phrase in phrases:
                if phrase in folded:
                    return True
    return False
