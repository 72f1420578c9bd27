"""Attribution of text to configured platforms by their names and aliases."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from bot.core.config import Platform
from bot.core.topics import fold


@lru_cache(maxsize=4096)
def _alias_pattern(folded_alias: str) -> re.Pattern[str]:
    # Word boundaries that also work for aliases ending in punctuation; possessives ("SoundCloud's") match.
    return re.compile(r"(?<![\w])" + re.escape(folded_alias) + r"(?:'s|’s)?(?![\w])")


def match_platforms(text: str, platforms: Mapping[str, Platform]) -> tuple[str, ...]:
    """Ids of platforms named in `text`, most mentioned first.

    One-letter aliases (such as "X") are ignored on their own: configure contextual aliases instead
    ("X Corp", "formerly Twitter").
    """
    if not platforms:
        return ()
    folded = fold(text)
    counts: dict[str, int] = {}
    for platform in platforms.values():
        total = 0
        for alias in _folded_aliases(platform):
            if alias in folded:  # cheap substring test first; the regex then checks word boundaries
                total += len(_alias_pattern(alias).findall(folded))
        if total:
            counts[platform.id] = total
    return tuple(sorted(counts, key=lambda pid: (-counts[pid], pid)))


@lru_cache(maxsize=1024)
def _folded_aliases(platform: Platform) -> tuple[str, ...]:
    names = (platform.name, *platform.aliases)
    return tuple(dict.fromkeys(fold(name.strip()) for name in names if len(name.strip()) > 1))
