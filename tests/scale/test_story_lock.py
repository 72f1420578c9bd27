"""The story lock between workers (StoryDesk.placing on PostgreSQL): one worker places at a time, a worker whose
sections keep coming lets the others in after its turn, and a worker that gives up waiting holds nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest

from bot.core.config import parse_config
from bot.pipeline.story_desk import STORY_LOCK, StoryDesk
from bot.store.database import Store
from tests.conftest import wait_for
from tests.postgres import ThrowAwayDatabase


@pytest.fixture
def database_url(postgres_database: ThrowAwayDatabase) -> Iterator[str]:
    yield from postgres_database.schema_url()


@asynccontextmanager
async def desks(tmp_path: Path, url: str, count: int) -> AsyncIterator[list[tuple[StoryDesk, Store]]]:
    """`count` workers' story desks, each on a store of its own (its own sessions, as a process of its own)."""
    config = parse_config(f"storage: {tmp_path / 'storage'}\nplatforms:\n  tunely: {{name: Tunely}}\n",
                          tmp_path / "feeds.yaml")
    async with AsyncExitStack() as stack:
        found = []
        for _ in range(count):
            store = await Store.connect(tmp_path, url)
            stack.push_async_callback(store.close)
            desk = StoryDesk(config, shared=True)
            await desk.load(store)
            found.append((desk, store))
        yield found


async def test_while_one_worker_places_no_other_takes_the_story_lock(tmp_path: Path, database_url: str) -> None:
    async with desks(tmp_path, database_url, 3) as [(one, first), (two, second), (_, third)]:
        order: list[str] = []
        leave = asyncio.Event()

        async def place(desk: StoryDesk, store: Store, name: str, until: asyncio.Event | None = None) -> None:
            async with desk.placing(store):
                order.append(f"{name} in")
                if until is not None:
                    await until.wait()
                order.append(f"{name} out")

        placing = asyncio.ensure_future(place(one, first, "one", leave))
        await wait_for(lambda: order == ["one in"])
        assert not await third.try_lock(STORY_LOCK)  # held by the placing worker
        waiting = asyncio.ensure_future(place(two, second, "two"))
        leave.set()
        await asyncio.wait_for(asyncio.gather(placing, waiting), timeout=10)
        assert order == ["one in", "one out", "two in", "two out"]
        await wait_for_free(third)


async def wait_for_free(store: Store, timeout: float = 5.0) -> None:
    """Until `store` can take the story lock (a lingering hold ends a moment after the last section), then give
    it back."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await store.try_lock(STORY_LOCK):
        assert asyncio.get_running_loop().time() < deadline, "the story lock was never given back"
        await asyncio.sleep(0.01)
    await store.unlock(STORY_LOCK)


async def test_a_worker_whose_sections_keep_coming_lets_another_in_after_its_turn(
        tmp_path: Path, database_url: str) -> None:
    async with desks(tmp_path, database_url, 2) as [(busy, busy_store), (other, other_store)]:
        other_in = asyncio.Event()
        sections = 0

        async def section() -> None:
            nonlocal sections
            async with busy.placing(busy_store):
                sections += 1
                await asyncio.sleep(0.02)  # (the work of a section, overlapping the next)

        async def keep_placing() -> None:  # a new section every 10 ms until the other worker got in
            running: set[asyncio.Future[None]] = set()
            while not other_in.is_set():
                task = asyncio.ensure_future(section())
                running.add(task)
                task.add_done_callback(running.discard)
                await asyncio.sleep(0.01)
            await asyncio.gather(*running)

        async def other_places() -> None:
            async with other.placing(other_store):
                other_in.set()

        flood = asyncio.ensure_future(keep_placing())
        await wait_for(lambda: sections > 0)
        await asyncio.wait_for(other_places(), timeout=10)  # not after the flood: it never ends on its own
        await asyncio.wait_for(flood, timeout=10)
        assert sections > 1


async def test_a_worker_that_gives_up_waiting_holds_nothing(tmp_path: Path, database_url: str) -> None:
    async with desks(tmp_path, database_url, 3) as [(one, first), (two, second), (_, third)]:
        leave, inside = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with one.placing(first):
                inside.set()
                await leave.wait()

        holding = asyncio.ensure_future(hold())
        await asyncio.wait_for(inside.wait(), timeout=10)

        async def wait_in_vain() -> None:
            async with two.placing(second):
                raise AssertionError("entered while another worker held the story lock")

        with pytest.raises(TimeoutError):
            await asyncio.wait_for(wait_in_vain(), timeout=0.3)  # (a cycle stopped while waiting its turn)
        leave.set()
        await asyncio.wait_for(holding, timeout=10)
        await wait_for_free(third)  # neither the holder nor the one that gave up keeps it
        async with two.placing(second):  # and the one that gave up places normally later
            pass
