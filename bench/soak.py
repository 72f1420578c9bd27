"""Soak benchmark: the real pipeline over 10,000 sources answering a mix of 304, 200 and errors, cycle after
cycle, against a bare aiohttp loop doing the same requests in the same run.

What it measures
    N small synthetic RSS 2.0 feeds (default 10,000; ITEMS items of ~0.5 KB each) are served on 127.0.0.1 by
    an aiohttp server in a separate (spawned) process, so that its CPU does not count against the client.
    Before each cycle the server draws, per feed and from a seeded RNG, what that feed does this cycle
    (default mix: 80% unchanged -> 304 to a matching If-None-Match, 15% changed -> 200 with NEW new items,
    and 5% errors: 500, 503 with Retry-After, a connection reset mid-body, or no answer within the client's
    timeout). Both sides see the same plan in a cycle:

    1. bare: one aiohttp session with the pipeline's connector limits and `poll.concurrency` workers that
       send If-None-Match with the ETags they kept and read every body (errors caught and counted);
    2. pipeline: `App.open(config)` once (temporary storage, a JSONL channel unless `--channel none`), then
       per cycle `app.poller.run_cycle()` (fetch, parse, analyse, one transaction per changed source) and,
       timed on its own, `app.deliverer.deliver_pending()`.

    Cycle 0 primes both sides (every feed answers 200; the pipeline records every entry, posts nothing).
    Per cycle it reports wall time of both sides and their ratio, process CPU seconds of both, the
    pipeline's delivery time, RSS after the cycle (after gc), the entries stored and the database size
    (live pages x page size, WAL included, read through SQLite).

Summary
    * cycle time ratio pipeline / bare: median and best over the measured cycles;
    * CPU per cycle of both sides (median), and per source;
    * memory: RSS after warm-up (the priming cycle and the first --warmup cycles) and at the end, the growth
      and the slope (least squares, MB per cycle) over the post-warm-up cycles — target: flat
      (growth under --flat-mb, default 8 MB);
    * database growth per 1,000 entries stored after the priming cycle (entries, versions, events, outbox).

Run (from the repository root; not part of pytest)
    python bench/soak.py                        # 10,000 feeds, 5 cycles after priming (~70 s on 2 cores)
    python bench/soak.py --feeds 2000 --cycles 20
    python bench/soak.py --duration 60          # as many cycles as fit in 60 s after priming (max --cycles)
    python bench/soak.py --json                 # one JSON object on stdout
    python bench/soak.py --platforms 8          # + attribution of entries to 8 platforms and story grouping
    python bench/soak.py --mix 304=70,200=20,500=5,503=2,reset=2,timeout=1 --timeout 1
    python bench/soak.py --year                 # retention: a simulated year, store size month by month

`--year` runs the real App in-process on a simulated clock: FEEDS local feed files (default 20) each gain --new
items a day (default 5; a feed keeps its ITEMS newest, so older entries leave it), one `poll --once`-style cycle a
day (which applies retention), for --days days (default 365). It is run twice in the same process: with the
default `retention:` and with `retention: never` for everything (the baseline). It prints the database file size
(file + WAL on disk) and the entries stored every 30 days, and the ratio of the two at the end. Sizes are
deterministic for a given seed, so one run each is enough (no timing is measured).

By default the config declares no platform: entries are stored and posted without attribution or story
grouping (bench/news.py measures those), so the run measures the polling machinery — fetch, parse, store,
deliver — and its memory. `--platforms N` declares N of the platforms the synthetic entries name.
All feeds share one host, so `per_host` is set to `concurrency` (as in bench/poll.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import gc
import importlib.util
import io
import json
import logging
import os
import platform
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("bot") is None:
    sys.path.insert(0, str(ROOT))

from feed_server import SpawnedServer  # noqa: E402

SEED = 20261122
ITEMS = 8  # items per feed
TEMPLATES = 32  # distinct item texts; feed i uses set i % TEMPLATES with its own ids
PLACEHOLDER = "@@FEED@@"
ACTIONS = ("304", "200", "500", "503", "reset", "timeout")
DEFAULT_MIX = "304=80,200=15,500=2.5,503=1,reset=1.25,timeout=0.25"
EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

log = logging.getLogger("bench.soak")

# ----------------------------------------------------------------------------------------------------------
# Feeds

_PLATFORMS = ("SoundCloud", "Bandcamp", "YouTube", "Patreon", "Twitch", "Vimeo", "DeviantArt", "Substack")
_TOPICS = ("training AI models on uploads", "sharing data with advertisers", "a new payout fee",
           "arbitration in Delaware", "age checks for new accounts", "a perpetual content licence")


def item_xml(template: int, sequence: int) -> str:
    """Item `sequence` of item set `template` (~0.5 KB), feed ids left as PLACEHOLDER (also in the text: no
    two feeds carry the very same article)."""
    rng = random.Random(f"{SEED}/{template}/{sequence}")
    name, topic = rng.choice(_PLATFORMS), rng.choice(_TOPICS)
    when = email.utils.format_datetime(EPOCH + timedelta(hours=3 * sequence), usegmt=True)
    text = (f"{name} revised its terms on {when[:16]}. The new text covers {topic}; creators we spoke to "
            f"asked for a notice period. Change number {sequence} in the tracker of outlet {PLACEHOLDER}.")
    return (f"<item><title>{name} changes its rules on {topic} (#{sequence})</title>"
            f"<link>https://news{PLACEHOLDER}.example.org/{sequence}</link>"
            f"<guid isPermaLink='false'>feed{PLACEHOLDER}-s{template}-{sequence}</guid>"
            f"<pubDate>{when}</pubDate><description>{text}</description></item>")


def feed_body(index: int, generation: int, new_per_change: int) -> bytes:
    """Feed `index` at `generation`: the ITEMS newest items; each generation adds `new_per_change`."""
    template = index % TEMPLATES
    newest = ITEMS - 1 + generation * new_per_change
    items = "".join(item_xml(template, sequence) for sequence in range(newest, newest - ITEMS, -1))
    text = (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Soak {PLACEHOLDER}</title>"
            f"<link>https://news{PLACEHOLDER}.example.org/</link>{items}</channel></rss>")
    return text.replace(PLACEHOLDER, f"{index:05d}").encode("utf-8")


# ----------------------------------------------------------------------------------------------------------
# The server process


class SoakServer:
    """Serves /feeds/<i>.xml; `POST /_cycle/<c>` draws what every feed does in cycle c."""

    def __init__(self, n: int, mix: dict[str, float], new_per_change: int, hang: float) -> None:
        self.n = n
        self.mix = mix
        self.new = new_per_change
        self.hang = hang
        self.generation = [0] * n
        self.action = ["304"] * n
        self.counts: Counter[str] = Counter()
        self.cache: dict[tuple[int, int], bytes] = {}

    def plan(self, cycle: int) -> dict[str, int]:
        rng = random.Random(f"{SEED}/cycle/{cycle}")
        bounds: list[tuple[float, str]] = []
        total = 0.0
        for name in ACTIONS:
            total += self.mix.get(name, 0.0)
            bounds.append((total, name))
        drawn: Counter[str] = Counter()
        for index in range(self.n):
            action = "304"
            if cycle > 0:  # cycle 0 primes: every feed answers (clients have no ETag yet)
                roll = rng.random() * 100
                action = next((name for bound, name in bounds if roll < bound), "304")
            if action == "200":
                self.generation[index] += 1
            self.action[index] = action
            drawn[action] += 1
        self.cache.clear()
        return dict(drawn)

    def body(self, index: int) -> bytes:
        key = (index, self.generation[index])
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = feed_body(index, self.generation[index], self.new)
        return found

    async def feed(self, request: web.Request) -> web.StreamResponse:
        try:
            index = int(request.match_info["index"])
        except ValueError:
            index = -1
        if not 0 <= index < self.n:
            return web.Response(status=404)
        action = self.action[index]
        if action in ("500", "503"):
            self.counts[action] += 1
            headers = {"Retry-After": "30"} if action == "503" else {}
            return web.Response(status=int(action), text="unavailable", headers=headers)
        if action == "timeout":
            self.counts["timeout"] += 1
            await asyncio.sleep(self.hang)  # longer than the clients' timeout: they give up first
            return web.Response(status=504)
        etag = f'"{index}-{self.generation[index]}"'
        if action == "304" and request.headers.get("If-None-Match") == etag:
            self.counts["304"] += 1
            return web.Response(status=304, headers={"ETag": etag})
        body = self.body(index)
        headers = {"ETag": etag, "Content-Type": "application/rss+xml; charset=utf-8"}
        if action == "reset":
            self.counts["reset"] += 1
            response = web.StreamResponse(headers=headers)
            response.content_length = len(body)
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            if request.transport is not None:
                request.transport.abort()
            return response
        self.counts["200"] += 1
        return web.Response(body=body, headers=headers)

    async def set_cycle(self, request: web.Request) -> web.Response:
        return web.json_response(self.plan(int(request.match_info["cycle"])))

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.counts))


def serve(conn: Any, n: int, mix: dict[str, float], new_per_change: int, hang: float) -> None:
    """Entry point of the server process: binds 127.0.0.1:0, sends the port through `conn`, serves until
    terminated or orphaned."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    async def main() -> None:
        server = SoakServer(n, mix, new_per_change, hang)
        app = web.Application()
        app.router.add_get("/feeds/{index}.xml", server.feed)
        app.router.add_post("/_cycle/{cycle}", server.set_cycle)
        app.router.add_get("/_stats", server.stats)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=2048)
        await site.start()
        conn.send(runner.addresses[0][1])
        conn.close()
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        try:
            while not stop.is_set() and os.getppid() == parent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=0.5)
        finally:
            await runner.cleanup()

    asyncio.run(main())


