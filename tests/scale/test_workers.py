"""Several workers on one PostgreSQL store, in one process for speed (each App has its own connections, leases
and locks, exactly as a separate process would): each source is fetched by one of them, each post made once,
two articles of one story placed at the same moment by two workers share one thread, and what a dead worker
held (source leases, a delivery lane, the story index it saved) goes on without it."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import psycopg
import pytest
from aiohttp import web

import bot.app as app_module
from bot.app import App, ChatEnv, load_config
from bot.store.database import Store
from tests.conftest import Remote, wait_for
from tests.fake_slack import BOT_TOKEN, FakeSlack
from tests.pipeline.test_stories import EN, FR, NOW, feed
from tests.postgres import ThrowAwayDatabase

FEEDS = 12


@pytest.fixture
def database_url(postgres_database: ThrowAwayDatabase, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for url in postgres_database.schema_url():
        monkeypatch.setenv("CLAUSEWATCH_DATABASE_URL", url)
        yield url


def config_file(tmp: Path, remote: Remote, feeds: int = FEEDS) -> Path:
    path = tmp / "feeds.yaml"
    path.write_text("\n".join([
        f"storage: {tmp / 'storage'}", "poll: {interval: 1h, timeout: 3s}",
        "platforms:", "  tunely: {name: Tunely}", "feeds:",
        *[f'  - {{id: f{n}, url: "{remote.url(f"/f{n}.xml")}"}}' for n in range(feeds)],
        "channels:", f"  - {{id: all, jsonl: {tmp / 'out' / 'all.jsonl'}}}"]) + "\n", encoding="utf-8")
    return path


def posts(tmp: Path) -> list[dict[str, object]]:
    path = tmp / "out" / "all.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def wire(n: int, count: int) -> str:
    return feed(f"Outlet {n}", *[(f"f{n}-{i}", "Wed, 14 Feb 2024 09:00:00 GMT", f"Tunely story {n}-{i}",
                                  f"Outlet {n} reports item {i} about Tunely pricing in region {n}.")
                                 for i in range(count)])


def two_empty_feeds(remote: Remote, tmp_path: Path) -> Path:
    """A config of an English and a French outlet, both empty for now (their first poll sets the baseline)."""
    remote.serve("/f0.xml", feed("Policy Wire"))
    remote.serve("/f1.xml", feed("Le Fil"))
    return config_file(tmp_path, remote, feeds=2)


@asynccontextmanager
async def workers(path: Path, count: int) -> AsyncIterator[list[App]]:
    async with AsyncExitStack() as stack:
        apps = [await stack.enter_async_context(App.open(load_config(path), stdout=io.StringIO(), chat_env=ChatEnv(),
                                                         clock=lambda: NOW)) for _ in range(count)]
        yield apps


async def test_three_workers_fetch_each_source_once_and_post_each_entry_once(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    for n in range(FEEDS):
        remote.serve(f"/f{n}.xml", wire(n, 1))
    path = config_file(tmp_path, remote)
    async with workers(path, 3) as apps:
        assert len({app.worker for app in apps}) == 3 and all(app.store.backend == "postgresql" for app in apps)
        await asyncio.gather(*(app.poll_once() for app in apps))  # the baseline, shared out
        assert sorted(remote.hits.values()) == [1] * FEEDS
        for n in range(FEEDS):
            remote.serve(f"/f{n}.xml", wire(n, 3))
        remote.hits.clear()
        cycles = await asyncio.gather(*(app.poll_once() for app in apps))
        assert sorted(remote.hits.values()) == [1] * FEEDS  # every source fetched by exactly one worker
        assert sum(cycle.sources for cycle, _ in cycles) == FEEDS
        await asyncio.gather(*(app.deliverer.deliver_pending() for app in apps))
        holders = await apps[0].store.lease_holders()
    keys = Counter(str(post["key"]) for post in posts(tmp_path))
    assert len(keys) == 2 * FEEDS and set(keys.values()) == {1}  # two new entries per feed, each posted once
    assert all(held == 1 for held in holders.values())  # each worker gave its source leases back (one lane left)


async def test_two_articles_of_one_story_placed_at_once_by_two_workers_share_one_thread(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    path = two_empty_feeds(remote, tmp_path)
    async with workers(path, 2) as (first, second):
        await first.poll_once()  # both feeds' baselines
        arrived: list[str] = []
        both = asyncio.Event()

        def held(body: str) -> web.RequestHandler:  # answers once both workers asked: they place concurrently
            async def handler(request: web.Request) -> web.Response:
                arrived.append(request.path)
                if len(arrived) == 2:
                    both.set()
                await asyncio.wait_for(both.wait(), 10)
                return web.Response(text=body, content_type="application/rss+xml")
            return handler

        remote.route("/f0.xml", held(feed("Policy Wire", EN)))
        remote.route("/f1.xml", held(feed("Le Fil", FR)))
        specs = {spec.id: spec for spec in first.config.sources()}
        await asyncio.gather(first.poller.run_cycle([specs["f0"]]), second.poller.run_cycle([specs["f1"]]))
        await first.deliverer.deliver_pending()
    story = [post for post in posts(tmp_path) if post["platform"] == "tunely"]
    assert [post["event"] for post in story] == ["story", "update"]  # one opener, the other as a reply
    assert story[1]["reply_to"] == story[0]["thread"] == story[1]["thread"]


async def test_a_story_saved_by_one_worker_is_joined_by_another_that_placed_nothing_yet(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    path = two_empty_feeds(remote, tmp_path)
    async with workers(path, 2) as (first, second):
        await first.poll_once()
        specs = {spec.id: spec for spec in first.config.sources()}
        remote.serve("/f0.xml", feed("Policy Wire", EN))
        await first.poller.run_cycle([specs["f0"]])  # places, then saves the index (the journal is emptied)
        assert await first.store.journal_tip() == 0
        remote.serve("/f1.xml", feed("Le Fil", FR))
        await second.poller.run_cycle([specs["f1"]])  # loaded at start, before the story existed
        await first.deliverer.deliver_pending()  # the worker holding the channel's lane delivers
    story = [post for post in posts(tmp_path) if post["platform"] == "tunely"]
    assert [post["event"] for post in story] == ["story", "update"] and story[1]["reply_to"] == story[0]["thread"]


async def test_what_a_dead_worker_held_is_taken_over_once_its_leases_lapse(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    for n in range(FEEDS):
        remote.serve(f"/f{n}.xml", wire(n, 1))
    path = config_file(tmp_path, remote)
    async with workers(path, 1) as (app,):
        await app.poll_once()
        for n in range(FEEDS):
            remote.serve(f"/f{n}.xml", wire(n, 2))
        remote.hits.clear()
        await app.store.release_leases(app.worker or "")  # the lane goes to a worker that then dies holding it
        app.deliverer._held.clear()  # noqa: SLF001 - this worker's own record of the lane it just gave up
        now = time.time()  # a worker that died holding three sources and the JSONL lane for a second
        dead = await app.store.claim_sources(["f0", "f1", "f2"], "dead-worker", now, now + 1.0)
        assert set(dead) == {"f0", "f1", "f2"}
        assert await app.store.claim_lane("all", "dead-worker", now, now + 1.0)
        cycle, delivery = await app.poll_once()
        assert cycle.sources == FEEDS - 3 and "/f0.xml" not in remote.hits and delivery.delivered == 0
        await wait_for(lambda: time.time() > now + 1.0, timeout=5)
        cycle, delivery = await app.poll_once()
        assert cycle.sources == FEEDS and remote.hits["/f0.xml"] == 1  # its sources are fetched now
        assert delivery.delivered == FEEDS  # and the lane is taken over: every new entry goes out
    assert len(posts(tmp_path)) == FEEDS


async def test_a_named_lock_is_held_by_one_store_and_freed_when_it_closes(tmp_path: Path, database_url: str) -> None:
    first, second = Store.connect(tmp_path, database_url), Store.connect(tmp_path, database_url)
    one, two = await first, await second
    try:
        assert await one.try_lock("clausewatch:chat:slack")
        assert not await two.try_lock("clausewatch:chat:slack")
        await one.close()  # the process holding a chat connection stops (or dies): its session ends
        deadline = asyncio.get_running_loop().time() + 5  # the server ends the session a moment after the close
        while not await two.try_lock("clausewatch:chat:slack"):
            assert asyncio.get_running_loop().time() < deadline, "the lock was never freed"
            await asyncio.sleep(0.02)
    finally:
        await one.close()
        await two.close()


def end_session_holding(database_url: str, name: str) -> None:
    """The server ends the session that holds the named lock (a restart, an idle timeout, a network cut)."""
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
                      "AND l.objsubid = 1 AND l.objid::bigint = (hashtext(current_schema() || '/' || %s)::bigint "
                      "& 4294967295) AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                      [name])


async def test_locks_lost_with_their_session_are_reported_once_and_others_may_take_them(
        tmp_path: Path, database_url: str) -> None:
    one, two = await Store.connect(tmp_path, database_url), await Store.connect(tmp_path, database_url)
    try:
        assert await one.try_lock("clausewatch:chat:slack")
        assert await one.lost_locks() == set()  # the session is alive: nothing lost
        end_session_holding(database_url, "clausewatch:chat:slack")
        deadline = asyncio.get_running_loop().time() + 5
        while not await two.try_lock("clausewatch:chat:slack"):
            assert asyncio.get_running_loop().time() < deadline, "the lock was never freed"
            await asyncio.sleep(0.02)
        assert await one.lost_locks() == {"clausewatch:chat:slack"}
        assert await one.lost_locks() == set()  # said once
        assert not await one.try_lock("clausewatch:chat:slack")  # connected again, and the other holds it now
        assert await one.try_lock("clausewatch:stories")  # the new session takes other locks as before
    finally:
        await one.close()
        await two.close()


async def test_a_worker_whose_lock_session_ended_gives_up_the_chat_connection_another_took(
        remote: Remote, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "SHARED_REFRESH", 0.05)
    path = two_empty_feeds(remote, tmp_path)
    async with FakeSlack() as slack, AsyncExitStack() as stack:
        env = ChatEnv(slack_token=BOT_TOKEN, slack_api_url=slack.api_url)
        first = await stack.enter_async_context(App.open(load_config(path), stdout=io.StringIO(), chat_env=env))
        second = await stack.enter_async_context(App.open(load_config(path), stdout=io.StringIO(), chat_env=env))
        assert "slack" in first.bridges and "slack" not in second.bridges  # one connection, held by the first
        stop = asyncio.Event()
        runs = [asyncio.ensure_future(app.run(stop)) for app in (first, second)]
        try:
            end_session_holding(database_url, "clausewatch:chat:slack")
            await wait_for(lambda: "slack" in second.bridges and "slack" not in first.bridges)
            await wait_for(lambda: first.worker is not None and first.worker in first.store.connection.live_owners)
        finally:
            stop.set()
            await asyncio.gather(*runs)


async def test_a_source_another_worker_fetched_after_this_cycle_began_is_not_fetched_again(
    tmp_path: Path, database_url: str
) -> None:
    store = await Store.connect(tmp_path, database_url)
    try:
        from bot.core.config import SourceSpec

        await store.sync_sources([SourceSpec(id=f"s{n}", kind="feed", platform=None, url=f"https://news.test/{n}",
                                             path=None, interval=900)
                                  for n in range(3)], "2024-01-01T00:00:00+00:00")
        began = time.time()  # this worker's cycle begins; another one fetches s0 and gives its lease back
        assert set(await store.claim_sources(["s0"], "other", began, began + 60)) == {"s0"}
        await store.update_states([("s0", {"lease_owner": None, "lease_until": time.time() + 0.001})])
        claimed = await store.claim_sources(["s0", "s1", "s2"], "this", time.time(), time.time() + 60, since=began)
        assert set(claimed) == {"s1", "s2"}  # s0 was fetched after this cycle began: not again
        later = time.time() + 1  # a cycle that begins after that fetch polls it again
        assert set(await store.claim_sources(["s0"], "this", later, later + 60, since=later)) == {"s0"}
    finally:
        await store.close()


async def test_news_about_no_watched_platform_never_waits_for_the_story_lock(
    remote: Remote, tmp_path: Path, database_url: str
) -> None:
    """Only entries that go into the story index are placed under the story lock: while another worker holds it,
    news naming no platform is recorded and posted, and news about a platform waits for its turn."""
    path = two_empty_feeds(remote, tmp_path)
    other = await Store.connect(tmp_path, database_url)
    try:
        async with workers(path, 1) as (app,):
            await app.poll_once()
            specs = {spec.id: spec for spec in app.config.sources()}
            deadline = asyncio.get_running_loop().time() + 5  # the worker's hold lingers a moment after its last use
            while not await other.try_lock("clausewatch:stories"):  # then another worker is placing
                assert asyncio.get_running_loop().time() < deadline, "the worker never gave the story lock back"
                await asyncio.sleep(0.02)
            remote.serve("/f0.xml", feed("Policy Wire", ("g1", EN[1], "Weather in the valley", "Rain all week.")))
            await asyncio.wait_for(app.poller.run_cycle([specs["f0"]]), 10)  # not held up
            remote.serve("/f1.xml", feed("Le Fil", FR))
            placing = asyncio.ensure_future(app.poller.run_cycle([specs["f1"]]))
            with pytest.raises(TimeoutError):  # fetched, then waiting for the lock: it cannot finish meanwhile
                await asyncio.wait_for(asyncio.shield(placing), 1.0)
            assert remote.hits.get("/f1.xml") == 2
            await other.unlock("clausewatch:stories")
            await asyncio.wait_for(placing, 10)
            await app.deliverer.deliver_pending()
    finally:
        await other.close()
    assert {post["title"] for post in posts(tmp_path)} == {"Weather in the valley", FR[2]}


async def test_the_workers_commits_do_not_wait_for_the_servers_disk(tmp_path: Path, database_url: str) -> None:
    store = await Store.connect(tmp_path, database_url)
    try:
        setting = await store.connection.write(lambda db: db.execute("SHOW synchronous_commit").fetchone()[0])
        assert setting == "off"
    finally:
        await store.close()
