"""Fault injection and abuse: what the remote side, the process, the disk and hostile content can do to a
poll cycle — through the real App (or the real `python -m bot` process) against local servers on 127.0.0.1.

1. Remote faults, one scenario each: the faulty source fails with a clear error naming what happened, the
   other sources go on, what was stored before (entries, the last snapshot, the validators) is untouched,
   nothing half-read is posted, and the next poll after the fault recovers (no stuck state).
2. Invalid encodings and wrong content types: read as feedparser reads them, or refused clearly.
3. A feed that grows by 10,000 entries at once.
4. Process: `poll --once` SIGKILLed 20 times at seeded moments of fetch, commit and delivery.
5. Storage: disk full (SQLite `max_page_count`, then RLIMIT_FSIZE on the real process) and read-only storage.
6. Hostile content through console, JSONL, Atom, Slack and Discord (fake servers).

FIGURES counts what the module does (faults injected, kills landed, hostile inputs, losses); the module's
teardown prints it as one line, `fault suite: faults injected: …, kills survived: …, inputs tried: …, losses: 0`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import html
import io
import itertools
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import feedparser
import pytest
from aiohttp import web

from bot.app import App, ChatEnv, load_config
from bot.pipeline.poller import MAX_NEW_PER_POLL, STATE_BATCH
from bot.pipeline.reports import sources_report
from bot.sources.fetcher import Fetcher
from bot.store.database import StoreError
from tests.conftest import Remote
from tests.fake_discord import FakeDiscord
from tests.fake_slack import BOT_TOKEN, FakeSlack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "faults"
FIGURES: Counter[str] = Counter()  # faults, kills, inputs, losses, checked: summed over the module
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# The entries of these tests name no watched platform, so that they never join one another's stories (story
# grouping is not under test here); channels without a platform filter take such news.


@pytest.fixture(scope="module", autouse=True)
def suite_figures(request: pytest.FixtureRequest) -> Iterator[Counter[str]]:
    """Prints the module's figures once, after its last test (for the README's reliability table)."""
    yield FIGURES
    line = (f"fault suite: faults injected: {FIGURES['faults']}, kills survived: {FIGURES['kills']}, "
            f"inputs tried: {FIGURES['inputs']}, entries checked: {FIGURES['checked']}, losses: {FIGURES['losses']}")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        if reporter is not None:  # shown with -q too, after the module's last test
            reporter.write_line("")
            reporter.write_line(line)
        else:
            print(line)


# ---------------------------------------------------------------------------------------------------------
# Feeds, pages and reading the outputs


def item(guid: str, title: str, text: str = "", minute: int = 0, link: str | None = None) -> str:
    when = datetime(2024, 2, 14, 9, tzinfo=UTC) + timedelta(minutes=minute)
    return (f"<item><guid isPermaLink='false'>{guid}</guid><title>{html.escape(title, quote=False)}</title>"
            f"<link>{html.escape(link if link is not None else f'https://news.test/{guid}', quote=False)}</link>"
            f"<pubDate>{email.utils.format_datetime(when, usegmt=True)}</pubDate>"
            f"<description>{html.escape(text or title, quote=False)}</description></item>")


def rss(*items: str, title: str = "Policy Wire", encoding: str = "utf-8") -> str:
    return (f"<?xml version='1.0' encoding='{encoding}'?><rss version='2.0'><channel><title>{title}</title>"
            f"{''.join(items)}</channel></rss>")


TERMS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Tunely Terms</title></head><body>
<nav>menu</nav><main>
<h1>Terms</h1><p>Last updated: 1 March 2024</p>
<h2>1. Content</h2><p>1.1 You keep ownership of your uploads.</p>
<p>1.2 You grant us a licence to host and stream your uploads.</p>{extra}
<h2>2. Accounts</h2><p>2.1 You may close your account at any time.</p>
</main></body></html>"""
TERMS_V1 = TERMS_PAGE.format(extra="")
TERMS_V2 = TERMS_PAGE.format(extra="<p>1.3 Your uploads may be used to train artificial intelligence models.</p>")
RSS_TYPE = "application/rss+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
# What no output may show in a title: zero-width characters and bidirectional overrides/isolates.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def jsonl_records(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSONL output, each of which must be one valid JSON object."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert all(isinstance(record, dict) for record in records)
    return records


def guid_of(record: dict[str, Any]) -> str:
    return str(record["url"]).rsplit("/", 1)[1]


def count_losses(expected: list[str] | set[str], posted: list[str]) -> tuple[set[str], dict[str, int]]:
    """Missing and duplicated items, added to FIGURES (the assertions that follow require both empty)."""
    seen = Counter(posted)
    missing = set(expected) - set(seen)
    doubled = {key: n for key, n in seen.items() if n > 1}
    FIGURES["losses"] += len(missing) + sum(n - 1 for n in doubled.values())
    FIGURES["checked"] += len(set(expected))
    return missing, doubled


