"""Tables `events` and `deliveries` (the outbox): every message is recorded once, with one delivery row per
channel that must receive it, before any delivery is tried; a row is done only once the output accepted it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from bot.core.messages import Message
from bot.store.connection import Connection
from bot.store.records import PendingDelivery, Routed
from bot.store.sql import SqlDatabase, insert_rows


class Outbox:
    """Deliveries still to make, and the outcome of each attempt."""

    connection: Connection  # set by the Store this group is part of

    async def pending_deliveries(self, limit: int = 500, channels: Iterable[str] | None = None) -> list[PendingDelivery]:
        """Pending deliveries in event order (of `channels` only, when given), with their messages."""
        wanted = list(channels) if channels is not None else None

        def load(db: SqlDatabase) -> list[PendingDelivery]:
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

        return await self.connection.read(load)

    async def mark_trying(self, event_id: int, channel_id: str, now: str) -> None:
        """Record an attempt before it is sent (see `PendingDelivery.tried`)."""
        await self.connection.write(lambda db: db.execute(
            "UPDATE deliveries SET tried_at = ? WHERE event_id = ? AND channel_id = ?", [now, event_id, channel_id]))

    async def mark_delivered(self, event_id: int, channel_id: str, now: str) -> None:
        """The output accepted the message: the delivery is done."""
        await self.connection.write(
            lambda db: db.execute(
                "UPDATE deliveries SET status = 'done', attempts = attempts + 1, delivered_at = ?, last_error = NULL "
                "WHERE event_id = ? AND channel_id = ?",
                [now, event_id, channel_id],
            )
        )

    async def mark_attempt_failed(self, event_id: int, channel_id: str, error: str, give_up: bool) -> None:
        """Count a failed attempt; the delivery stays pending unless `give_up`."""
        await self.connection.write(
            lambda db: db.execute(
                "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, status = ? WHERE event_id = ? AND channel_id = ?",
                [error, "failed" if give_up else "pending", event_id, channel_id],
            )
        )


def record_events(db: SqlDatabase, messages: Sequence[Routed], now: str) -> int:
    """Record each message not recorded before (by event key; of two with one key, the first) with its outbox rows
    (inside the caller's transaction); returns how many were new. Events get their ids in the order given, which is
    the order they are delivered in."""
    first: list[Routed] = []
    keys: set[str] = set()
    for routed in messages:
        if routed.message.key not in keys:
            keys.add(routed.message.key)
            first.append(routed)
    ids = dict((key, event_id) for event_id, key in insert_rows(
        db, "INSERT INTO events (key, event, thread, reply_to, platform, source_id, created_at, message)",
        [[routed.message.key, routed.message.event, routed.message.thread, routed.message.reply_to,
          routed.message.platform, routed.message.source, now, json.dumps(routed.message.to_dict(), ensure_ascii=False)]
         for routed in first], "ON CONFLICT DO NOTHING RETURNING id, key"))
    insert_rows(db, "INSERT INTO deliveries (event_id, channel_id)",
                [[ids[routed.message.key], channel_id] for routed in first if routed.message.key in ids
                 for channel_id in routed.channels], "ON CONFLICT DO NOTHING")
    return len(ids)
