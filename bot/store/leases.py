"""Tables `fetch_state` (its lease columns) and `lanes`, and named locks: how several workers share one PostgreSQL
database. A source is fetched by the worker holding its lease, a channel's deliveries are made by the worker
holding its lane; both expire, so a worker that stops renewing them loses them and the others go on. A worker that
dies loses them at once: while it lives, its store holds the worker's own named lock (a session lock, which its
process's death releases), and a lease or lane whose worker no longer holds it is free whatever its time says."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.store.connection import Connection, lock_key
from bot.store.records import FetchState
from bot.store.sources import fetch_state
from bot.store.sql import SqlDatabase, dialect

CHUNK = 500  # ids per `IN (…)` list
WORKER_LOCK = "clausewatch:worker:"  # + the worker's name: held by its store from its first lease until it ends
_WORKER_NAME = f"'{WORKER_LOCK}' || owner"  # (SQL: the lock name of the worker named `owner`)
# Of the worker names given (a text array), those whose named lock nobody holds: their process has ended (a
# session advisory lock on `LOCK_KEY`, a bigint shown in pg_locks as two unsigned halves, see `try_lock`).
_GONE = ("SELECT owner FROM unnest(?::text[]) AS owners(owner) WHERE NOT EXISTS (SELECT 1 FROM pg_locks l "
         "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
         "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
         f"AND l.classid::bigint = (({lock_key(_WORKER_NAME)}::bigint >> 32) & 4294967295) "
         f"AND l.objid::bigint = ({lock_key(_WORKER_NAME)}::bigint & 4294967295))")


def _free(now: float, gone: Sequence[str]) -> tuple[str, list[Any]]:
    """The condition (and its parameters) of a source lease nobody holds at `now`: none, lapsed, or held by one of
    the `gone` workers."""
    if gone:
        return "(lease_until IS NULL OR lease_until < ? OR lease_owner = ANY(?))", [now, list(gone)]
    return "(lease_until IS NULL OR lease_until < ?)", [now]


def _gone(db: SqlDatabase, owners: Sequence[str]) -> list[str]:
    """Those of `owners` whose worker has ended without giving its leases back (SQLite: none, one process polls)."""
    if dialect(db) != "postgresql" or not owners:
        return []
    return [row["owner"] for row in db.query(_GONE, [list(owners)])]


class Leases:
    """Source leases, delivery lanes and named locks (for the chat connections and the story index)."""

    connection: Connection  # set by the Store this group is part of

    async def due_sources(self, now: float, limit: int) -> tuple[list[str], float | None]:
        """Up to `limit` sources due at `now` whose lease is free, soonest first; and the earliest time a source
        not among them falls due or its lease ends (when to look again), None when there is none."""

        def load(db: SqlDatabase) -> tuple[list[str], float | None]:
            free, held = _free(now, _gone(db, _holders(db, now)))
            due = [row["source_id"] for row in db.query(
                f"SELECT source_id FROM fetch_state WHERE (next_due_at IS NULL OR next_due_at <= ?) AND {free} "
                "ORDER BY next_due_at LIMIT ?", [now, *held, limit])]
            later = [row["at"] for row in db.query(
                f"SELECT MIN(next_due_at) AS at FROM fetch_state WHERE next_due_at > ? AND {free}", [now, *held])]
            later += [row["at"] for row in db.query(
                "SELECT MIN(lease_until) AS at FROM fetch_state WHERE lease_until >= ?", [now])]
            return due, min((at for at in later if at is not None), default=None)

        return await self.connection.read(load)

    async def claim_sources(self, source_ids: Sequence[str], owner: str, now: float, until: float,
                            since: float | None = None) -> dict[str, FetchState]:
        """Take the lease of those of `source_ids` that nobody holds (this worker's other cycles included), until
        `until`; their fetch state as stored (another worker may have fetched them since), by source id.

        `since`: leave out the sources whose lease was given back after it (a worker gives a lease back with the
        fetch it records, stamping the time): another worker fetched them after this one's cycle began."""
        wanted = list(source_ids)
        await self.live_as(owner)

        def claim(db: SqlDatabase) -> dict[str, FetchState]:
            skip = " FOR UPDATE SKIP LOCKED" if dialect(db) == "postgresql" else ""
            claimed: dict[str, FetchState] = {}
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start:start + CHUNK]
                marks = ",".join("?" * len(chunk))
                gone = _gone(db, [row["lease_owner"] for row in db.query(  # the other holders of these sources
                    f"SELECT DISTINCT lease_owner FROM fetch_state WHERE source_id IN ({marks}) AND lease_owner "
                    "IS NOT NULL AND lease_owner != ? AND lease_until >= ?", [*chunk, owner, now])])
                free, held = _free(now, gone)
                fresh = "" if since is None else " AND (lease_owner IS NOT NULL OR lease_until IS NULL OR lease_until < ?)"
                rows = db.query(
                    f"UPDATE fetch_state SET lease_owner = ?, lease_until = ? WHERE source_id IN (SELECT source_id "
                    f"FROM fetch_state WHERE source_id IN ({marks}) AND {free}{fresh}{skip}) RETURNING *",
                    [owner, until, *chunk, *held, *([] if since is None else [since])])
                claimed.update((row["source_id"], fetch_state(row)) for row in rows)
            return claimed

        return await self.connection.write(claim)

    async def begin_pass(self, owner: str, now: float) -> float:
        """`owner` begins a pass over every source at `now`: the earliest start of the passes in progress (its
        own included; those of workers that died are dropped). Claims of the pass use it as their `since`."""
        await self.live_as(owner)

        def begin(db: SqlDatabase) -> float:
            db.execute("INSERT INTO passes (owner, started_at) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE "
                       "SET started_at = excluded.started_at", [owner, now])
            rows = list(db.query("SELECT owner, started_at FROM passes"))
            gone = set(_gone(db, [row["owner"] for row in rows if row["owner"] != owner]))
            for dead in gone:
                db.execute("DELETE FROM passes WHERE owner = ?", [dead])
            return float(min(row["started_at"] for row in rows if row["owner"] not in gone))

        return await self.connection.write(begin)

    async def end_pass(self, owner: str) -> None:
        """`owner`'s pass over every source is over."""
        await self.connection.write(lambda db: db.execute("DELETE FROM passes WHERE owner = ?", [owner]))

    async def claim_lane(self, channel_id: str, owner: str, now: float, until: float) -> bool:
        """Take or renew the delivery lane of `channel_id` until `until`; False while another worker holds it."""

        await self.live_as(owner)

        def claim(db: SqlDatabase) -> bool:
            gone = _gone(db, [row["owner"] for row in db.query(
                "SELECT owner FROM lanes WHERE channel_id = ? AND owner != ? AND until >= ?", [channel_id, owner, now])])
            rows = list(db.query(
                "INSERT INTO lanes (channel_id, owner, until) VALUES (?, ?, ?) ON CONFLICT (channel_id) DO UPDATE "
                "SET owner = excluded.owner, until = excluded.until WHERE lanes.owner = excluded.owner "
                "OR lanes.until < ?" + (" OR lanes.owner = ANY(?)" if gone else "") + " RETURNING owner",
                [channel_id, owner, until, now, *([gone] if gone else [])]))
            return bool(rows)

        return await self.connection.write(claim)

    async def live_as(self, owner: str) -> None:
        """Hold the named lock of the worker `owner` for as long as this store lives (taken before its first lease):
        the others see from it that the worker is alive; once its process dies, its leases and lanes are free."""
        if owner not in self.connection.live_owners:
            await self.try_lock(WORKER_LOCK + owner)
            self.connection.live_owners.add(owner)

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

    async def lost_locks(self) -> set[str]:
        """The named locks lost since the last call with the connection that held them (see Connection)."""
        return await self.connection.lost_locks()


def _holders(db: SqlDatabase, now: float) -> list[str]:
    """The workers holding a source lease that has not lapsed at `now` (few rows: `fetch_state_leased`)."""
    return [row["lease_owner"] for row in db.query(
        "SELECT DISTINCT lease_owner FROM fetch_state WHERE lease_owner IS NOT NULL AND lease_until >= ?", [now])]