def integrity(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def scalar(database: Path, sql: str) -> Any:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchone()[0]


# ---------------------------------------------------------------------------------------------------------
# 1. Remote faults


WIRE, STEADY, TERMS = "wire", "steady", "tunely/terms-of-service"
PATHS = {WIRE: "/wire.xml", STEADY: "/steady.xml", TERMS: "/terms"}
THRESHOLD = 3  # failure_threshold: a storm of THRESHOLD polls posts one source_failing notice
TIMEOUT = 1.0  # poll.timeout of these scenarios, in seconds


@dataclass
class Lab:
    """The local server plus what fault handlers need: a release for handlers that hold a request, and a
    local file that a redirect to file:// would expose if it were followed."""

    remote: Remote
    tmp: Path
    release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def local_feed(self) -> Path:
        path = self.tmp / "local-secret.xml"
        if not path.exists():
            path.write_text(rss(item("secret", "Secret read from the local disk")), encoding="utf-8")
        return path

    async def held(self) -> None:
        """Hold a request until the scenario ends (bounded, so the server can always shut down)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.release.wait(), 30)

    def config(self) -> str:
        return f"""
storage: {self.tmp / 'storage'}
poll: {{interval: 1h, timeout: {TIMEOUT:g}s, max_bytes: 2MB, failure_threshold: {THRESHOLD}}}
platforms:
  tunely:
    name: Tunely
    aliases: [Tunely]
    documents:
      - {{type: Terms of Service, url: "{self.remote.url(PATHS[TERMS])}", select: main}}
feeds:
  - {{id: {WIRE}, url: "{self.remote.url(PATHS[WIRE])}", backfill: 1}}
  - {{id: {STEADY}, url: "{self.remote.url(PATHS[STEADY])}"}}
channels:
  - {{id: all, jsonl: {self.tmp / 'out' / 'all.jsonl'}}}
"""


# The content a faulty response would deliver if the fault were ignored: a feed with an entry that must
# never be posted, a terms version that must never replace the baseline.
FAULTY_BODY = {
    WIRE: (rss(item("cut", "A story that must never be half-read", minute=30),
               item("a1", "Creators open a fund for artists")).encode(), RSS_TYPE),
    TERMS: (TERMS_V2.encode(), HTML_TYPE),
}
Make = Callable[[Lab, bytes, str], Handler]


def hang(lab: Lab, body: bytes, content_type: str) -> Handler:
    """Accepts the request and never answers."""
    async def handler(request: web.Request) -> web.StreamResponse:
        await lab.held()
        return web.Response(body=body, headers={"Content-Type": content_type})
    return handler


def reset_mid_body(lab: Lab, body: bytes, content_type: str) -> Handler:
    """Announces the whole body, sends half of it, then drops the connection."""
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": content_type})
        response.content_length = len(body)
        await response.prepare(request)
        await response.write(body[: len(body) // 2])
        assert request.transport is not None
        request.transport.abort()
        return response
    return handler


def trickle(lab: Lab, body: bytes, content_type: str) -> Handler:
    """A body that never ends: one byte every 20 ms (the fault's own pace), forever."""
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": content_type})  # chunked: no length to refuse
        await response.prepare(request)
        with contextlib.suppress(ConnectionError, RuntimeError):
            for byte in itertools.cycle(body):
                if lab.release.is_set():
                    break
                await response.write(bytes([byte]))
                await asyncio.sleep(0.02)
        return response
    return handler


def status(code: int, headers: Callable[[], dict[str, str]] = dict) -> Make:
    def make(lab: Lab, body: bytes, content_type: str) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=code, text="not now", headers=headers())
        return handler
    return make


def redirect(to: Callable[[Lab, web.Request], str]) -> Make:
    def make(lab: Lab, body: bytes, content_type: str) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            raise web.HTTPFound(to(lab, request))
        return handler
    return make


def serve(payload: bytes, content_type: str) -> Make:
    """A 200 answer with the wrong thing in it."""
    def make(lab: Lab, body: bytes, _content_type: str) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(body=payload, headers={"Content-Type": content_type})
        return handler
    return make


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" * 40
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nstream\n\x00\x01\x02\xff\xfe binary \x00 data\nendstream\n" * 30
HTTP_DATE_IN_AN_HOUR = lambda: {"Retry-After": email.utils.formatdate(time.time() + 3600, usegmt=True)}  # noqa: E731


@dataclass(frozen=True)
class RemoteFault:
    id: str
    target: str  # WIRE (a news feed) or TERMS (a terms document)
    make: Make
    error: str  # what the recorded error must say
    polls: int = 1  # consecutive polls under the fault (a storm crosses failure_threshold)
    retry_after: float | None = None  # seconds the next fetch must wait, when the server said so


REMOTE_FAULTS = [
    RemoteFault("timeout-no-answer", WIRE, hang, f"timed out after {TIMEOUT:g}s"),
    RemoteFault("reset-mid-body", WIRE, reset_mid_body, "connection broken while reading"),
    RemoteFault("endless-slow-body", WIRE, trickle, f"timed out after {TIMEOUT:g}s"),
    RemoteFault("http-500-storm", WIRE, status(500), "HTTP 500 Internal Server Error", polls=THRESHOLD),
    RemoteFault("http-503-storm", WIRE, status(503, lambda: {"Retry-After": "5"}), "HTTP 503 Service Unavailable",
                polls=THRESHOLD + 1),
    RemoteFault("http-429-retry-after-seconds", WIRE, status(429, lambda: {"Retry-After": "120"}),
                "HTTP 429 Too Many Requests", retry_after=120),
    RemoteFault("http-429-retry-after-date", WIRE, status(429, HTTP_DATE_IN_AN_HOUR), "HTTP 429 Too Many Requests",
                retry_after=3600),
    RemoteFault("redirect-loop", WIRE, redirect(lambda lab, request: lab.remote.url(request.path)),
                "more than 5 redirects"),
    # "TLS-less redirects". A source must never be led off http(s): a redirect to file:// (which would read
    # the bot's own disk), javascript:, data: or ftp: is refused. The https -> plain http downgrade itself
    # is tested with real TLS further down (test_https_source_redirected_to_plain_http_is_refused).
    RemoteFault("redirect-to-file", WIRE, redirect(lambda lab, request: lab.local_feed.as_uri()),
                "redirect to a non-http(s) URL refused: file://"),
    RemoteFault("redirect-to-javascript", WIRE, redirect(lambda lab, request: "javascript:alert(document.cookie)"),
                "redirect to a non-http(s) URL refused: javascript:"),
    RemoteFault("redirect-to-data", WIRE, redirect(lambda lab, request: "data:application/rss+xml,%3Crss%2F%3E"),
                "redirect to a non-http(s) URL refused: data:"),
    RemoteFault("redirect-to-ftp", WIRE, redirect(lambda lab, request: "ftp://127.0.0.1/wire.xml"),
                "redirect to a non-http(s) URL refused: ftp://"),
    RemoteFault("html-page-instead-of-feed", WIRE,
                serve(b"<!DOCTYPE html><html><body><h1>Welcome</h1><p>Our news moved.</p></body></html>",
                      "text/html"), "not a readable feed: not a feed: the body is an HTML page"),
    RemoteFault("json-instead-of-feed", WIRE, serve(b'{"items": [{"title": "News"}]}', "application/json"),
                "not a readable feed"),
    RemoteFault("image-instead-of-feed", WIRE, serve(PNG, "image/png"), "not a readable feed"),
    RemoteFault("utf16-feed-without-bom-or-declaration", WIRE,
                serve(rss(item("u16", "News in UTF-16")).split("?>", 1)[1].encode("utf-16-le"), RSS_TYPE),
                "not a readable feed"),
    RemoteFault("empty-200", WIRE, serve(b"", RSS_TYPE), "not a readable feed: empty body"),
    RemoteFault("terms-timeout", TERMS, hang, f"timed out after {TIMEOUT:g}s"),
    RemoteFault("terms-reset-mid-body", TERMS, reset_mid_body, "connection broken while reading"),
    RemoteFault("terms-http-503", TERMS, status(503), "HTTP 503 Service Unavailable"),
    RemoteFault("terms-as-image", TERMS, serve(PNG, "image/png"), "not a terms page: the server sent image/png content"),
    RemoteFault("terms-as-pdf", TERMS, serve(PDF, "application/pdf"),
                "not a terms page: the server sent application/pdf content"),
    RemoteFault("terms-json-error-with-200", TERMS,
                serve(b'{"error": {"code": 403, "message": "' + b"quota exceeded " * 40 + b'"}}', "application/json"),
                "not a terms page: the server sent application/json content"),
    RemoteFault("terms-binary-labelled-html", TERMS, serve(PNG, "text/html"), "not a terms page: the body is binary"),
    RemoteFault("terms-undeclared-utf16", TERMS, serve(TERMS_V2.encode("utf-16-le"), HTML_TYPE),
                "undeclared UTF-16/UTF-32 encoding"),
]


async def _stored(app: App, source_id: str) -> dict[str, Any]:
    """What a fault must leave untouched: the source's entries, snapshots and validators."""
    return {
        "entries": await app.store.query("SELECT identity, fingerprint, version, title FROM entries WHERE source_id = ? "
                                         "ORDER BY identity", [source_id]),
        "snapshots": await app.store.query("SELECT id, hash FROM snapshots WHERE source_id = ? ORDER BY id", [source_id]),
        "state": await app.store.query("SELECT body_hash, etag, last_modified, primed FROM fetch_state "
                                       "WHERE source_id = ?", [source_id]),
    }


@pytest.mark.parametrize("fault", REMOTE_FAULTS, ids=lambda fault: fault.id)
async def test_remote_fault_fails_clearly_keeps_the_baseline_and_recovers(
    fault: RemoteFault, remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    lab = Lab(remote, tmp_path)
    a1 = item("a1", "Creators open a fund for artists")
    remote.serve(PATHS[WIRE], rss(a1))
    remote.serve(PATHS[STEADY], rss(item("s0", "Old steady news")))
    remote.serve(PATHS[TERMS], TERMS_V1, content_type=HTML_TYPE)
    async with App.open(load_config(write_config(lab.config())), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        cycle, _ = await app.poll_once()  # the baseline: a1 posted (backfill 1), the terms' first snapshot
        assert cycle.failed == 0 and cycle.events == 1
        before = {source: await _stored(app, source) for source in (WIRE, TERMS)}
        assert len(before[TERMS]["snapshots"]) == 1 and len(before[WIRE]["entries"]) == 1

        remote.route(PATHS[fault.target], fault.make(lab, *FAULTY_BODY[fault.target]))
        FIGURES["faults"] += fault.polls  # one per poll under the fault
        remote.serve(PATHS[STEADY], rss(item("s1", "Steady news still arrives", minute=1), item("s0", "Old steady news")))
        for attempt in range(1, fault.polls + 1):
            started = time.time()
            cycle, _ = await app.poll_once()
            # (a) only the faulty source failed; (b) with an error that says what happened
            assert cycle.failed == 1 and set(cycle.failures) == {fault.target}, cycle.failures
            assert fault.error in cycle.failures[fault.target]
            state = app.poller.states[fault.target]
            assert state.last_outcome == "error" and fault.error in (state.last_error or "")
            assert state.consecutive_failures == attempt and state.failing == (attempt >= THRESHOLD)
            if fault.retry_after is not None:  # (e) Retry-After decides when the source is fetched again
                assert started + fault.retry_after - 5 <= (state.next_due_at or 0) <= time.time() + fault.retry_after + 1
                later = time.time() + fault.retry_after
                assert fault.target not in [s.id for s in app.poller.due(later - 10)]
                assert fault.target in [s.id for s in app.poller.due(later + 10)]
        (row,) = [r for r in await sources_report(app.config, app.store) if r.id == fault.target]
        assert row.health == ("failing" if fault.polls >= THRESHOLD else f"erroring ({fault.polls})")
        assert fault.error in (row.last_error or "")
        # (c) the baseline and earlier data are untouched
        assert {source: await _stored(app, source) for source in (WIRE, TERMS)} == before

        lab.release.set()  # (d) the fault is gone: the next poll recovers
        remote.serve(PATHS[WIRE], rss(item("a2", "Artists ask questions about AI", minute=5), a1))
        remote.serve(PATHS[TERMS], TERMS_V1, content_type=HTML_TYPE)
        cycle, _ = await app.poll_once()
        assert cycle.failed == 0, cycle.failures
        state = app.poller.states[fault.target]
        assert state.last_error is None and state.consecutive_failures == 0 and not state.failing
        assert state.last_outcome in ("ok", "unchanged")
        assert len(await app.store.query("SELECT id FROM snapshots WHERE source_id = ?", [TERMS])) == 1

    records = jsonl_records(tmp_path / "out" / "all.jsonl")
    stories = [guid_of(r) for r in records if r["event"] == "story"]
    missing, doubled = count_losses(["a1", "s1", "a2"], stories)
    assert not missing and not doubled and sorted(stories) == ["a1", "a2", "s1"]  # nothing from the fault
    notices = [(r["event"], r["source"]) for r in records if r["event"] != "story"]
    storm = fault.polls >= THRESHOLD
    assert notices == ([("source_failing", fault.target), ("source_recovered", fault.target)] if storm else [])


async def test_https_source_redirected_to_plain_http_is_refused(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    """The TLS-less redirect with real TLS: a local HTTPS server (test certificate for 127.0.0.1 in
    tests/fixtures/faults/, self-signed, valid 2000-2100) whose feed starts redirecting to the plain-http
    server, which serves a tampered copy. The bot's fetcher is used as is; only its session is given the
    test certificate as a trusted root (there is no other way to make a local https server trusted)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(FIXTURES / "localhost-cert.pem", FIXTURES / "localhost-key.pem")
    secure = Remote()
    server = web.Application()
    server.router.add_route("*", "/{tail:.*}", secure.dispatch)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    secure.port = runner.addresses[0][1]

    def https(path: str) -> str:
        return f"https://127.0.0.1:{secure.port}{path}"

    def moved(to: str) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            raise web.HTTPFound(to)
        return handler

    t1, h1 = item("t1", "Terms explained"), item("h1", "A story behind a redirect")
    evil = rss(item("evil", "A fake terms change", minute=9), t1)
    secure.serve("/feed.xml", rss(t1))
    secure.route("/hop.xml", moved(https("/hop-final.xml")))
    secure.serve("/hop-final.xml", rss(h1))
    secure.serve("/feed-tampered.xml", evil)
    remote.serve("/tampered.xml", evil)
    remote.route("/bounce", moved(https("/feed-tampered.xml")))
    config = write_config(f"""
storage: {tmp_path / 'storage'}
poll: {{interval: 1h, timeout: 3s}}
feeds:
  - {{id: tls, url: "{https('/feed.xml')}"}}
  - {{id: hop, url: "{https('/hop.xml')}"}}
channels:
  - {{id: all, jsonl: {tmp_path / 'out' / 'all.jsonl'}}}
""")
    trusting = aiohttp.ClientSession(connector=aiohttp.TCPConnector(
        ssl=ssl.create_default_context(cafile=str(FIXTURES / "localhost-cert.pem"))))
    try:
        async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
            app.poller.fetcher = Fetcher(trusting, app.config.poll)
            cycle, _ = await app.poll_once()
            assert cycle.failed == 0 and cycle.ok == 2  # https works, and an https -> https redirect is followed
            before = await _stored(app, "tls")
            chains = {"https -> http": remote.url("/tampered.xml"), "https -> http -> https": remote.url("/bounce")}
            for attempt, (name, first_hop) in enumerate(chains.items(), 1):
                secure.route("/feed.xml", moved(first_hop))
                FIGURES["faults"] += 1
                cycle, _ = await app.poll_once()
                assert set(cycle.failures) == {"tls"}, name
                assert "redirect from https to plain http refused: http://127.0.0.1:" in cycle.failures["tls"], name
                assert app.poller.states["tls"].consecutive_failures == attempt
                assert await _stored(app, "tls") == before, name  # the tampered copy was not used
            secure.serve("/feed.xml", rss(item("t2", "Terms, part two", minute=3), t1))
            cycle, _ = await app.poll_once()
            assert cycle.failed == 0 and app.poller.states["tls"].last_error is None
    finally:
        await trusting.close()
        await runner.cleanup()
    stories = [guid_of(r) for r in jsonl_records(tmp_path / "out" / "all.jsonl")]
    missing, doubled = count_losses(["t2"], stories)
    assert stories == ["t2"] and not missing and not doubled


# ---------------------------------------------------------------------------------------------------------
# 2. Invalid encodings and wrong content types


CAFE = "Café ☕ culture news"
ENCODED_FEEDS: list[tuple[str, Callable[[str], bytes], str, str | None]] = [
    # (name, body of a feed whose new entry is titled CAFE, Content-Type, what the title must be; None: refused)
    ("utf-8 declared, windows-1252 bytes", lambda feed: feed.replace(" ☕", "").encode("cp1252"), RSS_TYPE,
     "Café culture news"),
    ("utf-16-le without BOM, declared", lambda feed: feed.replace("'utf-8'", "'utf-16'").encode("utf-16-le"),
     "application/rss+xml", CAFE),
    ("utf-16-be without BOM, declared", lambda feed: feed.replace("'utf-8'", "'utf-16'").encode("utf-16-be"),
     "application/rss+xml", CAFE),
    ("utf-16 with BOM, declaration says utf-8", lambda feed: feed.encode("utf-16"), RSS_TYPE, CAFE),
    ("utf-32 with BOM", lambda feed: feed.replace("'utf-8'", "'utf-32'").encode("utf-32"), "application/rss+xml", CAFE),
    ("utf-16-le without BOM or declaration", lambda feed: feed.split("?>", 1)[1].encode("utf-16-le"), RSS_TYPE, None),
    ("truncated utf-8 sequence", lambda feed: feed.encode().replace("é".encode(), b"\xc3"), RSS_TYPE, "Caf"),
    ("overlong utf-8 and a lone surrogate", lambda feed: feed.encode().replace("é".encode(), b"\xc0\xaf\xed\xa0\x80"),
     RSS_TYPE, "Caf"),
    ("unknown encoding name", lambda feed: feed.replace("'utf-8'", "'x-klingon'").encode(), RSS_TYPE, CAFE),
    ("shift_jis declared, invalid bytes", lambda feed: feed.replace("'utf-8'", "'shift_jis'").encode().replace(
        "é".encode(), b"\x81\x7f"), RSS_TYPE, "Caf"),
    ("NUL byte in the title", lambda feed: feed.encode().replace("é".encode(), b"\x00\xc3\xa9"), RSS_TYPE, "Caf"),
    ("header says iso-8859-1, body is utf-8", lambda feed: feed.encode(), "application/rss+xml; charset=iso-8859-1",
     CAFE),
    ("feed served as image/png", lambda feed: feed.encode(), "image/png", CAFE),
    ("feed served as application/octet-stream", lambda feed: feed.encode(), "application/octet-stream", CAFE),
]
ACCENTED = TERMS_V1.replace("at any time.", "at any time (même en été, à 20 h).")
ENCODED_TERMS: list[tuple[str, bytes, str]] = [
    # the baseline terms text (served first in UTF-8) again in another encoding: read as the same text,
    # so no alert and no new version
    ("terms in utf-16 with BOM", ACCENTED.replace('charset="utf-8"', "").encode("utf-16"), "text/html"),
    ("terms in utf-16-le declared in the header", ACCENTED.replace('charset="utf-8"', "").encode("utf-16-le"),
     "text/html; charset=utf-16le"),
    ("terms in windows-1252 declared as utf-8", ACCENTED.encode("cp1252"), HTML_TYPE),
]


async def test_invalid_encodings_are_read_as_feedparser_reads_them_or_refused_clearly(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    feeds = "\n".join(f'  - {{id: enc-{n}, url: "{remote.url(f"/enc-{n}.xml")}"}}' for n in range(len(ENCODED_FEEDS)))
    documents = "\n".join(f'      - {{type: "Policy {n}", url: "{remote.url(f"/doc-{n}")}"}}'
                          for n in range(len(ENCODED_TERMS)))
    config = write_config(f"""
storage: {tmp_path / 'storage'}
poll: {{interval: 1h, timeout: 3s}}
platforms:
  tunely:
    name: Tunely
    documents:
{documents}
feeds:
{feeds}
channels:
  - {{id: log, jsonl: {tmp_path / 'out' / 'all.jsonl'}}}
  - {{id: atom, atom: {tmp_path / 'out' / 'changes.xml'}}}
  - {{id: console, console: true}}
""")
    console = io.StringIO()
    for n in range(len(ENCODED_FEEDS)):
        remote.serve(f"/enc-{n}.xml", rss(item(f"old-{n}", "Old news")))
    for n in range(len(ENCODED_TERMS)):
        remote.serve(f"/doc-{n}", ACCENTED, content_type=HTML_TYPE)
    async with App.open(load_config(config), stdout=console, chat_env=ChatEnv()) as app:
        cycle, _ = await app.poll_once()
        assert cycle.failed == 0
        for n, (_name, encode, content_type, _title) in enumerate(ENCODED_FEEDS):
            remote.serve(f"/enc-{n}.xml", encode(rss(item(f"new-{n}", CAFE, minute=5), item(f"old-{n}", "Old news"))),
                         content_type=content_type)
        for n, (_name, body, content_type) in enumerate(ENCODED_TERMS):
            remote.serve(f"/doc-{n}", body, content_type=content_type)
        FIGURES["inputs"] += len(ENCODED_FEEDS) + len(ENCODED_TERMS)
        cycle, _ = await app.poll_once()
        snapshots = await app.store.query("SELECT count(*) AS n FROM snapshots")
    refused = {f"enc-{n}" for n, case in enumerate(ENCODED_FEEDS) if case[3] is None}
    assert set(cycle.failures) == refused, cycle.failures
    assert all("not a readable feed" in cycle.failures[source] for source in refused)
    assert snapshots[0]["n"] == len(ENCODED_TERMS)  # same terms text in another encoding: no new version
    records = jsonl_records(tmp_path / "out" / "all.jsonl")
    assert [r for r in records if r["event"] != "story"] == []  # no terms_change from a re-encoded page
    titles = {r["source"]: r["title"] for r in records}
    for n, (name, _encode, _type, title) in enumerate(ENCODED_FEEDS):
        if title is None:
            assert f"enc-{n}" not in titles, name
        else:
            assert titles[f"enc-{n}"].startswith(title), (name, titles[f"enc-{n}"])
    missing, doubled = count_losses({f"new-{n}" for n, case in enumerate(ENCODED_FEEDS) if case[3]},
                                    [guid_of(r) for r in records])
    assert not missing and not doubled
    atom = feedparser.parse((tmp_path / "out" / "changes.xml").read_bytes())
    assert not atom.bozo and len(atom.entries) == len(records)  # mis-encoded input never breaks the Atom file
    assert "\x00" not in console.getvalue() and "\x00" not in "".join(e.title for e in atom.entries)


# ---------------------------------------------------------------------------------------------------------
# 3. A feed that grows by 10,000 entries at once


@pytest.mark.slow  # parses one 10,000-entry feed twice (about 4 s)
async def test_a_feed_that_grows_by_ten_thousand_posts_the_cap_and_records_the_rest(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    def flood(count: int, extra: str = "") -> str:
        items = "".join(item(f"n{i}", f"Tunely item {i}", f"Entry {i}.", minute=i) for i in range(count))
        return rss(extra, items, item("old", "Tunely old news", minute=-10))

    remote.serve("/wire.xml", rss(item("old", "Tunely old news", minute=-10)))
    config = write_config(f"""
storage: {tmp_path / 'storage'}
poll: {{interval: 1h, timeout: 20s, max_bytes: 8MB}}
feeds:
  - {{id: wire, url: "{remote.url('/wire.xml')}"}}
channels:
  - {{id: log, jsonl: {tmp_path / 'out' / 'all.jsonl'}}}
""")
    async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        await app.poll_once()
        remote.serve("/wire.xml", flood(10_000))
        FIGURES["faults"] += 1
        cycle, delivery = await app.poll_once()
        assert cycle.failed == 0 and cycle.events == MAX_NEW_PER_POLL and delivery.delivered == MAX_NEW_PER_POLL
        stored = await app.store.query("SELECT count(*) AS n FROM entries WHERE source_id = 'wire'")
        assert stored[0]["n"] == 10_001  # every entry recorded, so none of them is posted later either
        cycle, delivery = await app.poll_once()  # the same 10,000: nothing more
        assert cycle.events == 0 and delivery.delivered == 0
        remote.serve("/wire.xml", flood(10_000, item("n10000", "Tunely item 10000", minute=10_000)))
        cycle, _ = await app.poll_once()  # one more: exactly that one
        assert cycle.events == 1
    posted = [guid_of(r) for r in jsonl_records(tmp_path / "out" / "all.jsonl")]
    newest = [f"n{i}" for i in range(10_000 - MAX_NEW_PER_POLL, 10_001)]
    missing, doubled = count_losses(newest, posted)
    assert not missing and not doubled and sorted(posted) == sorted(newest)  # the newest 50, then the new one


# ---------------------------------------------------------------------------------------------------------
# 4. SIGKILL during fetch, commit and delivery


KILLS = 20
KILL_FEEDS = 40
# Per feed and round: 80 new entries to fetch, commit and deliver each round. Over the 20 rounds a feed gains
# 40, under the 50-per-poll flood cap: a feed that the kills keep from being committed for many rounds in a
# row still has every entry posted (past the cap the oldest would be recorded without a post, by design).
NEW_PER_ROUND = 2


def kill_feed(n: int, guids: list[str]) -> bytes:
    items = [item(guid, f"Tunely story {guid}", f"Report {guid} about Tunely and its terms. " + "Padding. " * 30,
                  minute=index) for index, guid in enumerate(guids)]
    return rss(*reversed(items), title=f"Feed {n}").encode()


@pytest.mark.sqlite_only("checks the SQLite file's integrity after each kill (PostgreSQL: tests/e2e/test_workers.py)")
@pytest.mark.slow
async def test_sigkill_twenty_times_during_fetch_commit_and_delivery_loses_nothing(
    remote: Remote, tmp_path: Path
) -> None:
    """`python -m bot poll --once` is SIGKILLed 20 times while new entries keep arriving: while one of its
    fetches is in flight (killed from inside the server's handler), a seeded few milliseconds after a fetch
    was answered (commits run then), and once its JSONL delivery has written a seeded number of lines. Then
    two clean runs. Every entry must be stored, every new one in the JSONL once, nothing left pending."""
    rng = random.Random(20261124)
    guids = {n: [f"k{n}-old-{i}" for i in range(3)] for n in range(KILL_FEEDS)}
    bodies = {n: kill_feed(n, guids[n]) for n in range(KILL_FEEDS)}
    run: dict[str, Any] = {"process": None, "hits": 0, "kill_at": None, "answered": asyncio.Event(), "answer_at": None}

    async def feed(request: web.Request) -> web.StreamResponse:
        run["hits"] += 1
        if run["hits"] == run["kill_at"] and run["process"] is not None:
            run["process"].kill()  # the fetch is in flight: it never gets its answer
        response = web.Response(body=bodies[int(request.path.split("-")[1].split(".")[0])],
                                headers={"Content-Type": RSS_TYPE})
        if run["hits"] == run["answer_at"]:
            run["answered"].set()
        return response

    for n in range(KILL_FEEDS):
        remote.route(f"/kill-{n}.xml", feed)
    config = tmp_path / "feeds.yaml"
    config.write_text("\n".join([
        "storage: ./storage", "poll: {interval: 1h, failure_threshold: 1000, timeout: 10s}", "feeds:",
        *[f'  - {{id: k{n}, url: "{remote.url(f"/kill-{n}.xml")}"}}' for n in range(KILL_FEEDS)],
        "channels:", "  - {id: archive, jsonl: out/posts.jsonl}"]) + "\n", encoding="utf-8")
    jsonl = tmp_path / "out" / "posts.jsonl"

    def lines() -> int:
        with contextlib.suppress(FileNotFoundError):
            return jsonl.read_bytes().count(b"\n")
        return 0

    async def start(kill_at: int | None = None, answer_at: int | None = None) -> asyncio.subprocess.Process:
        """A run of `poll --once`; killed from the server at its `kill_at`-th request, or `answered` is set
        once its `answer_at`-th request was answered."""
        run["hits"], run["kill_at"], run["answer_at"] = 0, kill_at, answer_at
        run["answered"] = asyncio.Event()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "--log-level", "error", "poll", "--once",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        run["process"] = process
        return process

    async def finish(process: asyncio.subprocess.Process) -> None:
        await asyncio.wait_for(process.wait(), 120)
        assert process.returncode == 0, (await process.stderr.read()).decode() if process.stderr else ""

    await finish(await start())  # the baseline: entries recorded, nothing posted
    expected: set[str] = set()
    killed: Counter[str] = Counter()
    for round_number in range(KILLS):
        for n in range(KILL_FEEDS):
            fresh = [f"k{n}-r{round_number}-{i}" for i in range(NEW_PER_ROUND)]
            guids[n].extend(fresh)
            expected.update(fresh)
            bodies[n] = kill_feed(n, guids[n])
        phase = ("fetch", "commit", "delivery")[round_number % 3]
        if phase == "fetch":
            process = await start(kill_at=rng.randint(1, KILL_FEEDS))
        elif phase == "commit":
            process = await start(answer_at=rng.randint(KILL_FEEDS // 2, KILL_FEEDS))
            await asyncio.wait_for(run["answered"].wait(), 60)
            with contextlib.suppress(TimeoutError):  # the kill lands at a seeded moment, unless the run is over
                await asyncio.wait_for(process.wait(), rng.uniform(0.0, 0.04))
            if process.returncode is None:
                process.kill()
        else:  # leftovers of a killed run are delivered before the cycle: wait for the cycle's own delivery
            process = await start(answer_at=KILL_FEEDS)
            await asyncio.wait_for(run["answered"].wait(), 60)
            target = lines() + rng.randint(1, KILL_FEEDS * NEW_PER_ROUND // 4)  # in its first quarter
            deadline = time.monotonic() + 60
            while lines() < target and process.returncode is None and time.monotonic() < deadline:
                await asyncio.sleep(0.002)  # watching the output file grow
            if process.returncode is None:
                process.kill()
        await asyncio.wait_for(process.wait(), 60)
        if process.returncode == -signal.SIGKILL:
            killed[phase] += 1
        else:
            assert process.returncode == 0, (await process.stderr.read()).decode() if process.stderr else ""
    for _ in range(2):
        await finish(await start())

    landed = sum(killed.values())
    FIGURES["kills"] += landed
    FIGURES["faults"] += landed
    print(f"kills landed: {landed}/{KILLS} {dict(killed)}")
    assert landed >= KILLS - 4 and killed["fetch"] >= 6 and killed["delivery"] >= 3, killed  # they landed mid-run
    records = jsonl_records(jsonl)  # json.loads of every line: no torn line survived
    posted = [guid_of(record) for record in records]
    missing, doubled = count_losses(expected, posted)
    assert not missing and not doubled, (sorted(missing)[:5], list(doubled)[:5])
    assert set(posted) == expected and all(record["event"] == "story" for record in records)
    database = tmp_path / "storage" / "clausewatch.db"
    assert integrity(database) == "ok"
    assert scalar(database, "SELECT count(*) FROM deliveries WHERE status != 'done'") == 0
    assert scalar(database, "SELECT count(*) FROM events") == len(expected)
    assert scalar(database, "SELECT count(*) FROM entries") == sum(len(g) for g in guids.values())  # no entry lost


# ---------------------------------------------------------------------------------------------------------
# 5. Disk full and read-only storage


def grown_feed(n: int, new: int) -> str:
    """Feed f<n>: two old entries and `new` newer ones, each with a 1 KB text (a disk fills up fast)."""
    items = [item(f"f{n}-new-{i}", f"Tunely f{n} new {i}", "Long report. " * 80, minute=100 + i) for i in range(new)]
    items += [item(f"f{n}-old-{i}", f"Tunely f{n} old {i}", "Long report. " * 80, minute=i) for i in range(2)]
    return rss(*items)


@pytest.mark.sqlite_only("fills the SQLite file to its page limit")
async def test_disk_full_mid_cycle_is_a_clear_error_and_the_next_poll_posts_everything(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite's `max_page_count` (set on the bot's own writer connection) plays a full disk: the cycle
    stops with a StoreError naming the database, nothing is half-written, and once there is room again
    the next poll stores and posts everything that was pending."""
    for n in range(5):
        remote.serve(f"/f{n}.xml", grown_feed(n, 0))
    config = write_config("\n".join([
        f"storage: {tmp_path / 'storage'}", "poll: {interval: 1h, timeout: 5s}", "feeds:",
        *[f'  - {{id: f{n}, url: "{remote.url(f"/f{n}.xml")}"}}' for n in range(5)],
        "channels:", f"  - {{id: log, jsonl: {tmp_path / 'out' / 'all.jsonl'}}}"]) + "\n")
    database = tmp_path / "storage" / "clausewatch.db"
    async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        await app.poll_once()
        pages = (await app.store.query("PRAGMA page_count"))[0]["page_count"]
        await app.store.write(lambda db: db.execute(f"PRAGMA max_page_count = {pages + 4}"))
        for n in range(5):
            remote.serve(f"/f{n}.xml", grown_feed(n, 40))
        FIGURES["faults"] += 1
        caplog.clear()
        with pytest.raises(StoreError, match=r"clausewatch\.db: database or disk is full"):
            await app.poll_once()
        refused = [r for r in caplog.records if "not recorded" in r.getMessage()]
        assert refused and all(r.exc_info is None for r in refused)  # one clear line each, no traceback
        assert not [r for r in caplog.records if r.exc_info]
        assert integrity(database) == "ok"
        assert scalar(database, "SELECT count(*) FROM entries") == 10  # nothing half-written
        await app.store.write(lambda db: db.execute("PRAGMA max_page_count = 1073741823"))  # room again
        cycle, delivery = await app.poll_once()
        assert cycle.failed == 0 and cycle.events == 200 and delivery.delivered == 200
    posted = [guid_of(r) for r in jsonl_records(tmp_path / "out" / "all.jsonl")]
    missing, doubled = count_losses({f"f{n}-new-{i}" for n in range(5) for i in range(40)}, posted)
    assert not missing and not doubled
    assert integrity(database) == "ok" and scalar(database, "SELECT count(*) FROM entries") == 210


async def test_state_writes_refused_in_the_background_stop_the_cycle_and_the_next_poll_records_every_source(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path, backend: str
) -> None:
    """A quiet cycle hands its fetch-state writes to the writer thread in batches and goes on fetching. When the
    storage refuses such a batch (here SQLite's `query_only`, as a volume remounted read-only would), the cycle
    starts no further source and ends with a StoreError naming the database; once writes are accepted again, the
    next poll records every source."""
    count = STATE_BATCH + 144
    for n in range(count):
        remote.serve(f"/q{n}.xml", rss(item(f"q{n}", f"Tunely q{n}", "Quiet.", minute=1)), etag=f'"q{n}"')
    config = write_config("\n".join([
        f"storage: {tmp_path / 'storage'}", "poll: {interval: 1h, timeout: 5s, concurrency: 8}", "feeds:",
        *[f'  - {{id: q{n}, url: "{remote.url(f"/q{n}.xml")}"}}' for n in range(count)]]) + "\n")
    # How a backend is told to refuse writes on the writer's connection, to allow them again, and what it says.
    refuse, allow, says = {
        "sqlite": ("PRAGMA query_only = 1", "PRAGMA query_only = 0", r"clausewatch\.db: attempt to write a readonly database"),
        "postgresql": ("SET default_transaction_read_only = on", "SET default_transaction_read_only = off",
                       r"cannot write to postgresql://.*read-only transaction"),
    }[backend]
    async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        await app.poll_once()
        assert (await app.store.query("SELECT count(*) AS n FROM fetch_state WHERE fetches = 1"))[0]["n"] == count
        await app.store.write(lambda db: db.execute(refuse))
        before = len(remote.requests)
        with pytest.raises(StoreError, match=says):
            await app.poller.run_cycle()
        assert len(remote.requests) - before < count  # the sources after the refusal were not started
        await app.store.write(lambda db: db.execute(allow))
        cycle, _ = await app.poll_once()
        assert cycle.failed == 0 and cycle.not_modified == count
        assert (await app.store.query("SELECT count(*) AS n FROM fetch_state WHERE last_outcome = 'not_modified'"))[0][
            "n"] == count


def cli_setup(tmp_path: Path, feeds: int = 3) -> tuple[Path, list[Path]]:
    paths = [tmp_path / "feeds" / f"f{n}.xml" for n in range(feeds)]
    paths[0].parent.mkdir()
    for n, path in enumerate(paths):
        path.write_text(grown_feed(n, 0), encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text("\n".join(["storage: ./storage", "poll: {interval: 1h}", "feeds:",
                                 *[f"  - {{id: f{n}, path: feeds/f{n}.xml}}" for n in range(feeds)],
                                 "channels:", "  - {id: log, jsonl: out/all.jsonl}"]) + "\n", encoding="utf-8")
    return config, paths


def grow(paths: list[Path], count: int) -> set[str]:
    for n, path in enumerate(paths):
        path.write_text(grown_feed(n, count), encoding="utf-8")
    return {f"f{n}-new-{i}" for n in range(len(paths)) for i in range(count)}


# Runs the CLI with a file-size limit: past it every write fails (EFBIG), as on a full disk. Works for root too.
LIMITED = """
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
sys.argv = ["clausewatch", *sys.argv[2:]]
runpy.run_module("bot", run_name="__main__", alter_sys=True)
"""


def cli(config: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    prefix = [sys.executable, "-c", LIMITED, str(limit)] if limit is not None else [sys.executable, "-m", "bot"]
    return subprocess.run([*prefix, "--config", str(config), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})


@pytest.mark.sqlite_only("limits the SQLite file's size")
@pytest.mark.slow
def test_disk_full_under_the_real_process_is_a_clear_error_and_no_corruption(tmp_path: Path) -> None:
    config, paths = cli_setup(tmp_path)
    assert cli(config, "poll", "--once").returncode == 0
    database = tmp_path / "storage" / "clausewatch.db"
    entries = scalar(database, "SELECT count(*) FROM entries")
    fresh = grow(paths, 40)
    FIGURES["faults"] += 1
    full = cli(config, "--log-level", "error", "poll", "--once", limit=database.stat().st_size + 16 * 1024)
    lines = full.stderr.strip().splitlines()
    assert full.returncode == 1 and "Traceback" not in full.stderr, full.stderr
    assert lines[-1].startswith(f"error: cannot write to {database}: "), full.stderr
    assert all("not recorded: cannot write to" in line for line in lines[:-1]), full.stderr
    assert integrity(database) == "ok"
    assert (scalar(database, "SELECT count(*) FROM entries") - entries) % 40 == 0  # whole feeds or nothing
    again = cli(config, "poll", "--once")  # room again
    assert again.returncode == 0, again.stderr
    posted = [guid_of(r) for r in jsonl_records(tmp_path / "out" / "all.jsonl")]
    missing, doubled = count_losses(fresh, posted)
    assert not missing and not doubled and integrity(database) == "ok"
    assert scalar(database, "SELECT count(*) FROM deliveries WHERE status != 'done'") == 0


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Makes `folder` and its files refuse writes for this user. chmod does not bind root, so as root the
    files are made immutable (chattr +i: refused even to root, EPERM). Yields how it was done."""
    files = [folder, *folder.iterdir()]
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in files}
        for path in files:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield "chmod a-w"
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", *map(str, files)], capture_output=True).returncode != 0:
        subprocess.run([chattr or "chattr", "-i", *map(str, files)], capture_output=True)
        pytest.skip("running as root without chattr +i (CAP_LINUX_IMMUTABLE): nothing short of a mount makes a "
                    "folder read-only for root; the disk-full tests cover refused writes")
    try:
        yield "chattr +i"
    finally:
        subprocess.run([chattr, "-i", *map(str, files)], check=True)


@pytest.mark.sqlite_only("makes the SQLite storage folder read-only")
@pytest.mark.slow
def test_read_only_storage_is_a_clear_one_line_error_and_no_corruption(tmp_path: Path) -> None:
    config, paths = cli_setup(tmp_path)
    assert cli(config, "poll", "--once").returncode == 0
    database = tmp_path / "storage" / "clausewatch.db"
    entries = scalar(database, "SELECT count(*) FROM entries")
    fresh = grow(paths, 5)
    with read_only(tmp_path / "storage") as how:
        FIGURES["faults"] += 1
        refused = cli(config, "poll", "--once")
        # What can be read is still read: a volume mounted read-only can be inspected.
        reads = {args: cli(config, *args) for args in (("sources", "--json"), ("sources",), ("status", "--json"),
                                                        ("status",), ("stories",))}
        health = cli(config, "health")
        export = cli(config, "export", str(tmp_path / "copy.tar.gz"))
    for args, answer in reads.items():
        assert answer.returncode == 0 and answer.stdout.strip(), (args, answer.stderr)
    assert json.loads(reads[("sources", "--json")].stdout) and "unable to open" not in str(reads)
    assert health.returncode == 1 and "cannot write to" in health.stderr, health.stderr  # honest: no writes possible
    assert export.returncode == 0, export.stderr
    assert refused.returncode == 1, (how, refused.stderr)
    (line,) = refused.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith(f"error: cannot lock {tmp_path / 'storage' / 'clausewatch.lock'}: "), line
    assert re.search(r"Permission denied|Operation not permitted|Read-only file system", line), line
    assert integrity(database) == "ok" and scalar(database, "SELECT count(*) FROM entries") == entries
    assert cli(config, "poll", "--once").returncode == 0  # writable again: what was pending is posted
    missing, doubled = count_losses(fresh, [guid_of(r) for r in jsonl_records(tmp_path / "out" / "all.jsonl")])
    assert not missing and not doubled


# ---------------------------------------------------------------------------------------------------------
# 6. Hostile content in every output


MENTIONS = "@everyone @here <!channel> <!here> <!everyone> <@U0123ABC> <@!42> <@&456789> <#C0FANS> <!subteam^S1|@team>"
MARKUP = ("*bold* _italic_ ~strike~ `code` **md** __under__ ||spoiler|| # Heading > quote [click me](javascript:alert(1)) "
          "[safe](https://news.test/ok) <http://evil.test|click here> <javascript:alert(2)|y>")
INVISIBLES = "Tunely\u200b\u200c\u200d\u200e\u200f policy \u202egnp.exe\u202c \u2066isolated\u2069 \u202aembedded\u202c"
HUGE = 10 * 1024 * 1024
HOSTILE = [
    # (guid, title, description text, link)
    ("mentions", f"Tunely news {MENTIONS} ping", f"Hey {MENTIONS}, read this", None),
    ("markup", f"Tunely {MARKUP}", f"Body {MARKUP} ```fenced``` <b>html</b>", None),
    ("invisible", INVISIBLES, f"Text {INVISIBLES}", None),
    ("huge-title", "Tunely " + "policy " * (HUGE // 7), "A ten megabyte title.", None),
    ("js-link", "Tunely javascript link", "Link is javascript:alert(document.cookie)", "javascript:alert(document.cookie)"),
    ("js-link-mixed-case", "Tunely JaVaScRiPt link", "Mixed case", "  JaVaScRiPt:alert(1)"),
    ("data-link", "Tunely data link", "A data: URL", "data:text/html,<script>alert(1)</script>"),
]


def hostile_feed(update: bool = False) -> str:
    items = []
    for index, (guid, title, text, link) in enumerate(HOSTILE):
        if update and guid == "mentions":
            text += f" Update: {MENTIONS} again"
        # the description is HTML: escaped twice so that its text, once read, still holds the raw markup
        when = email.utils.format_datetime(datetime(2024, 2, 14, 9, index, tzinfo=UTC), usegmt=True)
        items.append(f"<item><guid isPermaLink='false'>{guid}</guid><title>{html.escape(title, quote=False)}</title>"
                     f"<link>{html.escape(link or f'https://news.test/{guid}', quote=False)}</link><pubDate>{when}</pubDate>"
                     f"<description>{html.escape(html.escape(text, quote=False), quote=False)}</description></item>")
    return rss(*items, title="Hostile Wire")


def _web(url: str | None) -> bool:
    return url is None or bool(re.match(r"https?://", url))


@pytest.mark.slow
async def test_hostile_content_is_rendered_inert_in_every_output(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/hostile.xml", hostile_feed())
    console = io.StringIO()
    async with FakeSlack() as slack, FakeDiscord() as discord:
        room = discord.add_text_channel("policy-news")
        config = write_config(f"""
storage: {tmp_path / 'storage'}
poll: {{interval: 1h, timeout: 30s, max_bytes: 16MB}}
chat: {{pace: 0s}}
feeds:
  - {{id: hostile, url: "{remote.url('/hostile.xml')}", backfill: {len(HOSTILE)}}}
channels:
  - {{id: console, console: true}}
  - {{id: log, jsonl: {tmp_path / 'out' / 'all.jsonl'}}}
  - {{id: feed, atom: {tmp_path / 'out' / 'changes.xml'}}}
  - {{id: slack, slack: C0HOSTILE}}
  - {{id: discord, discord: "{room}"}}
""")
        env = ChatEnv(slack_token=BOT_TOKEN, slack_api_url=slack.api_url, discord_token=discord.token,
                      discord_api_url=discord.api_url, discord_gateway_url=discord.gateway_url,
                      discord_ca_file=discord.ca_file)
        async with App.open(load_config(config), stdout=console, chat_env=env) as app:
            cycle, delivery = await app.poll_once()  # backfill: every hostile entry is posted on the first poll
            assert cycle.failed == 0 and cycle.events == len(HOSTILE)
            remote.serve("/hostile.xml", hostile_feed(update=True))
            cycle, delivery = await app.poll_once()  # an update: a reply in the thread
            assert cycle.events == 1 and not delivery.errors, delivery.errors
            stored = await app.store.query("SELECT max(length(title)) AS title FROM entries")
            assert stored[0]["title"] <= 1_000  # the 10 MB title is not kept whole in the database
        FIGURES["inputs"] += len(HOSTILE) + 1
        events = len(HOSTILE) + 1

        # JSONL: one valid record per line (jsonl_records parses each line), the text kept as data, titles
        # capped, links only http(s); the hostile text did reach the outputs.
        records = jsonl_records(tmp_path / "out" / "all.jsonl")
        assert len(records) == events
        assert all(_web(r["url"]) for r in records) and all(len(r["title"]) <= 300 for r in records)
        by_entry = {r["key"].split(":")[2]: r for r in records if r["event"] == "story"}
        assert {by_entry[guid]["url"] for guid in ("js-link", "js-link-mixed-case", "data-link")} == {None}
        assert any("@everyone" in r["title"] and "<!channel>" in r["title"] for r in records)
        assert max(len(line) for line in (tmp_path / "out" / "all.jsonl").read_text(encoding="utf-8").splitlines()) < 20_000

        # Console: no invisible or bidi characters, titles capped, no javascript: address printed as a link.
        printed = console.getvalue()
        assert not INVISIBLE.search(printed) and "\x1b" not in printed
        heads = [line for line in printed.splitlines() if "[story]" in line or "[update]" in line]
        assert len(heads) == events and all(len(line) <= 330 for line in heads)
        assert not any(line.strip().lower().startswith(("javascript:", "data:")) for line in printed.splitlines())

        # Atom: valid, titles clean and capped, links only http(s), text never markup.
        raw = (tmp_path / "out" / "changes.xml").read_text(encoding="utf-8")
        atom = feedparser.parse(raw.encode())
        assert not atom.bozo and len(atom.entries) == events
        assert all(not INVISIBLE.search(e.title) and len(e.title) <= 300 for e in atom.entries)
        assert all(_web(link.href) for e in atom.entries for link in e.get("links", []))
        assert not re.search(r"href=\"\s*(javascript|data):", raw, re.IGNORECASE)
        assert all(e.summary_detail.type == "text/plain" for e in atom.entries)

        # Slack: every post; no mention, channel or link markup from the feed (only our own http(s) title
        # links), nothing that makes Slack ping (`link_names`), no invisible characters, titles capped.
        posts = [m for m in slack.messages if m.channel == "C0HOSTILE"]
        assert len(posts) == events
        for post in posts:
            assert not post.params.get("link_names") and post.params.get("mrkdwn") in (False, "false", "0", 0)
            texts = [post.text, *post.block_texts()]
            for text in texts:
                assert not INVISIBLE.search(text), text[:200]
                for match in re.finditer(r"<([^>]*)", text):
                    assert re.match(r"https?://", match[1]), text[:300]  # `<!channel>`, `<@U…>`: escaped
            first_line = post.text.split("\n", 1)[0]
            assert len(html.unescape(first_line)) <= 300
            mrkdwn = [obj["text"] for block in post.blocks for obj in [block.get("text")] if isinstance(obj, dict)
                      and obj.get("type") == "mrkdwn"]
            assert all(re.fullmatch(r"\*<https?://[^|>]+\|[^<>]*>\*", text) for text in mrkdwn), mrkdwn
            # `[x](javascript:…)` is no link syntax in mrkdwn (shown as text); `<javascript:…|…>` arrived escaped.

        # Discord: every post (threads included) allows no mention at all, and shows none: mass, user, role
        # and channel mentions are broken with a zero-width space, masked links lose javascript: targets,
        # embeds link only http(s), titles and thread names capped, no bidi override.
        bodies = [call.body for call in discord.message_posts()]
        assert bodies and all((body.get("allowed_mentions") or {}).get("parse") == [] for body in bodies)
        assert all(not (body.get("allowed_mentions") or {}).get(kind) for body in bodies for kind in ("users", "roles"))
        messages = discord.all_messages()
        assert len(messages) == events
        shown: list[str] = [t["name"] for t in discord.threads(room)]
        assert all(len(name) <= 100 for name in shown)
        for message in messages:
            for embed in message["embeds"]:
                assert _web(embed.get("url")) and len(embed.get("title") or "") <= 256
                shown += [embed.get("title") or "", embed.get("description") or "",
                          *(f["value"] for f in embed.get("fields") or [])]
            shown.append(message.get("content") or "")
        for text in shown:
            assert not re.search(r"@(everyone|here)", text) and not re.search(r"<[@#]", text), text[:300]
            assert not re.search(r"\]\(\s*<?\s*(javascript|data):", text, re.IGNORECASE), text[:300]
            assert not INVISIBLE.search(text.replace("@\u200b", "@").replace("<\u200b", "<")), text[:300]
