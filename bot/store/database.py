"""The Store: SQLite in WAL mode, every write through one writer thread, reads off the event loop.

Each pipeline outcome (a fetched feed, a document version, a health change) is committed in one
transaction together with its events and their outbox rows, so a crash never leaves half of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import queue
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from bot.core.config import RetentionSettings, SourceSpec
from bot.core.messages import Message
from bot.core.overrides import FeedChange
from bot.core.routing import Subscription
from bot.store.schema import migrations

log = logging.getLogger(__name__)
T = TypeVar("T")
DATABASE_NAME = "clausewatch.db"


class StoreError(RuntimeError):
    """The database cannot be opened or written (read-only disk, disk full, corrupt file)."""


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


@dataclass(frozen=True, slots=True)
class KnownEntry:
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
    hash: str
    raw_hash: str
    text: str
    metadata: tuple[str, ...]


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


class _Writer(threading.Thread):
    """The one thread that writes: runs queued jobs in order on its own connection."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="clausewatch-db-writer", daemon=True)
        self.path = path
        self.jobs: queue.Queue[tuple[Callable[[Database], Any], asyncio.AbstractEventLoop, asyncio.Future[Any]] | None] = queue.Queue()
        self.ready = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            db = _connect(self.path, new=not self.path.exists())
            migrations.apply(db)
        except BaseException as error:  # reported to the opener
            self.error = error
            self.ready.set()
            return
        self.ready.set()
        while True:
            job = self.jobs.get()
            if job is None:
                break
            fn, loop, future = job
            try:
                result: Any = fn(db)
            except BaseException as error:  # handed back to the awaiting coroutine
                _resolve(loop, future, None, error)
            else:
                _resolve(loop, future, result, None)
        db.close()


def _resolve(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    def settle() -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    try:
        loop.call_soon_threadsafe(settle)
    except RuntimeError:  # loop closed while the job ran
        pass


def _connect(path: Path, new: bool = False) -> Database:
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    db = Database(conn, execute_plugins=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    if new:  # pages freed by retention go back to the file system (`incremental_vacuum` after each prune)
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    if db.journal_mode != "wal":
        db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return db


def _connect_read_only(path: Path) -> Database | None:
    """A reader that never writes: `mode=ro`, else `immutable=1` (no locks, no WAL shared memory: for storage that
    cannot be written at all). None when there is no database or it needs migrations that a writer can apply."""
    if not path.is_file():
        if os.access(path.parent if path.parent.exists() else path.parent.parent, os.W_OK):
            return None
        raise StoreError(f"no database at {path}, and the storage is read-only: nothing to show")
    last: sqlite3.Error | None = None
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"{path.as_uri()}?{query}", uri=True, check_same_thread=False, timeout=30)
            db = Database(conn, execute_plugins=False)
            pending = migrations.pending(db)
        except sqlite3.Error as error:
            last = error
            continue
        if pending:
            conn.close()
            if os.access(path.parent, os.W_OK):
                return None
            raise StoreError(f"{path} was written by an older Clausewatch and the storage is read-only: "
                             f"run a writing command once where it can be written")
        return db
    raise StoreError(f"cannot open database {path} for reading: {last}")


def _old_events(db: Database, after: int, before: str, batch: int) -> tuple[list[int], bool]:
    """Ids of the events after id `after` created before `before`, in id order, stopping at the first newer one
    (so a watermark never passes it); and whether a further batch may find more."""
    rows = db.execute("SELECT id, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?", [after, batch]).fetchall()
    old: list[int] = []
    for event_id, created in rows:
        if created >= before:
            break
        old.append(event_id)
    return old, len(old) == len(rows) == batch


def _probe_writable(path: Path) -> None:
    """Take and release the write lock of the database file on a connection of its own (SQLite opens a file it
    cannot write read-only without a word, so the file and its folder, where the WAL lives, are asked first)."""
    for target in (path, path.parent):
        if not os.access(target, os.W_OK):
            raise StoreError(f"cannot write to {path}: {target} is read-only")
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=5)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StoreError(f"cannot write to {path}: {error}") from error


