"""Concepts a text names in any of its languages (`concepts.yaml`: "Blockier-Funktion", "bloquear" and "blocking" are
all "block"): whole words, stems and phrases, read through a bounded cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import yaml

from bot.core.news.evidence import CACHE_SIZE
from bot.core.text import fold, word_set, words


def _load_concepts() -> tuple[dict[str, str], dict[str, str], tuple[int, ...],
                              dict[str, tuple[tuple[str, str], ...]]]:
    """`concepts.yaml` as whole words → concept, stems → concept (and their lengths, longest first), and
    phrases by their first word (→ (concept, folded phrase)): a text is searched for a phrase only when it has
    the phrase's first word."""
    text = resources.files("bot.core.news").joinpath("concepts.yaml").read_text(encoding="utf-8")
    whole: dict[str, str] = {}
    stems: dict[str, str] = {}
    phrases: list[tuple[str, str]] = []
    for concept, forms in (yaml.safe_load(text) or {}).items():
        for form in forms:
            form = fold(str(form)).strip()
            if not form:
                continue
            if form.endswith("*") and " " not in form and "-" not in form:
                stems.setdefault(form[:-1], concept)
            elif " " in form or "-" in form or "'" in form or not form.isalnum():
                phrases.append((concept, form.rstrip("*")))
                if "'" in form:  # (French text is as often written with the typographic apostrophe)
                    phrases.append((concept, form.rstrip("*").replace("'", "’")))
            else:
                whole.setdefault(form, concept)
    lengths = tuple(sorted({len(stem) for stem in stems}, reverse=True))
    by_first: dict[str, list[tuple[str, str]]] = {}
    for concept, phrase in phrases:
        by_first.setdefault(words(phrase)[0], []).append((concept, phrase))
    return whole, stems, lengths, {first: tuple(found) for first, found in by_first.items()}


_CONCEPT_WORDS, _CONCEPT_STEMS, _STEM_LENGTHS, _CONCEPT_PHRASES = _load_concepts()


class _Concepts(dict[str, str]):
    """word (folded) → the concept it names ("" for none), filled as words are met (emptied when full)."""

    __slots__ = ()

    def __missing__(self, word: str) -> str:
        concept = _CONCEPT_WORDS.get(word, "")
        if not concept:
            for length in _STEM_LENGTHS:
                if len(word) >= length:
                    concept = _CONCEPT_STEMS.get(word[:length], "")
                    if concept:
                        break
        if len(self) >= CACHE_SIZE:
            self.clear()
        self[word] = concept
        return concept


@lru_cache(maxsize=1)
def _concept_of() -> _Concepts:
    """The one cache of words' concepts (bounded: see `_Concepts`)."""
    return _Concepts()


CONCEPT_TOKENS = frozenset(f"c:{concept}" for concept in (*_CONCEPT_WORDS.values(), *_CONCEPT_STEMS.values(),
                                                         *(c for found in _CONCEPT_PHRASES.values() for c, _ in found)))


def concepts_in(folded: str, distinct: Iterable[str] | None = None) -> set[str]:
    """The concepts (`concepts.yaml`) folded text names, whatever its language: "Blockier-Funktion",
    "bloquear" and "blocking" are all "block"."""
    if distinct is None:
        distinct = word_set(folded)
    found = set(map(_concept_of().__getitem__, distinct))
    found.discard("")
    for first in _CONCEPT_PHRASES.keys() & distinct:
        for concept, phrase in _CONCEPT_PHRASES[first]:
            if concept not in found and phrase in folded:
                found.add(concept)
    return found
