"""Read-only views over `events`, `deliveries`, `entries` and `cycles` for reports and metrics: recent events
of a platform, stories (threads) with their item counts, the last poll cycle, counts by event and by status."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from bot.store.connection import Connection

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
        """Recent stories, newest activity first, in one read: thread, opening message (`first`), item count,
        first and last activity, `kinds` (events by type), `entries` and `languages` of its articles."""

        def load(db: Database) -> list[dict[str, Any]]:
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
            stories = []
            for row in db.query(sql, params):
                thread = row["thread"]
                first = next(db.query("SELECT message FROM events WHERE id = ?", [row["first_id"]]))
                kinds = {k["event"]: k["n"] for k in db.query(
                    "SELECT event, COUNT(*) AS n FROM events WHERE thread = ? GROUP BY event", [thread])}
                languages = [r["language"] for r in db.query(
                    "SELECT DISTINCT language FROM entries WHERE thread = ? AND language IS NOT NULL", [thread])]
                entries = next(db.query("SELECT count(*) AS n FROM entries WHERE thread = ?", [thread]))["n"]
                stories.append({**row, "first": json.loads(first["message"]), "kinds": kinds, "languages": languages,
                                "entries": entries})
            return stories

        return await self.connection.read(load)

    async def entry_trail(self, url: str) -> list[dict[str, Any]]:
        """Every entry carrying `url` (as link or identity), oldest first, with `baseline_at` (its feed's first
        poll) and the `events` of its source in its thread, each with its `deliveries`: what `why` explains."""

        def load(db: Database) -> list[dict[str, Any]]:
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
