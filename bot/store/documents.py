"""Tables `snapshots`, `changes` and `archive_captures`: the dated versions of each terms document, the
clause-level change records between them, and the web-archive captures a backfill already handled."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from bot.store.connection import Connection
from bot.store.records import ChangeWrite, Snapshot, SnapshotWrite
from bot.store.sql import SqlDatabase

SNAPSHOT_COLUMNS = "id, source_id, hash, text, fetched_at, metadata"


class Documents:
    """The history of terms documents: versions, change records, archive captures."""

    connection: Connection  # set by the Store this group is part of

    async def snapshot_keys(self, source_id: str) -> set[tuple[str, str]]:
        """(hash, metadata JSON) of every stored version: the same text under another date line is another version."""
        def load(db: SqlDatabase) -> set[tuple[str, str]]:
            return {(row["hash"], row["metadata"] or "[]") for row in
                    db.query("SELECT DISTINCT hash, metadata FROM snapshots WHERE source_id = ?", [source_id])}

        return await self.connection.read(load)

    async def snapshot_hashes(self, source_id: str) -> set[str]:
        """The text hash of every stored version of a document."""
        def load(db: SqlDatabase) -> set[str]:
            return {row["hash"] for row in db.query("SELECT DISTINCT hash FROM snapshots WHERE source_id = ?", [source_id])}

        return await self.connection.read(load)

    async def latest_snapshot(self, source_id: str) -> Snapshot | None:
        """The newest version of a document by date (imported history may have been inserted later)."""
        def load(db: SqlDatabase) -> Snapshot | None:
            rows = list(db.query(f"SELECT {SNAPSHOT_COLUMNS} FROM snapshots WHERE source_id = ? "
                                 "ORDER BY fetched_at DESC, id DESC LIMIT 1", [source_id]))
            return Snapshot(**rows[0]) if rows else None

        return await self.connection.read(load)

    async def neighbours(self, source_id: str, at: str) -> tuple[Snapshot | None, Snapshot | None]:
        """The versions of a document just before and just after the moment `at` (ISO 8601 UTC)."""

        def load(db: SqlDatabase) -> tuple[Snapshot | None, Snapshot | None]:
            before = list(db.query(f"SELECT {SNAPSHOT_COLUMNS} FROM snapshots WHERE source_id = ? AND fetched_at < ? "
                                   "ORDER BY fetched_at DESC, id DESC LIMIT 1", [source_id, at]))
            after = list(db.query(f"SELECT {SNAPSHOT_COLUMNS} FROM snapshots WHERE source_id = ? AND fetched_at > ? "
                                  "ORDER BY fetched_at ASC, id ASC LIMIT 1", [source_id, at]))
            return (Snapshot(**before[0]) if before else None, Snapshot(**after[0]) if after else None)

        return await self.connection.read(load)

    async def insert_version(self, source_id: str, snapshot: SnapshotWrite, at: str, change_before: ChangeWrite | None,
                             following: Snapshot | None, change_after: ChangeWrite | None) -> None:
        """Insert a past version dated `at` between stored ones, in one transaction: its snapshot, its change
        from the version before, and the change record of the `following` version recomputed against it."""

        def apply(db: SqlDatabase) -> None:
            new_id = insert_snapshot(db, source_id, snapshot, at)
            if change_before is not None:
                insert_change(db, source_id, change_before, new_id, at)
            if following is not None:
                db.execute("DELETE FROM changes WHERE source_id = ? AND new_snapshot_id = ?", [source_id, following.id])
                if change_after is not None:
                    record = dataclasses.replace(change_after, old_snapshot_id=new_id, old_fetched_at=at)
                    insert_change(db, source_id, record, following.id, following.fetched_at)

        await self.connection.write(apply)

    async def handled_captures(self, source_id: str) -> set[str]:
        """Timestamps of web-archive captures of a document that a backfill already handled."""
        rows = await self.connection.query("SELECT timestamp FROM archive_captures WHERE source_id = ?", [source_id])
        return {row["timestamp"] for row in rows}

    async def mark_capture(self, source_id: str, timestamp: str, outcome: str, now: str) -> None:
        """Record that a backfill handled a capture, and how (`handled_captures` skips it from then on)."""
        await self.connection.write(lambda db: db.execute(
            "INSERT INTO archive_captures (source_id, timestamp, outcome, handled_at) VALUES (?,?,?,?) "
            "ON CONFLICT (source_id, timestamp) DO UPDATE SET outcome = excluded.outcome, "
            "handled_at = excluded.handled_at",
            [source_id, timestamp, outcome, now],
        ))

    async def changes(self, source_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The clause-level change records of a document, newest version first."""

        def load(db: SqlDatabase) -> list[dict[str, Any]]:
            rows = list(db.query("SELECT * FROM changes WHERE source_id = ? ORDER BY new_fetched_at DESC, id DESC "
                                 "LIMIT ?", [source_id, limit]))
            for row in rows:
                row["topics"] = json.loads(row["topics"] or "[]")
                row["clauses"] = json.loads(row["clauses"] or "[]")
                row["upcoming_and_current"] = bool(row["upcoming_and_current"])
            return rows

        return await self.connection.read(load)

    async def snapshots(self, source_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """Dated versions of a document, newest first (without their text)."""
        return await self.connection.query(
            "SELECT id, hash, fetched_at, metadata, note FROM snapshots WHERE source_id = ? "
            "ORDER BY fetched_at DESC, id DESC LIMIT ?",
            [source_id, limit],
        )


def insert_snapshot(db: SqlDatabase, source_id: str, snapshot: SnapshotWrite, at: str) -> int:
    """Store a version of a document dated `at` (inside the caller's transaction); returns its id."""
    cursor = db.execute(
        "INSERT INTO snapshots (source_id, hash, raw_hash, text, metadata, fetched_at, note) VALUES (?,?,?,?,?,?,?) "
        "RETURNING id",
        [source_id, snapshot.hash, snapshot.raw_hash, snapshot.text, json.dumps(list(snapshot.metadata)), at,
         snapshot.note],
    )
    return int(cursor.fetchone()[0])


def insert_change(db: SqlDatabase, source_id: str, change: ChangeWrite, new_snapshot_id: int, new_at: str) -> None:
    """Store the change record of the version `new_snapshot_id` (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO changes (source_id, platform, doc_type, old_snapshot_id, new_snapshot_id, old_fetched_at, "
        "new_fetched_at, effective_date, upcoming_and_current, severity, topics, clauses, event_key) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [source_id, change.platform, change.doc_type, change.old_snapshot_id, new_snapshot_id, change.old_fetched_at,
         new_at, change.effective_date, int(change.upcoming_and_current), change.severity,
         json.dumps(list(change.topics)), json.dumps(change.clauses, ensure_ascii=False), change.event_key],
    )