# ----------------------------------------------------------------------------------------------------------
# Measurements


def rss_mb() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def bare_cycle(session: aiohttp.ClientSession, urls: list[str], workers: int,
                     etags: list[str | None]) -> Counter[str]:
    """Conditional GET of every URL with `workers` workers, bodies read, ETags kept; errors counted."""
    outcomes: Counter[str] = Counter()
    indices = iter(range(len(urls)))

    async def worker() -> None:
        for index in indices:
            headers = {"If-None-Match": etags[index]} if etags[index] else None
            try:
                async with session.get(urls[index], headers=headers) as response:
                    await response.read()
                    if response.status == 200:
                        etags[index] = response.headers.get("ETag")
                    outcomes[str(response.status)] += 1
            except TimeoutError:
                outcomes["timeout"] += 1
            except aiohttp.ClientError:
                outcomes["broken"] += 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    return outcomes


def config_text(storage: Path, urls: list[str], args: argparse.Namespace, jsonl: Path | None) -> str:
    lines = [
        f"storage: {json.dumps(str(storage))}",
        f"poll: {{interval: 1h, concurrency: {args.concurrency}, per_host: {args.concurrency}, "
        f"timeout: {args.timeout:g}s, max_bytes: 1MB}}",
        "platforms:" if args.platforms else "platforms: {}",
        *[f"  {name.lower()}: {{name: {name}}}" for name in _PLATFORMS[: args.platforms]],
        "feeds:",
        *[f'  - {{id: soak-{index:05d}, url: "{url}"}}' for index, url in enumerate(urls)],
    ]
    if jsonl is not None:  # no platform filter: the channel takes news about no watched platform too
        lines += ["channels:", f"  - {{id: archive, jsonl: {json.dumps(str(jsonl))}}}"]
    return "\n".join(lines) + "\n"


