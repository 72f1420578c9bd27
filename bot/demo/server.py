"""The demo's stand-in for the outside world: an aiohttp server on 127.0.0.1 serving the bundled
fixtures, stage by stage, with ETags so that unchanged pages answer 304 as real servers do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from aiohttp import web

# path → fixture file served at each stage (None: the server answers 500).
SCHEDULE: dict[str, tuple[str | None, ...]] = {
    "/cloudtune/terms": ("terms-v1.html", "terms-v2.html", "terms-v2.html", "terms-v2-cosmetic.html"),
    "/cloudtune/newsroom.xml": ("newsroom-0.xml", "newsroom-0.xml", "newsroom-2.xml", "newsroom-2.xml"),
    "/news/feed.xml": ("news-0.xml", "news-1.xml", "news-1.xml", "news-3.xml"),
    "/actu/feed.xml": ("actu-0.xml", "actu-0.xml", "actu-2.xml", "actu-2.xml"),
    "/weekly/feed.xml": ("flaky.xml", None, None, "flaky.xml"),
}
STAGES = 4
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/rss+xml; charset=utf-8"}


def fixture(name: str) -> bytes:
    """The bytes of a bundled fixture file."""
    return resources.files("bot.demo").joinpath("fixtures", name).read_bytes()


@dataclass
class FixtureServer:
    """Serves SCHEDULE at the current `stage`; `url(path)` gives the full address."""

    stage: int = 0
    port: int = 0
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _handle(self, request: web.Request) -> web.Response:
        files = SCHEDULE.get(request.path)
        if files is None:
            return web.Response(status=404, text="not found")
        name = files[min(self.stage, len(files) - 1)]
        if name is None:
            return web.Response(status=500, text="Internal Server Error")
        body = fixture(name)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        suffix = name[name.rfind("."):]
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": CONTENT_TYPES[suffix]})
