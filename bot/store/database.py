"""The Store: the one face of the database that the rest of the bot uses (SQLite in WAL mode, every write through
one writer thread, reads off the event loop). Each table group keeps its queries in a module of its own; the
Store holds them over one connection and offers their methods flat, so callers never know the groups.

Each pipeline outcome (a fetched feed, a document version, a health change) is committed in one
transaction together with its events and their outbox rows, so a crash never leaves half of it.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.activity import Activity
from bot.store.backup import backup_database, restore_database
from bot.store.chat_state import ChatState
from bot.store.connection import DATABASE_NAME, Connection, StoreError
from bot.store.documents import Documents, insert_change, insert_snapshot
from bot.store.leases import Leases
from bot.store.outbox import Outbox, record_events
from bot.store.pages import Pages
from bot.store.records import (
    ChangeWrite,
    EntryWrite,
    FetchState,
    KnownEntry,
    Outcome,
    PendingDelivery,
    Routed,
    Snapshot,
    SnapshotWrite,
    StatementWrite,
)
from bot.store.retention import Retention
from bot.store.sources import Sources, write_state
from bot.store.sql import SqlDatabase
from bot.store.stories import Stories, write_entries, write_placements

__all__ = [
    "DATABASE_NAME", "ChangeWrite", "EntryWrite", "FetchState", "KnownEntry", "Outcome", "PendingDelivery", "Routed",
    "Snapshot", "SnapshotWrite", "StatementWrite", "Store", "StoreError", "backup_database", "restore_database",
]


class Store(Sources, Documents, Stories, Outbox, ChatState, Retention, Activity, Pages, Leases):
    """Async facade over the database. Open with `await Store.open(storage_dir)`.

    Each table group (`Sources`, `Documents`, `Stories`, `Outbox`, `ChatState`, `Retention`, `Activity`, `Pages`,
    `Leases`) is a class of its own over the one `connection`; the Store is all of them, so callers see one flat
    API."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.path: Path | None = connection.path  # the SQLite file (None: PostgreSQL)
        self.backend = connection.backend  # "sqlite" or "postgresql"
        self.where = connection.where  # the database file, or the PostgreSQL URL without its password
        self.close = connection.close
        self.write = connection.write
        self.read = connection.read
        self.query = connection.query  # inspection by tests and benchmarks; the bot asks named methods
        self.check_writable = connection.check_writable

    @classmethod
    async def open(cls, storage: Path) -> Store:
        """Create the storage folder and database if needed, apply migrations, start the writer."""
        return cls(await Connection.open(storage))

    @classmethod
    async def connect(cls, storage: Path, url: str | None, read_only: bool = False) -> Store:
        """The configured database: PostgreSQL at `url` when given, else SQLite under `storage` (opened for
        reading only when `read_only`, see `open_for_reading`)."""
        if url is not None:
            return cls(await Connection.open_url(url, read_only=read_only))
        return await (cls.open_for_reading if read_only else cls.open)(storage)

    @classmethod
    async def open_for_reading(cls, storage: Path) -> Store:
        """Open an existing, up-to-date database without writing to it (see `Connection.open_for_reading`); falls
        back to `open` when there is no database yet or it needs migrations and the storage can be written."""
        return cls(await Connection.open_for_reading(storage))

    @property
    def read_only(self) -> bool:
        """Opened for reading only: every write is refused."""
        return self.connection.read_only

    async def commit(self, outcome: Outcome, now: str) -> int:
        """Write state, entries, snapshot, events and outbox rows of one source in one transaction.

        Returns how many new events were recorded (an event whose key exists is not recorded twice).
        """

        def apply(db: SqlDatabase) -> int:
            write_state(db, outcome.source_id, outcome.state)
            write_entries(db, outcome.source_id, outcome.entries, outcome.entries_seen, now)
            if outcome.snapshot is not None:
                snapshot_id = insert_snapshot(db, outcome.source_id, outcome.snapshot, now)
                if outcome.change is not None:
                    insert_change(db, outcome.source_id, outcome.change, snapshot_id, now)
            write_placements(db, outcome.source_id, outcome.story_items, outcome.statements)
            return record_events(db, outcome.messages, now)

        return await self.connection.write(apply)
