"""The whole bot against fake chat platforms: feeds polled from a local server, events through the
store's outbox, delivered by the real Slack adapter, and /policy answered by the real command service."""

from __future__ import annotations

import asyncio
import io
import os
import random
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.app import App, ChatEnv, load_config
from bot.pipeline.reports import routes_report
from tests.conftest import Remote
from tests.e2e.test_crash_safety import _write_feed
from tests.fake_discord import MANAGE_GUILD, FakeDiscord
from tests.fake_slack import BOT_TOKEN, FakeSlack, form_body
from tests.pipeline.test_metrics import free_port
from tests.pipeline.test_pipeline import posts, rss

pytestmark = pytest.mark.slow  # whole processes; skipped by the quick tier (-m "not slow")

SECRET = "e2e-signing-secret-0123456789abcdef"
ARTISTS = "C0ARTISTS"


def config_text(tmp: Path, remote: Remote, slack_port: int) -> str:
    return f"""
storage: {tmp / 'storage'}
poll: {{interval: 1h, timeout: 3s}}
allow_private_networks: true
chat: {{pace: 0s, slack_port: {slack_port}, slack_host: 127.0.0.1}}
platforms:
  tunely:
    name: Tunely
  cloudtune:
    name: Cloudtune
feeds:
  - {{id: wire, url: "{remote.url('/wire.xml')}", backfill: 5}}
channels:
  - {{id: artists, slack: {ARTISTS}, platforms: [tunely]}}
  - {{id: log, jsonl: {tmp / 'out' / 'all.jsonl'}}}
"""


@asynccontextmanager
async def running(path: Path, slack: FakeSlack, listen: bool = False) -> AsyncIterator[App]:
    env = ChatEnv(slack_token=BOT_TOKEN, slack_api_url=slack.api_url, slack_signing_secret=SECRET if listen else None)
    async with App.open(load_config(path), stdout=io.StringIO(), chat_env=env, listen=listen) as app:
        yield app


async def slash(port: int, fields: dict[str, str]) -> int:
    body = form_body(fields)
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body) or ""}
    async with aiohttp.ClientSession() as session, \
            session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as response:
        return response.status


