"""The neutral message every output renders: one event of the pipeline, placed in a thread."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

EVENT_TYPES: tuple[str, ...] = ("story", "update", "terms_change", "statement", "source_failing", "source_recovered")


def thread_key(kind: str, *parts: str) -> str:
    """A stable, short thread key such as `story-3f9a1c2b7d4e`, derived from what the thread is about."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:12]
    return f"{kind}-{digest}"


@dataclass(frozen=True, slots=True)
class Message:
    """What happened, for whom, and where it sits in a thread.

    `thread` is the stable key of the story; `reply_to` is None for the message that opens the thread
    and the opening message's thread key for every reply.
    """

    event: str
    title: str
    text: str
    url: str | None
    platform: str | None
    topics: tuple[str, ...]
    severity: str
    thread: str
    reply_to: str | None
    at: str
    source: str | None = None
    key: str = field(default="")

    def __post_init__(self) -> None:
        if self.event not in EVENT_TYPES:
            raise ValueError(f"unknown event type {self.event!r}")
        if not self.key:
            seed = "\x00".join((self.event, self.thread, self.title, self.text, self.url or "", self.at))
            object.__setattr__(self, "key", hashlib.sha256(seed.encode("utf-8")).hexdigest()[:24])

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["topics"] = list(self.topics)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        values = dict(data)
        values["topics"] = tuple(values.get("topics") or ())
        return cls(**values)
