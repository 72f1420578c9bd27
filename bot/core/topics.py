"""Topic vocabulary and a lexicon-based labeller shared by terms changes and news entries.

The lexicon lives in `topics.yaml` beside this module so that phrases are data, not code.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import yaml

TOPICS: tuple[str, ...] = (
    "ai_training",
    "content_licence",
    "data_sharing",
    "privacy",
    "opt_out",
    "arbitration_venue",
    "age_verification",
    "moderation",
    "account_termination",
    "pricing",
)

SEVERITIES: tuple[str, ...] = ("low", "medium", "high")
_HIGH_TOPICS = frozenset({"ai_training", "content_licence", "data_sharing", "opt_out"})


def fold(text: str) -> str:
    """Lower-case and strip accents so that "données" matches "donnees"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():
        return decomposed
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, tuple[re.Pattern[str], ...]]:
    raw = yaml.safe_load(resources.files("bot.core").joinpath("topics.yaml").read_text(encoding="utf-8"))
    unknown = set(raw) - set(TOPICS)
    if unknown:
        raise ValueError(f"topics.yaml names unknown topics: {sorted(unknown)}")
    # Patterns are written in lower case and matched on folded text, so no IGNORECASE (it is slower).
    return {topic: tuple(re.compile(p, re.DOTALL) for p in raw.get(topic, ())) for topic in TOPICS}


def label_topics(text: str, folded: str | None = None) -> tuple[str, ...]:
    """Topics whose lexicon matches `text` (pass `folded` when `fold(text)` is already known)."""
    folded = fold(text) if folded is None else folded
    return tuple(topic for topic, patterns in _lexicon().items() if any(p.search(folded) for p in patterns))


def severity_for(topics: tuple[str, ...] | list[str], substantive: bool = True) -> str:
    """`high` when a sensitive topic is touched, `medium` for other substantive items, else `low`."""
    if not substantive:
        return "low"
    return "high" if _HIGH_TOPICS.intersection(topics) else "medium"
