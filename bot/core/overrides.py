"""Feeds added or removed from chat with `/policy feeds`: stored apart from feeds.yaml (which stays the
seed) and laid over it to give the configuration the poller actually runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.config import Config, SourceSpec


@dataclass(frozen=True, slots=True)
class FeedChange:
    """`action` is "add" (a new feed, with its url) or "remove" (a feed of the seed or one added before)."""

    id: str
    action: str
    url: str | None = None
    platform: str | None = None
    title: str | None = None
    by: str | None = None
    at: str | None = None


def feed_spec(change: FeedChange, config: Config) -> SourceSpec:
    """The source a feed added from chat becomes: polled at `poll.interval`, marked untrusted (`origin="chat"`)."""
    return SourceSpec(id=change.id, kind="feed", platform=change.platform, url=change.url, path=None,
                      interval=config.poll.interval, backfill=0, origin="chat")


def apply_feed_changes(config: Config, changes: Iterable[FeedChange]) -> Config:
    """The seed configuration with chat's additions and removals applied (platform feeds included)."""
    changes = list(changes)
    if not changes:
        return config
    removed = {c.id for c in changes if c.action == "remove"}
    added = [feed_spec(c, config) for c in changes if c.action == "add" and c.id not in removed]
    platforms = {
        pid: dataclasses.replace(p, feeds=tuple(f for f in p.feeds if f.id not in removed))
        for pid, p in config.platforms.items()
    }
    feeds = tuple(f for f in config.feeds if f.id not in removed) + tuple(added)
    return dataclasses.replace(config, platforms=platforms, feeds=feeds)
