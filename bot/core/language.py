"""Language detection of news text from stop-word profiles (English, French, Spanish, German, else "und"),
and the fast accent folding the news modules share. Offline, no model: regular-expression scans.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "de")
UNDETERMINED = "und"
SAMPLE_CHARS = 600
MIN_EVIDENCE = 2.0  # weighted stop-word hits needed before a verdict
MIN_LEAD = 1.5  # the winner must beat the runner-up by this factor

# Frequent function words of each language (written folded: lower case, no accents, as `fold()` leaves them).
# A word shared by several languages counts for each of them, divided among them, so that "de" or "la"
# (French and Spanish) weigh less than "les" or "los".
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and of to in is are was were be been has have had it its this that these those with for on at by "
        "from as an or not but which who will would can could should may might must do does did than then "
        "their they them our we you your he she his her about after into over also more new said says "
        "there what when where how all any some no only just other such up out so if because while being".split()
    ),
    "fr": frozenset(
        "le la les un une des du de et est sont etait ete sera au aux ce cette ces qui que quoi dont ou pour "
        "par sur dans avec sans sous plus ne pas se sa son ses leur leurs nous vous ils elles il elle on "
        "mais ou donc car comme aussi entre apres avant tres deja selon depuis fait peut doit ont avait "
        "lors chez cela ceci tout tous toutes notre nos votre vos".split()
    ),
    "es": frozenset(
        "el la los las un una unos unas del de y es son fue era sera al lo que quien como para por sobre en "
        "con sin pero mas muy ya su sus nuestro nuestra este esta estos estas ese esa eso tambien "
        "entre desde hasta segun cuando donde porque hay ha han fueron ser estan esta puede debe".split()
    ),
    "de": frozenset(
        "der die das den dem des ein eine einen einem einer und ist sind war waren wird werden wurde "
        "nicht mit fur auf aus bei nach von vor zu zum zur uber unter auch aber oder wenn dass sich sie "
        "er es wir ihr ihre sein seine im am an als wie noch nur schon sehr kann muss soll hat haben".split()
    ),
}

# Letters that each point at one language when they occur (French, Spanish, German).
_LETTERS_OF: dict[str, re.Pattern[str]] = {
    "fr": re.compile("[èêàçœùâîôë]"), "es": re.compile("[ñ¿¡]"), "de": re.compile("[ßäöü]"),
}
# Bytes of ASCII punctuation and spaces → space; letters, digits and every non-ASCII byte (inside a UTF-8
# sequence) kept: `words_of` splits with `bytes.translate`, three times faster than a regex `findall`.
_WORD_BYTES = bytes(byte if chr(byte).isalnum() or byte >= 128 else 32 for byte in range(256))
# Non-ASCII punctuation → space (a regex pass: `str.translate` looks every character of a non-ASCII text up)
_NON_ASCII_PUNCTUATION = re.compile("[’‘“”«»„—–…\u00a0\u202f\u2009•·]")
# The news modules fold and split the same text in turn (attribution, language, story features): the last
# results are kept, (text, result) pairs replaced whole, so that a text is folded and split once.
_folded_last: tuple[str, str] = ("", "")
_split_last: tuple[list, list] = (["", (), frozenset()], ["", (), frozenset()])  # type: ignore[type-arg]


def words_of(folded: str) -> list[str]:
    """The words of folded text: runs of letters and digits ("soundcloud’s" → "soundcloud", "s")."""
    return list(_split(folded)[1])


def words_tuple(folded: str) -> tuple[str, ...]:
    """The words of folded text (as `words_of`), as a tuple (no copy)."""
    return _split(folded)[1]


def words_and_set(folded: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The words of folded text (as `words_of`) and the set of them."""
    split = _split(folded)
    if split[2] is None:
        split[2] = frozenset(split[1])
    return split[1], split[2]


