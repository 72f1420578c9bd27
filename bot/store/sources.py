"""Tables `sources`, `fetch_state` and `cycles`: the configured sources, what is remembered of each between
polls (validators, health, back-off), and one record per poll cycle."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from bot.core.config import SourceSpec
from bot.store.connection import Connection
from bot.store.records import FetchState
from bot.store.sql import SqlDatabase, execute_many

STATE_PAGE = 5000  # fetch-state rows read per query when all are loaded


class Sources:
    """Sources, their fetch state and the poll-cycle log."""

    connection: Connection  # set by the Store this group is part of

    async def sync_sources(self, specs: Sequence[SourceSpec], now: str) -> None:
        """Register configured sources (keeping history of removed ones) and their fetch state rows."""

        def sync(db: SqlDatabase) -> None:  # one statement per table for all sources (100,000 at start-up)
            execute_many(
                db,
                "INSERT INTO sources (id, kind, platform, url, doc_type, first_seen_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, platform=excluded.platform, "
                "url=excluded.url, doc_type=excluded.doc_type",
                [[spec.id, spec.kind, spec.platform, spec.location, spec.doc_type, now] for spec in specs],
            )
            execute_many(db, "INSERT INTO fetch_state (source_id) VALUES (?) ON CONFLICT DO NOTHING",
                         [[spec.id] for spec in specs])

        await self.connection.write(sync)

    async def fetch_states(self) -> dict[str, FetchState]:
        """The fetch state of every source, by source id."""

        def load(db: SqlDatabase) -> dict[str, FetchState]:
            states: dict[str, FetchState] = {}
            after = ""
            while True:  # (a page at a time: a driver that holds a whole result would hold 100,000 rows)
                page = [fetch_state(row) for row in db.query(
                    "SELECT * FROM fetch_state WHERE source_id > ? ORDER BY source_id LIMIT ?", [after, STATE_PAGE])]
                states.update((state.source_id, state) for state in page)
                if len(page) < STATE_PAGE:
                    return states
                after = page[-1].source_id

        return await self.connection.read(load)

    async def update_states(self, updates: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Apply many fetch-state updates in one transaction (updates with the same columns share a statement)."""
        await self.queue_states(updates)

    def queue_states(self, updates: Sequence[tuple[str, dict[str, Any]]]) -> asyncio.Future[None]:
        """`update_states` queued behind the writes before it, without waiting: the future settles once written."""
        groups: dict[tuple[str, ...], list[list[Any]]] = {}
        for source_id, values in updates:
            groups.setdefault(tuple(values), []).append([*values.values(), source_id])

        def apply(db: SqlDatabase) -> None:
            for columns, rows in groups.items():
                assignments = ", ".join(f"{name} = ?" for name in columns)
                execute_many(db, f"UPDATE fetch_state SET {assignments} WHERE source_id = ?", rows)

        return self.connection.submit(apply)

    async def record_cycle(self, started_at: str, finished_at: str, sources: int, ok: int, failed: int, events: int) -> None:
        """Log one finished poll cycle (`status` and `health` read the latest)."""
        await self.connection.write(
            lambda db: db.execute("INSERT INTO cycles (started_at, finished_at, sources, ok, failed, events) "
                                  "VALUES (?,?,?,?,?,?)", [started_at, finished_at, sources, ok, failed, events])
        )


def write_state(db: SqlDatabase, source_id: str, state: dict[str, Any]) -> None:
    """Update the named fetch-state columns of one source (inside the caller's transaction)."""
    if state:
        columns = ", ".join(f"{name} = ?" for name in state)
        db.execute(f"UPDATE fetch_state SET {columns} WHERE source_id = ?", [*state.values(), source_id])


def fetch_state(row: dict[str, Any]) -> FetchState:
    """A `fetch_state` row as the record (flags as booleans, counters never None)."""
    values = dict(row)
    values["failing"] = bool(values.get("failing"))
    values["primed"] = bool(values.get("primed"))
    for key in ("consecutive_failures", "failing_seq", "fetches"):
        values[key] = values.get(key) or 0
    return FetchState(**values)
