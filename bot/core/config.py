"""The configuration model (feeds.yaml): typed settings, validation with precise error paths.

Parsing takes YAML text and the file's path; reading the file is the caller's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.topics import TOPICS

DOCUMENT_TYPES: tuple[str, ...] = (
    # Open Terms Archive terms-types vocabulary (the names most platforms publish).
    "Terms of Service",
    "Privacy Policy",
    "Community Guidelines",
    "Copyright Claims Policy",
    "Trackers Policy",
    "Acceptable Use Policy",
    "Commercial Terms",
    "Developer Terms",
    "Seller Warranty",
    "Business Privacy Policy",
    "Imprint",
    "Data Processor Agreement",
    "Closed Captioning Policy",
    "Content Monetisation Policy",
    "Live Policy",
    "Restricted Use Policy",
    "Human Rights Policy",
    "Law Enforcement Guidelines",
    "Brand Guidelines",
    "Vulnerability Disclosure Policy",
    "User Consent Policy",
    "Conditions of Carriage",
    "Complaints Policy",
    "Single Sign-On Policy",
    "Data Retention Policy",
    "Editorial Policy",
    "Deceased Users",
    "Service Level Agreement",
    "Whistleblowing Policy",
    "Terms of Sale",
    "Community Guidelines for Minors",
    "Cookies Policy",
    "Quality Guidelines",
    "Parental Controls",
    "In-App Purchases Policy",
    "Review Guidelines",
    "Ranking Parameters Description",
    "Recommender System Parameters",
    "Anti-corruption Policy",
    "Professional Privacy Policy",
    "Contributor Privacy Policy",
    # Clausewatch extension: OTA has no type for AI-specific terms, which matter most here.
    "Generative AI Policy",
)

_PLATFORM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$", re.IGNORECASE)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$", re.IGNORECASE)
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SIZE_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}

CHANNEL_KINDS: tuple[str, ...] = ("console", "jsonl", "atom", "slack", "discord")
DEFAULT_ARCHIVE_URL = "https://web.archive.org"
DEFAULT_ARCHIVE_DELAY = 1.0
DEFAULT_STORY_WINDOW = 14 * 86400.0


class ConfigError(ValueError):
    """Invalid configuration. `problems` lists every "key.path: what was expected" found."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        lines = "\n".join(f"  {file}: {problem}" for problem in problems)
        super().__init__(f"invalid configuration in {file}:\n{lines}")


MAX_DURATION = 3650 * 86400.0  # ten years, in seconds