async def database_size(app: Any) -> int:
    """Live bytes of the database (pages in use x page size), as the reader sees it (WAL included)."""
    rows = await app.store.query("SELECT (SELECT page_count FROM pragma_page_count) - "
                                 "(SELECT freelist_count FROM pragma_freelist_count) AS pages, "
                                 "(SELECT page_size FROM pragma_page_size) AS size")
    return int(rows[0]["pages"]) * int(rows[0]["size"])


async def stored_counts(app: Any) -> dict[str, int]:
    rows = await app.store.query("SELECT (SELECT count(*) FROM entries) AS entries, "
                                 "(SELECT count(*) FROM entry_versions) AS versions, "
                                 "(SELECT count(*) FROM events) AS events_stored")
    return dict(rows[0])


async def table_bytes(app: Any) -> dict[str, int]:
    """Bytes per table and index (SQLite's dbstat), or {} when this SQLite lacks it."""
    try:
        rows = await app.store.query("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name")
    except Exception:  # noqa: BLE001 - dbstat is a compile-time option
        return {}
    return {row["name"]: int(row["bytes"]) for row in rows}


class Control:
    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))

    async def cycle(self, number: int) -> dict[str, int]:
        async with self.session.post(f"{self.base}/_cycle/{number}") as response:
            return dict(await response.json())

    async def close(self) -> None:
        await self.session.close()


# ----------------------------------------------------------------------------------------------------------
# The run


