"""The sections of feeds.yaml that the bot reads as they are written (`poll`, `retention`, `chat`, `summarizer`):
pydantic dataclasses, both the schema of their keys (unknown ones are refused) and the settings objects."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BeforeValidator, ConfigDict, field_validator, model_validator
from pydantic.dataclasses import dataclass

from bot.core.config_errors import problems_at
from bot.core.config_values import DAY, Count, Duration, Fraction, Ids, Pause, Retention, Size, Text, at_least

SUMMARIZER_KINDS = ("extractive", "openai")


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))  # unknown keys are errors
class PollSettings:
    """How and how often sources are fetched."""

    interval: Duration = 900.0
    concurrency: Count = 20
    per_host: Count = 4
    timeout: Duration = 20.0
    max_bytes: Size = 5 * 1024 * 1024
    user_agent: Text = "Clausewatch/0.1 (terms-change monitor for creator communities)"
    jitter: Fraction = 0.1
    failure_threshold: Count = 5
    # Sources failing together with the same class of error that are announced as one outage, not one by one
    outage_sources: Annotated[int, BeforeValidator(at_least(2))] = 5
    max_redirects: ClassVar[int] = 5  # not a setting


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))  # unknown keys are errors
class RetentionSettings:
    """How long what only serves the recent past is kept (seconds; None: forever). Terms versions, change records,
    entries' identities and fingerprints, events' titles and threads are kept forever."""

    delivered: Retention = 30 * DAY  # outbox rows of finished deliveries
    entry_texts: Retention = 90 * DAY  # texts of entries no feed has carried since, old versions, post bodies
    fetch_log: Retention = 30 * DAY  # records of poll cycles
    entries: Retention = 180 * DAY  # entries no feed has carried since, with their posts and outbox rows


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))  # unknown keys are errors
class ChatSettings:
    """Who may change the configuration from chat, and where Slack's HTTP endpoint listens.

    Platform admins (Discord "Manage Server", Slack workspace admins and owners) always may; the
    lists add user ids (Slack `U…`, Discord snowflakes) and Discord role ids."""

    admin_users: Ids = frozenset()
    admin_roles: Ids = frozenset()
    slack_host: Text = "0.0.0.0"
    slack_port: Count = 3000
    pace: Pause = 1.0  # seconds between two posts to one chat channel


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))  # unknown keys are errors
class SummarizerSettings:
    """How statements become points: `extractive` (offline, the default) or `openai`, any endpoint that
    speaks the OpenAI chat-completions API, with the extractive summary as the fallback on any error."""

    kind: Text = "extractive"
    base_url: Text | None = None
    model: Text | None = None
    api_key_env: Text | None = None
    timeout: Duration = 20.0

    @field_validator("kind")
    @classmethod
    def known_kind(cls, kind: str) -> str:
        if kind not in SUMMARIZER_KINDS:
            raise ValueError(f"unknown summarizer {kind!r} (expected one of: {', '.join(SUMMARIZER_KINDS)})")
        return kind

    @model_validator(mode="after")
    def endpoint_when_openai(self) -> SummarizerSettings:
        if self.kind != "openai":
            return self
        found = [((key,), "required for the openai summarizer") for key in ("base_url", "model") if not getattr(self, key)]
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            found.append((("base_url",), f"expected an http(s) URL, got {self.base_url!r}"))
        if found:
            raise problems_at(found)
        return self
