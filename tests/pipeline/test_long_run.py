"""Running for months: what a long-running `clausewatch run` must keep doing while parts of the world misbehave —
through the real App against local feed servers and the fake Slack (real slack_sdk code paths).

1. Independent schedules: a source that hangs (slow-loris) delays no other source.
2. Delivery lanes: a channel answering 429 with a long Retry-After holds up no other channel, and is not
   hammered while it waits.
3. Aggregate failures: a network outage of many sources is one notice per channel and one recovery reply; an
   isolated failing source keeps its own notice.
4. Honest status: one health vocabulary (`ok`, `erroring (N)`, `failing`, `unavailable`) in `sources` and `status`.
6. Retention: old outbox rows, entry texts, post bodies and cycle records go; the rest stays.
5. Input limits and clean output: a named pipe or a binary file as a snapshot path, two channels on one file, no
   channel at all; feed text printed by commands.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app import App, ChatEnv, load_config
from bot.pipeline.reports import sources_report, status_report
from tests.conftest import Remote, wait_for
from tests.fake_slack import BOT_TOKEN, FakeSlack
from tests.pipeline.test_pipeline import TERMS, config_text, posts, rss


async def run_in_background(app: App) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    return stop, asyncio.ensure_future(app.run(stop))


@pytest.mark.slow
async def test_a_hanging_source_delays_no_other_source(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    released = asyncio.Event()

    async def slow_loris(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        await response.write(b"<?xml version='1.0'?><rss version='2.0'><channel><title>slow</title>")
        await released.wait()  # holds the connection open until the test lets go
        await response.write(b"</channel></rss>")
        return response

    remote.route("/slow.xml", slow_loris)
    remote.serve("/fast.xml", rss(("f1", "Fast news", "body")))
    path = write_config(f"""
        storage: {tmp_path / 'storage'}
        poll: {{interval: 1h, timeout: 60s, jitter: 0}}
        allow_private_networks: true
        feeds:
          - {{id: slow, url: "{remote.url('/slow.xml')}"}}
          - {{id: fast, url: "{remote.url('/fast.xml')}", interval: 1s}}
        channels:
          - {{id: log, jsonl: {tmp_path / 'out.jsonl'}}}
    """)
    async with App.open(load_config(path), stdout=io.StringIO()) as app:
        stop, running = await run_in_background(app)
        try:
            # Every fetch of the fast feed after the first happens while the slow one is still hanging.
            await wait_for(lambda: remote.hits.get("/fast.xml", 0) >= 4, timeout=20)
            assert remote.hits.get("/slow.xml") == 1 and not released.is_set()
            assert "slow" in app.poller.in_flight  # still hanging, while the fast one came and went
        finally:
            released.set()
            stop.set()
            await asyncio.wait_for(running, 30)
    assert remote.hits["/slow.xml"] == 1


async def test_a_rate_limited_channel_holds_up_no_other_channel(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/wire.xml", rss(*((f"t{n}", f"Tunely story number {n}", f"body {n}") for n in range(6))))
    path = write_config(f"""
        storage: {tmp_path / 'storage'}
        poll: {{interval: 1h, timeout: 5s}}
        allow_private_networks: true
        chat: {{pace: 0.05s}}
        feeds:
          - {{id: wire, url: "{remote.url('/wire.xml')}", backfill: 6}}
        channels:
          - {{id: busy, slack: C0BUSY}}
          - {{id: calm, slack: C0CALM}}
    """)
    async with FakeSlack() as slack:
        slack.rate_limited["C0BUSY"] = 60  # a minute of 429s, far longer than the test lasts
        env = ChatEnv(slack_token=BOT_TOKEN, slack_api_url=slack.api_url)
        async with App.open(load_config(path), stdout=io.StringIO(), chat_env=env) as app:
            stop, running = await run_in_background(app)
            try:
                await slack.wait_until(lambda: len(slack.top_level("C0CALM")) == 6, timeout=20)
                busy_calls = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "C0BUSY"]
                # One try, then the lane waits out Slack's Retry-After instead of asking again.
                assert len(busy_calls) == 1 and busy_calls[0].status == 429
                assert slack.top_level("C0BUSY") == []
            finally:
                stop.set()
                await asyncio.wait_for(running, 30)
        pending = await _pending(path)
    assert pending == {"busy": 6}  # kept for the next run, not lost


async def _pending(path: Path) -> dict[str, int]:
    async with App.open(load_config(path), stdout=io.StringIO()) as app:
        rows = await app.store.pending_deliveries(100)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.channel_id] = counts.get(row.channel_id, 0) + 1
    return counts


async def test_an_outage_of_many_sources_is_one_notice_and_one_recovery_per_channel(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    down = True

    async def wire(request: web.Request) -> web.StreamResponse:
        if down and request.transport is not None:
            request.transport.abort()  # the network is gone: the connection breaks
            return web.Response(status=500)
        return web.Response(text=rss((request.path, f"News of {request.path}", "body")),
                            content_type="application/rss+xml")

    feeds = "\n".join(f'          - {{id: wire{n}, url: "{remote.route(f"/wire{n}.xml", wire)}"}}' for n in range(8))
    remote.serve("/gone.xml", "not here", status=404, content_type="text/plain")
    path = write_config(f"""
        storage: {tmp_path / 'storage'}
        poll: {{interval: 1h, timeout: 3s, failure_threshold: 2, outage_sources: 5}}
        allow_private_networks: true
        feeds:
{feeds}
          - {{id: gone, url: "{remote.url('/gone.xml')}"}}
        channels:
          - {{id: log, jsonl: {tmp_path / 'out' / 'all.jsonl'}}}
          - {{id: other, jsonl: {tmp_path / 'out' / 'other.jsonl'}}}
    """)
    async with App.open(load_config(path), stdout=io.StringIO()) as app:
        for _ in range(3):  # past the failure threshold
            await app.poll_once()
        for name in ("all.jsonl", "other.jsonl"):
            notices = [p for p in posts(tmp_path, name) if p["event"] == "source_failing"]
            assert len(notices) == 2
            assert "Source gone is failing" in [p["title"] for p in notices]  # isolated (HTTP 404): its own notice
            outage = next(p for p in notices if p["title"] != "Source gone is failing")
            assert str(outage["title"]).startswith("8 of 9 sources failing since ")
            assert str(outage["title"]).endswith(": cannot connect") and "wire0" in str(outage["text"])
        down = False
        await app.poll_once()
        await app.poll_once()
        recoveries = [p for p in posts(tmp_path) if p["event"] == "source_recovered"]
        assert len(recoveries) == 1 and recoveries[0]["reply_to"] == outage["thread"]
        assert "The 8 sources failing since" in str(recoveries[0]["title"])
        assert {p["event"] for p in posts(tmp_path, "other.jsonl")} == {"source_failing", "source_recovered"}


async def test_status_and_sources_say_the_same_honest_health_word(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/wire.xml", rss(("w1", "Wire news", "body")))
    remote.serve("/newsroom.xml", rss(("n1", "Welcome", "Hello.")))
    remote.serve("/terms", TERMS.format(date="1 March 2024", extra=""), content_type="text/html; charset=utf-8")
    async with App.open(load_config(write_config(config_text(tmp_path, remote, threshold=3))),
                        stdout=io.StringIO()) as app:

        async def words() -> tuple[str, str]:
            (row,) = [r for r in await sources_report(app.config, app.store) if r.kind == "document"]
            (doc,) = (await status_report(app.config, app.store, "tunely"))["documents"]
            return row.health, doc["health"]

        await app.poll_once()
        assert await words() == ("ok", "ok")
        remote.serve("/terms", "gateway trouble", status=502, content_type="text/plain")
        await app.poll_once()
        assert await words() == ("erroring (1)", "erroring (1)")  # not "ok" while it errors below the threshold
        remote.serve("/terms", "<html><body><main><h1>We value your privacy</h1><p>We and our partners use cookies "
                     "to store and access information on your device.</p><p>Accept all</p><p>Reject all</p>"
                     "</main></body></html>", content_type="text/html; charset=utf-8")
        await app.poll_once()
        assert await words() == ("unavailable", "unavailable")  # a cookie wall is not the document
        for _ in range(2):
            await app.poll_once()
        assert await words() == ("unavailable", "unavailable")  # past the threshold too


def test_commands_that_print_feed_text_strip_escapes_and_bidi_controls(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    feed = tmp_path / "wire.xml"
    hostile = "Tunely \x1b[2J\x1b]0;pwned\x07 rewrites \u202eevil\u202c terms"
    feed.write_text(rss(("h1", hostile.replace("\x1b", "&#27;").replace("\x07", "&#7;"), "Tunely body")),
                    encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text(f"storage: {tmp_path / 'storage'}\nplatforms:\n  tunely: {{name: Tunely}}\n"
                      f"feeds:\n  - {{id: wire, path: {feed}, backfill: 1}}\n"
                      f"channels:\n  - {{id: log, jsonl: {tmp_path / 'out.jsonl'}}}\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(config), "poll", "--once"]).exit_code == 0
    for args in (["stories"], ["status", "tunely"], ["why", "https://news.test/h1"]):
        result = runner.invoke(main, ["--config", str(config), *args])
        assert result.exit_code == 0, (args, result.output)
        assert "rewrites" in result.output or args[0] == "why", (args, result.output)
        assert not any(c in result.output for c in "\x1b\x07\u202e\u202c"), (args, repr(result.output))


async def test_a_named_pipe_or_a_binary_file_as_a_snapshot_path_is_a_clear_source_error(
    write_config: Callable[..., Path], tmp_path: Path
) -> None:
    import os
    import random

    pipe = tmp_path / "terms.fifo"
    os.mkfifo(pipe)
    binary = tmp_path / "terms.bin"
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(20_000))  # no NUL byte, not text either
    binary.write_bytes(noise)
    path = write_config(f"""
        storage: {tmp_path / 'storage'}
        poll: {{interval: 1h, timeout: 3s}}
        platforms:
          tunely:
            name: Tunely
            documents:
              - {{type: Terms of Service, path: {pipe}}}
              - {{type: Privacy Policy, path: {binary}}}
        channels:
          - {{id: log, jsonl: {tmp_path / 'out' / 'all.jsonl'}}}
    """)
    async with App.open(load_config(path), stdout=io.StringIO()) as app:
        cycle, _ = await asyncio.wait_for(app.poll_once(), 30)  # a pipe never hangs the poll
        assert cycle.failed == 2
        errors = " | ".join(sorted(cycle.failures.values()))
        assert "the body is binary" in errors and "not a regular file" in errors, errors
        assert (await status_report(app.config, app.store, "tunely"))["documents"][1]["version"] is None


def test_two_channels_on_one_file_are_refused_and_no_channel_is_a_warning(tmp_path: Path) -> None:
    from bot.core.config import ConfigError, parse_config

    try:
        parse_config("channels:\n  - {id: a, jsonl: out.jsonl}\n  - {id: b, jsonl: ./out.jsonl}\n", tmp_path / "f.yaml")
    except ConfigError as error:
        assert "already the output of channel 'a'" in str(error)
    else:
        raise AssertionError("two channels writing one file were accepted")
    quiet = parse_config("feeds:\n  - {id: w, url: 'https://news.test/feed.xml'}\n", tmp_path / "f.yaml")
    assert any(w.startswith("channels: none configured") for w in quiet.warnings)
    empty = parse_config("channels:\n  - {id: a, console: true}\n", tmp_path / "f.yaml")
    assert [w for w in empty.warnings if w.startswith("sources: none configured")]


async def test_why_gives_the_baseline_as_the_reason_for_a_first_poll_entry(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    from bot.pipeline.reports import why_report

    remote.serve("/wire.xml", rss(("g1", "Gardening tips for spring", "Nothing about any platform.")))
    path = write_config(f"""
        storage: {tmp_path / 'storage'}
        poll: {{interval: 1h, timeout: 3s}}
        allow_private_networks: true
        platforms:
          tunely: {{name: Tunely}}
        feeds:
          - {{id: wire, url: "{remote.url('/wire.xml')}"}}
        channels:
          - {{id: log, jsonl: {tmp_path / 'out' / 'all.jsonl'}}}
    """)
    async with App.open(load_config(path), stdout=io.StringIO()) as app:
        await app.poll_once()
        (entry,) = (await why_report(app.config, app.store, "https://news.test/g1"))["entries"]
    assert entry["reason"].startswith("seen on its feed's first poll, which sets the baseline")
    assert "names no watched platform" in entry["reason"]  # true too, but not what held it back


async def test_retention_prunes_what_only_serves_the_recent_past_and_keeps_the_rest(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    from datetime import datetime, timedelta

    async def rows(app: App, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row.values()) for row in await app.store.query(sql)]

    moment = [datetime(2025, 1, 1, 12, tzinfo=UTC)]
    remote.serve("/wire.xml", rss(("old", "Tunely changes its terms", "An old story body.")))
    remote.serve("/newsroom.xml", rss(("n1", "Welcome", "Hello.")))
    remote.serve("/terms", TERMS.format(date="1 March 2024", extra=""), content_type="text/html; charset=utf-8")
    config = load_config(write_config(config_text(tmp_path, remote, backfill=5)))
    async with App.open(config, stdout=io.StringIO(), clock=lambda: moment[0]) as app:
        await app.poll_once()  # the story is posted and delivered
        moment[0] += timedelta(days=120)  # past `entry_texts` (90 days), not yet `entries` (180 days)
        remote.serve("/wire.xml", rss(("new", "Tunely opens a fund", "A fresh story body.")))  # the old one is gone
        await app.poll_once()
        texts = dict(await rows(app, "SELECT identity, text FROM entries WHERE source_id = 'wire'"))
        bodies = [json.loads(m)["text"] for (m,) in await rows(app, "SELECT message FROM events WHERE source_id = 'wire'")]
        [(delivered,)] = await rows(app, "SELECT count(*) AS n FROM deliveries d JOIN events e ON e.id = d.event_id "
                                         "WHERE e.created_at < '2025-02-01'")
        [(cycles,)] = await rows(app, "SELECT count(*) AS n FROM cycles")
        [(snapshots,)] = await rows(app, "SELECT count(*) AS n FROM snapshots")
        [(pending,)] = await rows(app, "SELECT count(*) AS n FROM deliveries WHERE status = 'pending'")
    assert texts["old"] == "" and "fresh story body" in texts["new"]  # no feed carries the old one any more
    assert "" in bodies and any("fresh story body" in b for b in bodies)  # its post keeps title, link, thread
    assert delivered == 0 and cycles == 1 and pending == 0  # the outbox rows and cycle record of 120 days ago
    assert snapshots == 1  # terms versions are kept forever

    async with App.open(config, stdout=io.StringIO(), clock=lambda: moment[0]) as app:
        moment[0] += timedelta(days=100)  # past `retention.entries` (180 days) since the old entry was last seen
        await app.poll_once()
        identities = {row[0] for row in await rows(app, "SELECT identity FROM entries WHERE source_id = 'wire'")}
        titles = [json.loads(m)["title"] for (m,) in await rows(app, "SELECT message FROM events WHERE source_id = 'wire'")]
        assert identities == {"new"} and len(titles) == 1 and "opens a fund" in titles[0]  # the old one's post is gone
        remote.serve("/wire.xml", rss(("new", "Tunely opens a fund", "A fresh story body."),
                                      ("old", "Tunely changes its terms", "An old story body.")))
        await app.poll_once()  # the old article comes back: recorded again, never posted again
        identities = {row[0] for row in await rows(app, "SELECT identity FROM entries WHERE source_id = 'wire'")}
        titles = [json.loads(m)["title"] for (m,) in await rows(app, "SELECT message FROM events WHERE source_id = 'wire'")]
    assert identities == {"new", "old"} and len(titles) == 1 and "opens a fund" in titles[0]
    assert len([p for p in posts(tmp_path) if p["title"] == "Tunely changes its terms"]) == 1


def test_retention_settings_are_range_checked_and_never_keeps_forever(tmp_path: Path) -> None:
    from bot.core.config import ConfigError, parse_config

    try:
        parse_config("retention: {delivered: 1h, fetch_log: soon}\n", tmp_path / "f.yaml")
    except ConfigError as error:
        assert "retention.delivered: at least 1d" in str(error) and "retention.fetch_log" in str(error)
    else:
        raise AssertionError("a retention of an hour was accepted")
    settings = parse_config("retention: {entry_texts: never, delivered: 7d}\n", tmp_path / "f.yaml").retention
    assert settings.entry_texts is None and settings.delivered == 7 * 86400 and settings.fetch_log == 30 * 86400
