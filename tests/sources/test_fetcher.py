"""The fetcher's limits against a local server: status codes, 304, timeouts, size cap, redirects,
concurrency, and local files. Every failure comes back as a result with a readable reason."""

from __future__ import annotations

import asyncio
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.core.config import PollSettings
from bot.sources.fetcher import Fetcher, build_session
from tests.conftest import Remote


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    settings = PollSettings(timeout=1.0, max_bytes=64 * 1024, concurrency=6, per_host=2)
    async with build_session(settings) as session:
        yield Fetcher(session, settings)


async def test_ok_body_and_validators(remote: Remote, fetcher: Fetcher) -> None:
    url = remote.serve("/feed", "<rss/>", etag='"abc"', headers={"Last-Modified": "Wed, 14 Feb 2024 10:00:00 GMT"})
    result = await fetcher.fetch(url)
    assert result.outcome == "ok" and result.body == b"<rss/>" and result.status == 200
    assert result.etag == '"abc"' and result.last_modified == "Wed, 14 Feb 2024 10:00:00 GMT"
    again = await fetcher.fetch(url, etag='"abc"')
    assert again.outcome == "not_modified" and again.body == b""


async def test_server_error_is_reported_with_status(remote: Remote, fetcher: Fetcher) -> None:
    url = remote.serve("/feed", "boom", status=500)
    result = await fetcher.fetch(url)
    assert result.outcome == "error" and result.status == 500 and result.error == "HTTP 500 Internal Server Error"


async def test_retry_after_is_kept(remote: Remote, fetcher: Fetcher) -> None:
    url = remote.serve("/feed", "slow down", status=429, headers={"Retry-After": "120"})
    result = await fetcher.fetch(url)
    assert result.status == 429 and result.retry_after == 120


async def test_slow_response_times_out(remote: Remote, fetcher: Fetcher) -> None:
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"<rss>")
        await release.wait()  # never sends the rest
        return response

    url = remote.route("/slow", slow)
    result = await fetcher.fetch(url)
    release.set()
    assert result.outcome == "error" and result.error_kind == "timeout"
    assert result.elapsed < 3


async def test_oversized_declared_body_is_refused(remote: Remote, fetcher: Fetcher) -> None:
    url = remote.serve("/big", b"x" * (200 * 1024))
    result = await fetcher.fetch(url)
    assert result.error_kind == "too_large" and "max_bytes" in (result.error or "")


async def test_oversized_streamed_body_is_aborted_midway(remote: Remote, fetcher: Fetcher) -> None:
    sent = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        response = web.StreamResponse()  # chunked: no Content-Length to refuse early
        await response.prepare(request)
        try:
            for _ in range(10_000):
                await response.write(b"y" * 16384)
                sent += 16384
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    url = remote.route("/endless", endless)
    result = await fetcher.fetch(url)
    assert result.error_kind == "too_large" and "aborted" in (result.error or "")
    assert sent < 10_000 * 16384


async def test_redirect_loop_stops_after_five(remote: Remote, fetcher: Fetcher) -> None:
    async def loop(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(remote.url("/loop"))

    url = remote.route("/loop", loop)
    result = await fetcher.fetch(url)
    assert result.error_kind == "redirects" and "5 redirects" in (result.error or "")
    assert remote.hits["/loop"] == 6


async def test_five_redirects_are_followed(remote: Remote, fetcher: Fetcher) -> None:
    remote.serve("/final", "<rss/>")

    async def hop(request: web.Request) -> web.StreamResponse:
        step = int(request.query.get("n", "1"))
        raise web.HTTPMovedPermanently(remote.url("/final") if step == 5 else remote.url(f"/hop?n={step + 1}"))

    url = remote.route("/hop", hop)
    result = await fetcher.fetch(url)
    assert result.outcome == "ok" and result.final_url == remote.url("/final")
    assert remote.hits["/hop"] == 5


async def test_per_host_limit_is_respected(remote: Remote, fetcher: Fetcher) -> None:
    active = 0
    peak = 0
    gate = asyncio.Event()

    async def counted(request: web.Request) -> web.StreamResponse:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        if peak >= 2:
            gate.set()
        await asyncio.wait_for(gate.wait(), 2)
        active -= 1
        return web.Response(text="<rss/>")

    remote.route("/c", counted)
    results = await asyncio.gather(*(fetcher.fetch(remote.url(f"/c?{i}")) for i in range(6)))
    assert all(r.outcome == "ok" for r in results)
    assert peak == 2  # per_host=2, although 6 could run at once globally


async def test_connection_refused_is_an_error_not_an_exception(fetcher: Fetcher) -> None:
    result = await fetcher.fetch("http://127.0.0.1:9/feed")
    assert result.outcome == "error" and result.error_kind == "connection"


async def test_local_files_and_their_failures(fetcher: Fetcher, tmp_path: Path) -> None:
    snapshot = tmp_path / "terms.md"
    snapshot.write_text("# Terms\n", encoding="utf-8")
    assert (await fetcher.fetch(snapshot.as_uri())).body == b"# Terms\n"
    missing = await fetcher.fetch((tmp_path / "gone.md").as_uri())
    assert missing.error_kind == "file" and "no such file" in (missing.error or "")
    big = tmp_path / "big.md"
    big.write_bytes(b"z" * (65 * 1024))
    assert (await fetcher.fetch(big.as_uri())).error_kind == "too_large"


async def test_unsupported_scheme(fetcher: Fetcher) -> None:
    result = await fetcher.fetch("gopher://example.test/feed")
    assert result.error_kind == "url" and "gopher" in (result.error or "")


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compression_bomb_is_capped_after_decompression(remote: Remote, fetcher: Fetcher, encoding: str) -> None:
    """256 MB of zeros sent as a ~250 KB compressed body: the cap counts decompressed bytes and the
    fetch gives up without ever holding the inflated body in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    block = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(block) for _ in range(256)) + compressor.flush()
    assert len(bomb) < 300 * 1024

    async def send(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml", "Content-Encoding": encoding})
        await response.prepare(request)  # chunked: no Content-Length to refuse early
        try:
            for start in range(0, len(bomb), 16384):
                await response.write(bomb[start:start + 16384])
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    remote.route("/bomb.xml", send)
    tracemalloc.start()
    try:
        result = await fetcher.fetch(remote.url("/bomb.xml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error_kind == "too_large" and "aborted" in (result.error or "")
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while fetching a bomb"