def parse_duration(value: object, allow_zero: bool = False) -> float:
    """`90s`, `10m`, `1h`, `1d`, `250ms` or a number of seconds → seconds (0 only with `allow_zero`)."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 90s, 10m, 1h")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"expected a duration like 90s, 10m, 1h, got {value!r}")
        seconds = float(match.group(1)) * _DURATION_UNITS[(match.group(2) or "s").lower()]
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError(f"expected a {'non-negative' if allow_zero else 'positive'} duration, got {value!r}")
    if not seconds <= MAX_DURATION:  # (also NaN): a schedule further out than this overflows the clocks
        raise ValueError(f"expected a duration of at most 3650d (ten years), got {value!r}")
    return seconds


def parse_size(value: object) -> int:
    """`5MB`, `512KB`, `1GB` (binary multiples: 1MB = 1,048,576 bytes) or a byte count → bytes."""
    if isinstance(value, bool):
        raise ValueError("expected a size like 5MB")
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE.match(str(value))
        if not match:
            raise ValueError(f"expected a size like 512KB or 5MB, got {value!r}")
        size = int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "b").lower()])
    if size <= 0:
        raise ValueError(f"expected a positive size, got {value!r}")
    return size


@dataclass(frozen=True, slots=True)
class PollSettings:
    """How and how often sources are fetched."""

    interval: float = 900.0
    concurrency: int = 20
    per_host: int = 4
    timeout: float = 20.0
    max_bytes: int = 5 * 1024 * 1024
    user_agent: str = "Clausewatch/0.1 (terms-change monitor for creator communities)"
    jitter: float = 0.1
    failure_threshold: int = 5
    max_redirects: int = 5
    # Sources failing together with the same class of error that are announced as one outage, not one by one
    outage_sources: int = 5


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """How long what only serves the recent past is kept (seconds; None: forever). Terms versions, change records,
    entries' identities and fingerprints, events' titles and threads are kept forever."""

    delivered: float | None = 30 * 86400.0  # outbox rows of finished deliveries
    entry_texts: float | None = 90 * 86400.0  # texts of entries no feed has carried since, old versions, post bodies
    fetch_log: float | None = 30 * 86400.0  # records of poll cycles
    entries: float | None = 180 * 86400.0  # entries no feed has carried since, with their posts and outbox rows


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
    def is_statement_feed(self) -> bool:
        """A platform's own feed: its posts are the platform's statements."""
        return self.kind == "feed" and self.platform is not None


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
class ChatSettings:
    """Who may change the configuration from chat, and where Slack's HTTP endpoint listens.

    Platform admins (Discord "Manage Server", Slack workspace admins and owners) always may; the
    lists add user ids (Slack `U…`, Discord snowflakes) and Discord role ids."""

    admin_users: frozenset[str] = frozenset()
    admin_roles: frozenset[str] = frozenset()
    slack_host: str = "0.0.0.0"
    slack_port: int = 3000
    pace: float = 1.0  # seconds between two posts to one chat channel


@dataclass(frozen=True, slots=True)
class SummarizerSettings:
    """How statements become points: `extractive` (offline, the default) or `openai`, any endpoint that
    speaks the OpenAI chat-completions API, with the extractive summary as the fallback on any error."""

    kind: str = "extractive"
    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    timeout: float = 20.0


@dataclass(frozen=True, slots=True)
class Config:
    """The whole validated configuration."""

    path: Path
    storage: Path
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
    summarizer: SummarizerSettings = field(default_factory=SummarizerSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)

    def sources(self) -> list[SourceSpec]:
        """Every source: platform documents, platform feeds, general feeds."""
        found: list[SourceSpec] = []
        for platform in self.platforms.values():
            found.extend(platform.documents)
            found.extend(platform.feeds)
        found.extend(self.feeds)
        return found


def slugify(text: str) -> str:
    """`Terms of Service` → `terms-of-service`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~3x faster


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that refuses duplicate mapping keys instead of silently keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping  # type: ignore[arg-type]
)


