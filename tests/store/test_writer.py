"""The writer thread: writes queued together commit together, and a bad one never takes the others with it."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.store.database import Store
from bot.store.sql import SqlDatabase

NOW = "2024-02-14T10:00:00+00:00"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.connect(tmp_path / "storage", os.environ.get("CLAUSEWATCH_DATABASE_URL"))
    try:
        yield opened
    finally:
        await opened.close()


def cycle_row(n: int) -> Any:
    def write(db: SqlDatabase) -> int:
        db.execute("INSERT INTO cycles (started_at, finished_at, sources, ok, failed, events) VALUES (?,?,?,?,?,?)",
                   [NOW, NOW, n, n, 0, 0])
        return n
    return write


async def hold_writer(store: Store) -> threading.Event:
    """Keep the writer busy until the returned event is set, so that the writes queued meanwhile wait together."""
    release, started = threading.Event(), threading.Event()

    def wait(db: SqlDatabase) -> None:
        started.set()
        assert release.wait(30), "the test never released the writer"

    store.connection.submit(wait)
    assert await asyncio.to_thread(started.wait, 30)
    return release


async def test_writes_queued_together_all_land_and_each_gets_its_own_result(store: Store) -> None:
    release = await hold_writer(store)
    futures = [store.connection.submit(cycle_row(n)) for n in range(1, 21)]
    release.set()
    assert await asyncio.gather(*futures) == list(range(1, 21))
    rows = await store.query("SELECT sources FROM cycles ORDER BY id")
    assert [row["sources"] for row in rows] == list(range(1, 21))  # in the order they were queued


async def test_a_failing_write_among_queued_ones_fails_alone_and_leaves_nothing_half_done(store: Store) -> None:
    def half_then_fail(db: SqlDatabase) -> None:
        cycle_row(99)(db)  # written, then the job fails: its own row must not stay
        raise ValueError("refused by the job")

    release = await hold_writer(store)
    before = store.connection.submit(cycle_row(1))
    bad = store.connection.submit(half_then_fail)
    after = store.connection.submit(cycle_row(2))
    release.set()
    assert await before == 1 and await after == 2
    with pytest.raises(ValueError, match="refused by the job"):
        await bad
    rows = await store.query("SELECT sources FROM cycles ORDER BY id")
    assert [row["sources"] for row in rows] == [1, 2]


async def test_a_database_error_in_a_queued_write_is_reported_as_its_own_store_error(store: Store) -> None:
    release = await hold_writer(store)
    good = store.connection.submit(cycle_row(5))
    broken = store.connection.submit(lambda db: db.execute("INSERT INTO no_such_table (x) VALUES (1)"))
    release.set()
    assert await good == 5
    with pytest.raises(Exception, match="no_such_table"):
        await broken
    assert [row["sources"] for row in await store.query("SELECT sources FROM cycles")] == [5]

