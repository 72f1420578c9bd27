"""The configuration (feeds.yaml): YAML read strictly, validated by the schema (bot.core.config_schema), turned
into the settings the bot runs on. Parsing takes YAML text and the file's path; reading the file is the caller's job.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.core.config_errors import ConfigError, SchemaKey, describe_problems, schema_keys
from bot.core.config_schema import (
    CHANNEL_KINDS,
    DATABASE_URL,
    DEFAULT_ARCHIVE_DELAY,
    DEFAULT_ARCHIVE_URL,
    DEFAULT_STORY_WINDOW,
    DOCUMENT_TYPES,
    ConfigFile,
    PlatformEntry,
    WebSection,
    resolve,
)
from bot.core.config_settings import SUMMARIZER_KINDS, ChatSettings, PollSettings, RetentionSettings, SummarizerSettings
from bot.core.config_values import MAX_DURATION, parse_duration, parse_size, slugify
from bot.core.config_yaml import load_yaml

__all__ = [
    "CHANNEL_KINDS", "DEFAULT_ARCHIVE_DELAY", "DEFAULT_ARCHIVE_URL", "DEFAULT_STORY_WINDOW", "DOCUMENT_TYPES",
    "MAX_DURATION", "SUMMARIZER_KINDS", "Channel", "ChatSettings", "Config", "ConfigError", "Platform", "PollSettings",
    "RetentionSettings", "SourceSpec", "SummarizerSettings", "WebSection", "config_keys", "parse_config", "parse_duration",
    "parse_size", "slugify",
]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One thing we poll: a feed (RSS/Atom) or a terms document, remote (`url`) or local (`path`)."""

    id: str
    kind: str  # "feed" | "document"
    platform: str | None
    url: str | None
    path: Path | None
    interval: float
    doc_type: str | None = None
    select: str | None = None
    remove: tuple[str, ...] = ()
    backfill: int = 0
    origin: str = "config"  # "chat" for a feed added with `/policy feeds add`: an untrusted URL

    @property
    def location(self) -> str:
        """The URL, or a file:// URL for a `path:` source."""
        if self.url:
            return self.url
        assert self.path is not None
        return self.path.as_uri()

    @property
    def extraction(self) -> str:
        """The settings a document's text is extracted with (`select`, `remove`) as JSON: texts extracted under
        other settings are not compared clause by clause."""
        if self.kind != "document":
            return ""
        return json.dumps({"select": self.select, "remove": list(self.remove)}, ensure_ascii=False)

    def with_extraction(self, extraction: str) -> SourceSpec | None:
        """This document read with the settings `extraction` (a `SourceSpec.extraction`); None if it is not one."""
        try:
            settings = json.loads(extraction)
            select, remove = settings["select"], tuple(settings["remove"])
        except (ValueError, TypeError, KeyError):
            return None
        if not (select is None or isinstance(select, str)) or not all(isinstance(r, str) for r in remove):
            return None
        return dataclasses.replace(self, select=select, remove=remove)

    @property
    def is_statement_feed(self) -> bool:
        """A platform's own feed: its posts are the platform's statements."""
        return self.kind == "feed" and self.platform is not None