class _Checker:
    """Collects problems with their key paths while the settings are read."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value: object, where: str, allowed: set[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {_kind(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.fail(f"{where}.{key}" if where else str(key), f"unknown key (expected one of: {', '.join(sorted(allowed))})")
        return value

    def string(self, value: object, where: str, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.fail(where, "is required (a string)")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(where, f"expected a non-empty string, got {_kind(value)}")
            return None
        return value

    def strings(self, value: object, where: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, f"expected a list of strings, got {_kind(value)}")
            return ()
        return tuple(value)

    def integer(self, value: object, where: str, default: int, minimum: int = 1) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(where, f"expected a whole number >= {minimum}, got {value!r}")
            return default
        return value

    def converted(self, value: object, where: str, default: Any, convert: Callable[[object], Any]) -> Any:
        if value is None:
            return default
        try:
            return convert(value)
        except ValueError as error:
            self.fail(where, str(error))
            return default


def _kind(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), "nothing" if value is None else type(value).__name__
    )


_TOP_KEYS = {"storage", "poll", "platforms", "feeds", "channels", "archive", "chat", "allow_private_networks", "metrics",
             "stories", "summarizer", "retention"}
_STORIES_KEYS = {"window"}
_RETENTION_KEYS = {"delivered", "entry_texts", "fetch_log", "entries"}
_SUMMARIZER_KEYS = {"kind", "base_url", "model", "api_key_env", "timeout"}
SUMMARIZER_KINDS = ("extractive", "openai")
_METRICS_KEYS = {"port", "host"}
_CHAT_KEYS = {"admin_users", "admin_roles", "slack_port", "slack_host", "pace"}
_ARCHIVE_KEYS = {"url", "delay"}
_POLL_KEYS = {"interval", "concurrency", "per_host", "timeout", "max_bytes", "user_agent", "jitter", "failure_threshold",
              "outage_sources"}
_PLATFORM_KEYS = {"name", "aliases", "documents", "feeds"}
_DOCUMENT_KEYS = {"type", "url", "path", "select", "remove", "interval"}
_PLATFORM_FEED_KEYS = {"id", "url", "path", "interval", "backfill"}
_FEED_KEYS = {"id", "url", "path", "interval", "backfill"}
_CHANNEL_KEYS = {"id", "platforms", "topics", *CHANNEL_KINDS}


def parse_config(text: str, path: Path) -> Config:
    """Validate YAML `text` read from `path`; relative paths resolve against the file's folder."""
    file = str(path)
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as error:
        raise ConfigError(file, [f"not valid YAML: {error}"]) from None
    check = _Checker()
    top = check.mapping(data, "", _TOP_KEYS)
    base = path.parent
    storage_text = check.string(top.get("storage"), "storage") or "./storage"
    storage = (base / storage_text).resolve() if not Path(storage_text).is_absolute() else Path(storage_text)
    poll = _parse_poll(check, top.get("poll"))
    platforms: dict[str, Platform] = {}
    raw_platforms = top.get("platforms")
    if raw_platforms is not None and not isinstance(raw_platforms, dict):
        check.fail("platforms", f"expected a mapping of platform id to settings, got {_kind(raw_platforms)}")
        raw_platforms = {}
    for platform_id, raw in (raw_platforms or {}).items():
        platform = _parse_platform(check, str(platform_id), raw, poll, base)
        if platform is not None:
            platforms[platform.id] = platform
    feeds = tuple(
        spec
        for index, raw in enumerate(_list(check, top.get("feeds"), "feeds"))
        if (spec := _parse_feed(check, raw, f"feeds[{index}]", None, None, poll, base)) is not None
    )
    channels = tuple(
        channel
        for index, raw in enumerate(_list(check, top.get("channels"), "channels"))
        if (channel := _parse_channel(check, raw, f"channels[{index}]", platforms, base)) is not None
    )
    _check_unique(check, platforms, feeds, channels)
    archive_url, archive_delay = _parse_archive(check, top.get("archive"))
    chat = _parse_chat(check, top.get("chat"))
    metrics_port, metrics_host = _parse_metrics(check, top.get("metrics"))
    story_window = DEFAULT_STORY_WINDOW
    if top.get("stories") is not None:
        stories = check.mapping(top.get("stories"), "stories", _STORIES_KEYS)
        story_window = check.converted(stories.get("window"), "stories.window", DEFAULT_STORY_WINDOW, parse_duration)
    summarizer = _parse_summarizer(check, top.get("summarizer"))
    retention = _parse_retention(check, top.get("retention"))
    allow_private = top.get("allow_private_networks", False)
    if not isinstance(allow_private, bool):
        check.fail("allow_private_networks", f"expected true or false, got {_kind(allow_private)}")
        allow_private = False
    if check.problems:
        raise ConfigError(file, check.problems)
    return Config(
        path=path,
        storage=storage,
        poll=poll,
        platforms=platforms,
        feeds=feeds,
        channels=channels,
        warnings=tuple(check.warnings),
        archive_url=archive_url,
        archive_delay=archive_delay,
        chat=chat,
        allow_private_networks=allow_private,
        metrics_port=metrics_port,
        metrics_host=metrics_host,
        story_window=story_window,
        summarizer=summarizer,
        retention=retention,
    )