async def run(args: argparse.Namespace, port: int) -> dict[str, Any]:
    from bot.app import App, ChatEnv, load_config

    base = f"http://127.0.0.1:{port}"
    urls = [f"{base}/feeds/{index}.xml" for index in range(args.feeds)]
    control = Control(base)
    cycles: list[dict[str, Any]] = []
    connector = aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency, ttl_dns_cache=300)
    bare = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=args.timeout),
                                 headers={"User-Agent": "bench/soak.py bare loop", "Accept-Encoding": "gzip, deflate"})
    etags: list[str | None] = [None] * args.feeds
    scratch = Path(tempfile.mkdtemp(prefix="clausewatch-soak-"))
    jsonl = scratch / "posts.jsonl" if args.channel == "jsonl" else None
    config_file = scratch / "feeds.yaml"
    config_file.write_text(config_text(scratch / "storage", urls, args, jsonl), encoding="utf-8")
    started = time.monotonic()
    tables_primed: dict[str, int] = {}
    tables_end: dict[str, int] = {}
    try:
        async with App.open(load_config(config_file), stdout=io.StringIO(), chat_env=ChatEnv()) as app:  # no console
            number = 0
            while number <= args.cycles:
                if number > 1 and args.duration and time.monotonic() - started > args.duration:
                    break  # (`started` is reset once the priming cycle is over)
                plan = await control.cycle(number)
                gc.collect()
                cpu, wall = process_cpu(), time.perf_counter()
                outcomes = await bare_cycle(bare, urls, args.concurrency, etags)
                bare_seconds, bare_cpu = time.perf_counter() - wall, process_cpu() - cpu
                gc.collect()
                cpu, wall = process_cpu(), time.perf_counter()
                report = await app.poller.run_cycle()
                seconds, pipeline_cpu = time.perf_counter() - wall, process_cpu() - cpu
                wall = time.perf_counter()
                delivery = await app.deliverer.deliver_pending()
                deliver_seconds = time.perf_counter() - wall
                gc.collect()
                row = {
                    "cycle": number, "plan": plan, "bare_outcomes": dict(outcomes),
                    "bare_seconds": round(bare_seconds, 3), "bare_cpu": round(bare_cpu, 3),
                    "seconds": round(seconds, 3), "cpu": round(pipeline_cpu, 3),
                    "ratio": round(seconds / bare_seconds, 2) if bare_seconds else None,
                    "ok": report.ok, "not_modified": report.not_modified, "unchanged": report.unchanged,
                    "failed": report.failed, "events": report.events, "delivered": delivery.delivered,
                    "deliver_seconds": round(deliver_seconds, 3), "rss_mb": round(rss_mb(), 1),
                    "db_bytes": await database_size(app), **await stored_counts(app),
                }
                cycles.append(row)
                if number == 0:
                    tables_primed = await table_bytes(app)
                    started = time.monotonic()
                log.info("cycle %d: %s", number, {k: row[k] for k in ("seconds", "bare_seconds", "events", "rss_mb")})
                number += 1
            tables_end = await table_bytes(app)
    finally:
        await bare.close()
        await control.close()
        with contextlib.suppress(OSError):
            for path in sorted(scratch.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            scratch.rmdir()
    return summarize(args, cycles, tables_primed, tables_end)


def _slope(values: list[float]) -> float | None:
    """Least-squares slope per step."""
    if len(values) < 2:
        return None
    mean_x, mean_y = (len(values) - 1) / 2, statistics.fmean(values)
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(len(values)))
    return num / den


