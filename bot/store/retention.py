"""Retention: finished outbox rows, texts of entries no feed carries any more, old entry versions, old post
bodies and old poll-cycle records are pruned in small transactions. Terms versions and change records never are."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.core.config import RetentionSettings
from bot.store.connection import Connection
from bot.store.sql import SqlDatabase, execute_many


class Retention:
    """Pruning by age, in batches, so that polling never waits long for the writer."""

    connection: Connection  # set by the Store this group is part of

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
            steps.append(("deliveries", "DELETE FROM deliveries WHERE (event_id, channel_id) IN (SELECT event_id, "
                          "channel_id FROM deliveries WHERE status != 'pending' AND delivered_at < ? LIMIT ?)",
                          [delivered, batch]))
        if texts:
            steps.append(("entry_texts", "UPDATE entries SET text = '' WHERE (source_id, identity) IN (SELECT "
                          "source_id, identity FROM entries WHERE text != '' AND last_seen_at < ? LIMIT ?)",
                          [texts, batch]))
            steps.append(("entry_versions", "DELETE FROM entry_versions WHERE (source_id, identity, version) IN "
                          "(SELECT source_id, identity, version FROM entry_versions WHERE seen_at < ? LIMIT ?)",
                          [texts, batch]))
        forgotten = cutoff(retention.entries)
        if forgotten:
            steps.append(("entries", "DELETE FROM entries WHERE (source_id, identity) IN (SELECT source_id, "
                          "identity FROM entries WHERE last_seen_at < ? LIMIT ?)", [forgotten, batch]))
        if log_before:
            steps.append(("cycles", "DELETE FROM cycles WHERE id IN (SELECT id FROM cycles WHERE finished_at < ? "
                          "ORDER BY id LIMIT ?)", [log_before, batch]))
        pruned: dict[str, int] = {}

        def one(sql: str, args: list[Any]) -> Callable[[SqlDatabase], tuple[int, bool]]:
            def step(db: SqlDatabase) -> tuple[int, bool]:
                count = db.execute(sql, args).rowcount
                return count, count == batch
            return step

        for name, sql, args in steps:
            pruned[name] = await self._in_batches(one(sql, args), max_batches)
        if forgotten:
            pruned["events"] = await self._forget_events(forgotten, batch, max_batches)
        if texts:
            pruned["post_bodies"] = await self._trim_events(texts, batch, max_batches)
        if any(pruned.values()) and self.connection.backend == "sqlite":  # PostgreSQL's autovacuum does this
            await self.connection.write(lambda db: db.execute("PRAGMA incremental_vacuum(2000)").fetchall())
        return pruned

    async def _forget_events(self, before: str, batch: int, max_batches: int) -> int:
        """Delete the events created before `before` with their outbox rows, oldest first (ids grow with time)."""

        def step(db: SqlDatabase) -> tuple[int, bool]:
            old, more = _old_events(db, 0, before, batch)
            if old:
                marks = ",".join("?" * len(old))
                db.execute(f"DELETE FROM deliveries WHERE event_id IN ({marks})", old)
                db.execute(f"DELETE FROM events WHERE id IN ({marks})", old)
            return len(old), more

        return await self._in_batches(step, max_batches)

    async def _trim_events(self, before: str, batch: int, max_batches: int) -> int:
        """Empty the text of events created before `before`, in id order from a watermark (ids grow with time)."""

        def step(db: SqlDatabase) -> tuple[int, bool]:
            row = db.execute("SELECT value FROM retention_marks WHERE name = 'events'").fetchone()
            old, more = _old_events(db, row[0] if row else 0, before, batch)
            if old:
                marks = ",".join("?" * len(old))
                trimmed = []
                for row in db.query(f"SELECT id, message FROM events WHERE id IN ({marks})", old):
                    message = json.loads(row["message"])
                    if message.get("text"):
                        trimmed.append([json.dumps({**message, "text": ""}, ensure_ascii=False), row["id"]])
                execute_many(db, "UPDATE events SET message = ? WHERE id = ?", trimmed)
                db.execute("INSERT INTO retention_marks (name, value) VALUES ('events', ?) "
                           "ON CONFLICT(name) DO UPDATE SET value = excluded.value", [old[-1]])
            return len(old), more

        return await self._in_batches(step, max_batches)

    async def _in_batches(self, step: Callable[[SqlDatabase], tuple[int, bool]], max_batches: int) -> int:
        """Run `step` (rows done, more to do) in its own transaction until it is done or `max_batches` ran."""
        total = 0
        for _ in range(max_batches):
            count, more = await self.connection.write(step)
            total += count
            if not more:
                break
        return total


def _old_events(db: SqlDatabase, after: int, before: str, batch: int) -> tuple[list[int], bool]:
    """Ids of the events after id `after` created before `before`, in id order, stopping at the first newer one
    (so a watermark never passes it); and whether a further batch may find more."""
    rows = db.execute("SELECT id, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?", [after, batch]).fetchall()
    old: list[int] = []
    for event_id, created in rows:
        if created >= before:
            break
        old.append(event_id)
    return old, len(old) == len(rows) == batch
