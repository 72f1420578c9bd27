"""Read-only views for the web pages: one terms change with both versions, a version's text, a thread's posts and
statements, a platform's changes for its timeline and each platform's latest change."""

from __future__ import annotations

import json
from typing import Any

from bot.store.connection import Connection
from bot.store.records import Snapshot
from bot.store.sql import SqlDatabase

_CHANGE_COLUMNS = ("c.id, c.source_id, c.platform, c.doc_type, c.old_snapshot_id, c.new_snapshot_id, c.old_fetched_at, "
                   "c.new_fetched_at, c.effective_date, c.upcoming_and_current, c.severity, c.topics, c.clauses, "
                   "c.event_key")


def _change(row: dict[str, Any]) -> dict[str, Any]:
    row["topics"] = json.loads(row["topics"] or "[]")
    row["clauses"] = json.loads(row["clauses"] or "[]")
    row["upcoming_and_current"] = bool(row["upcoming_and_current"])
    return row


class Pages:
    """What the web view shows, each page in one read."""

    connection: Connection  # set by the Store this group is part of

    async def change_with_versions(self, event_key: str) -> tuple[dict[str, Any], Snapshot | None, Snapshot] | None:
        """The change recorded under `event_key` (the key of its terms_change post), with the version before it
        (None when it was pruned) and the version it brought; None when there is no such change."""

        def load(db: SqlDatabase) -> tuple[dict[str, Any], Snapshot | None, Snapshot] | None:
            rows = list(db.query(f"SELECT {_CHANGE_COLUMNS} FROM changes c WHERE c.event_key = ? ORDER BY c.id DESC "
                                 "LIMIT 1", [event_key]))
            if not rows:
                return None
            change = _change(rows[0])
            old = _snapshot(db, change["old_snapshot_id"])
            new = _snapshot(db, change["new_snapshot_id"])
            return (change, old, new) if new is not None else None

        return await self.connection.read(load)

    async def snapshot_by_id(self, snapshot_id: int) -> Snapshot | None:
        """One stored version of a document, with its text."""
        return await self.connection.read(lambda db: _snapshot(db, snapshot_id))

    async def platform_changes(self, platform_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """A platform's recorded terms changes, newest first (without the versions' texts)."""
        rows = await self.connection.read(lambda db: list(db.query(
            f"SELECT {_CHANGE_COLUMNS} FROM changes c WHERE c.platform = ? ORDER BY c.new_fetched_at DESC, c.id DESC "
            "LIMIT ?", [platform_id, limit])))
        return [_change(row) for row in rows]

    async def latest_changes(self) -> dict[str, dict[str, Any]]:
        """Each platform's newest recorded terms change."""

        def load(db: SqlDatabase) -> dict[str, dict[str, Any]]:
            latest: dict[str, dict[str, Any]] = {}
            for row in db.query(f"SELECT {_CHANGE_COLUMNS} FROM changes c ORDER BY c.new_fetched_at, c.id"):
                latest[row["platform"]] = _change(row)
            return latest

        return await self.connection.read(load)

    async def thread_posts(self, thread: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A thread as it was posted (each message's dict with `created_at`, in order) and the statements recorded
        in it (with their points and quotes)."""

        def load(db: SqlDatabase) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            posts = [{**json.loads(row["message"]), "created_at": row["created_at"]} for row in db.query(
                "SELECT message, created_at FROM events WHERE thread = ? ORDER BY id", [thread])]
            statements = list(db.query("SELECT * FROM statements WHERE story = ? ORDER BY at, id", [thread]))
            for statement in statements:
                statement["points"] = json.loads(statement["points"] or "[]")
            return posts, statements

        return await self.connection.read(load)


def _snapshot(db: SqlDatabase, snapshot_id: int | None) -> Snapshot | None:
    if snapshot_id is None:
        return None
    rows = list(db.query("SELECT id, source_id, hash, text, fetched_at, metadata FROM snapshots WHERE id = ?",
                         [snapshot_id]))
    if not rows:
        return None
    row = rows[0]
    return Snapshot(row["id"], row["source_id"], row["hash"], row["text"], row["fetched_at"], row["metadata"] or "[]")
