"""Shared fixtures: a local aiohttp server that plays remote feeds and pages, and config writers."""

from __future__ import annotations

import asyncio
import os
import re
import select
import textwrap
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psycopg
import pytest
from aiohttp import web

from tests.postgres import ADMIN_URL, ThrowAwayDatabase


@dataclass
class Remote:
    """A local HTTP server on 127.0.0.1. Register responses with `route(path, handler)` or `serve(...)`."""

    port: int = 0
    handlers: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    requests: list[web.Request] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> str:
        self.handlers[path] = handler
        return self.url(path)

    def serve(self, path: str, body: bytes | str, content_type: str = "application/rss+xml; charset=utf-8",
              status: int = 200, etag: str | None = None, headers: dict[str, str] | None = None) -> str:
        """Serve a fixed body; with `etag`, a matching If-None-Match gets 304."""
        data = body.encode("utf-8") if isinstance(body, str) else body

        async def handler(request: web.Request) -> web.StreamResponse:
            extra = dict(headers or {})
            if etag is not None:
                extra["ETag"] = etag
                if request.headers.get("If-None-Match") == etag:
                    return web.Response(status=304, headers=extra)
            return web.Response(body=data, status=status, headers={"Content-Type": content_type, **extra})

        return self.route(path, handler)

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        self.requests.append(request)
        handler = self.handlers.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)


@pytest.fixture
async def remote() -> AsyncIterator[Remote]:
    server = Remote()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.dispatch)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        await runner.cleanup()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a feeds.yaml (dedented) into a temporary folder and return its path."""

    def write(text: str, name: str = "feeds.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll `predicate` until true (no fixed sleeps in tests)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def read_until(stream: IO[str] | None, pattern: str, timeout: float = 30.0) -> re.Match[str]:
    """Read a child process's pipe until the regex `pattern` matches what it wrote (select with a deadline, no
    fixed sleep); AssertionError with what was read when it does not in time or the pipe closes."""
    assert stream is not None
    fd = stream.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    while (found := re.search(pattern, seen.decode(errors="replace"))) is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{pattern!r} not written in time; got: {seen.decode(errors='replace')[-2000:]}")
        readable, _, _ = select.select([fd], [], [], remaining)
        if readable:
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"the process ended before writing {pattern!r}: {seen.decode(errors='replace')[-2000:]}")
            seen += chunk
    return found


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[ThrowAwayDatabase]:
    """This test process's throw-away PostgreSQL database (see tests/postgres.py)."""
    try:
        database = ThrowAwayDatabase()
    except psycopg.OperationalError as error:
        reason = (f"PostgreSQL is not reachable at {ADMIN_URL} ({str(error).strip()}): the PostgreSQL runs need a "
                  f"server (.ci/run starts one; elsewhere set CLAUSEWATCH_TEST_POSTGRES to a database you may create "
                  f"databases from)")
        if os.environ.get("CLAUSEWATCH_TEST_POSTGRES"):  # CI asked for PostgreSQL: its absence is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    yield database
    database.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test once on each store backend: SQLite under the config's storage folder, and PostgreSQL (a fresh
    schema, given to the bot as $CLAUSEWATCH_DATABASE_URL, which overrides `storage`)."""
    if request.param == "sqlite":
        monkeypatch.delenv("CLAUSEWATCH_DATABASE_URL", raising=False)
        yield "sqlite"
        return
    database: ThrowAwayDatabase = request.getfixturevalue("postgres_database")
    for url in database.schema_url():
        monkeypatch.setenv("CLAUSEWATCH_DATABASE_URL", url)
        yield "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `sqlite_only(reason)` checks the SQLite file itself: its PostgreSQL run is not collected."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        callspec = getattr(item, "callspec", None)
        if marker is not None and callspec is not None and callspec.params.get("backend") == "postgresql":
            assert marker.args, f"{item.nodeid}: sqlite_only needs its reason"
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
