"""The pure domain, tested on data: topics, platform attribution, document normalisation, health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.config import Platform
from bot.core.events import added_passage
from bot.core.health import Health, next_delay, record_failure, record_success
from bot.core.news.platforms import match_platforms
from bot.core.terms.documents import looks_like_error_page, normalize
from bot.core.topics import fold, label_topics

CASES = Path(__file__).resolve().parents[1] / "cases"
PLATFORMS = {
    "soundcloud": Platform("soundcloud", "SoundCloud", ("SoundCloud",)),
    "x": Platform("x", "X", ("X", "X Corp", "Twitter", "formerly Twitter")),
    "deviantart": Platform("deviantart", "DeviantArt", ("DeviantArt",)),
}


def _cases(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _cases("topics.yaml"), ids=lambda c: c["text"][:40])
def test_topics(case: dict[str, Any]) -> None:
    assert list(label_topics(case["text"])) == case["topics"]


@pytest.mark.parametrize("case", _cases("platforms.yaml"), ids=lambda c: c["text"][:40])
def test_platform_attribution(case: dict[str, Any]) -> None:
    assert list(match_platforms(case["text"], PLATFORMS)) == case["platforms"]


def test_fold_removes_case_and_accents() -> None:
    assert fold("Données Personnelles ÉTÉ") == "donnees personnelles ete"


def test_normalize_ignores_cosmetic_noise_and_keeps_dates_as_metadata() -> None:
    a = normalize("Last updated: 1 May 2024\n\n1.  You own “your”   content — always.\u200b\n")
    b = normalize("Last updated: 9 June 2024\n1. You own \"your\" content - always.\n")
    assert a.hash == b.hash and a.text == '1. You own "your" content - always.'
    assert a.metadata == ("Last updated: 1 May 2024",)


@pytest.mark.parametrize(
    ("text", "error"),
    [("", True), ("Access denied", True), ("Please verify you are human", True), ("404 Page not found", True),
     ("Terms of Service\n" + "1. You agree to these terms. " * 40, False), ("Short but real terms.", False)],
)
def test_error_page_recognition(text: str, error: bool) -> None:
    assert (looks_like_error_page(text) is not None) is error


def test_added_passage_is_only_the_new_sentences() -> None:
    old = "Tunely changed its terms. Artists reacted."
    new = "Tunely changed its terms. Artists reacted. Update: Tunely said it will add an opt-out."
    assert added_passage(old, new) == "Update: Tunely said it will add an opt-out."


def test_health_announces_failing_once_and_recovery_once() -> None:
    health = Health()
    notices = []
    for _ in range(7):
        change = record_failure(health, "HTTP 500", threshold=3)
        health = change.health
        notices.append(change.notice)
    assert notices == [None, None, "failing", None, None, None, None]
    assert health.consecutive_failures == 7 and health.failing
    recovered = record_success(health)
    assert recovered.notice == "recovered" and recovered.health == Health()
    assert record_success(recovered.health).notice is None


def test_retry_delay_backs_off_but_never_beyond_the_interval() -> None:
    import random

    rng = random.Random(1)
    delays = [next_delay(3600, 0.0, failures, rng) for failures in range(0, 9)]
    assert delays[0] == 3600 and delays[1:5] == [60, 120, 240, 480] and max(delays) == 3600
    jittered = {round(next_delay(600, 0.1, 0, rng)) for _ in range(50)}
    assert min(jittered) >= 540 and max(jittered) <= 660 and len(jittered) > 10


def test_a_ten_megabyte_title_is_capped() -> None:
    from bot.core.config import SourceSpec
    from bot.core.events import MAX_TITLE, entry_message
    from bot.core.news.entries import FeedEntry

    source = SourceSpec("wire", "feed", None, "https://news.test/feed", None, 600)
    entry = FeedEntry(guid="g", link="https://news.test/g", title="spam " * 2_000_000, summary="x " * 1_000_000)
    message = entry_message(source, None, entry, "2024-02-14T10:00:00+00:00")
    assert len(message.title) <= MAX_TITLE and message.title.endswith("…")
    assert len(message.text) <= 1500
