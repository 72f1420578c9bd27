"""Which channels receive an event: the channels of feeds.yaml, widened by the subscriptions made with
`/policy subscribe`, minus the routes a chat platform refused us (permission errors)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.core.config import Channel

SUBSCRIPTION_KINDS: tuple[str, ...] = ("platform", "topic")


@dataclass(frozen=True, slots=True)
class Subscription:
    """One `/policy subscribe` of a chat channel: every event about a platform, or with a topic."""

    channel_id: str
    kind: str  # "platform" or "topic"
    value: str

    def wants(self, platform: str | None, topics: Iterable[str]) -> bool:
        if self.kind == "platform":
            return platform == self.value
        return self.value in topics


def chat_channel_id(chat: str, target: str) -> str:
    """The id of a route created from chat for a channel feeds.yaml does not name, e.g. `slack-C0123`."""
    return f"{chat}-{target}"


@dataclass(frozen=True, slots=True)
class RouteTable:
    """Every route, with its seed filter (feeds.yaml) and its chat subscriptions.

    A seeded channel keeps its feeds.yaml filter; subscriptions add to it (an event is routed when the
    filter OR any subscription wants it). A channel created from chat starts with an empty filter.
    """

    channels: tuple[Channel, ...]
    subscriptions: Mapping[str, tuple[Subscription, ...]] = field(default_factory=dict)
    disabled: Mapping[str, str] = field(default_factory=dict)
    seeded: frozenset[str] = frozenset()

    @classmethod
    def build(cls, seed: Iterable[Channel], subscriptions: Iterable[Subscription] = (),
              disabled: Mapping[str, str] | None = None) -> RouteTable:
        channels = {channel.id: channel for channel in seed}
        seeded = frozenset(channels)
        grouped: dict[str, list[Subscription]] = {}
        for sub in subscriptions:
            grouped.setdefault(sub.channel_id, []).append(sub)
            if sub.channel_id not in channels:
                chat, _, target = sub.channel_id.partition("-")
                channels[sub.channel_id] = Channel(id=sub.channel_id, kind=chat, target=target,
                                                   platforms=frozenset(), topics=None)
        return cls(tuple(channels.values()), {k: tuple(v) for k, v in grouped.items()}, dict(disabled or {}), seeded)

    def active(self) -> tuple[Channel, ...]:
        return tuple(channel for channel in self.channels if channel.id not in self.disabled)

    def find(self, kind: str, target: str) -> Channel | None:
        """The route of a chat channel: the feeds.yaml one naming it, else the one created from chat."""
        for channel in self.channels:
            if channel.kind == kind and channel.target == target:
                return channel
        return None

    def for_event(self, platform: str | None, topics: Iterable[str]) -> tuple[str, ...]:
        topic_list = tuple(topics)
        return tuple(
            channel.id for channel in self.active()
            if channel.wants(platform, topic_list)
            or platform is not None  # news about no watched platform goes only to channels that take everything
            and any(sub.wants(platform, topic_list) for sub in self.subscriptions.get(channel.id, ()))
        )

    def for_platform(self, platform: str | None) -> tuple[str, ...]:
        """Routes that take source-health notices of `platform`'s sources (any topic)."""
        return tuple(
            channel.id for channel in self.active()
            if channel.platforms is None or platform in channel.platforms
            or any(sub.kind == "platform" and sub.value == platform for sub in self.subscriptions.get(channel.id, ()))
        )
