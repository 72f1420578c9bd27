"""The records the store takes and gives back: fetch state, entries, document versions and change records,
routed messages, pending deliveries, and the outcome of one source that is committed at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.messages import Message


@dataclass(slots=True)
class FetchState:
    """What we remember of a source between polls (mutable: the poller updates its copy in place)."""

    source_id: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_fetch_at: str | None = None
    last_success_at: str | None = None
    last_outcome: str | None = None
    http_status: int | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    failing: bool = False
    failing_seq: int = 0
    next_due_at: float | None = None
    fetches: int = 0
    primed: bool = False
    error_kind: str | None = None  # the class of the last error: connection, timeout, http, not_document …
    outage: str | None = None  # the thread of the outage this source's failure was announced in, if any
    primed_at: str | None = None  # when the source's first poll set its baseline
    lease_owner: str | None = None  # the worker fetching it now (several workers on PostgreSQL)
    lease_until: float | None = None  # epoch seconds: after this, another worker may take it
    extraction: str | None = None  # the `SourceSpec.extraction` the stored version was read with (None: not known)


@dataclass(frozen=True, slots=True)
class KnownEntry:
    """An entry as stored: what a new sighting is compared with to tell an update."""

    identity: str
    title: str
    text: str
    fingerprint: str
    thread: str
    version: int


@dataclass(frozen=True, slots=True)
class EntryWrite:
    """An entry to insert or bump to a new version (the version row is added alongside)."""

    identity: str
    platform: str | None
    title: str
    link: str | None
    text: str
    fingerprint: str
    published: str | None
    thread: str
    version: int
    language: str | None = None
    attribution: str | None = None  # why it was attributed to its platform (`why URL`)
    note: str | None = None  # why it was not posted, when it was not (duplicate, mentioned in passing)
    placement: str | None = None  # why it opened or joined its thread


@dataclass(frozen=True, slots=True)
class StatementWrite:
    """A statement by a platform, found in an entry (or a post of its own feed), with its summary points."""

    event_key: str
    platform: str | None
    story: str
    speaker: str
    channel: str
    quote: str
    points: tuple[str, ...]
    language: str
    url: str | None
    at: str


@dataclass(frozen=True, slots=True)
class SnapshotWrite:
    """A new version of a document: its normalised text, hashes and the metadata lines kept aside."""

    hash: str
    raw_hash: str
    text: str
    metadata: tuple[str, ...]
    note: str | None = None  # why a version was stored without being compared ("extraction settings changed")


@dataclass(frozen=True, slots=True)
class ChangeWrite:
    """A clause-level change record, written with the snapshot of the new version it describes."""

    platform: str | None
    doc_type: str | None
    old_snapshot_id: int
    old_fetched_at: str
    effective_date: str | None
    upcoming_and_current: bool
    severity: str
    topics: tuple[str, ...]
    clauses: list[dict[str, Any]]
    event_key: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    id: int
    source_id: str
    hash: str
    text: str
    fetched_at: str
    metadata: str = "[]"  # JSON list of the lines kept aside by normalisation ("Last updated …")


@dataclass(frozen=True, slots=True)
class Routed:
    """A message and the channel ids that must receive it."""

    message: Message
    channels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """An outbox row still to deliver, with its message."""

    event_id: int
    channel_id: str
    attempts: int
    message: Message
    tried: bool = False  # an earlier attempt was made (its outcome may be unknown)


@dataclass(slots=True)
class Outcome:
    """Everything one processed source result writes, committed at once."""

    source_id: str
    state: dict[str, Any]
    entries: list[EntryWrite] = field(default_factory=list)
    entries_seen: list[str] = field(default_factory=list)
    snapshot: SnapshotWrite | None = None
    change: ChangeWrite | None = None
    messages: list[Routed] = field(default_factory=list)
    statements: list[StatementWrite] = field(default_factory=list)
    # Story items placed while processing this result (JSON, new story id): journaled with the outcome.
    story_items: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoryState:
    """The story index as stored: the saved snapshot (JSON; None when the reader needs no reload), the last
    journal row it reflects, and the journal rows after it (seq, item JSON, new story id)."""

    snapshot: str | None
    upto: int
    journal: list[tuple[int, str, str | None]]
