"""The neutral message every output renders: one event of the pipeline, placed in a thread."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote

EVENT_TYPES: tuple[str, ...] = ("story", "update", "terms_change", "statement", "source_failing", "source_recovered")
# The events whose post links to its page of the web view: the path under `web.base_url`, the label.
_PAGES: dict[str, tuple[str, str]] = {"terms_change": ("changes", "Full diff"), "story": ("stories", "Story")}


def thread_key(kind: str, *parts: str) -> str:
    """A stable, short thread key such as `story-3f9a1c2b7d4e`, derived from what the thread is about."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:12]
    return f"{kind}-{digest}"


@dataclass(frozen=True, slots=True)
class Message:
    """What happened, for whom, and where it sits in a thread.

    `thread` is the stable key of the story; `reply_to` is None for the message that opens the thread
    and the opening message's thread key for every reply. `link` is the address of the event's page in the
    web view, set only on the copy handed to an output (never part of `key`, never stored).
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
    link: str | None = None

    def __post_init__(self) -> None:
        if self.event not in EVENT_TYPES:
            raise ValueError(f"unknown event type {self.event!r}")
        if not self.key:
            seed = "\x00".join((self.event, self.thread, self.title, self.text, self.url or "", self.at))
            object.__setattr__(self, "key", hashlib.sha256(seed.encode("utf-8")).hexdigest()[:24])

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["topics"] = list(self.topics)
        if data["link"] is None:  # without the web view, stored and written records stay as they were
            del data["link"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        values = dict(data)
        values["topics"] = tuple(values.get("topics") or ())
        return cls(**values)


def page_link(message: Message, base_url: str | None) -> str | None:
    """The address of `message`'s page in the web view under `base_url` (no trailing slash): a terms change's
    diff (`/changes/<key>`), a story's page (`/stories/<thread>`); None without a base URL or for other events."""
    page = _PAGES.get(message.event)
    if base_url is None or page is None:
        return None
    segment = message.key if message.event == "terms_change" else message.thread
    return f"{base_url.rstrip('/')}/{page[0]}/{quote(segment, safe='')}"


def link_label(message: Message) -> str:
    """How the link to `message`'s page reads: "Full diff" for a terms change, "Story" for a story."""
    return _PAGES.get(message.event, ("", "Web view"))[1]
