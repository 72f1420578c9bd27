"""Tables `threads`, `route_problems`, `subscriptions` and `feed_changes`: what chat made of the bot — the
platforms' handles of story threads, routes switched off after a platform refused them, and the channel
subscriptions and feeds added or removed with chat commands."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.overrides import FeedChange
from bot.core.routing import Subscription
from bot.store.connection import Connection
from bot.store.sql import SqlDatabase


class ChatState:
    """Thread handles, disabled routes, subscriptions and feed changes."""

    connection: Connection  # set by the Store this group is part of

    async def find_thread(self, channel_id: str, thread: str) -> str | None:
        """The chat platform's handle of a story thread in a channel (ThreadBook)."""
        rows = await self.connection.query("SELECT ref FROM threads WHERE channel_id = ? AND thread = ?",
                                           [channel_id, thread])
        return rows[0]["ref"] if rows else None

    async def remember_thread(self, channel_id: str, thread: str, ref: str) -> None:
        """Remember the handle of the thread a channel's first post of `thread` opened."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        await self.connection.write(lambda db: db.execute(
            "INSERT INTO threads (channel_id, thread, ref, opened_at) VALUES (?,?,?,?) "
            "ON CONFLICT (channel_id, thread) DO UPDATE SET ref = excluded.ref, opened_at = excluded.opened_at",
            [channel_id, thread, ref, now],
        ))

    async def route_problems(self) -> dict[str, tuple[str, str]]:
        """Routes switched off after a chat platform refused them: channel id → (reason, since)."""
        rows = await self.connection.query("SELECT channel_id, reason, since FROM route_problems")
        return {row["channel_id"]: (row["reason"], row["since"]) for row in rows}

    async def disable_route(self, channel_id: str, reason: str, now: str) -> None:
        """Switch a route off: its deliveries wait until `enable_route`."""
        await self.connection.write(lambda db: db.execute(
            "INSERT INTO route_problems (channel_id, reason, since) VALUES (?,?,?) "
            "ON CONFLICT (channel_id) DO UPDATE SET reason = excluded.reason, since = excluded.since", [channel_id, reason, now]
        ))

    async def enable_route(self, channel_id: str) -> bool:
        """Switch a route back on (its pending deliveries then go out); False when it was not off."""
        def apply(db: SqlDatabase) -> bool:
            return db.execute("DELETE FROM route_problems WHERE channel_id = ?", [channel_id]).rowcount > 0

        return await self.connection.write(apply)

    async def subscriptions(self) -> list[Subscription]:
        """Every channel subscription added from chat, oldest first."""
        rows = await self.connection.query("SELECT channel_id, kind, value FROM subscriptions "
                                           "ORDER BY added_at, channel_id")
        return [Subscription(row["channel_id"], row["kind"], row["value"]) for row in rows]

    async def add_subscription(self, subscription: Subscription, by: str, now: str) -> bool:
        """False when the channel already had it."""
        def apply(db: SqlDatabase) -> bool:
            cursor = db.execute(
                "INSERT INTO subscriptions (channel_id, kind, value, added_by, added_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT DO NOTHING",
                [subscription.channel_id, subscription.kind, subscription.value, by, now],
            )
            return cursor.rowcount == 1

        return await self.connection.write(apply)

    async def remove_subscription(self, subscription: Subscription) -> bool:
        """False when the channel did not have it."""
        def apply(db: SqlDatabase) -> bool:
            return db.execute(
                "DELETE FROM subscriptions WHERE channel_id = ? AND kind = ? AND value = ?",
                [subscription.channel_id, subscription.kind, subscription.value],
            ).rowcount > 0

        return await self.connection.write(apply)

    async def feed_changes(self) -> list[FeedChange]:
        """Feeds added or removed from chat, in the order they were made."""
        rows = await self.connection.query("SELECT * FROM feed_changes ORDER BY at, id")
        return [FeedChange(row["id"], row["action"], row["url"], row["platform"], row["title"], row["by"], row["at"])
                for row in rows]

    async def record_feed_change(self, change: FeedChange) -> None:
        """Adding a feed, or removing one; removing a feed added from chat forgets it altogether."""
        def apply(db: SqlDatabase) -> None:
            existing = list(db.query("SELECT action FROM feed_changes WHERE id = ?", [change.id]))
            if change.action == "remove" and existing and existing[0]["action"] == "add":
                db.execute("DELETE FROM feed_changes WHERE id = ?", [change.id])
                return
            db.execute(
                "INSERT INTO feed_changes (id, action, url, platform, title, by, at) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT (id) DO UPDATE SET action = excluded.action, url = excluded.url, "
                "platform = excluded.platform, title = excluded.title, by = excluded.by, at = excluded.at",
                [change.id, change.action, change.url, change.platform, change.title, change.by, change.at],
            )

        await self.connection.write(apply)

