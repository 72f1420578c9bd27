"""The feed server of the poll benchmarks: a spawned process serving the synthetic feeds on 127.0.0.1 (so that
its CPU does not count against the client), with a generation switch (``POST /_generation/<g>``) and request
counters (``GET /_stats``); `Control` talks to those two endpoints.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import multiprocessing
import os
import signal
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from synthetic_feeds import EPOCH, TEMPLATES, feed_body, feed_template


class FeedServer:
    """Serves /feeds/<i>.xml for i < n at the current generation: with `validators`, ETag/Last-Modified and 304s
    to a matching If-None-Match; without, a plain 200 and the same body every time."""

    def __init__(self, n: int, new_per_generation: int, seed: int, validators: bool = True) -> None:
        self.n = n
        self.new = new_per_generation
        self.seed = seed
        self.validators = validators
        self.generation = 1
        self.templates: dict[tuple[int, int], tuple[bytes, str]] = {}
        self.counts: dict[str, int] = {}

    def template(self, index: int) -> tuple[bytes, str]:
        key = (index % TEMPLATES, self.generation)
        found = self.templates.get(key)
        if found is None:
            body = feed_template(key[0], key[1], self.new, self.seed)
            found = self.templates[key] = (body, email.utils.format_datetime(EPOCH + timedelta(days=key[1]), usegmt=True))
        return found

    def _count(self, status: int) -> None:
        self.counts[str(status)] = self.counts.get(str(status), 0) + 1

    async def feed(self, request: web.Request) -> web.Response:
        try:
            index = int(request.match_info["index"])
        except ValueError:
            index = -1
        if not 0 <= index < self.n:
            self._count(404)
            return web.Response(status=404, text="no such feed")
        template, last_modified = self.template(index)
        headers = {"Cache-Control": "max-age=300"}
        if self.validators:
            etag = f'"f{index}-g{self.generation}-s{index % TEMPLATES}"'
            headers.update({"ETag": etag, "Last-Modified": last_modified})
            if request.headers.get("If-None-Match") == etag:
                self._count(304)
                return web.Response(status=304, headers=headers)
        self._count(200)
        headers["Content-Type"] = "application/rss+xml; charset=utf-8"
        return web.Response(body=feed_body(template, index), headers=headers)

    async def set_generation(self, request: web.Request) -> web.Response:
        self.generation = int(request.match_info["generation"])
        self.templates = {k: v for k, v in self.templates.items() if k[1] == self.generation}
        return web.json_response({"generation": self.generation})

    async def stats(self, request: web.Request) -> web.Response:
        rss_kb = 0
        with contextlib.suppress(OSError):
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    rss_kb = int(line.split()[1])
        return web.json_response({"counts": self.counts, "generation": self.generation, "peak_rss_kb": rss_kb})


def serve(conn: Any, n: int, new_per_generation: int, seed: int, validators: bool) -> None:
    """Entry point of the server process: binds 127.0.0.1:0, sends the port through `conn`, serves until
    terminated or until its parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business; it terminates us
    parent = os.getppid()

    async def main() -> None:
        server = FeedServer(n, new_per_generation, seed, validators)
        app = web.Application()
        app.router.add_get("/feeds/{index}.xml", server.feed)
        app.router.add_post("/_generation/{generation}", server.set_generation)
        app.router.add_get("/_stats", server.stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        conn.send(runner.addresses[0][1])
        conn.close()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        try:
            while not stop.is_set():
                if os.getppid() != parent:  # orphaned: the benchmark died without stopping us
                    break
                with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=0.5)
        finally:
            await runner.cleanup()

    asyncio.run(main())


class SpawnedServer:
    """Runs a server function `target(conn, *args)` in a spawned process; it sends its port through `conn`.
    `stop()` always leaves no process behind."""

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...], name: str) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.target = target
        self.args = args
        self.name = name
        self.process: Any = None
        self.port = 0

    def start(self, timeout: float = 60.0) -> int:
        receiver, sender = self.context.Pipe(duplex=False)
        self.process = self.context.Process(target=self.target, args=(sender, *self.args), name=self.name, daemon=True)
        self.process.start()
        sender.close()
        try:
            if not receiver.poll(timeout):
                raise RuntimeError(f"the {self.name} did not start within {timeout:g}s")
            self.port = int(receiver.recv())
        except EOFError:
            raise RuntimeError(f"the {self.name} exited during start-up (exit code {self.process.exitcode})") from None
        finally:
            receiver.close()
        return self.port

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.is_alive():
            process.terminate()
            process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)
        process.close()


class ServerProcess(SpawnedServer):
    """The synthetic feed server (`serve`) in a spawned process."""

    def __init__(self, n: int, new_per_generation: int, seed: int, validators: bool = True) -> None:
        super().__init__(serve, (n, new_per_generation, seed, validators), "bench-feed-server")


class Control:
    """Talks to the server's control endpoints over a session of its own (not part of any measurement)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Control:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.session:
            await self.session.close()

    async def counts(self) -> dict[str, int]:
        assert self.session
        async with self.session.get(f"{self.base}/_stats") as response:
            return dict((await response.json())["counts"])

    async def server_peak_mb(self) -> float:
        assert self.session
        async with self.session.get(f"{self.base}/_stats") as response:
            return (await response.json())["peak_rss_kb"] / 1024

    async def generation(self, value: int) -> None:
        assert self.session
        async with self.session.post(f"{self.base}/_generation/{value}") as response:
            response.raise_for_status()