def summarize(args: argparse.Namespace, cycles: list[dict[str, Any]], tables_primed: dict[str, int],
              tables_end: dict[str, int]) -> dict[str, Any]:
    measured = [c for c in cycles if c["cycle"] > 0]
    after = [c for c in cycles if c["cycle"] >= args.warmup]  # cycle `warmup` closes the warm-up
    primed = cycles[0] if cycles else None
    last = cycles[-1] if cycles else None
    summary: dict[str, Any] = {}
    if measured:
        summary.update(
            ratio_median=round(statistics.median(c["ratio"] for c in measured), 2),
            ratio_best=round(min(c["ratio"] for c in measured), 2),
            seconds_median=round(statistics.median(c["seconds"] for c in measured), 3),
            bare_seconds_median=round(statistics.median(c["bare_seconds"] for c in measured), 3),
            cpu_median=round(statistics.median(c["cpu"] for c in measured), 3),
            bare_cpu_median=round(statistics.median(c["bare_cpu"] for c in measured), 3),
            cpu_us_per_source=round(statistics.median(c["cpu"] for c in measured) * 1e6 / args.feeds, 1),
            bare_cpu_us_per_source=round(statistics.median(c["bare_cpu"] for c in measured) * 1e6 / args.feeds, 1),
            events_per_cycle=round(statistics.fmean(c["events"] for c in measured)),
            deliver_ms_per_event=round(sum(c["deliver_seconds"] for c in measured) * 1000
                                       / max(1, sum(c["delivered"] for c in measured)), 3),
        )
    if len(after) >= 2:
        growth = after[-1]["rss_mb"] - after[0]["rss_mb"]
        slope = _slope([c["rss_mb"] for c in after])
        summary.update(rss_after_warmup_mb=after[0]["rss_mb"], rss_end_mb=after[-1]["rss_mb"],
                       rss_growth_mb=round(growth, 1), rss_slope_mb_per_cycle=round(slope or 0.0, 2),
                       memory_flat="PASS" if growth <= args.flat_mb else "FAIL")
    if primed and last and last["entries"] > primed["entries"]:
        added = last["entries"] - primed["entries"]
        summary.update(entries_after_priming=primed["entries"], entries_added=added,
                       db_mb_after_priming=round(primed["db_bytes"] / 2**20, 1),
                       db_bytes_per_entry_priming=round(primed["db_bytes"] / max(1, primed["entries"])),
                       db_kb_per_1000_entries=round((last["db_bytes"] - primed["db_bytes"]) / added * 1000 / 1024, 1))
        if tables_primed and tables_end:
            growth = {name: round((tables_end.get(name, 0) - tables_primed.get(name, 0)) / added * 1000 / 1024, 1)
                      for name in tables_end}
            summary["db_kb_per_1000_entries_by_table"] = dict(sorted(((k, v) for k, v in growth.items() if v),
                                                                     key=lambda kv: -kv[1]))
    return {
        "benchmark": "bench/soak.py", "feeds": args.feeds, "cycles": len(measured), "concurrency": args.concurrency,
        "timeout": args.timeout, "mix": args.mix, "new_per_change": args.new, "channel": args.channel,
        "platforms": args.platforms,
        "warmup": args.warmup,
        "environment": {"python": platform.python_version(), "aiohttp": aiohttp.__version__, "cpus": os.cpu_count()},
        "rows": cycles, "summary": summary,
    }


def print_table(result: dict[str, Any], out: Any = sys.stdout) -> None:
    w = out.write
    env = result["environment"]
    w(f"Clausewatch soak: {result['feeds']} feeds (~{len(feed_body(0, 0, result['new_per_change'])) // 1024} KB, "
      f"{ITEMS} items), concurrency {result['concurrency']}, timeout {result['timeout']:g}s, mix {result['mix']}, "
      f"+{result['new_per_change']} items per change, {result['platforms']} platforms, channel {result['channel']}\n")
    w(f"Python {env['python']}, aiohttp {env['aiohttp']}, {env['cpus']} CPUs; server in a separate process\n\n")
    w(f"{'cycle':>5} {'plan 200/err':>12} {'bare s':>7} {'bare cpu':>8} {'bot s':>7} {'bot cpu':>7} {'ratio':>6} "
      f"{'events':>6} {'deliver s':>9} {'failed':>6} {'rss MB':>7} {'entries':>8} {'db MB':>6}\n")
    for c in result["rows"]:
        plan = c["plan"]
        errors = sum(v for k, v in plan.items() if k not in ("200", "304"))
        w(f"{c['cycle']:>5} {plan.get('200', 0):>6}/{errors:<5} {c['bare_seconds']:>7.2f} {c['bare_cpu']:>8.2f} "
          f"{c['seconds']:>7.2f} {c['cpu']:>7.2f} {c['ratio']:>6.2f} {c['events']:>6} {c['deliver_seconds']:>9.2f} "
          f"{c['failed']:>6} {c['rss_mb']:>7.1f} {c['entries']:>8} {c['db_bytes'] / 2**20:>6.1f}\n")
    s = result["summary"]
    if "ratio_median" in s:
        w(f"\nCycle time, pipeline / bare loop (cycles 1-{result['cycles']}): median {s['ratio_median']}x, "
          f"best {s['ratio_best']}x ({s['seconds_median']} s vs {s['bare_seconds_median']} s)\n")
        w(f"CPU per cycle (median): pipeline {s['cpu_median']} s ({s['cpu_us_per_source']} us/source), "
          f"bare {s['bare_cpu_median']} s ({s['bare_cpu_us_per_source']} us/source); "
          f"{s['events_per_cycle']} events per cycle, delivery {s['deliver_ms_per_event']} ms/event\n")
    if "rss_growth_mb" in s:
        w(f"Memory: {s['rss_after_warmup_mb']} MB after warm-up (cycle {result['warmup']}), {s['rss_end_mb']} MB "
          f"at the end: growth {s['rss_growth_mb']:+} MB, slope {s['rss_slope_mb_per_cycle']:+} MB/cycle "
          f"-> flat: {s['memory_flat']}\n")
    if "db_kb_per_1000_entries" in s:
        w(f"Database: {s['db_mb_after_priming']} MB after priming ({s['entries_after_priming']} entries, "
          f"{s['db_bytes_per_entry_priming']} B/entry); +{s['db_kb_per_1000_entries']} KB per 1,000 entries "
          f"added afterwards ({s['entries_added']} entries, with their versions, events and outbox rows)\n")
    if s.get("db_kb_per_1000_entries_by_table"):
        top = [f"{name} {kb:g}" for name, kb in s["db_kb_per_1000_entries_by_table"].items() if kb >= 1][:8]
        w(f"  of which, KB per 1,000 entries: {', '.join(top)}\n")


