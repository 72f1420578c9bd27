"""Feed entries as the pipeline sees them: parsed fields, stable identity and content fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


class FeedParseError(ValueError):
    """The bytes are not a feed we can read (an HTML page, empty body, garbage)."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of an RSS/Atom feed, reduced to plain-text fields.

    `summary` and `content` are plain text: tags removed (script/style contents dropped),
    entities decoded, runs of whitespace collapsed to one space, stripped.
    `published`/`updated` are ISO 8601 UTC strings (``2024-02-14T10:00:00+00:00``) or None.
    """

    guid: str | None
    link: str | None
    title: str
    summary: str = ""
    content: str = ""
    published: str | None = None
    updated: str | None = None
    author: str | None = None

    @property
    def identity(self) -> str:
        """guid/id, else link, else a hash of title and date (the feed contract of the foundation)."""
        if self.guid:
            return self.guid
        if self.link:
            return self.link
        seed = f"{self.title}\x00{self.published or self.updated or ''}"
        return "sha256:" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]

    @property
    def fingerprint(self) -> str:
        """Hash of what a reader sees; a change of it on a known entry makes an update."""
        seed = "\x00".join((self.title, self.summary, self.content))
        return hashlib.sha256(seed.encode("utf-8")).hexdigest()

    @property
    def text(self) -> str:
        """The longest body we have: full content when present, else the summary."""
        return self.content if len(self.content) >= len(self.summary) else self.summary


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole feed document as feedparser read it: its title, its link and its entries."""

    title: str
    link: str | None
    entries: tuple[FeedEntry, ...] = field(default_factory=tuple)
