"""The schema of feeds.yaml: one pydantic model per section as it is written, with the rules that tie keys
together (exactly one of `url`/`path`, duplicate ids, references to platforms and topics, CSS selectors)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticUseDefault

from bot.core.config_errors import Loc, problems_at, with_problems
from bot.core.config_settings import ChatSettings, PollSettings, RetentionSettings, SummarizerSettings
from bot.core.config_values import (
    Duration,
    Flag,
    Pause,
    RequiredText,
    Text,
    Texts,
    at_least,
    check_selector,
    describe_kind,
    read_required_text,
    read_texts,
    slugify,
)
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

PLATFORM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")
LOCATION = re.compile(r"^(https?|file)://", re.IGNORECASE)
CHANNEL_KINDS: tuple[str, ...] = ("console", "jsonl", "atom", "slack", "discord")
DEFAULT_ARCHIVE_URL = "https://web.archive.org"
DEFAULT_ARCHIVE_DELAY = 1.0
DEFAULT_STORY_WINDOW = 14 * 86400.0


def read_section(value: object) -> object:
    """A section written without a value (`poll:`) has its defaults."""
    if value is None:
        raise PydanticUseDefault()
    return value


def section_or_defaults(value: object) -> object:
    """An optional section written without a value (`web:`) is on, with its defaults."""
    return {} if value is None else value


def read_list(value: object) -> object:
    if value is None:
        raise PydanticUseDefault()
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {describe_kind(value)}")
    return value


def read_platforms(value: object) -> object:
    if value is None:
        raise PydanticUseDefault()
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of platform id to settings, got {describe_kind(value)}")
    return {key: {} if settings is None else settings for key, settings in value.items()}


def read_platform_id(value: object) -> str:
    if not PLATFORM_ID.match(str(value)):
        raise ValueError("platform ids are lowercase letters, digits, '-' or '_'")
    return str(value)


def read_port(value: object) -> int:
    port = at_least(1)(value)
    if port > 65535:
        raise ValueError(f"expected a port number up to 65535, got {port}")
    return port


def none_if_empty(value: object) -> object:
    """A document or channel written as `{}` or without a value is skipped."""
    return None if value is None or value == {} else value


def read_filter(value: object) -> tuple[str, ...]:
    """A route filter: written without a value, it matches nothing."""
    return () if value is None else read_texts(value)


def read_true(value: object) -> bool:
    if value is not True:
        raise ValueError("expected `true`")
    return True


def read_chat_channel(value: object) -> str:
    """A Slack or Discord channel id; Discord's are often written as bare numbers."""
    return read_required_text(str(value) if isinstance(value, int) and not isinstance(value, bool) else value)


class Section(BaseModel):
    """A mapping of feeds.yaml: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def presence_problems(cls, data: dict[str, Any]) -> list[tuple[Loc, str]]:
        """Rules on which keys are written together: checked on the mapping as written, even when a value is wrong."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def check_presence(cls, data: Any, handler: ModelWrapValidatorHandler[Section]) -> Section:
        found = cls.presence_problems(data) if isinstance(data, dict) else []
        try:
            validated = handler(data)
        except ValidationError as error:
            if found:
                raise with_problems(error, found, data) from None
            raise
        if found:
            raise problems_at(found)
        return validated


class ArchiveSection(Section):
    """`archive: {url, delay}`: where `clausewatch backfill` reads past versions, and how politely."""

    url: Text = DEFAULT_ARCHIVE_URL
    delay: Pause = DEFAULT_ARCHIVE_DELAY

    @field_validator("url")
    @classmethod
    def web_url(cls, url: str) -> str:
        if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
            raise ValueError(f"expected an http(s):// URL, got {url!r}")
        return url.rstrip("/")


class MetricsSection(Section):
    """`metrics: {port, host}`: the Prometheus endpoint served by `run`."""

    port: Annotated[int, BeforeValidator(read_port)] | None = None  # required: see presence_problems
    host: Text = "127.0.0.1"

    @classmethod
    def presence_problems(cls, data: dict[str, Any]) -> list[tuple[Loc, str]]:
        return [] if data.get("port") is not None else [(("port",), "required when `metrics` is set")]


class WebSection(Section):
    """`web: {port, host, base_url}`: the read-only pages served by `clausewatch serve` and by `run`; with
    `base_url`, every terms-change and story post links to its page."""

    port: Annotated[int, BeforeValidator(read_port)] = 8088
    host: Text = "127.0.0.1"
    base_url: Text | None = None

    @field_validator("base_url")
    @classmethod
    def web_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
            raise ValueError(f"expected an http(s):// URL, got {url!r}")
        return None if url is None else url.rstrip("/")