async def test_a_story_opens_a_slack_thread_and_its_update_replies_in_it(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/wire.xml", rss(("t1", "Tunely adds an AI clause", "Tunely may train models on uploads.")))
    async with FakeSlack() as slack:
        path = write_config(config_text(tmp_path, remote, free_port()))
        async with running(path, slack) as app:
            await app.poll_once()
            remote.serve("/wire.xml", rss(("t1", "Tunely adds an AI clause",
                                           "Tunely may train models on uploads. Tunely says an opt-out comes in March.")))
            await app.poll_once()
            await app.poll_once()  # nothing new: nothing more is posted
        parents = slack.top_level(ARTISTS)
        assert [p.key for p in parents] == [posts(tmp_path)[0]["key"]]
        replies = slack.replies(ARTISTS, parents[0].ts)
        # The added passage, then the statement it carries: two replies, no second parent.
        assert len(replies) == 2 and "opt-out comes in March" in " ".join(replies[0].block_texts())
        assert str(replies[1].key).endswith(":statement:0")
        assert "opt-out comes in March" in posts(tmp_path)[1]["text"]


async def test_a_refused_slack_channel_is_switched_off_and_other_routes_go_on(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/wire.xml", rss(("t1", "Tunely adds an AI clause", "x"), ("t2", "Tunely opens a fund", "y")))
    async with FakeSlack() as slack:
        slack.error_next("chat.postMessage", "not_in_channel")
        path = write_config(config_text(tmp_path, remote, free_port()))
        async with running(path, slack) as app:
            _, delivery = await app.poll_once()
            assert delivery.disabled == ["artists"]
            assert len(posts(tmp_path)) == 2  # the JSONL route got both
            assert "artists" not in app.deliverer.outputs and "artists" in app.routes.disabled
            rows = {row.id: row for row in await routes_report(app.config, app.store, {})}
            assert rows["artists"].health == "disabled" and "not_in_channel" in (rows["artists"].last_error or "")
            calls = len(slack.calls_to("chat.postMessage"))
            remote.serve("/wire.xml", rss(("t1", "Tunely adds an AI clause", "x"), ("t2", "Tunely opens a fund", "y"),
                                          ("t3", "Tunely again", "z")))
            await app.poll_once()
            assert len(slack.calls_to("chat.postMessage")) == calls and len(posts(tmp_path)) == 3
        async with running(path, slack) as app:  # still off after a restart, with its reason
            assert "artists" in app.routes.disabled and "artists" not in app.deliverer.outputs


async def test_subscribe_from_slack_routes_the_next_story_to_that_channel(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/wire.xml", rss(("t1", "Tunely adds an AI clause", "x")))
    port = free_port()
    async with FakeSlack(admins={"U0ADMIN"}) as slack:
        path = write_config(config_text(tmp_path, remote, port))
        async with running(path, slack, listen=True) as app:
            assert await slash(port, slack.slash_command("subscribe cloudtune", user="U0MEMBER", channel="C0FANS",
                                                         response="refused")) == 200
            await slack.wait_until(lambda: len(slack.responses) == 1)
            assert slack.responses[0]["response_type"] == "ephemeral"
            assert await slash(port, slack.slash_command("subscribe cloudtune", user="U0ADMIN", channel="C0FANS",
                                                         response="ok")) == 200
            await slack.wait_until(lambda: len(slack.responses) == 2)
            assert "Subscribed to platform cloudtune" in str(slack.responses[1])
            remote.serve("/wire.xml", rss(("t1", "Tunely adds an AI clause", "x"),
                                          ("c1", "Cloudtune rewrites its licence", "Cloudtune terms.")))
            await app.poll_once()
            fans = slack.top_level("C0FANS")
            assert len(fans) == 1 and "Cloudtune rewrites its licence" in fans[0].text
            assert [p.key for p in slack.top_level(ARTISTS)] == [posts(tmp_path)[0]["key"]]  # tunely only
            assert await slash(port, slack.slash_command("subscriptions", channel="C0FANS", response="list")) == 200
            await slack.wait_until(lambda: len(slack.responses) == 3)
            assert "platform: cloudtune" in str(slack.responses[2])


async def poll_once_process(config: Path, env: dict[str, str], kill_after: float | None) -> bool:
    """Run `clausewatch poll --once`; SIGKILL it after `kill_after` seconds if still running. True if killed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "--log-level", "error", "poll", "--once",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env=env)
    try:
        await asyncio.wait_for(process.wait(), timeout=kill_after or 120)
    except TimeoutError:
        process.kill()
        await process.wait()
        return True
    assert process.returncode == 0, (await process.stderr.read()).decode() if process.stderr else ""
    return False


async def test_sigkill_during_slack_delivery_then_restart_posts_each_story_once(tmp_path: Path) -> None:
    """`poll --once` is killed at seeded moments while it posts to a slow Slack (a post may be stored but
    not confirmed when the process dies); clean runs then finish. Each story is in Slack exactly once."""
    rng = random.Random(20261122)
    feeds = [tmp_path / "feeds" / f"feed-{n}.xml" for n in range(8)]
    feeds[0].parent.mkdir()
    guids = {path: [f"{path.stem}-old"] for path in feeds}
    for path in feeds:
        _write_feed(path, guids[path])
    config = tmp_path / "feeds.yaml"
    lines = ["storage: ./storage", "poll: {interval: 1h}", "chat: {pace: 0s}", "platforms: {tunely: {name: Tunely}}",
             "feeds:", *[f"  - {{id: {p.stem}, path: feeds/{p.name}}}" for p in feeds],
             "channels:", f"  - {{id: artists, slack: {ARTISTS}}}"]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    async with FakeSlack(post_delay=0.03) as slack:
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url, "PYTHONUNBUFFERED": "1"}
        env.pop("SLACK_SIGNING_SECRET", None)
        env.pop("SLACK_APP_TOKEN", None)

        def poll(kill_after: float | None = None) -> Awaitable[bool]:
            return poll_once_process(config, env, kill_after)

        assert not await poll()  # the baseline: nothing posted
        expected: set[str] = set()
        started = 0.0
        killed = 0
        for round_number in range(7):
            for path in feeds:
                fresh = [f"{path.stem}-r{round_number}-{i}" for i in range(3)]
                guids[path].extend(fresh)
                expected.update(fresh)
                _write_feed(path, guids[path])
            if round_number == 0:  # measure a whole run with deliveries, to aim the kills inside it
                started = time.monotonic()
                assert not await poll()
                duration = time.monotonic() - started
                continue
            killed += await poll(kill_after=rng.uniform(0.2, max(0.3, duration * 0.9)))
        assert not await poll()
        assert not await poll()
    posted = [m.text.split("\n", 1)[0].rsplit(" ", 1)[1] for m in slack.messages if m.channel == ARTISTS]
    assert killed >= 3, "the kills must land while the run works for this test to mean anything"
    assert sorted(posted) == sorted(expected), "every new story exactly once in Slack"
    with sqlite3.connect(tmp_path / "storage" / "clausewatch.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM deliveries WHERE status != 'done'").fetchone()[0] == 0


def discord_config(tmp: Path, remote: Remote, channel_id: str) -> str:
    return f"""
storage: {tmp / 'storage'}
poll: {{interval: 1h, timeout: 3s}}
allow_private_networks: true
chat: {{pace: 0s}}
platforms:
  tunely:
    name: Tunely
  cloudtune:
    name: Cloudtune
feeds:
  - {{id: wire, url: "{remote.url('/wire.xml')}", backfill: 5}}
channels:
  - {{id: server, discord: "{channel_id}", platforms: [tunely]}}
  - {{id: log, jsonl: {tmp / 'out' / 'all.jsonl'}}}
"""


@asynccontextmanager
async def on_discord(path: Path, fake: FakeDiscord, listen: bool = False) -> AsyncIterator[App]:
    env = ChatEnv(discord_token=fake.token, discord_api_url=fake.api_url, discord_gateway_url=fake.gateway_url,
                  discord_ca_file=fake.ca_file)
    async with App.open(load_config(path), stdout=io.StringIO(), chat_env=env, listen=listen) as app:
        yield app


async def test_a_story_opens_a_discord_thread_and_its_update_goes_into_it(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/wire.xml", rss(("t1", "Tunely adds an AI clause", "Tunely may train models on uploads.")))
    async with FakeDiscord() as fake:
        channel = fake.add_text_channel("policy-news")
        path = write_config(discord_config(tmp_path, remote, channel))
        async with on_discord(path, fake) as app:
            await app.poll_once()
            remote.serve("/wire.xml", rss(("t1", "Tunely adds an AI clause",
                                           "Tunely may train models on uploads. Tunely says an opt-out comes in March.")))
            await app.poll_once()
        opener = fake.posted(channel)
        threads = fake.threads(channel)
        assert len(opener) == 1 and opener[0]["embeds"][0]["title"] == "Tunely adds an AI clause"
        assert len(threads) == 1
        inside = fake.posted(threads[0]["id"])
        # the added passage, then the statement it carries, both inside the thread
        assert len(inside) == 2 and "opt-out comes in March" in inside[0]["embeds"][0]["description"]
        assert inside[1]["embeds"][0]["title"] == "Tunely responds"
        stored = await _thread_ref(path, "server")
        assert stored == threads[0]["id"]  # remembered in the store, so replies after a restart go there too


async def _thread_ref(path: Path, channel_id: str) -> str | None:
    config = load_config(path)
    with sqlite3.connect(config.storage / "clausewatch.db") as conn:
        row = conn.execute("SELECT ref FROM threads WHERE channel_id = ?", [channel_id]).fetchone()
    return row[0] if row else None


async def test_discord_missing_permissions_switch_the_route_off_and_policy_answers_in_the_server(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/wire.xml", rss(("t1", "Tunely adds an AI clause", "x")))
    async with FakeDiscord() as fake:
        channel = fake.add_text_channel("policy-news")
        fake.deny(channel, 50013)
        path = write_config(discord_config(tmp_path, remote, channel))
        async with on_discord(path, fake, listen=True) as app:
            _, delivery = await app.poll_once()
            assert delivery.disabled == ["server"] and len(posts(tmp_path)) == 1
            assert "Missing Permissions" in app.routes.disabled["server"]
            status = await fake.invoke("status", platform="tunely", channel_id=channel)
            assert not status.defer_ephemeral and "Tunely: terms status" in str(status.shown)
            refused = await fake.invoke("subscribe", target="cloudtune", channel_id=channel)
            assert refused.defer_ephemeral and "Only admins" in str(refused.shown)
            allowed = await fake.invoke("subscribe", target="cloudtune", channel_id=channel, permissions=MANAGE_GUILD)
            assert "Subscribed to platform cloudtune" in str(allowed.shown)
            suggestions = await fake.autocomplete("status", focused="platform", platform="clo")
            assert [c["value"] for c in suggestions.choices] == ["cloudtune"]
            listing = await fake.invoke("subscriptions", channel_id=channel)
            assert "Missing Permissions" in str(listing.shown) and "/policy resume" in str(listing.shown)
            fake.denied.pop(channel)  # an admin fixed the bot's permissions
            resumed = await fake.invoke("resume", channel_id=channel, permissions=MANAGE_GUILD)
            assert "Delivery resumed" in str(resumed.shown) and "server" not in app.routes.disabled
            await app.poll_once()
            assert [m["embeds"][0]["title"] for m in fake.posted(channel)] == ["Tunely adds an AI clause"]


async def test_sigkill_during_discord_delivery_then_restart_posts_each_story_once(tmp_path: Path) -> None:
    """As for Slack: killed while posting (a message may be stored, its thread not yet created), then
    restarted; every story is one message in the channel with one thread, thanks to the nonce."""
    rng = random.Random(20261123)
    feeds = [tmp_path / "feeds" / f"feed-{n}.xml" for n in range(6)]
    feeds[0].parent.mkdir()
    guids = {path: [f"{path.stem}-old"] for path in feeds}
    for path in feeds:
        _write_feed(path, guids[path])
    async with FakeDiscord() as fake:
        fake.post_delay = 0.03
        channel = fake.add_text_channel("policy-news")
        config = tmp_path / "feeds.yaml"
        config.write_text("\n".join([
            "storage: ./storage", "poll: {interval: 1h}", "chat: {pace: 0s}",
            "feeds:", *[f"  - {{id: {p.stem}, path: feeds/{p.name}}}" for p in feeds],
            "channels:", f"  - {{id: server, discord: \"{channel}\"}}"]) + "\n", encoding="utf-8")
        env = {**os.environ, "DISCORD_TOKEN": fake.token, "DISCORD_API_URL": fake.api_url,
               "DISCORD_GATEWAY_URL": fake.gateway_url, "DISCORD_CA_FILE": fake.ca_file, "PYTHONUNBUFFERED": "1"}

        def poll(kill_after: float | None = None) -> Awaitable[bool]:
            return poll_once_process(config, env, kill_after)

        assert not await poll()
        expected: set[str] = set()
        killed = 0
        duration = 0.0
        for round_number in range(5):
            for path in feeds:
                fresh = [f"{path.stem}-r{round_number}-{i}" for i in range(3)]
                guids[path].extend(fresh)
                expected.update(fresh)
                _write_feed(path, guids[path])
            if round_number == 0:
                started = time.monotonic()
                assert not await poll()
                duration = time.monotonic() - started
                continue
            # Aim inside the delivery, which comes after start-up (about 2 s to log in and see the guild).
            killed += await poll(kill_after=rng.uniform(duration * 0.5, duration * 0.95))
        assert not await poll()
        assert not await poll()
        openers = fake.posted(channel)
        titles = [m["embeds"][0]["title"].rsplit(" ", 1)[1] for m in openers]
        threads = fake.threads(channel)
    assert killed >= 2, "the kills must land while the run works for this test to mean anything"
    assert sorted(titles) == sorted(expected), "every new story exactly once in the channel"
    assert sorted(t["id"] for t in threads) == sorted(m["id"] for m in openers), "one thread per story"