def parse_mix(text: str) -> dict[str, float]:
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if name not in ACTIONS:
            raise argparse.ArgumentTypeError(f"unknown outcome {name!r} (one of {', '.join(ACTIONS)})")
        mix[name] = float(value)
    if abs(sum(mix.values()) - 100) > 0.01:
        raise argparse.ArgumentTypeError(f"the mix must add up to 100, not {sum(mix.values()):g}")
    return mix


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=10_000, help="number of feeds (default 10000)")
    parser.add_argument("--cycles", type=int, default=5, help="cycles after the priming one (default 5)")
    parser.add_argument("--duration", type=float, default=0.0,
                        help="start no cycle after this many seconds past priming (default: only --cycles)")
    parser.add_argument("--warmup", type=int, default=1, help="cycles of warm-up after priming (default 1)")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"percent per outcome (default {DEFAULT_MIX})")
    parser.add_argument("--new", type=int, default=2, help="new items in a changed feed (default 2)")
    parser.add_argument("--concurrency", type=int, default=20, help="poll.concurrency and bare workers (default 20)")
    parser.add_argument("--timeout", type=float, default=1.0, help="poll.timeout in seconds (default 1)")
    parser.add_argument("--channel", choices=("jsonl", "none"), default="jsonl", help="deliver to a JSONL channel")
    parser.add_argument("--platforms", type=int, default=0,
                        help=f"platforms declared, 0-{len(_PLATFORMS)} (default 0: the polling machinery alone; with "
                             "platforms, entries naming them are attributed and grouped into stories)")
    parser.add_argument("--flat-mb", type=float, default=8.0, help="RSS growth after warm-up judged flat (default 8)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--strict", action="store_true", help="exit 1 when memory is not flat")
    parser.add_argument("--year", action="store_true", help="retention over a simulated year (see the docstring)")
    parser.add_argument("--days", type=int, default=365, help="--year: simulated days (default 365)")
    args = parser.parse_args(argv)
    if args.year and args.feeds == 10_000:
        args.feeds = 20
    if args.year and "--new" not in (argv if argv is not None else sys.argv):
        args.new = 5
    try:
        args.mix_table = parse_mix(args.mix)
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    if args.feeds < 1 or args.cycles < 1 or not 1 <= args.new <= ITEMS or args.warmup < 1 \
            or not 0 <= args.platforms <= len(_PLATFORMS):
        parser.error(f"--feeds, --cycles and --warmup must be >= 1, --new between 1 and {ITEMS}, "
                     f"--platforms between 0 and {len(_PLATFORMS)}")
    return args


# ----------------------------------------------------------------------------------------------------------
# --year: retention over a simulated year