def read_shards(value: object) -> object:
    """`auto`, or a number of shards from 1 up."""
    if value == "auto" or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    raise ValueError(f"expected `auto` or a number of shards from 1 up, got {describe_kind(value)}")


class DiscordSection(Section):
    """`discord: {shards}`: split the Discord gateway connection over shards (discord.py's AutoShardedClient):
    `auto` takes the count Discord recommends for the number of servers, a number fixes it."""

    shards: Annotated[int | str, BeforeValidator(read_shards)] | None = None


class StoriesSection(Section):
    """`stories: {window}`: items further apart than the window never join one story."""

    window: Duration = DEFAULT_STORY_WINDOW


class LocatedSection(Section):
    """A source: exactly one of `url` (http(s):// or file://) or `path` (relative to the file's folder)."""

    url: Text | None = None
    path: Text | None = None
    interval: Duration | None = None  # default: poll.interval

    @field_validator("url")
    @classmethod
    def fetchable(cls, url: str) -> str:
        if not LOCATION.match(url):
            raise ValueError(f"expected an http(s):// or file:// URL, got {url!r}")
        return url

    @classmethod
    def presence_problems(cls, data: dict[str, Any]) -> list[tuple[Loc, str]]:
        given = [key for key in ("url", "path") if data.get(key) is not None]
        if not given:
            return [((), "needs exactly one of `url` or `path`")]
        return [((), "has both `url` and `path`; expected exactly one")] if len(given) == 2 else []


class DocumentEntry(LocatedSection):
    """`platforms.<id>.documents[]`: a terms document."""

    type: RequiredText
    select: Text | None = None
    remove: Texts = ()

    @model_validator(mode="after")
    def valid_selectors(self) -> DocumentEntry:
        errors = [error for error in map(check_selector, filter(None, (self.select, *self.remove))) if error]
        if errors:
            raise problems_at([((), error) for error in errors])
        return self

    def source_id(self, platform_id: str) -> str:
        return f"{platform_id}/{slugify(self.type)}"


class FeedSection(LocatedSection):
    """A feed; `backfill: N` posts its newest N entries on the first poll instead of none."""

    backfill: Annotated[int, BeforeValidator(at_least(0))] = 0

    @model_validator(mode="before")
    @classmethod
    def not_empty(cls, data: Any) -> Any:
        if data is None or data == {}:
            raise ValueError("is empty; expected at least `url`")
        return data

    @field_validator("id", check_fields=False)
    @classmethod
    def valid_id(cls, source_id: str | None) -> str | None:
        if source_id is not None and not SOURCE_ID.match(source_id):
            raise ValueError("ids are letters, digits, '-', '_', '.' or '/'")
        return source_id


class PlatformFeedEntry(FeedSection):
    """`platforms.<id>.feeds[]`: the platform's own feed; its id defaults to `<platform>/feed`, `<platform>/feed-2` …"""

    id: Text | None = None

    def source_id(self, platform_id: str, index: int) -> str:
        return self.id or (f"{platform_id}/feed" if index == 0 else f"{platform_id}/feed-{index + 1}")


class FeedEntry(FeedSection):
    """`feeds[]`: a general news feed."""

    id: RequiredText


class PlatformEntry(Section):
    """`platforms.<id>`: a platform with its terms documents and its own feeds."""

    name: Text | None = None  # default: the id
    aliases: Texts = ()  # default: (name,)
    documents: Annotated[tuple[Annotated[DocumentEntry | None, BeforeValidator(none_if_empty)], ...],
                         BeforeValidator(read_list)] = ()
    feeds: Annotated[tuple[PlatformFeedEntry, ...], BeforeValidator(read_list)] = ()

    def source_ids(self, platform_id: str) -> list[tuple[Loc, str]]:
        """(key path below the platform, source id) of each document and feed."""
        found: list[tuple[Loc, str]] = [(("documents", index), doc.source_id(platform_id))
                                        for index, doc in enumerate(self.documents) if doc is not None]
        found += [(("feeds", index), feed.source_id(platform_id, index)) for index, feed in enumerate(self.feeds)]
        return found


