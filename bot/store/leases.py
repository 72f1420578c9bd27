"""Tables `fetch_state` (its lease columns) and `lanes`, and named locks: how several workers share one PostgreSQL
database. A source is fetched by the worker holding its lease, a channel's deliveries are made by the worker
holding its lane; both expire, so a worker that dies loses them and the others go on."""

from __future__ import annotations

from collections.abc import Sequence

from bot.store.connection import Connection
from bot.store.records import FetchState
from bot.store.sources import fetch_state
from bot.store.sql import SqlDatabase, dialect

CHUNK = 500  # ids per `IN (…)` list


class Leases:
    """Source leases, delivery lanes and named locks (for the chat connections and the story index)."""

    connection: Connection  # set by the Store this group is part of

    async def due_sources(self, now: float, limit: int) -> tuple[list[str], float | None]:
        """Up to `limit` sources due at `now` whose lease is free, soonest first; and the earliest time a source
        not among them falls due or its lease ends (when to look again), None when there is none."""

        def load(db: SqlDatabase) -> tuple[list[str], float | None]:
            free = "(lease_until IS NULL OR lease_until < ?)"
            due = [row["source_id"] for row in db.query(
                f"SELECT source_id FROM fetch_state WHERE (next_due_at IS NULL OR next_due_at <= ?) AND {free} "
                "ORDER BY next_due_at LIMIT ?", [now, now, limit])]
            later = [row["at"] for row in db.query(
                f"SELECT MIN(next_due_at) AS at FROM fetch_state WHERE next_due_at > ? AND {free}", [now, now])]
            later += [row["at"] for row in db.query(
                "SELECT MIN(lease_until) AS at FROM fetch_state WHERE lease_until >= ?", [now])]
            return due, min((at for at in later if at is not None), default=None)

        return await self.connection.read(load)

    async def claim_sources(self, source_ids: Sequence[str], owner: str, now: float,
                            until: float) -> dict[str, FetchState]:
        """Take the lease of those of `source_ids` that nobody holds (this worker's other cycles included), until
        `until`; their fetch state as stored (another worker may have fetched them since), by source id."""
        wanted = list(source_ids)

        def claim(db: SqlDatabase) -> dict[str, FetchState]:
            skip = " FOR UPDATE SKIP LOCKED" if dialect(db) == "postgresql" else ""
            claimed: dict[str, FetchState] = {}
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start:start + CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.query(
                    f"UPDATE fetch_state SET lease_owner = ?, lease_until = ? WHERE source_id IN (SELECT source_id "
                    f"FROM fetch_state WHERE source_id IN ({marks}) AND (lease_until IS NULL OR lease_until < ?)"
                    f"{skip}) RETURNING *", [owner, until, *chunk, now])
                claimed.update((row["source_id"], fetch_state(row)) for row in rows)
            return claimed

        return await self.connection.write(claim)

    async def claim_lane(self, channel_id: str, owner: str, now: float, until: float) -> bool:
        """Take or renew the delivery lane of `channel_id` until `until`; False while another worker holds it."""

        def claim(db: SqlDatabase) -> bool:
            rows = list(db.query(
                "INSERT INTO lanes (channel_id, owner, until) VALUES (?, ?, ?) ON CONFLICT (channel_id) DO UPDATE "
                "SET owner = excluded.owner, until = excluded.until WHERE lanes.owner = excluded.owner "
                "OR lanes.until < ? RETURNING owner", [channel_id, owner, until, now]))
            return bool(rows)

        return await self.connection.write(claim)

    async def release_leases(self, owner: str) -> None:
        """Give up every source lease and lane of `owner` (a worker stopping cleanly: the others take over at once)."""

        def release(db: SqlDatabase) -> None:
            db.execute("UPDATE fetch_state SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?", [owner])
            db.execute("UPDATE lanes SET until = 0 WHERE owner = ?", [owner])

        await self.connection.write(release)

    async def lease_holders(self) -> dict[str, int]:
        """How many source leases and lanes each worker holds now (for `status` and tests)."""
        rows = await self.connection.query(
            "SELECT owner, COUNT(*) AS n FROM (SELECT lease_owner AS owner FROM fetch_state WHERE lease_owner IS NOT "
            "NULL UNION ALL SELECT owner FROM lanes WHERE until > 0) AS held GROUP BY owner")
        return {row["owner"]: int(row["n"]) for row in rows}

    async def try_lock(self, name: str) -> bool:
        """Take the named lock for this process unless another holds it (PostgreSQL: a session advisory lock on a
        connection of its own, released when the process dies; SQLite: always, one process polls)."""
        return await self.connection.try_lock(name)

    async def lock(self, name: str) -> None:
        """Wait for the named lock (see `try_lock`)."""
        await self.connection.lock(name)

    async def unlock(self, name: str) -> None:
        """Release the named lock."""
        await self.connection.unlock(name)