def describe_extraction(extraction: str) -> str:
    """Extraction settings in words: "selector main, without nav, .ad", or "the whole page"."""
    try:
        settings = json.loads(extraction)
        parts = [f"selector {settings['select']}"] if settings.get("select") else []
        parts += [f"without {', '.join(map(str, settings['remove']))}"] if settings.get("remove") else []
    except (ValueError, TypeError, KeyError, AttributeError):
        return "unknown settings"
    return ", ".join(parts) or "the whole page"


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform creators publish on, with its terms documents and its own newsroom feeds."""

    id: str
    name: str
    aliases: tuple[str, ...]
    documents: tuple[SourceSpec, ...] = ()
    feeds: tuple[SourceSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Channel:
    """A route to an output. `platforms`/`topics` of None mean "everything"."""

    id: str
    kind: str  # one of CHANNEL_KINDS
    target: str  # console: "stdout"; jsonl/atom: file path; slack/discord: channel id
    platforms: frozenset[str] | None = None
    topics: frozenset[str] | None = None

    def wants(self, platform: str | None, topics: tuple[str, ...] | list[str]) -> bool:
        """Does this route take an event about `platform` labelled with `topics`?"""
        if self.platforms is not None and platform not in self.platforms:
            return False
        if self.topics is not None and not self.topics.intersection(topics):
            return False
        return True


@dataclass(frozen=True, slots=True)
class Config:
    """The whole validated configuration."""

    path: Path
    storage: Path  # the SQLite folder; with `database_url`, the local folder (./storage) for nothing but files
    poll: PollSettings
    platforms: Mapping[str, Platform]
    feeds: tuple[SourceSpec, ...]
    channels: tuple[Channel, ...]
    warnings: tuple[str, ...] = field(default=())
    archive_url: str = DEFAULT_ARCHIVE_URL  # Wayback Machine (or compatible) for `clausewatch backfill`
    archive_delay: float = DEFAULT_ARCHIVE_DELAY  # seconds between two requests to the archive
    chat: ChatSettings = field(default_factory=ChatSettings)
    # URLs added from chat may reach loopback/private/link-local addresses only when this is true.
    allow_private_networks: bool = False
    metrics_port: int | None = None  # Prometheus endpoint /metrics, served by `run` when set
    metrics_host: str = "127.0.0.1"
    story_window: float = DEFAULT_STORY_WINDOW  # seconds: items further apart never join one story
    web: WebSection | None = None  # the read-only pages (`serve`, and `run` when set); base_url: links in posts
    summarizer: SummarizerSettings = field(default_factory=SummarizerSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    database_url: str | None = None  # `storage: postgresql://…`: the PostgreSQL database instead of SQLite
    discord_shards: int | str | None = None  # `discord.shards`: "auto", a count, or None (one gateway connection)

    def sources(self) -> list[SourceSpec]:
        """Every source: platform documents, platform feeds, general feeds."""
        found: list[SourceSpec] = []
        for platform in self.platforms.values():
            found.extend(platform.documents)
            found.extend(platform.feeds)
        found.extend(self.feeds)
        return found


def config_keys() -> list[SchemaKey]:
    """Every key feeds.yaml accepts, as dotted paths (`poll.interval`, `platforms.<id>.documents[].type`)."""
    return schema_keys(ConfigFile)


def parse_config(text: str, path: Path) -> Config:
    """Validate YAML `text` read from `path`; relative paths resolve against the file's folder."""
    file = str(path)
    try:
        data = load_yaml(text)
    except yaml.YAMLError as error:
        raise ConfigError(file, [f"not valid YAML: {error}"]) from None
    try:
        written = ConfigFile.model_validate({} if data is None else data, context={"base": path.parent})
    except ValidationError as error:
        raise ConfigError(file, describe_problems(error, ConfigFile)) from None
    return build_config(written, path)


def parse_config_or_problems(text: str, path: Path) -> Config | tuple[str, list[str]]:
    """`parse_config`, its ConfigError given as (file, problems): for a child process to send back (an exception
    with arguments of its own does not cross a process boundary)."""
    try:
        return parse_config(text, path)
    except ConfigError as error:
        return error.file, error.problems


def build_config(written: ConfigFile, path: Path) -> Config:
    """The settings the bot runs on, from a validated file: ids, defaults and paths filled in."""
    base = path.parent
    poll = written.poll
    feeds = tuple(
        SourceSpec(id=feed.id, kind="feed", platform=None, url=feed.url, path=resolve_optional(base, feed.path),
                   interval=feed.interval or poll.interval, backfill=feed.backfill)
        for feed in written.feeds
    )
    channels = tuple(
        Channel(id=channel.id, kind=channel.kind, target=channel.target(base),
                platforms=None if channel.platforms is None else frozenset(channel.platforms),
                topics=None if channel.topics is None else frozenset(channel.topics))
        for channel in written.channels if channel is not None
    )
    metrics = written.metrics
    return Config(
        path=path,
        storage=resolve(base, "./storage" if DATABASE_URL.match(written.storage) else written.storage),
        poll=poll,
        platforms={pid: build_platform(pid, platform, poll.interval, base) for pid, platform in written.platforms.items()},
        feeds=feeds,
        channels=channels,
        warnings=tuple(written.warnings()),
        archive_url=written.archive.url,
        archive_delay=written.archive.delay,
        chat=written.chat,
        allow_private_networks=written.allow_private_networks,
        metrics_port=metrics.port if metrics else None,
        metrics_host=metrics.host if metrics else "127.0.0.1",
        story_window=written.stories.window,
        web=written.web,
        summarizer=written.summarizer,
        retention=written.retention,
        database_url=written.storage if DATABASE_URL.match(written.storage) else None,
        discord_shards=written.discord.shards,
    )


def resolve_optional(base: Path, text: str | None) -> Path | None:
    return None if text is None else resolve(base, text)


def build_platform(platform_id: str, written: PlatformEntry, interval: float, base: Path) -> Platform:
    name = written.name or platform_id
    documents = tuple(
        SourceSpec(id=doc.source_id(platform_id), kind="document", platform=platform_id, url=doc.url,
                   path=resolve_optional(base, doc.path), interval=doc.interval or interval, doc_type=doc.type,
                   select=doc.select, remove=doc.remove)
        for doc in written.documents if doc is not None
    )
    feeds = tuple(
        SourceSpec(id=feed.source_id(platform_id, index), kind="feed", platform=platform_id, url=feed.url,
                   path=resolve_optional(base, feed.path), interval=feed.interval or interval,
                   backfill=feed.backfill)
        for index, feed in enumerate(written.feeds)
    )
    return Platform(id=platform_id, name=name, aliases=written.aliases or (name,), documents=documents, feeds=feeds)