class ChannelEntry(Section):
    """`channels[]`: a route to exactly one output, with optional platform and topic filters."""

    id: RequiredText
    # An output written without a value is an error, not a missing output: each reader refuses None.
    console: Annotated[bool | None, BeforeValidator(read_true)] = None
    jsonl: Annotated[str | None, BeforeValidator(read_required_text)] = None
    atom: Annotated[str | None, BeforeValidator(read_required_text)] = None
    slack: Annotated[str | None, BeforeValidator(read_chat_channel)] = None
    discord: Annotated[str | None, BeforeValidator(read_chat_channel)] = None
    platforms: Annotated[tuple[str, ...] | None, BeforeValidator(read_filter)] = None
    topics: Annotated[tuple[str, ...] | None, BeforeValidator(read_filter)] = None

    @field_validator("topics")
    @classmethod
    def known_topics(cls, topics: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = [topic for topic in topics or () if topic not in TOPICS]
        if unknown:
            raise problems_at([((), f"unknown topic {topic!r} (expected one of: {', '.join(TOPICS)})") for topic in unknown])
        return topics

    @classmethod
    def presence_problems(cls, data: dict[str, Any]) -> list[tuple[Loc, str]]:
        kinds = [kind for kind in CHANNEL_KINDS if kind in data]
        if len(kinds) == 1:
            return []
        got = f" (got {', '.join(kinds)})" if kinds else ""
        return [((), f"needs exactly one output of: {', '.join(CHANNEL_KINDS)}{got}")]

    @property
    def kind(self) -> str:
        return next(kind for kind in CHANNEL_KINDS if getattr(self, kind) is not None)

    def target(self, base: Path) -> str:
        """console: "stdout"; jsonl/atom: the file's absolute path; slack/discord: the channel id."""
        value = getattr(self, self.kind)
        if self.kind == "console":
            return "stdout"
        if self.kind in ("jsonl", "atom"):
            return str(resolve(base, value))
        return str(value)


DATABASE_URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)


def database_password(url: str) -> bool:
    """A PostgreSQL URL that carries a password (`postgresql://user:secret@host/db`)."""
    authority = url.split("://", 1)[1].split("/", 1)[0]
    return "@" in authority and ":" in authority.rsplit("@", 1)[0]


def resolve(base: Path, text: str) -> Path:
    """A path of the file, relative to its folder."""
    return Path(text) if Path(text).is_absolute() else (base / text).resolve()


def base_folder(info: ValidationInfo) -> Path:
    """The folder of the file being validated (the validation context's `base`)."""
    context = info.context if isinstance(info.context, dict) else {}
    return Path(context.get("base", "."))


