"""Attribution of text to configured platforms by their names and aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from bot.core.config import Platform
from bot.core.topics import fold


@lru_cache(maxsize=4096)
def _alias_pattern(alias: str) -> re.Pattern[str]:
    # Word boundaries that also work for aliases ending in punctuation; possessives ("SoundCloud's") match.
    return re.compile(r"(?<![\w])" + re.escape(fold(alias)) + r"(?:'s|’s)?(?![\w])")


def match_platforms(text: str, platforms: Mapping[str, Platform]) -> tuple[str, ...]:
    """Ids of platforms named in `text`, most mentioned first.

    One-letter aliases (such as "X") are ignored on their own: configure contextual aliases instead
    ("X Corp", "formerly Twitter").
    """
    folded = fold(text)
    counts: dict[str, int] = {}
    for platform in platforms.values():
        total = sum(len(_alias_pattern(a).findall(folded)) for a in _aliases(platform) if len(a.strip()) > 1)
        if total:
            counts[platform.id] = total
    return tuple(sorted(counts, key=lambda pid: (-counts[pid], pid)))


def _aliases(platform: Platform) -> Iterable[str]:
    yield platform.name
    yield from platform.aliases
