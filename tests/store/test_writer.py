"""The writer thread: writes queued together commit together, a bad one never takes the others with it, and the
multi-row statements keep what one statement per row gave (order, first of two keys, the later of two entries)."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.messages import Message
from bot.store.database import Store
from bot.store.outbox import record_events
from bot.store.records import EntryWrite, Routed
from bot.store.sql import ROWS_PER_INSERT, SqlDatabase
from bot.store.stories import write_entries

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


def message(n: int, key: str | None = None) -> Message:
    return Message(event="story", title=f"Story {n}", text="text", url=None, platform="acme", topics=(),
                   severity="info", thread=f"thread-{n}", reply_to=None, at=NOW, key=key or f"key-{n}")


async def test_events_get_ids_in_the_order_given_across_statements_and_the_first_of_a_key_wins(store: Store) -> None:
    count = ROWS_PER_INSERT * 2 + 7  # three statements
    routed = [Routed(message(n), ("a", "b")) for n in range(count)]
    routed.insert(5, Routed(message(999, key="key-3"), ("a",)))  # same key as an earlier one: not recorded
    assert await store.write(lambda db: record_events(db, routed, NOW)) == count
    rows = await store.query("SELECT id, key, message FROM events ORDER BY id")
    assert [row["key"] for row in rows] == [f"key-{n}" for n in range(count)]
    assert '"Story 3"' in rows[3]["message"]
    deliveries = await store.query("SELECT event_id, channel_id FROM deliveries ORDER BY event_id, channel_id")
    assert len(deliveries) == 2 * count
    # recorded before: nothing new, no second outbox row
    assert await store.write(lambda db: record_events(db, routed[:10], NOW)) == 0
    assert len(await store.query("SELECT event_id FROM deliveries")) == 2 * count


def entry(identity: str, text: str, placement: str | None) -> EntryWrite:
    return EntryWrite(identity=identity, platform="acme", title=identity, link=None, text=text, fingerprint=text,
                      published=None, thread="t", version=1, placement=placement)


async def test_an_entry_written_twice_at_once_keeps_the_later_text_and_the_first_placement(store: Store) -> None:
    entries = [entry("one", "first text", "opened"), entry("two", "other", None), entry("one", "later text", "joined")]
    await store.write(lambda db: write_entries(db, "feed", entries, [], NOW))
    rows = await store.query("SELECT identity, text, placement FROM entries ORDER BY identity")
    assert [(r["identity"], r["text"], r["placement"]) for r in rows] == [
        ("one", "later text", "opened"), ("two", "other", None)]
    versions = await store.query("SELECT identity, text FROM entry_versions ORDER BY identity")
    assert [(r["identity"], r["text"]) for r in versions] == [("one", "first text"), ("two", "other")]