class Store:
    """Async facade over the database. Open with `await Store.open(storage_dir)`."""

    def __init__(self, path: Path, writer: _Writer | None, reader: Database) -> None:
        self.path = path
        self._writer = writer  # None: opened for reading only (see `open_for_reading`)
        self._reader = reader
        self._read_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clausewatch-db-reader")
        self._closed = False

    @classmethod
    async def open(cls, storage: Path) -> Store:
        """Create the storage folder and database if needed, apply migrations, start the writer."""
        try:
            storage.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create storage folder {storage}: {error}") from error
        path = storage / DATABASE_NAME
        writer = _Writer(path)
        writer.start()
        await asyncio.get_running_loop().run_in_executor(None, writer.ready.wait)
        if writer.error is not None:
            raise StoreError(f"cannot open database {path}: {writer.error}") from writer.error
        reader = await asyncio.get_running_loop().run_in_executor(None, _connect, path)
        return cls(path, writer, reader)

    @classmethod
    async def open_for_reading(cls, storage: Path) -> Store:
        """Open an existing, up-to-date database without writing to it, so that a storage that cannot be written
        (a read-only volume, a copy on a DVD) can still be inspected: read-only, or, when even the WAL's shared
        memory file cannot be made, immutable. Falls back to `open` (which creates and migrates) when there is no
        database yet or it needs migrations and the storage can be written."""
        path = storage / DATABASE_NAME
        loop = asyncio.get_running_loop()
        reader = await loop.run_in_executor(None, _connect_read_only, path)
        if reader is None:
            return await cls.open(storage)
        return cls(path, None, reader)

    @property
    def read_only(self) -> bool:
        return self._writer is None

    def _refuse_write(self) -> StoreError:
        return StoreError(f"the storage is read-only: {self.path} was opened for reading (nothing was changed)")

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        if self._writer is None:
            await loop.run_in_executor(self._read_executor, self._reader.close)
            self._read_executor.shutdown(wait=True)
            return
        self._writer.jobs.put(None)
        await loop.run_in_executor(None, self._writer.join)
        await loop.run_in_executor(self._read_executor, self._reader.close)
        self._read_executor.shutdown(wait=True)

    async def write(self, fn: Callable[[Database], T]) -> T:
        """Run `fn(db)` on the writer thread inside one transaction."""
        if self._closed:
            raise StoreError("the store is closed")
        if self._writer is None:
            raise self._refuse_write()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def atomic(db: Database) -> T:
            with db.atomic():
                return fn(db)

        self._writer.jobs.put((atomic, loop, future))
        try:
            return await future
        except sqlite3.OperationalError as error:
            raise StoreError(f"cannot write to {self.path}: {error}") from error

    async def check_writable(self) -> None:
        """Take and release the database's write lock; StoreError when the disk or file refuses writes."""

        def probe(db: Database) -> None:
            db.conn.execute("BEGIN IMMEDIATE")
            db.conn.execute("ROLLBACK")

        loop = asyncio.get_running_loop()
        if self._writer is None:  # opened for reading: ask the file itself
            await loop.run_in_executor(None, _probe_writable, self.path)
            return
        future: asyncio.Future[None] = loop.create_future()
        self._writer.jobs.put((probe, loop, future))
        try:
            await future
        except sqlite3.Error as error:
            raise StoreError(f"cannot write to {self.path}: {error}") from error

    async def read(self, fn: Callable[[Database], T]) -> T:
        """Run `fn(db)` on the reader connection, off the event loop."""
        if self._closed:
            raise StoreError("the store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._read_executor, fn, self._reader)

    # --- sources and fetch state -------------------------------------------------------------

    async def sync_sources(self, specs: Sequence[SourceSpec], now: str) -> None:
        """Register configured sources (keeping history of removed ones) and their fetch state rows."""

        def sync(db: Database) -> None:
            for spec in specs:
                db.execute(
                    "INSERT INTO sources (id, kind, platform, url, doc_type, first_seen_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, platform=excluded.platform, "
                    "url=excluded.url, doc_type=excluded.doc_type",
                    [spec.id, spec.kind, spec.platform, spec.location, spec.doc_type, now],
                )
                db.execute("INSERT OR IGNORE INTO fetch_state (source_id) VALUES (?)", [spec.id])

        await self.write(sync)

    async def fetch_states(self) -> dict[str, FetchState]:
        def load(db: Database) -> dict[str, FetchState]:
            return {row["source_id"]: _state(row) for row in db["fetch_state"].rows}

        return await self.read(load)

    async def update_states(self, updates: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Apply many fetch-state updates in one transaction (updates with the same columns share a statement)."""
        groups: dict[tuple[str, ...], list[list[Any]]] = {}
        for source_id, values in updates:
            groups.setdefault(tuple(values), []).append([*values.values(), source_id])

        def apply(db: Database) -> None:
            for columns, rows in groups.items():
                assignments = ", ".join(f"{name} = ?" for name in columns)
                db.conn.executemany(f"UPDATE fetch_state SET {assignments} WHERE source_id = ?", rows)

        await self.write(apply)

    # --- entries and snapshots ----------------------------------------------------------------

    async def known_entries(self, source_id: str, identities: Iterable[str]) -> dict[str, KnownEntry]:
        wanted = list(dict.fromkeys(identities))

        def load(db: Database) -> dict[str, KnownEntry]:
            found: dict[str, KnownEntry] = {}
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in db.query(
                    f"SELECT identity, title, text, fingerprint, thread, version FROM entries "
                    f"WHERE source_id = ? AND identity IN ({marks})",
                    [source_id, *chunk],
                ):
                    found[row["identity"]] = KnownEntry(**row)
            return found

        return await self.read(load)

    async def snapshot_keys(self, source_id: str) -> set[tuple[str, str]]:
        """(hash, metadata JSON) of every stored version: the same text under another date line is another version."""
        def load(db: Database) -> set[tuple[str, str]]:
            return {(row["hash"], row["metadata"] or "[]") for row in
                    db.query("SELECT DISTINCT hash, metadata FROM snapshots WHERE source_id = ?", [source_id])}

        return await self.read(load)

    async def snapshot_hashes(self, source_id: str) -> set[str]:
        def load(db: Database) -> set[str]:
            return {row["hash"] for row in db.query("SELECT DISTINCT hash FROM snapshots WHERE source_id = ?", [source_id])}

        return await self.read(load)

    async def latest_snapshot(self, source_id: str) -> Snapshot | None:
        def load(db: Database) -> Snapshot | None:
            rows = list(
                db.query(
                    "SELECT id, source_id, hash, text, fetched_at, metadata FROM snapshots WHERE source_id = ? "
                    "ORDER BY fetched_at DESC, id DESC LIMIT 1",  # imported history may be inserted later
                    [source_id],
                )
            )
            return Snapshot(**rows[0]) if rows else None

        return await self.read(load)

    # --- committing outcomes ------------------------------------------------------------------

    async def commit(self, outcome: Outcome, now: str) -> int:
        """Write state, entries, snapshot, events and outbox rows of one source in one transaction.

        Returns how many new events were recorded (an event whose key exists is not recorded twice).
        """

        def apply(db: Database) -> int:
            if outcome.state:
                columns = ", ".join(f"{name} = ?" for name in outcome.state)
                db.execute(
                    f"UPDATE fetch_state SET {columns} WHERE source_id = ?",
                    [*outcome.state.values(), outcome.source_id],
                )
            for entry in outcome.entries:
                db.execute(
                    "INSERT INTO entries (source_id, identity, platform, title, link, text, fingerprint, published, "
                    "thread, version, first_seen_at, last_seen_at, language, attribution, note, placement) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(source_id, identity) DO UPDATE SET title=excluded.title, link=excluded.link, "
                    "text=excluded.text, fingerprint=excluded.fingerprint, version=excluded.version, "
                    "last_seen_at=excluded.last_seen_at, platform=excluded.platform, language=excluded.language, "
                    "attribution=excluded.attribution, note=excluded.note, "
                    "placement=COALESCE(entries.placement, excluded.placement)",
                    [outcome.source_id, entry.identity, entry.platform, entry.title, entry.link, entry.text,
                     entry.fingerprint, entry.published, entry.thread, entry.version, now, now, entry.language,
                     entry.attribution, entry.note, entry.placement],
                )
                db.execute(
                    "INSERT OR IGNORE INTO entry_versions (source_id, identity, version, title, text, fingerprint, seen_at) "
                    "VALUES (?,?,?,?,?,?,?)",
                    [outcome.source_id, entry.identity, entry.version, entry.title, entry.text, entry.fingerprint, now],
                )
            if outcome.entries_seen:
                for start in range(0, len(outcome.entries_seen), 500):
                    chunk = outcome.entries_seen[start : start + 500]
                    db.execute(
                        f"UPDATE entries SET last_seen_at = ? WHERE source_id = ? AND identity IN ({','.join('?' * len(chunk))})",
                        [now, outcome.source_id, *chunk],
                    )
            if outcome.snapshot is not None:
                snap = outcome.snapshot
                cursor = db.execute(
                    "INSERT INTO snapshots (source_id, hash, raw_hash, text, metadata, fetched_at) VALUES (?,?,?,?,?,?)",
                    [outcome.source_id, snap.hash, snap.raw_hash, snap.text, json.dumps(list(snap.metadata)), now],
                )
                if outcome.change is not None:
                    _insert_change(db, outcome.source_id, outcome.change, cursor.lastrowid, now)
            for item, new_story in outcome.story_items:
                db.execute("INSERT INTO story_journal (item, new_story) VALUES (?, ?)", [item, new_story])
            for found in outcome.statements:
                db.execute(
                    "INSERT INTO statements (event_key, source_id, platform, story, speaker, channel, quote, points, "
                    "language, url, at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    [found.event_key, outcome.source_id, found.platform, found.story, found.speaker, found.channel,
                     found.quote, json.dumps(list(found.points), ensure_ascii=False), found.language, found.url,
                     found.at],
                )
            return _record_events(db, outcome.messages, now)

        return await self.write(apply)

    async def neighbours(self, source_id: str, at: str) -> tuple[Snapshot | None, Snapshot | None]:
        """The versions of a document just before and just after the moment `at` (ISO 8601 UTC)."""
        columns = "id, source_id, hash, text, fetched_at, metadata"

        def load(db: Database) -> tuple[Snapshot | None, Snapshot | None]:
            before = list(db.query(f"SELECT {columns} FROM snapshots WHERE source_id = ? AND fetched_at < ? "
                                   "ORDER BY fetched_at DESC, id DESC LIMIT 1", [source_id, at]))
            after = list(db.query(f"SELECT {columns} FROM snapshots WHERE source_id = ? AND fetched_at > ? "
                                  "ORDER BY fetched_at ASC, id ASC LIMIT 1", [source_id, at]))
            return (Snapshot(**before[0]) if before else None, Snapshot(**after[0]) if after else None)

        return await self.read(load)

    async def insert_version(self, source_id: str, snapshot: SnapshotWrite, at: str, change_before: ChangeWrite | None,
                             following: Snapshot | None, change_after: ChangeWrite | None) -> None:
        """Insert a past version dated `at` between stored ones, in one transaction: its snapshot, its change
        from the version before, and the change record of the `following` version recomputed against it."""

        def apply(db: Database) -> None:
            new_id = db.execute(
                "INSERT INTO snapshots (source_id, hash, raw_hash, text, metadata, fetched_at) VALUES (?,?,?,?,?,?)",
                [source_id, snapshot.hash, snapshot.raw_hash, snapshot.text, json.dumps(list(snapshot.metadata)), at],
            ).lastrowid
            if change_before is not None:
                _insert_change(db, source_id, change_before, new_id, at)
            if following is not None:
                db.execute("DELETE FROM changes WHERE source_id = ? AND new_snapshot_id = ?", [source_id, following.id])
                if change_after is not None:
                    record = dataclasses.replace(change_after, old_snapshot_id=new_id, old_fetched_at=at)
                    _insert_change(db, source_id, record, following.id, following.fetched_at)

        await self.write(apply)

    async def handled_captures(self, source_id: str) -> set[str]:
        """Timestamps of web-archive captures of a document that a backfill already handled."""
        rows = await self.query("SELECT timestamp FROM archive_captures WHERE source_id = ?", [source_id])
        return {row["timestamp"] for row in rows}

    async def mark_capture(self, source_id: str, timestamp: str, outcome: str, now: str) -> None:
        await self.write(lambda db: db.execute(
            "INSERT OR REPLACE INTO archive_captures (source_id, timestamp, outcome, handled_at) VALUES (?,?,?,?)",
            [source_id, timestamp, outcome, now],
        ))

    async def changes(self, source_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The clause-level change records of a document, newest version first."""

        def load(db: Database) -> list[dict[str, Any]]:
            rows = list(db.query("SELECT * FROM changes WHERE source_id = ? ORDER BY new_fetched_at DESC, id DESC "
                                 "LIMIT ?", [source_id, limit]))
            for row in rows:
                row["topics"] = json.loads(row["topics"] or "[]")
                row["clauses"] = json.loads(row["clauses"] or "[]")
                row["upcoming_and_current"] = bool(row["upcoming_and_current"])
            return rows

        return await self.read(load)

    async def snapshots(self, source_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """Dated versions of a document, newest first (without their text)."""
        return await self.query(
            "SELECT id, hash, fetched_at, metadata FROM snapshots WHERE source_id = ? "
            "ORDER BY fetched_at DESC, id DESC LIMIT ?",
            [source_id, limit],
        )

    # --- outbox -------------------------------------------------------------------------------

    async def pending_deliveries(self, limit: int = 500, channels: Iterable[str] | None = None) -> list[PendingDelivery]:
        wanted = list(channels) if channels is not None else None

        def load(db: Database) -> list[PendingDelivery]:
            sql = (
                "SELECT d.event_id, d.channel_id, d.attempts, d.tried_at, e.message FROM deliveries d "
                "JOIN events e ON e.id = d.event_id WHERE d.status = 'pending'"
            )
            params: list[Any] = []
            if wanted is not None:
                sql += f" AND d.channel_id IN ({','.join('?' * len(wanted))})"
                params.extend(wanted)
            sql += " ORDER BY d.event_id, d.channel_id LIMIT ?"
            params.append(limit)
            return [
                PendingDelivery(row["event_id"], row["channel_id"], row["attempts"],
                                Message.from_dict(json.loads(row["message"])), row["tried_at"] is not None)
                for row in db.query(sql, params)
            ]

        return await self.read(load)

    async def mark_trying(self, event_id: int, channel_id: str, now: str) -> None:
        """Record an attempt before it is sent (see `PendingDelivery.tried`)."""
        await self.write(lambda db: db.execute(
            "UPDATE deliveries SET tried_at = ? WHERE event_id = ? AND channel_id = ?", [now, event_id, channel_id]))

    async def mark_delivered(self, event_id: int, channel_id: str, now: str) -> None:
        await self.write(
            lambda db: db.execute(
                "UPDATE deliveries SET status = 'done', attempts = attempts + 1, delivered_at = ?, last_error = NULL "
                "WHERE event_id = ? AND channel_id = ?",
                [now, event_id, channel_id],
            )
        )

    async def mark_attempt_failed(self, event_id: int, channel_id: str, error: str, give_up: bool) -> None:
        await self.write(
            lambda db: db.execute(
                "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, status = ? WHERE event_id = ? AND channel_id = ?",
                [error, "failed" if give_up else "pending", event_id, channel_id],
            )
        )

    # --- stories --------------------------------------------------------------------------------

    async def story_state(self) -> tuple[str | None, list[tuple[str, str | None]]]:
        """The story index as last saved (JSON) and the items placed since (JSON, new story id), in order."""
        def load(db: Database) -> tuple[str | None, list[tuple[str, str | None]]]:
            rows = list(db.query("SELECT data FROM story_snapshot WHERE id = 1"))
            journal = [(row["item"], row["new_story"]) for row in db.query("SELECT item, new_story FROM story_journal ORDER BY seq")]
            return (rows[0]["data"] if rows else None), journal

        return await self.read(load)

    async def save_story_snapshot(self, data: str, now: str) -> None:
        """Replace the saved index by `data`, which reflects every journaled item: the journal is emptied."""
        def apply(db: Database) -> None:
            db.execute("INSERT OR REPLACE INTO story_snapshot (id, data, saved_at) VALUES (1, ?, ?)", [data, now])
            db.execute("DELETE FROM story_journal")

        await self.write(apply)

    async def opened_threads(self, threads: Sequence[str]) -> set[str]:
        """Which of `threads` have had their opening post recorded."""
        wanted = list(threads)

        def load(db: Database) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                found.update(row["thread"] for row in db.query(
                    f"SELECT DISTINCT thread FROM events WHERE reply_to IS NULL AND thread IN ({','.join('?' * len(chunk))})",
                    chunk))
            return found

        return await self.read(load)

    async def cached_points(self, key: str) -> list[str] | None:
        rows = await self.query("SELECT points FROM summary_cache WHERE key = ?", [key])
        return json.loads(rows[0]["points"]) if rows else None

    async def cache_points(self, key: str, model: str, points: Sequence[str], now: str) -> None:
        await self.write(lambda db: db.execute(
            "INSERT OR REPLACE INTO summary_cache (key, model, points, at) VALUES (?,?,?,?)",
            [key, model, json.dumps(list(points), ensure_ascii=False), now],
        ))

    async def latest_statements(self, platform: str, limit: int = 3) -> list[dict[str, Any]]:
        rows = await self.query("SELECT * FROM statements WHERE platform = ? ORDER BY at DESC, id DESC LIMIT ?",
                                [platform, limit])
        for row in rows:
            row["points"] = json.loads(row["points"] or "[]")
        return rows

    # --- chat: threads, routes, subscriptions, feed changes ---------------------------------------

    async def find_thread(self, channel_id: str, thread: str) -> str | None:
        """The chat platform's handle of a story thread in a channel (ThreadBook)."""
        rows = await self.query("SELECT ref FROM threads WHERE channel_id = ? AND thread = ?", [channel_id, thread])
        return rows[0]["ref"] if rows else None

    async def remember_thread(self, channel_id: str, thread: str, ref: str) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        await self.write(lambda db: db.execute(
            "INSERT INTO threads (channel_id, thread, ref, opened_at) VALUES (?,?,?,?) "
            "ON CONFLICT (channel_id, thread) DO UPDATE SET ref = excluded.ref, opened_at = excluded.opened_at",
            [channel_id, thread, ref, now],
        ))

    async def route_problems(self) -> dict[str, tuple[str, str]]:
        """Routes switched off after a chat platform refused them: channel id → (reason, since)."""
        rows = await self.query("SELECT channel_id, reason, since FROM route_problems")
        return {row["channel_id"]: (row["reason"], row["since"]) for row in rows}

    async def disable_route(self, channel_id: str, reason: str, now: str) -> None:
        await self.write(lambda db: db.execute(
            "INSERT OR REPLACE INTO route_problems (channel_id, reason, since) VALUES (?,?,?)", [channel_id, reason, now]
        ))

    async def enable_route(self, channel_id: str) -> bool:
        """Switch a route back on (its pending deliveries then go out); False when it was not off."""
        def apply(db: Database) -> bool:
            return db.execute("DELETE FROM route_problems WHERE channel_id = ?", [channel_id]).rowcount > 0

        return await self.write(apply)

    async def subscriptions(self) -> list[Subscription]:
        rows = await self.query("SELECT channel_id, kind, value FROM subscriptions ORDER BY added_at, channel_id")
        return [Subscription(row["channel_id"], row["kind"], row["value"]) for row in rows]

    async def add_subscription(self, subscription: Subscription, by: str, now: str) -> bool:
        """False when the channel already had it."""
        def apply(db: Database) -> bool:
            cursor = db.execute(
                "INSERT OR IGNORE INTO subscriptions (channel_id, kind, value, added_by, added_at) VALUES (?,?,?,?,?)",
                [subscription.channel_id, subscription.kind, subscription.value, by, now],
            )
            return cursor.rowcount == 1

        return await self.write(apply)

    async def remove_subscription(self, subscription: Subscription) -> bool:
        def apply(db: Database) -> bool:
            return db.execute(
                "DELETE FROM subscriptions WHERE channel_id = ? AND kind = ? AND value = ?",
                [subscription.channel_id, subscription.kind, subscription.value],
            ).rowcount > 0

        return await self.write(apply)

    async def feed_changes(self) -> list[FeedChange]:
        rows = await self.query("SELECT * FROM feed_changes ORDER BY at, id")
        return [FeedChange(row["id"], row["action"], row["url"], row["platform"], row["title"], row["by"], row["at"])
                for row in rows]

    async def record_feed_change(self, change: FeedChange) -> None:
        """Adding a feed, or removing one; removing a feed added from chat forgets it altogether."""
        def apply(db: Database) -> None:
            existing = list(db.query("SELECT action FROM feed_changes WHERE id = ?", [change.id]))
            if change.action == "remove" and existing and existing[0]["action"] == "add":
                db.execute("DELETE FROM feed_changes WHERE id = ?", [change.id])
                return
            db.execute(
                "INSERT OR REPLACE INTO feed_changes (id, action, url, platform, title, by, at) VALUES (?,?,?,?,?,?,?)",
                [change.id, change.action, change.url, change.platform, change.title, change.by, change.at],
            )

        await self.write(apply)

    # --- cycles -------------------------------------------------------------------------------

    async def prune(self, retention: RetentionSettings, now: datetime, batch: int = 500,
                    max_batches: int = 20) -> dict[str, int]:
        """Retention, in small transactions so that polling never waits long: finished outbox rows, texts of
        entries no feed carries any more, old entry versions, old post bodies (title, link and thread stay) and
        old poll-cycle records. Terms versions and change records are never pruned. Returns rows pruned by kind."""

        def cutoff(seconds: float | None) -> str | None:
            return None if seconds is None else (now - timedelta(seconds=seconds)).isoformat(timespec="seconds")

        texts, delivered, log_before = cutoff(retention.entry_texts), cutoff(retention.delivered), cutoff(retention.fetch_log)
        steps: list[tuple[str, str, list[Any]]] = []
        if delivered:
            steps.append(("deliveries", "DELETE FROM deliveries WHERE rowid IN (SELECT rowid FROM deliveries "
                          "WHERE status != 'pending' AND delivered_at < ? LIMIT ?)", [delivered, batch]))
        if texts:
            steps.append(("entry_texts", "UPDATE entries SET text = '' WHERE rowid IN (SELECT rowid FROM entries "
                          "WHERE text != '' AND last_seen_at < ? LIMIT ?)", [texts, batch]))
            steps.append(("entry_versions", "DELETE FROM entry_versions WHERE rowid IN (SELECT rowid FROM "
                          "entry_versions WHERE seen_at < ? LIMIT ?)", [texts, batch]))
        forgotten = cutoff(retention.entries)
        if forgotten:
            steps.append(("entries", "DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries "
                          "WHERE last_seen_at < ? LIMIT ?)", [forgotten, batch]))
        if log_before:
            steps.append(("cycles", "DELETE FROM cycles WHERE id IN (SELECT id FROM cycles WHERE finished_at < ? "
                          "ORDER BY id LIMIT ?)", [log_before, batch]))
        pruned: dict[str, int] = {}

        def one(sql: str, args: list[Any]) -> Callable[[Database], tuple[int, bool]]:
            def step(db: Database) -> tuple[int, bool]:
                count = db.execute(sql, args).rowcount
                return count, count == batch
            return step

        for name, sql, args in steps:
            pruned[name] = await self._in_batches(one(sql, args), max_batches)
        if forgotten:
            pruned["events"] = await self._forget_events(forgotten, batch, max_batches)
        if texts:
            pruned["post_bodies"] = await self._trim_events(texts, batch, max_batches)
        if any(pruned.values()):
            await self.write(lambda db: db.execute("PRAGMA incremental_vacuum(2000)").fetchall())
        return pruned

    async def _forget_events(self, before: str, batch: int, max_batches: int) -> int:
        """Delete the events created before `before` with their outbox rows, oldest first (ids grow with time)."""

        def step(db: Database) -> tuple[int, bool]:
            old, more = _old_events(db, 0, before, batch)
            if old:
                marks = ",".join("?" * len(old))
                db.execute(f"DELETE FROM deliveries WHERE event_id IN ({marks})", old)
                db.execute(f"DELETE FROM events WHERE id IN ({marks})", old)
            return len(old), more

        return await self._in_batches(step, max_batches)

    async def _trim_events(self, before: str, batch: int, max_batches: int) -> int:
        """Empty the text of events created before `before`, in id order from a watermark (ids grow with time)."""

        def step(db: Database) -> tuple[int, bool]:
            row = db.execute("SELECT value FROM retention_marks WHERE name = 'events'").fetchone()
            old, more = _old_events(db, row[0] if row else 0, before, batch)
            if old:
                marks = ",".join("?" * len(old))
                db.execute(f"UPDATE events SET message = json_set(message, '$.text', '') WHERE id IN ({marks}) "
                           "AND json_extract(message, '$.text') != ''", old)
                db.execute("INSERT INTO retention_marks (name, value) VALUES ('events', ?) "
                           "ON CONFLICT(name) DO UPDATE SET value = excluded.value", [old[-1]])
            return len(old), more

        return await self._in_batches(step, max_batches)

    async def _in_batches(self, step: Callable[[Database], tuple[int, bool]], max_batches: int) -> int:
        """Run `step` (rows done, more to do) in its own transaction until it is done or `max_batches` ran."""
        total = 0
        for _ in range(max_batches):
            count, more = await self.write(step)
            total += count
            if not more:
                break
        return total

    async def record_cycle(self, started_at: str, finished_at: str, sources: int, ok: int, failed: int, events: int) -> None:
        await self.write(
            lambda db: db["cycles"].insert(
                {"started_at": started_at, "finished_at": finished_at, "sources": sources, "ok": ok, "failed": failed, "events": events}
            )
        )

    async def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Read-only query for reports (`sources`, `status`)."""
        return await self.read(lambda db: list(db.query(sql, list(params))))


def _insert_change(db: Database, source_id: str, change: ChangeWrite, new_snapshot_id: int | None, new_at: str) -> None:
    db.execute(
        "INSERT INTO changes (source_id, platform, doc_type, old_snapshot_id, new_snapshot_id, old_fetched_at, "
        "new_fetched_at, effective_date, upcoming_and_current, severity, topics, clauses, event_key) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [source_id, change.platform, change.doc_type, change.old_snapshot_id, new_snapshot_id, change.old_fetched_at,
         new_at, change.effective_date, int(change.upcoming_and_current), change.severity,
         json.dumps(list(change.topics)), json.dumps(change.clauses, ensure_ascii=False), change.event_key],
    )


def _record_events(db: Database, messages: Sequence[Routed], now: str) -> int:
    recorded = 0
    for routed in messages:
        message = routed.message
        cursor = db.execute(
            "INSERT OR IGNORE INTO events (key, event, thread, reply_to, platform, source_id, created_at, message) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [message.key, message.event, message.thread, message.reply_to, message.platform, message.source, now,
             json.dumps(message.to_dict(), ensure_ascii=False)],
        )
        if cursor.rowcount != 1:
            continue
        recorded += 1
        event_id = cursor.lastrowid
        for channel_id in routed.channels:
            db.execute("INSERT OR IGNORE INTO deliveries (event_id, channel_id) VALUES (?, ?)", [event_id, channel_id])
    return recorded


def _state(row: dict[str, Any]) -> FetchState:
    values = dict(row)
    values["failing"] = bool(values.get("failing"))
    values["primed"] = bool(values.get("primed"))
    for key in ("consecutive_failures", "failing_seq", "fetches"):
        values[key] = values.get(key) or 0
    return FetchState(**values)


def backup_database(storage: Path, target: Path) -> dict[str, int]:
    """A consistent copy of the database while the bot may be writing (SQLite's online backup API reads
    one snapshot under WAL). Returns the row count of each table in the copy."""
    source_path = storage / DATABASE_NAME
    if not source_path.exists():
        raise StoreError(f"no database at {source_path}: nothing to export")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    try:
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:  # storage that cannot be written: no WAL shared memory, read it as immutable
        source.close()
        source = sqlite3.connect(f"file:{source_path}?mode=ro&immutable=1", uri=True, timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        tables = [row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    except sqlite3.Error as error:
        raise StoreError(f"cannot back up {source_path}: {error}") from error
    finally:
        copy.close()
        source.close()


def restore_database(storage: Path, copy_path: Path, replace: bool) -> Path | None:
    """Install `copy_path` as the database of `storage` once it passes `PRAGMA integrity_check`. An
    existing database with data is refused unless `replace`; it is then kept aside, and its path returned.
    The caller holds the poller lock, so no process writes meanwhile."""
    try:
        with contextlib.closing(sqlite3.connect(str(copy_path))) as check:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
            migrated = check.execute("SELECT count(*) FROM sqlite_master WHERE name = '_sqlite_migrations'").fetchone()[0]
    except sqlite3.Error as error:
        raise StoreError(f"the archived database cannot be read: {error}") from error
    if verdict != "ok" or not migrated:
        raise StoreError(f"the archived database is damaged or not Clausewatch's ({verdict})")
    storage.mkdir(parents=True, exist_ok=True)
    current = storage / DATABASE_NAME
    kept: Path | None = None
    if current.exists():
        with contextlib.closing(sqlite3.connect(str(current))) as conn:
            has_data = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'events'").fetchone()[0] and \
                conn.execute("SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM snapshots) + "
                             "(SELECT count(*) FROM entries)").fetchone()[0]
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if has_data and not replace:
            raise StoreError(f"{current} already holds data; pass --replace to set it aside and restore the archive")
        stamp = f"{DATABASE_NAME}.before-import-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
        kept = current.with_name(stamp)
        number = 1
        while kept.exists():  # two imports in one second: never overwrite the first one's backup
            number += 1
            kept = current.with_name(f"{stamp}-{number}")
        current.replace(kept)
        for suffix in ("-wal", "-shm"):
            current.with_name(DATABASE_NAME + suffix).unlink(missing_ok=True)
    staged = storage / f".{DATABASE_NAME}.restoring"
    shutil.copyfile(copy_path, staged)
    with open(staged, "rb") as handle:
        os.fsync(handle.fileno())
    staged.replace(current)
    return kept
