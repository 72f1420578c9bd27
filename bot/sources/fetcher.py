"""HTTP and local-file fetching with the foundation's limits: concurrency, per-host, timeout, size cap,
redirect limit and conditional GET. Every failure comes back as a FetchResult, never as an exception.
"""

from __future__ import annotations

import asyncio
import email.utils
import stat
import time
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiohttp
import xxhash

from bot.core.config import PollSettings
from bot.sources.network_guard import ForbiddenAddress, GuardedResolver, NetworkGuard, guard_trace

CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one fetch: `ok` with a body, `not_modified` (HTTP 304), or `error` with a reason."""

    outcome: str
    body: bytes = b""
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    final_url: str | None = None
    error: str | None = None
    error_kind: str | None = None
    retry_after: float | None = None
    elapsed: float = 0.0

    body_hash: str = field(init=False, default="")

    def __post_init__(self) -> None:
        # Computed once: the poller compares it, stores it and records it with the snapshot. It only tells whether a
        # body is the one fetched last time, so a fast 128-bit hash (XXH3, ~2 µs for 40 KB; SHA-256 took ~23 µs,
        # the largest cost of a quiet cycle) does: nobody gains by making two bodies of one source collide.
        object.__setattr__(self, "body_hash", xxhash.xxh3_128_hexdigest(self.body))


class FetchFailed(Exception):
    def __init__(self, kind: str, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


def build_session(settings: PollSettings, guard: NetworkGuard | None = None) -> aiohttp.ClientSession:
    """A session whose connection pool is sized by the global and per-host limits. With a `guard`, every
    resolved address and every redirect hop is checked (for URLs added from chat)."""
    connector = aiohttp.TCPConnector(limit=settings.concurrency, limit_per_host=settings.per_host, ttl_dns_cache=300,
                                     resolver=GuardedResolver(guard) if guard else None)
    return aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=aiohttp.ClientTimeout(total=settings.timeout),
        raise_for_status=False,
        trace_configs=[guard_trace(guard)] if guard else None,
    )


class Fetcher:
    """Fetches URLs (`http(s)://`, `file://`) and local paths under the configured limits."""

    def __init__(self, session: aiohttp.ClientSession, settings: PollSettings, guard: NetworkGuard | None = None) -> None:
        # Global and per-host limits are the session connector's (see build_session); a guarded fetcher
        # (URLs from chat) needs a session built with the same guard, which checks resolved addresses.
        self.session = session
        self.settings = settings
        self.guard = guard

    async def fetch(self, location: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        started = time.monotonic()
        try:
            if self.guard is not None:
                self.guard.check_url(location)
            if not location.startswith(("http://", "https://")):
                parts = urlsplit(location)
                scheme = parts.scheme.lower()
                if scheme == "file":  # bounded by the poll timeout too (a slow or network disk)
                    body = await asyncio.wait_for(asyncio.to_thread(self._read_file, Path(unquote(parts.path))),
                                                  self.settings.timeout)
                    return FetchResult("ok", body=body, status=200, final_url=location, elapsed=time.monotonic() - started)
                if scheme not in ("http", "https"):
                    raise FetchFailed("url", f"unsupported URL scheme {scheme or '(none)'!r} in {location!r}")
            # The session's ClientTimeout(total) bounds the whole request, body included.
            return await self._fetch_http(location, etag, last_modified, started)
        except (FetchFailed, TimeoutError, ForbiddenAddress, aiohttp.ClientError, OSError) as error:
            failure = error if isinstance(error, FetchFailed) else self._failure(error)
            return FetchResult("error", status=failure.status, error=str(failure), error_kind=failure.kind,
                               retry_after=failure.retry_after, elapsed=time.monotonic() - started)

    def _failure(self, error: BaseException) -> FetchFailed:
        """What a fetch that raised is recorded as: its kind and a readable reason (most specific first)."""
        if isinstance(error, TimeoutError):
            return FetchFailed("timeout", f"timed out after {self.settings.timeout:g}s")
        if isinstance(error, ForbiddenAddress):
            return FetchFailed("forbidden", str(error))
        if isinstance(error, aiohttp.TooManyRedirects):
            return FetchFailed("redirects", f"more than {self.settings.max_redirects} redirects")
        if isinstance(error, (aiohttp.NonHttpUrlRedirectClientError, aiohttp.InvalidUrlRedirectClientError)):
            # e.g. Location: file:///etc/passwd or javascript:…; aiohttp refuses to follow, we say so plainly.
            return FetchFailed("redirects", f"redirect to a non-http(s) URL refused: {error}")
        if isinstance(error, aiohttp.ClientConnectorError):
            return FetchFailed("connection", f"cannot connect: {error.os_error or error}")
        if isinstance(error, (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError)):
            return FetchFailed("connection", f"connection broken while reading: {error}")
        if isinstance(error, aiohttp.InvalidURL):
            return FetchFailed("url", f"invalid URL: {error}")
        kind = "http" if isinstance(error, aiohttp.ClientError) else "connection"
        return FetchFailed(kind, f"{type(error).__name__}: {error}")

    async def _fetch_http(self, url: str, etag: str | None, last_modified: str | None, started: float) -> FetchResult:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        # aiohttp counts the redirect it refuses: +1 follows exactly `max_redirects` hops.
        async with self.session.get(url, headers=headers, max_redirects=self.settings.max_redirects + 1) as response:
            if response.history and response.history[0].url.scheme == "https":
                _refuse_downgrade(response)
            response_headers = response.headers
            if response.status == 304:  # the hot path of a quiet cycle: keep it lean
                return FetchResult("not_modified", status=304, etag=response_headers.get("ETag"),
                                   last_modified=response_headers.get("Last-Modified"),
                                   elapsed=time.monotonic() - started)
            common = {
                "elapsed": 0.0,
                "status": response.status,
                "etag": response_headers.get("ETag"),
                "last_modified": response_headers.get("Last-Modified"),
                "content_type": response_headers.get("Content-Type"),
                "final_url": str(response.url),
            }
            if response.status >= 400 or response.status < 200:
                raise FetchFailed(
                    "http", f"HTTP {response.status} {response.reason or ''}".strip(), response.status,
                    _retry_after(response.headers.get("Retry-After")),
                )
            declared = response.content_length
            if declared is not None and declared > self.settings.max_bytes:
                raise FetchFailed("too_large", f"response of {declared} bytes exceeds max_bytes ({self.settings.max_bytes})",
                                  response.status)
            if declared is not None and response_headers.get("Content-Encoding", "identity").lower() == "identity":
                body = await response.read()  # exactly the declared length, under the cap: no chunk loop needed
            else:  # streamed or compressed: the size is known only while reading (a gzip bomb stops at the cap)
                body = await self._read_capped(response)
            common["elapsed"] = time.monotonic() - started
            return FetchResult("ok", body=body, **common)  # type: ignore[arg-type]

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        body = bytearray()
        async for chunk in response.content.iter_chunked(CHUNK):
            body.extend(chunk)
            if len(body) > self.settings.max_bytes:
                raise FetchFailed("too_large", f"response exceeds max_bytes ({self.settings.max_bytes} bytes); "
                                  "download aborted", response.status)
        return bytes(body)

    def _read_file(self, path: Path) -> bytes:
        """A regular file's bytes up to the size cap. A named pipe, device or socket is refused before it is
        opened: opening a pipe waits for a writer forever."""
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
                raise FetchFailed("file", f"not a regular file (a pipe, device or socket): {path}")
            size = info.st_size
            if size > self.settings.max_bytes:
                raise FetchFailed("too_large", f"{path} is {size} bytes, over max_bytes ({self.settings.max_bytes})")
            with path.open("rb") as handle:
                return handle.read(self.settings.max_bytes + 1)
        except FileNotFoundError:
            raise FetchFailed("file", f"no such file: {path}") from None
        except IsADirectoryError:
            raise FetchFailed("file", f"is a folder, not a file: {path}") from None
        except PermissionError:
            raise FetchFailed("file", f"permission denied: {path}") from None


def _refuse_downgrade(response: aiohttp.ClientResponse) -> None:
    """An https source that redirected through plain http: what arrived could have been rewritten by anyone
    on the path (a fake terms change, a fake story), so it is refused rather than used."""
    for hop in (*response.history[1:], response):
        if hop.url.scheme == "http":
            raise FetchFailed("redirects", f"redirect from https to plain http refused: {hop.url}", response.status)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 allows both)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())
