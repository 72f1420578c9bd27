"""The text toolkit: folding, words, quotations, sentences and dates in the four languages the bot reads."""

from __future__ import annotations

import random
import unicodedata
from datetime import date

import pytest

from bot.core.text import (
    dates,
    fold,
    lead_length,
    letter_runs,
    names_a_date,
    quotations,
    sentences,
    word_runs,
    word_set,
    words,
)


def reference_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@pytest.mark.parametrize("text, folded", [
    ("Données personnelles", "donnees personnelles"),
    ("Nutzungsbedingungen ÄNDERN", "nutzungsbedingungen andern"),
    ("Términos y condiciones", "terminos y condiciones"),
    ("SoundCloud’s terms", "soundcloud’s terms"),
    ("Straße", "strasse"),
])
def test_fold_lowers_and_strips_accents(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_agrees_with_plain_unicode_decomposition_on_random_text() -> None:
    rng = random.Random(7)
    alphabet = "aeiouAEIOU éèêëàâçñüöäßÉÈÑÜØœŒ’“”«»—–…\u00a0µ½ſﬁ" + "abcdefghijklmnopqrstuvwxyz" * 3
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert fold(text) == reference_fold(text), text


def test_words_split_on_punctuation_in_every_script() -> None:
    assert words(fold("SoundCloud’s new terms — «IA» and „KI“!")) == ("soundcloud", "s", "new", "terms", "ia", "and", "ki")
    assert word_set("a b a") == frozenset({"a", "b"})


def test_quotations_of_every_kind() -> None:
    text = 'He said “never”, elle a dit « jamais », er sagte „nie“ and *we will not train models on it*.'
    assert [text[s:e] for s, e in quotations(text)] == ["never", "jamais", "nie", "we will not train models on it"]
    assert quotations("no quotes at all") == []


def test_sentences_do_not_end_inside_quotes_or_after_abbreviations() -> None:
    text = ("Mr. Doe said: “It changes nothing. Nothing at all.” The clause in art. 5 stays. "
            "Le P.D.G. a répondu. ¿Y ahora?")
    assert sentences(text) == ["Mr. Doe said: “It changes nothing. Nothing at all.”", "The clause in art. 5 stays.",
                               "Le P.D.G. a répondu.", "¿Y ahora?"]


@pytest.mark.parametrize("text, found", [
    ("Last Amended: 7 February 2024", [date(2024, 2, 7)]),
    ("Dernière mise à jour : 3 mars 2025", [date(2025, 3, 3)]),
    ("Stand: 01.02.2024", [date(2024, 2, 1)]),
    ("Fecha de actualización: 3 de marzo de 2025", [date(2025, 3, 3)]),
    ("Effective as of March 3, 2025 and 2025-04-01", [date(2025, 3, 3), date(2025, 4, 1)]),
    ("Gültig ab 1. Februar 2024", [date(2024, 2, 1)]),
    ("31 February 2024, year 3024-01-01", []),
])
def test_dates_in_four_languages(text: str, found: list[date]) -> None:
    assert dates(text) == found


@pytest.mark.parametrize("text, named", [
    ("Feb 16, 2024, 4:30 PM PT", True), ("16 févr. 10h CET", True), ("Okt. 5, 9 Uhr MEZ", True),
    ("3 de marzo 10:00 CET", True), ("16/2 10h CET", True), ("2:22 p.m. ET", False), ("10:12 Pacific", False),
    ("settings 5 PT", False),
])
def test_a_dateline_names_a_date_in_four_languages(text: str, named: bool) -> None:
    assert names_a_date(text) is named


def test_the_lead_ends_at_the_first_sentence_end_or_the_limit() -> None:
    assert lead_length("Tunely drops its AI clause. The company said …", 280) == len("Tunely drops its AI clause. ")
    assert lead_length("No full stop here at all", 10) == 10


def test_letter_runs_keep_the_case_and_leave_digits_out() -> None:
    assert letter_runs("On March 5, l’app a dit") == ["On", "March", "l", "app", "a", "dit"]


def test_word_runs_keep_underscores_and_drop_symbols_alike_in_ascii_and_unicode() -> None:
    assert word_runs("See § 4.2 of user_terms, €5") == ["See", "4", "2", "of", "user_terms", "5"]
    assert word_runs("Soyez courtois. © Société_2024") == ["Soyez", "courtois", "Société_2024"]
