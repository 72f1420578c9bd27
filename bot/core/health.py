"""Per-source health: consecutive failures, the failing flag, and when to try again."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.core.terms.availability import UNAVAILABLE


@dataclass(frozen=True, slots=True)
class Health:
    """What we remember about a source's recent fetches."""

    consecutive_failures: int = 0
    failing: bool = False
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class HealthChange:
    """The new state and the one notice it calls for, if any ("failing" or "recovered")."""

    health: Health
    notice: str | None


def record_success(previous: Health) -> HealthChange:
    """A good fetch clears the failure count; a failing source announces its recovery once."""
    return HealthChange(Health(), "recovered" if previous.failing else None)


def record_failure(previous: Health, error: str, threshold: int) -> HealthChange:
    """Count a failure; crossing `threshold` consecutive failures announces it once."""
    failures = previous.consecutive_failures + 1
    now_failing = failures >= threshold
    notice = "failing" if now_failing and not previous.failing else None
    return HealthChange(Health(failures, now_failing, error), notice)


def next_delay(interval: float, jitter: float, failures: int, rng: random.Random) -> float:
    """Seconds until the next fetch: the interval ± jitter, or a capped exponential retry after failures."""
    base = interval if failures == 0 else min(interval, 60.0 * 2 ** min(failures - 1, 10))
    spread = base * jitter
    return max(1.0, base + rng.uniform(-spread, spread))


def health_word(fetches: int, failing: bool, consecutive_failures: int, last_error: str | None) -> str:
    """The one health vocabulary of `sources`, `status`, their JSON and chat: `new` (never fetched), `ok`,
    `erroring (N)` (N failures in a row, below the threshold), `failing` (past it, announced), `unavailable`
    (the page served is not the document: an interstitial, error or block page; the last good text is kept)."""
    if fetches == 0:
        return "new"
    if consecutive_failures and last_error is not None and last_error.startswith(UNAVAILABLE):
        return "unavailable"
    if failing:
        return "failing"
    if consecutive_failures:
        return f"erroring ({consecutive_failures})"
    return "ok"
