"""Read-only views over `events`, `deliveries`, `entries` and `cycles` for reports and metrics: recent events
of a platform, stories (threads) with their item counts, the last poll cycle, counts by event and by status."""

from __future__ import annotations

import json
from typing import Any

from bot.store.connection import Connection
from bot.store.sql import SqlDatabase

# Health notices open threads too, but they are no stories.
_STORY_EVENTS = "event NOT IN ('source_failing', 'source_recovered')"


class Activity:
    """What the bot recorded, read for `status`, `stories`, `health` and the metrics endpoint."""

    connection: Connection  # set by the Store this group is part of

    async def recent_messages(self, platform_id: str, limit: int = 10) -> list[dict[str, Any]]:
        """The platform's latest recorded messages (as their JSON dicts), newest first."""
        rows = await self.connection.read(lambda db: list(db.query(
            "SELECT message FROM events WHERE platform = ? ORDER BY id DESC LIMIT ?", [platform_id, limit])))
        return [json.loads(row["message"]) for row in rows]

    async def last_cycle(self) -> dict[str, Any] | None:
        """The latest finished poll cycle's row, or None before the first."""
        rows = await self.connection.read(lambda db: list(db.query("SELECT * FROM cycles ORDER BY id DESC LIMIT 1")))
        return rows[0] if rows else None

    async def event_counts(self) -> dict[str, int]:
        """How many events of each type are recorded."""
        rows = await self.connection.read(lambda db: list(db.query(
            "SELECT event, COUNT(*) AS n FROM events GROUP BY event")))
        return {row["event"]: row["n"] for row in rows}

    async def delivery_counts(self) -> dict[str, int]:
        """How many outbox rows are in each status (pending, done, failed)."""
        rows = await self.connection.read(lambda db: list(db.query(
            "SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status")))
        return {row["status"]: row["n"] for row in rows}

    async def story_rows(self, platform_id: str | None, limit: int) -> list[dict[str, Any]]:
        """Recent stories, newest activity first, in one read of five queries whatever their number: thread,
        opening message (`first`), item count, first and last activity, `kinds` (events by type), `entries` and
        `languages` of its articles."""

        def load(db: SqlDatabase) -> list[dict[str, Any]]:
            sql = (
                "SELECT thread, MIN(id) AS first_id, COUNT(*) AS items, MIN(created_at) AS opened_at, "
                f"MAX(created_at) AS last_at FROM events WHERE {_STORY_EVENTS}"
            )
            params: list[Any] = []
            if platform_id is not None:
                sql += " AND platform = ?"
                params.append(platform_id)
            sql += " GROUP BY thread ORDER BY last_at DESC, first_id DESC LIMIT ?"
            params.append(limit)
            rows = list(db.query(sql, params))
            if not rows:
                return []
            threads = [row["thread"] for row in rows]
            marks = ", ".join("?" for _ in threads)
            firsts = {r["id"]: json.loads(r["message"]) for r in db.query(
                f"SELECT id, message FROM events WHERE id IN ({marks})", [row["first_id"] for row in rows])}
            kinds: dict[str, dict[str, int]] = {thread: {} for thread in threads}
            for r in db.query(f"SELECT thread, event, COUNT(*) AS n FROM events WHERE thread IN ({marks}) "
                              "GROUP BY thread, event", threads):
                kinds[r["thread"]][r["event"]] = r["n"]
            languages: dict[str, list[str]] = {thread: [] for thread in threads}
            for r in db.query(f"SELECT DISTINCT thread, language FROM entries WHERE thread IN ({marks}) "
                              "AND language IS NOT NULL", threads):
                languages[r["thread"]].append(r["language"])
            entries = {r["thread"]: r["n"] for r in db.query(
                f"SELECT thread, COUNT(*) AS n FROM entries WHERE thread IN ({marks}) GROUP BY thread", threads)}
            return [{**row, "first": firsts[row["first_id"]], "kinds": kinds[row["thread"]],
                     "languages": languages[row["thread"]], "entries": entries.get(row["thread"], 0)}
                    for row in rows]

        return await self.connection.read(load)

    async def entry_trail(self, url: str) -> list[dict[str, Any]]:
        """Every entry carrying `url` (as link or identity), oldest first, with `baseline_at` (its feed's first
        poll) and the `events` of its source in its thread, each with its `deliveries`: what `why` explains."""

        def load(db: SqlDatabase) -> list[dict[str, Any]]:
            entries = list(db.query(
                "SELECT e.source_id, e.identity, e.platform, e.title, e.thread, e.version, e.first_seen_at, "
                "e.last_seen_at, e.attribution, e.language, e.note, e.placement, "
                "(SELECT MIN(first_seen_at) FROM entries b WHERE b.source_id = e.source_id) AS baseline_at "
                "FROM entries e WHERE e.link = ? OR e.identity = ? ORDER BY e.first_seen_at", [url, url]))
            for entry in entries:
                entry["events"] = [
                    {**event, "deliveries": list(db.query(
                        "SELECT channel_id, status, attempts, last_error, delivered_at FROM deliveries "
                        "WHERE event_id = ?", [event["id"]]))}
                    for event in db.query("SELECT id, key, event, created_at, message FROM events "
                                          "WHERE source_id = ? AND thread = ? ORDER BY id",
                                          [entry["source_id"], entry["thread"]])
                ]
            return entries

        return await self.connection.read(load)