def _split(folded: str) -> list:  # type: ignore[type-arg]
    """[text, its words, the set of them or None (made when asked for)], of the last two texts split."""
    global _split_last
    last, before = _split_last
    if folded == last[0]:
        return last
    if folded == before[0]:
        return before
    text = folded if folded.isascii() else _NON_ASCII_PUNCTUATION.sub(" ", folded)
    split = [folded, tuple(text.encode("utf-8").translate(_WORD_BYTES).decode("utf-8").split()), None]
    _split_last = (split, last)
    return split


_COMMON_MARKS = re.compile(
    "[" + "".join(chr(code) for code in range(0x300, 0x370) if unicodedata.combining(chr(code))) + "]+"
)
_NON_ASCII = re.compile("[^\x00-\x7f]")


def fold_text(text: str) -> str:
    """Lower-case and strip accents, exactly as `bot.core.topics.fold` does, several times faster on accented
    text: Latin-1 text through one table, else the usual accents in one regular-expression pass and only other
    non-ASCII characters looked at."""
    global _folded_last
    if text.isascii():
        return text.lower()
    last = _folded_last
    if text == last[0]:
        return last[1]
    folded = _fold(text)
    _folded_last = (text, folded)
    return folded


def _fold(text: str) -> str:
    casefolded = text.casefold()
    latin = casefolded.encode("latin-1", "ignore")
    if len(latin) == len(casefolded) and b"\xbc" not in latin and b"\xbd" not in latin and b"\xbe" not in latin:
        # Latin-1 text (most accented European text without typographic quotes): character by character, with
        # one table (folding goes character by character; "¼" "½" "¾" are the characters it makes longer)
        return latin.translate(_LATIN_FOLD).decode("latin-1")
    return _decompose(casefolded)


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


@lru_cache(maxsize=1)
def _weights() -> dict[str, tuple[float, float, float, float]]:
    """word → its weight for (en, fr, es, de): split among the languages that share it."""
    owners: dict[str, list[str]] = {}
    for language, words in STOP_WORDS.items():
        for word in words:
            owners.setdefault(word, []).append(language)
    table: dict[str, tuple[float, float, float, float]] = {}
    for word, languages in owners.items():
        share = 1.0 / len(languages)
        english, french, spanish, german = (share if language in languages else 0.0 for language in LANGUAGES)
        table[word] = (english, french, spanish, german)
    return table


def language_scores(text: str, folded: str | None = None) -> dict[str, float]:
    """Weighted stop-word hits per language in the first SAMPLE_CHARS characters of `text`, plus half a point per
    letter that only one of the languages uses ("ñ", "ß", "è" …)."""
    weights = _weights()
    sample = text[:SAMPLE_CHARS]
    english = french = spanish = german = 0.0
    words = _split(fold_text(sample) if folded is None else folded[:SAMPLE_CHARS])[1]
    for weight in filter(None, map(weights.get, words)):  # the stop words only, in order: the same sums
        english += weight[0]
        french += weight[1]
        spanish += weight[2]
        german += weight[3]
    if not sample.isascii():
        lowered = sample.lower()
        french += 0.5 * len(_LETTERS_OF["fr"].findall(lowered))
        spanish += 0.5 * len(_LETTERS_OF["es"].findall(lowered))
        german += 0.5 * len(_LETTERS_OF["de"].findall(lowered))
    return {"en": english, "fr": french, "es": spanish, "de": german}


def detect_language(text: str, folded: str | None = None) -> str:
    """"en", "fr", "es", "de", or "und" when the text is too short or too mixed to tell (pass `folded` when
    `fold_text(text)` is already known)."""
    scores = language_scores(text, folded)
    values = list(scores.values())  # (in LANGUAGES order)
    first = values.index(max(values))  # the first language with the highest score, and the best of the others
    best, top, second = LANGUAGES[first], values.pop(first), max(values)
    if top < MIN_EVIDENCE or top < second * MIN_LEAD:
        return UNDETERMINED
    return best