def _list(check: _Checker, value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        check.fail(where, f"expected a list, got {_kind(value)}")
        return []
    return value


def _parse_poll(check: _Checker, raw: object) -> PollSettings:
    data = check.mapping(raw, "poll", _POLL_KEYS)
    default = PollSettings()
    jitter = check.converted(data.get("jitter"), "poll.jitter", default.jitter, _fraction)
    return PollSettings(
        interval=check.converted(data.get("interval"), "poll.interval", default.interval, parse_duration),
        concurrency=check.integer(data.get("concurrency"), "poll.concurrency", default.concurrency),
        per_host=check.integer(data.get("per_host"), "poll.per_host", default.per_host),
        timeout=check.converted(data.get("timeout"), "poll.timeout", default.timeout, parse_duration),
        max_bytes=check.converted(data.get("max_bytes"), "poll.max_bytes", default.max_bytes, parse_size),
        user_agent=check.string(data.get("user_agent"), "poll.user_agent") or default.user_agent,
        jitter=jitter,
        failure_threshold=check.integer(data.get("failure_threshold"), "poll.failure_threshold", default.failure_threshold),
        outage_sources=check.integer(data.get("outage_sources"), "poll.outage_sources", default.outage_sources,
                                     minimum=2),
    )


def _parse_retention(check: _Checker, raw: object) -> RetentionSettings:
    """`retention: {delivered: 30d, entry_texts: 90d, fetch_log: 30d, entries: 180d}`; `never` keeps that kind
    forever."""
    data = check.mapping(raw, "retention", _RETENTION_KEYS)
    default = RetentionSettings()

    def duration(name: str, fallback: float | None) -> float | None:
        value = data.get(name)
        if isinstance(value, str) and value.strip().lower() == "never":
            return None
        seconds = check.converted(value, f"retention.{name}", fallback, parse_duration)
        if seconds is not None and seconds < 86400:
            check.fail(f"retention.{name}", f"at least 1d (or `never`), got {value!r}")
            return fallback
        return seconds

    return RetentionSettings(duration("delivered", default.delivered), duration("entry_texts", default.entry_texts),
                             duration("fetch_log", default.fetch_log), duration("entries", default.entries))


def _parse_archive(check: _Checker, raw: object) -> tuple[str, float]:
    """`archive: {url, delay}`: where `clausewatch backfill` reads past versions, and how politely."""
    data = check.mapping(raw, "archive", _ARCHIVE_KEYS)
    url = check.string(data.get("url"), "archive.url") or DEFAULT_ARCHIVE_URL
    if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
        check.fail("archive.url", f"expected an http(s):// URL, got {url!r}")
    delay = check.converted(data.get("delay"), "archive.delay", DEFAULT_ARCHIVE_DELAY,
                            lambda value: parse_duration(value, allow_zero=True))
    return url.rstrip("/"), delay


def _fraction(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"expected a fraction between 0 and 1 (e.g. 0.1), got {value!r}")
    return float(value)


def _location(check: _Checker, data: Mapping[str, Any], where: str, base: Path) -> tuple[str | None, Path | None]:
    url = check.string(data.get("url"), f"{where}.url")
    path_text = check.string(data.get("path"), f"{where}.path")
    if (url is None) == (path_text is None):
        if "url" not in data and "path" not in data:
            check.fail(where, "needs exactly one of `url` or `path`")
        elif url is not None and path_text is not None:
            check.fail(where, "has both `url` and `path`; expected exactly one")
        return None, None
    if url is not None and not re.match(r"^(https?|file)://", url, re.IGNORECASE):
        check.fail(f"{where}.url", f"expected an http(s):// or file:// URL, got {url!r}")
        return None, None
    path = None
    if path_text is not None:
        path = Path(path_text) if Path(path_text).is_absolute() else (base / path_text).resolve()
    return url, path


def _parse_platform(
    check: _Checker, platform_id: str, raw: object, poll: PollSettings, base: Path
) -> Platform | None:
    where = f"platforms.{platform_id}"
    if not _PLATFORM_ID.match(platform_id):
        check.fail(where, "platform ids are lowercase letters, digits, '-' or '_'")
    data = check.mapping(raw, where, _PLATFORM_KEYS)
    name = check.string(data.get("name"), f"{where}.name") or platform_id
    aliases = check.strings(data.get("aliases"), f"{where}.aliases") or (name,)
    documents: list[SourceSpec] = []
    seen_types: set[str] = set()
    for index, raw_doc in enumerate(_list(check, data.get("documents"), f"{where}.documents")):
        doc_where = f"{where}.documents[{index}]"
        doc = check.mapping(raw_doc, doc_where, _DOCUMENT_KEYS)
        if not doc:
            continue
        doc_type = check.string(doc.get("type"), f"{doc_where}.type", required=True)
        if doc_type is not None and doc_type not in DOCUMENT_TYPES:
            check.warn(f"{doc_where}.type", f"{doc_type!r} is not an Open Terms Archive terms type (e.g. 'Terms of Service', 'Privacy Policy', 'Community Guidelines')")
        if doc_type is not None and doc_type in seen_types:
            check.fail(f"{doc_where}.type", f"duplicate document type {doc_type!r} for platform {platform_id!r}")
        url, path = _location(check, doc, doc_where, base)
        if doc_type is None or (url is None and path is None):
            continue
        seen_types.add(doc_type)
        documents.append(
            SourceSpec(
                id=f"{platform_id}/{slugify(doc_type)}",
                kind="document",
                platform=platform_id,
                url=url,
                path=path,
                interval=check.converted(doc.get("interval"), f"{doc_where}.interval", poll.interval, parse_duration),
                doc_type=doc_type,
                select=check.string(doc.get("select"), f"{doc_where}.select"),
                remove=check.strings(doc.get("remove"), f"{doc_where}.remove"),
            )
        )
    feeds: list[SourceSpec] = []
    for index, raw_feed in enumerate(_list(check, data.get("feeds"), f"{where}.feeds")):
        default_id = f"{platform_id}/feed" if index == 0 else f"{platform_id}/feed-{index + 1}"
        spec = _parse_feed(check, raw_feed, f"{where}.feeds[{index}]", platform_id, default_id, poll, base)
        if spec is not None:
            feeds.append(spec)
    return Platform(id=platform_id, name=name, aliases=aliases, documents=tuple(documents), feeds=tuple(feeds))


def _parse_feed(
    check: _Checker,
    raw: object,
    where: str,
    platform_id: str | None,
    default_id: str | None,
    poll: PollSettings,
    base: Path,
) -> SourceSpec | None:
    data = check.mapping(raw, where, _PLATFORM_FEED_KEYS if platform_id else _FEED_KEYS)
    if not data:
        if raw is None or raw == {}:
            check.fail(where, "is empty; expected at least `url`")
        return None
    source_id = check.string(data.get("id"), f"{where}.id", required=default_id is None) or default_id
    if source_id is not None and not _SOURCE_ID.match(source_id):
        check.fail(f"{where}.id", "ids are letters, digits, '-', '_', '.' or '/'")
    url, path = _location(check, data, where, base)
    if source_id is None or (url is None and path is None):
        return None
    return SourceSpec(
        id=source_id,
        kind="feed",
        platform=platform_id,
        url=url,
        path=path,
        interval=check.converted(data.get("interval"), f"{where}.interval", poll.interval, parse_duration),
        backfill=check.integer(data.get("backfill"), f"{where}.backfill", 0, minimum=0),
    )


def _parse_channel(
    check: _Checker, raw: object, where: str, platforms: Mapping[str, Platform], base: Path
) -> Channel | None:
    data = check.mapping(raw, where, _CHANNEL_KEYS)
    if not data:
        return None
    channel_id = check.string(data.get("id"), f"{where}.id", required=True)
    kinds = [kind for kind in CHANNEL_KINDS if kind in data]
    if len(kinds) != 1:
        check.fail(where, f"needs exactly one output of: {', '.join(CHANNEL_KINDS)}" + (f" (got {', '.join(kinds)})" if kinds else ""))
        return None
    kind = kinds[0]
    value = data[kind]
    if kind == "console":
        if value is not True:
            check.fail(f"{where}.console", "expected `true`")
            return None
        target = "stdout"
    elif kind in ("jsonl", "atom"):
        text = check.string(value, f"{where}.{kind}", required=True)
        if text is None:
            return None
        target = str(Path(text) if Path(text).is_absolute() else (base / text).resolve())
    else:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = check.string(value, f"{where}.{kind}", required=True)
        if text is None:
            return None
        target = text
    platform_filter = check.strings(data.get("platforms"), f"{where}.platforms") if "platforms" in data else None
    for name in platform_filter or ():
        if name not in platforms:
            close = [p for p in platforms if p.startswith(name[:2])] or sorted(platforms)[:5]
            check.fail(f"{where}.platforms", f"unknown platform {name!r} (known: {', '.join(close) or 'none configured'})")
    topic_filter = check.strings(data.get("topics"), f"{where}.topics") if "topics" in data else None
    for topic in topic_filter or ():
        if topic not in TOPICS:
            check.fail(f"{where}.topics", f"unknown topic {topic!r} (expected one of: {', '.join(TOPICS)})")
    if channel_id is None:
        return None
    return Channel(
        id=channel_id,
        kind=kind,
        target=target,
        platforms=frozenset(platform_filter) if platform_filter is not None else None,
        topics=frozenset(topic_filter) if topic_filter is not None else None,
    )


def _parse_summarizer(check: _Checker, raw: object) -> SummarizerSettings:
    if raw is None:
        return SummarizerSettings()
    data = check.mapping(raw, "summarizer", _SUMMARIZER_KEYS)
    kind = check.string(data.get("kind"), "summarizer.kind") or "extractive"
    if kind not in SUMMARIZER_KINDS:
        check.fail("summarizer.kind", f"unknown summarizer {kind!r} (expected one of: {', '.join(SUMMARIZER_KINDS)})")
        return SummarizerSettings()
    settings = SummarizerSettings(
        kind=kind,
        base_url=check.string(data.get("base_url"), "summarizer.base_url"),
        model=check.string(data.get("model"), "summarizer.model"),
        api_key_env=check.string(data.get("api_key_env"), "summarizer.api_key_env"),
        timeout=check.converted(data.get("timeout"), "summarizer.timeout", 20.0, parse_duration),
    )
    if kind == "openai":
        for key in ("base_url", "model"):
            if not getattr(settings, key):
                check.fail(f"summarizer.{key}", "required for the openai summarizer")
        if settings.base_url and not settings.base_url.startswith(("http://", "https://")):
            check.fail("summarizer.base_url", f"expected an http(s) URL, got {settings.base_url!r}")
    return settings


def _parse_metrics(check: _Checker, raw: object) -> tuple[int | None, str]:
    if raw is None:
        return None, "127.0.0.1"
    data = check.mapping(raw, "metrics", _METRICS_KEYS)
    if "port" not in data:
        check.fail("metrics.port", "required when `metrics` is set")
        return None, "127.0.0.1"
    port = check.integer(data.get("port"), "metrics.port", 9108, minimum=1)
    if port > 65535:
        check.fail("metrics.port", f"expected a port number up to 65535, got {port}")
    return port, check.string(data.get("host"), "metrics.host") or "127.0.0.1"


def _parse_chat(check: _Checker, raw: object) -> ChatSettings:
    if raw is None:
        return ChatSettings()
    data = check.mapping(raw, "chat", _CHAT_KEYS)

    def ids(key: str) -> frozenset[str]:
        value = data.get(key)
        if isinstance(value, list):  # snowflakes are often written as bare numbers
            value = [str(item) if isinstance(item, int) and not isinstance(item, bool) else item for item in value]
        return frozenset(check.strings(value, f"chat.{key}"))

    return ChatSettings(
        admin_users=ids("admin_users"),
        admin_roles=ids("admin_roles"),
        slack_host=check.string(data.get("slack_host"), "chat.slack_host") or "0.0.0.0",
        slack_port=check.integer(data.get("slack_port"), "chat.slack_port", 3000),
        pace=check.converted(data.get("pace"), "chat.pace", 1.0, lambda v: parse_duration(v, allow_zero=True)),
    )


def _check_unique(
    check: _Checker, platforms: Mapping[str, Platform], feeds: tuple[SourceSpec, ...], channels: tuple[Channel, ...]
) -> None:
    seen: dict[str, str] = {}
    for platform in platforms.values():
        for spec in (*platform.documents, *platform.feeds):
            if spec.id in seen:
                check.fail(f"platforms.{platform.id}", f"duplicate source id {spec.id!r}")
            seen[spec.id] = spec.id
    for index, spec in enumerate(feeds):
        if spec.id in seen:
            check.fail(f"feeds[{index}].id", f"duplicate id {spec.id!r}")
        seen[spec.id] = spec.id
    channel_ids: set[str] = set()
    files: dict[str, str] = {}
    for index, channel in enumerate(channels):
        if channel.id in channel_ids:
            check.fail(f"channels[{index}].id", f"duplicate channel id {channel.id!r}")
        channel_ids.add(channel.id)
        if channel.kind in ("jsonl", "atom"):  # two writers of one file: one of them would never show its lines
            if channel.target in files:
                check.fail(f"channels[{index}].{channel.kind}",
                           f"{channel.target} is already the output of channel {files[channel.target]!r}; "
                           "give each channel its own file")
            files[channel.target] = channel.id
    if not feeds and not any(platform.documents or platform.feeds for platform in platforms.values()):
        check.warn("sources", "none configured: nothing will be polled (add `feeds:` or a platform's `documents:`)")
    if not channels:
        check.warn("channels", "none configured: events are recorded but posted nowhere (add a console, jsonl, "
                   "slack or discord channel)")
