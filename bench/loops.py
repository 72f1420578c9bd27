"""The two sides of the poll benchmarks: the bare aiohttp loop (the baseline) and the configuration the real
pipeline runs with.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from synthetic_feeds import PLATFORMS


def bare_session(concurrency: int, per_host: int, timeout: float) -> aiohttp.ClientSession:
    from bot.core.config import PollSettings

    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=per_host, ttl_dns_cache=300)
    return aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": "bench/poll.py bare loop", "Accept-Encoding": "gzip, deflate"},
        timeout=aiohttp.ClientTimeout(total=timeout or PollSettings().timeout),
    )


async def bare_loop(session: aiohttp.ClientSession, urls: list[str], workers: int,
                    etags: list[str | None] | None = None, record: list[str | None] | None = None,
                    parse: Callable[[bytes], object] | None = None) -> dict[str, int]:
    """GET every URL with `workers` concurrent workers, reading bodies; with `etags`, conditionally; with
    `parse`, each 200 body is handed to it (inline, on the event loop, as a plain script would)."""
    statuses: dict[str, int] = {}
    indices = iter(range(len(urls)))

    async def worker() -> None:
        for index in indices:
            etag = etags[index] if etags else None
            headers = {"If-None-Match": etag} if etag else None
            async with session.get(urls[index], headers=headers) as response:
                body = await response.read()
                if parse is not None and response.status == 200:
                    parse(body)
                if record is not None:
                    record[index] = response.headers.get("ETag")
                key = str(response.status)
                statuses[key] = statuses.get(key, 0) + 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    return statuses


def config_text(storage: Path, urls: list[str], concurrency: int, per_host: int, jsonl: Path | None,
                platforms: int = len(PLATFORMS)) -> str:
    lines = [
        f"storage: {json.dumps(str(storage))}",
        f"poll: {{interval: 1h, concurrency: {concurrency}, per_host: {per_host}, timeout: 60s, max_bytes: 5MB}}",
        "platforms:" if platforms else "platforms: {}",
    ]
    for pid, name, aliases in PLATFORMS[:platforms]:
        lines.append(f"  {pid}: {{name: {json.dumps(name)}, aliases: {json.dumps(list(aliases))}}}")
    lines.append("feeds:")
    lines.extend(f'  - {{id: feed-{index:05d}, url: "{url}"}}' for index, url in enumerate(urls))
    if jsonl is not None:
        lines.append("channels:")
        lines.append(f"  - {{id: archive, jsonl: {json.dumps(str(jsonl))}}}")
    return "\n".join(lines) + "\n"


def cycle_fields(report: Any) -> dict[str, Any]:
    return {
        "ok": report.ok, "not_modified": report.not_modified, "unchanged": report.unchanged,
        "failed": report.failed, "events": report.events, "cycle_report_seconds": round(report.seconds, 3),
    }