async def simulate_year(args: argparse.Namespace, keep_everything: bool) -> list[dict[str, Any]]:
    """One simulated year (see the docstring): samples of the store every 30 days."""
    from bot.app import App, load_config

    samples: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="clausewatch-year-") as folder:
        root = Path(folder)
        feeds = [root / "feeds" / f"{index:05d}.xml" for index in range(args.feeds)]
        feeds[0].parent.mkdir()
        retention = ("retention: {delivered: never, entry_texts: never, fetch_log: never, entries: never}\n"
                     if keep_everything else "")
        config = root / "feeds.yaml"
        config.write_text("\n".join([
            "storage: ./storage", "poll: {interval: 1h}", retention.rstrip(), "feeds:",
            *[f"  - {{id: year-{index:05d}, path: {path}, backfill: {ITEMS}}}" for index, path in enumerate(feeds)],
            "channels:", "  - {id: archive, jsonl: out/posts.jsonl}"]) + "\n", encoding="utf-8")
        moment = [EPOCH]
        async with App.open(load_config(config), stdout=io.StringIO(), clock=lambda: moment[0]) as app:
            for day in range(args.days + 1):
                for index, path in enumerate(feeds):
                    path.write_bytes(feed_body(index, day, args.new))
                await app.poll_once()
                if day % 30 == 0 or day == args.days:
                    database = app.store.path
                    assert database is not None  # (SQLite)
                    on_disk = sum(f.stat().st_size for f in (database, database.with_name(database.name + "-wal"))
                                  if f.exists())
                    counts = await stored_counts(app)
                    samples.append({"day": day, "file_mb": round(on_disk / 1e6, 2),
                                    "live_mb": round(await database_size(app) / 1e6, 2), **counts})
                moment[0] += timedelta(days=1)
            tables = await table_bytes(app)
            samples[-1]["largest"] = dict(sorted(tables.items(), key=lambda kv: -kv[1])[:6])
    return samples


def run_year(args: argparse.Namespace) -> dict[str, Any]:
    kept = asyncio.run(simulate_year(args, keep_everything=False))
    baseline = asyncio.run(simulate_year(args, keep_everything=True))
    half = next(s for s in kept if s["day"] >= args.days // 2)
    return {"feeds": args.feeds, "new_per_day": args.new, "days": args.days, "with_retention": kept,
            "without_retention": baseline,
            "size_ratio_at_end": round(kept[-1]["file_mb"] / baseline[-1]["file_mb"], 3),
            "growth_second_half_mb": round(kept[-1]["file_mb"] - half["file_mb"], 2),
            "baseline_growth_second_half_mb": round(
                baseline[-1]["file_mb"] - next(s for s in baseline if s["day"] >= args.days // 2)["file_mb"], 2)}


def print_year(result: dict[str, Any]) -> None:
    print(f"retention over {result['days']} simulated days: {result['feeds']} feeds, {result['new_per_day']} new "
          f"entries per feed and day, one cycle a day")
    print(f"{'day':>5} {'file MB':>9} {'entries':>8} {'events':>7}   {'no retention: file MB':>22} {'entries':>8}")
    for kept, base in zip(result["with_retention"], result["without_retention"], strict=True):
        print(f"{kept['day']:>5} {kept['file_mb']:>9.2f} {kept['entries']:>8} {kept['events_stored']:>7}   "
              f"{base['file_mb']:>22.2f} {base['entries']:>8}")
    for label, runs in (("with retention", "with_retention"), ("without", "without_retention")):
        largest = ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in result[runs][-1].get("largest", {}).items())
        print(f"largest at the end ({label}): {largest}")
    print(f"file size at the end: {result['size_ratio_at_end']:.3f}x the run without retention; growth over the "
          f"second half: {result['growth_second_half_mb']:+.2f} MB (without retention "
          f"{result['baseline_growth_second_half_mb']:+.2f} MB)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.year:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
        logging.getLogger("bot").setLevel(logging.ERROR)
        result = run_year(args)
        sys.stdout.write(json.dumps(result) + "\n") if args.json else print_year(result)
        return 0
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bot").setLevel(logging.ERROR)  # the planned failures would log thousands of lines
    server = SpawnedServer(serve, (args.feeds, args.mix_table, args.new, args.timeout + 2.0), "soak server")
    try:
        port = server.start()
        result = asyncio.run(run(args, port))
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return 130
    finally:
        server.stop()
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        print_table(result)
    return 1 if args.strict and result["summary"].get("memory_flat") == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())