class ConfigFile(Section):
    """The whole of feeds.yaml. Fields are validated in this order: later rules read earlier sections."""

    storage: Text = "./storage"  # a folder (SQLite), or a postgresql:// URL without its password
    poll: Annotated[PollSettings, BeforeValidator(read_section)] = PollSettings()
    platforms: Annotated[dict[Annotated[str, BeforeValidator(read_platform_id)], PlatformEntry],
                         BeforeValidator(read_platforms)] = {}
    feeds: Annotated[tuple[FeedEntry, ...], BeforeValidator(read_list)] = ()
    channels: Annotated[tuple[Annotated[ChannelEntry | None, BeforeValidator(none_if_empty)], ...],
                        BeforeValidator(read_list)] = ()
    archive: Annotated[ArchiveSection, BeforeValidator(read_section)] = ArchiveSection()
    chat: Annotated[ChatSettings, BeforeValidator(read_section)] = ChatSettings()
    allow_private_networks: Flag = False
    metrics: MetricsSection | None = None
    web: Annotated[WebSection | None, BeforeValidator(section_or_defaults)] = None
    discord: Annotated[DiscordSection, BeforeValidator(read_section)] = DiscordSection()
    stories: Annotated[StoriesSection, BeforeValidator(read_section)] = StoriesSection()
    summarizer: Annotated[SummarizerSettings, BeforeValidator(read_section)] = SummarizerSettings()
    retention: Annotated[RetentionSettings, BeforeValidator(read_section)] = RetentionSettings()

    @field_validator("storage")
    @classmethod
    def storage_url(cls, storage: str) -> str:
        if re.match(r"^[a-z][a-z0-9+.-]*://", storage, re.IGNORECASE) and not DATABASE_URL.match(storage):
            raise ValueError(f"expected a folder or a postgresql:// URL, got {storage!r}: PostgreSQL is the only "
                             f"database server Clausewatch runs on")
        if DATABASE_URL.match(storage) and database_password(storage):
            raise ValueError("the database password does not belong in feeds.yaml: leave it out of the URL and set "
                             "PGPASSWORD, or give the whole URL in CLAUSEWATCH_DATABASE_URL")
        return storage

    @classmethod
    def presence_problems(cls, data: dict[str, Any]) -> list[tuple[Loc, str]]:
        """Ids repeated in `feeds` or `channels`, read as written: reported even beside an entry's other errors."""
        found: list[tuple[Loc, str]] = []
        for section, what in (("feeds", "id"), ("channels", "channel id")):
            entries = data.get(section)
            seen: set[str] = set()
            for index, entry in enumerate(entries if isinstance(entries, list) else ()):
                value = entry.get("id") if isinstance(entry, dict) else None
                if isinstance(value, str) and value.strip():
                    if value.strip() in seen:
                        found.append(((section, index, "id"), f"duplicate {what} {value.strip()!r}"))
                    seen.add(value.strip())
        return found

    @field_validator("platforms")
    @classmethod
    def unique_sources(cls, platforms: dict[str, PlatformEntry]) -> dict[str, PlatformEntry]:
        found: list[tuple[Loc, str]] = []
        seen: set[str] = set()
        for platform_id, platform in platforms.items():
            types: set[str] = set()
            for index, doc in enumerate(platform.documents):
                if doc is not None and doc.type in types:
                    found.append(((platform_id, "documents", index, "type"),
                                  f"duplicate document type {doc.type!r} for platform {platform_id!r}"))
                types.update([doc.type] if doc is not None else [])
            for _, source_id in platform.source_ids(platform_id):
                if source_id in seen:
                    found.append(((platform_id,), f"duplicate source id {source_id!r}"))
                seen.add(source_id)
        if found:
            raise problems_at(found)
        return platforms

    @field_validator("feeds")
    @classmethod
    def unique_feeds(cls, feeds: tuple[FeedEntry, ...], info: ValidationInfo) -> tuple[FeedEntry, ...]:
        platforms: dict[str, PlatformEntry] = info.data.get("platforms", {})
        taken = {source_id for pid, platform in platforms.items() for _, source_id in platform.source_ids(pid)}
        # (two feeds with one id: presence_problems, which reads the list as written)
        found = [((index, "id"), f"duplicate id {feed.id!r}") for index, feed in enumerate(feeds) if feed.id in taken]
        if found:
            raise problems_at(found)
        return feeds

    @field_validator("channels")
    @classmethod
    def consistent_channels(cls, channels: tuple[ChannelEntry | None, ...], info: ValidationInfo
                            ) -> tuple[ChannelEntry | None, ...]:
        platforms: dict[str, PlatformEntry] | None = info.data.get("platforms")
        base = base_folder(info)
        found: list[tuple[Loc, str]] = []  # (two channels with one id: presence_problems)
        files: dict[str, str] = {}
        for index, channel in enumerate(channels):
            if channel is None:
                continue
            if channel.kind in ("jsonl", "atom"):  # two writers of one file: one of them would never show its lines
                target = channel.target(base)
                if target in files:
                    found.append(((index, channel.kind), f"{target} is already the output of channel {files[target]!r}; "
                                                         "give each channel its own file"))
                files[target] = channel.id
            for name in channel.platforms or ():
                if platforms is not None and name not in platforms:
                    close = [p for p in platforms if p.startswith(name[:2])] or sorted(platforms)[:5]
                    found.append(((index, "platforms"),
                                  f"unknown platform {name!r} (known: {', '.join(close) or 'none configured'})"))
        if found:
            raise problems_at(found)
        return channels

    def warnings(self) -> list[str]:
        """What is allowed but probably not meant: a document type outside the vocabulary, nothing to poll or post."""
        found = [f"platforms.{platform_id}.documents[{index}].type: {doc.type!r} is not an Open Terms Archive terms type "
                 "(e.g. 'Terms of Service', 'Privacy Policy', 'Community Guidelines')"
                 for platform_id, platform in self.platforms.items()
                 for index, doc in enumerate(platform.documents) if doc is not None and doc.type not in DOCUMENT_TYPES]
        if not self.feeds and not any(platform.source_ids(pid) for pid, platform in self.platforms.items()):
            found.append("sources: none configured: nothing will be polled (add `feeds:` or a platform's `documents:`)")
        if not any(self.channels):
            found.append("channels: none configured: events are recorded but posted nowhere (add a console, jsonl, "
                         "slack or discord channel)")
        return found
