"""Language detection of text (news articles, terms pages) from stop-word profiles (English, French, Spanish, German,
else "und"). Offline, no model; text is folded and split by `bot.core.text`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.text import fold, words

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


@lru_cache(maxsize=1)
def _weights() -> dict[str, tuple[float, float, float, float]]:
    """word → its weight for (en, fr, es, de): split among the languages that share it."""
    owners: dict[str, list[str]] = {}
    for language, stop_words in STOP_WORDS.items():
        for word in stop_words:
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
    sample_words = words(fold(sample) if folded is None else folded[:SAMPLE_CHARS])
    for weight in filter(None, map(weights.get, sample_words)):  # the stop words only, in order: the same sums
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
    `fold(text)` is already known)."""
    scores = language_scores(text, folded)
    values = list(scores.values())  # (in LANGUAGES order)
    first = values.index(max(values))  # the first language with the highest score, and the best of the others
    best, top, second = LANGUAGES[first], values.pop(first), max(values)
    if top < MIN_EVIDENCE or top < second * MIN_LEAD:
        return UNDETERMINED
    return best
