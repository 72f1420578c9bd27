"""Poll-cycle benchmark: the real Clausewatch pipeline against a bare aiohttp loop, on loopback.

What it measures
    N synthetic RSS 2.0 feeds (~40 KB, 20 items each, deterministic) are served on 127.0.0.1 by an aiohttp
    server running in a separate process (multiprocessing, spawn), so that server CPU does not count against
    the client. The server answers If-None-Match with 304 and has a "generation" switch
    (``POST /_generation/<g>``) that adds new items to every feed. In one run, in this process:

    1. bare baselines: one aiohttp ClientSession with the pipeline's TCPConnector limits and a pool of
       ``poll.concurrency`` workers that (a) GETs every URL and reads the body (all 200), and (b) sends
       If-None-Match with the known ETags (all 304). Each is run ``--rounds`` times (default 5).
    2. the pipeline: a config with N feeds (temporary storage, one JSONL channel unless ``--channel none``),
       ``async with App.open(config) as app`` and ``await app.poller.run_cycle()`` for
       (a) the priming cycle (entries recorded, no events),
       (b) after a generation switch, an all-200 cycle with new entries (events), then
           ``app.deliverer.deliver_pending()`` timed on its own,
       (c) all-304 cycles (nothing changed; ``--rounds`` of them).
       Ratios compare the best round of each side (the least noisy estimate on a shared machine); the
       ratio of the medians is reported too.
    3. memory: peak RSS of this (client) process (getrusage ru_maxrss), VmRSS after each phase, and the
       per-phase peak (VmHWM, reset through /proc/self/clear_refs when the kernel allows it; the overall
       peak keeps the maximum seen before each reset, since the reset lowers ru_maxrss as well).

    Also reported: process CPU per phase, split by thread (event loop, DB writer, DB reader, others), and the
    request counts the server saw (to check that each cycle was really all-200 or all-304).

    The config declares --platforms (default 12) platforms with aliases but no sources of their own, so that
    attributing entries to platforms costs what it costs with a real feeds.yaml (which has ~20 platforms);
    --platforms 0 skips that work.

Targets (PASS/FAIL)
    * the all-304 pipeline cycle takes at most 1.5x the bare conditional loop;
    * peak RSS below 200 MB at 10,000 sources (judged only when --feeds >= 10000).

Run (from the repository root)
    python bench/poll.py                      # 2,000 feeds, human-readable table
    python bench/poll.py --feeds 10000        # memory target
    python bench/poll.py --json               # one JSON object on stdout (logs go to stderr)
    python bench/poll.py --profile            # + one extra profiled bare conditional loop, all-304 and all-200
                                              #   cycle (cProfile, event-loop thread); top functions on
                                              #   stderr, and in the JSON
    python bench/poll.py --help               # concurrency, rounds, new items per generation, channel...

    A run of 2,000 feeds takes about two minutes on 2 cores, most of it in the pipeline's priming and all-200
    cycles; 10,000 feeds take about five times as long.

Note on per_host: every feed lives on the same host (127.0.0.1), so the pipeline's default per-host limit
(4) would cap the whole run at 4 connections, which is not what happens with sources spread over many
hosts. The config (and the bare loop's connector) therefore use per_host = concurrency unless --per-host
says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import email.utils
import gc
import html
import importlib.util
import io
import json
import logging
import multiprocessing
import os
import platform
import pstats
import random
import resource
import signal
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("bot") is None:
    sys.path.insert(0, str(ROOT))

SEED = 20240217
ITEMS = 20  # items per feed
TEMPLATES = 16  # distinct item sets; feed i uses set i % TEMPLATES, with its own ids substituted
PLACEHOLDER = b"@@FEED@@"
ALL_304_LIMIT = 1.5
RSS_LIMIT_MB = 200.0
RSS_JUDGED_FROM = 10_000

log = logging.getLogger("bench.poll")

# ----------------------------------------------------------------------------------------------------------
# Synthetic feeds (used by the server process; the client builds one sample to check the parser path)

# Platforms named in the feed text; the benchmark config declares them too, so attribution has work to do.
PLATFORMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("soundcloud", "SoundCloud", ("SoundCloud",)),
    ("youtube", "YouTube", ("YouTube", "YouTube Shorts", "YouTube Music")),
    ("bandcamp", "Bandcamp", ("Bandcamp",)),
    ("spotify", "Spotify", ("Spotify", "Spotify for Artists")),
    ("tiktok", "TikTok", ("TikTok",)),
    ("instagram", "Instagram", ("Instagram", "Threads")),
    ("patreon", "Patreon", ("Patreon",)),
    ("twitch", "Twitch", ("Twitch",)),
    ("vimeo", "Vimeo", ("Vimeo",)),
    ("substack", "Substack", ("Substack",)),
    ("deviantart", "DeviantArt", ("DeviantArt",)),
    ("artstation", "ArtStation", ("ArtStation",)),
)
_NAMES = tuple(name for _, name, _ in PLATFORMS) + ("Mixcloud", "Audiomack", "Ko-fi", "Kickstarter")
_DOCS = ("Terms of Service", "Privacy Policy", "Community Guidelines", "Copyright Policy", "Acceptable Use Policy",
         "monetisation rules", "licensing terms", "Partner Program terms", "cookie policy")
_WHO = ("independent musicians", "illustrators", "podcasters", "video editors", "small labels", "streamers",
        "photographers", "voice actors", "fan artists", "comic artists", "session players", "game modders")
_TOPICS = (
    ("training generative AI models on uploaded work", "AI training"),
    ("sharing listening data with advertising partners", "data sharing"),
    ("mandatory arbitration in Delaware", "arbitration"),
    ("age verification for new accounts", "age checks"),
    ("a perpetual, worldwide, royalty-free licence to user content", "content licences"),
    ("opting out of machine-learning datasets", "opt-outs"),
    ("terminating accounts without prior notice", "account bans"),
    ("a new 4% fee on creator payouts", "payout fees"),
    ("removing uploads flagged by automated moderation", "automated moderation"),
    ("cross-site tracking through embedded players", "tracking"),
)
_TITLES = (
    "{p} updates its {doc} with a new clause on {topic}",
    "Creators push back as {p} revises its {doc}",
    "What the new {p} {doc} means for {who}",
    "{p} quietly changes how it handles {short}",
    "Explainer: {short} on {p} after the {month} update",
    "{Who} ask {p} to clarify its {doc}",
    "Weekly roundup: {p}, {p2} and the fight over {short}",
    "Regulators question {p} over {short}",
    "{p} walks back part of its {doc} after a week of criticism",
    "Inside the {month} rewrite of the {p} {doc}",
)
_SENTENCES = (
    "{p} published a revised version of its {doc} on {date}, and the change log lists {n} separate edits.",
    "The most discussed passage now covers {topic}, which the previous text did not mention at all.",
    "A spokesperson said the update “clarifies existing practice” and does not change how {who} are paid.",
    "{Who} who spoke to us were not convinced, pointing out that the old wording said nothing about {short}.",
    "Lawyers we consulted noted that section {sec} now refers to “affiliates and service providers” rather "
    "than to named partners.",
    "Accounts created before {date} keep the old terms for thirty days, after which continued use counts as "
    "acceptance.",
    "An opt-out form exists, but it sits three menus deep in the account settings and applies only to future "
    "uploads.",
    "Several {who} said they would move their catalogue to {p2} if the clause stays in its current form.",
    "The company has not said whether the change applies in the European Union, where consent rules are stricter.",
    "Comparing the archived version shows that the word “exclusive” was removed from the licence grant.",
    "Support pages were updated the same day, but the help centre still links to the previous policy.",
    "Our archive keeps every version of the page, so readers can compare the wording line by line.",
    "The update follows a similar move by {p2} in {month}, which drew {n} thousand comments in a week.",
    "Advocacy groups have asked for a plain-language summary and a notice period of at least sixty days.",
    "Moderation appeals will now be handled by a mix of automated review and a smaller human team.",
    "Payouts below the new threshold of {n} dollars will roll over to the next month instead of being paid.",
    "The FAQ published alongside the terms says data is “de-identified” before it is shared, without saying how.",
    "{p} told us that fewer than {n} percent of creators had used the previous opt-out mechanism.",
    "Translations of the new text into French, German and Japanese were still missing on {date}.",
    "A coalition of {who} and {who2} has started collecting signatures for an open letter to {p}.",
)
_AUTHORS = ("Maya Okafor", "Jonas Lindqvist", "Priya Raman", "Léa Fontaine", "Tomás Herrera", "Hana Sato",
            "Daniel Brooks", "Amira Haddad", "Kofi Mensah", "Ingrid Novak")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_EPOCH = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)


def _fill(template: str, rng: random.Random) -> str:
    p, p2 = rng.sample(_NAMES, 2)
    topic, short = rng.choice(_TOPICS)
    who, who2 = rng.sample(_WHO, 2)
    return template.format(
        p=p, p2=p2, doc=rng.choice(_DOCS), topic=topic, short=short, who=who, who2=who2, Who=who.capitalize(),
        month=rng.choice(_MONTHS), date=f"{rng.randint(1, 28)} {rng.choice(_MONTHS)}", n=rng.randint(2, 40),
        sec=f"{rng.randint(2, 19)}.{rng.randint(1, 9)}",
    )


def _paragraph(rng: random.Random) -> str:
    text = " ".join(html.escape(_fill(rng.choice(_SENTENCES), rng), quote=False) for _ in range(rng.randint(3, 4)))
    if rng.random() < 0.3:
        text += f' <a href="https://archive.example.org/diff/{rng.randrange(10**6)}">Compare the versions</a>.'
    if rng.random() < 0.2:
        return f"<blockquote><p>{text}</p></blockquote>"
    return f"<p>{text}</p>"


def _pubdate(sequence: int) -> str:
    return email.utils.format_datetime(_EPOCH + timedelta(hours=5 * sequence, minutes=17 * (sequence % 7)))


def item_xml(template: int, sequence: int, seed: int = SEED) -> str:
    """Item number `sequence` of item set `template`: ~1.9 KB of RSS 2.0, feed ids left as PLACEHOLDER."""
    rng = random.Random(f"{seed}/{template}/{sequence}")
    title = _fill(rng.choice(_TITLES), rng)
    slug = "-".join(title.lower().replace(":", "").replace(",", "").split()[:8])
    paragraphs = "\n".join(_paragraph(rng) for _ in range(rng.randint(3, 4)))
    if rng.random() < 0.25:
        points = "".join(f"<li>{html.escape(_fill(rng.choice(_SENTENCES), rng), quote=False)}</li>" for _ in range(3))
        paragraphs += f"\n<ul>{points}</ul>"
    feed = PLACEHOLDER.decode()
    categories = "".join(f"<category>{html.escape(c)}</category>" for c in rng.sample([t[1] for t in _TOPICS], 2))
    return (
        "<item>\n"
        f"<title>{html.escape(title, quote=False)}</title>\n"
        f"<link>https://news{feed}.example.org/{2024 + sequence // 80}/{slug}-{sequence}</link>\n"
        f'<guid isPermaLink="false">tag:news{feed}.example.org,2024:s{template}-item-{sequence}</guid>\n'
        f"<pubDate>{_pubdate(sequence)}</pubDate>\n"
        f"<dc:creator>{html.escape(rng.choice(_AUTHORS))}</dc:creator>\n"
        f"{categories}\n"
        f"<description><![CDATA[{paragraphs}]]></description>\n"
        "</item>\n"
    )


def feed_template(template: int, generation: int, new_per_generation: int, seed: int = SEED) -> bytes:
    """The body of every feed using item set `template` at `generation` (1-based), PLACEHOLDER not yet
    replaced. Each generation adds `new_per_generation` items on top and drops as many of the oldest."""
    newest = ITEMS - 1 + (generation - 1) * new_per_generation
    items = "".join(item_xml(template, sequence, seed) for sequence in range(newest, newest - ITEMS, -1))
    feed = PLACEHOLDER.decode()
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "<channel>\n"
        f"<title>Creator Policy Wire {feed}</title>\n"
        f"<link>https://news{feed}.example.org/</link>\n"
        f'<atom:link href="https://news{feed}.example.org/feed.xml" rel="self" type="application/rss+xml"/>\n'
        "<description>Platform terms, licences and the people who make things for the internet.</description>\n"
        "<language>en</language>\n"
        f"<lastBuildDate>{_pubdate(newest)}</lastBuildDate>\n"
        "<generator>bench/poll.py</generator>\n"
    )
    return (head + items + "</channel>\n</rss>\n").encode("utf-8")


def feed_body(template_body: bytes, index: int) -> bytes:
    return template_body.replace(PLACEHOLDER, b"%05d" % index)


# ----------------------------------------------------------------------------------------------------------
# The server process


class FeedServer:
    """Serves /feeds/<i>.xml for i < n at the current generation, with ETag/Last-Modified and 304s."""

    def __init__(self, n: int, new_per_generation: int, seed: int) -> None:
        self.n = n
        self.new = new_per_generation
        self.seed = seed
        self.generation = 1
        self.templates: dict[tuple[int, int], tuple[bytes, str]] = {}
        self.counts: dict[str, int] = {}

    def template(self, index: int) -> tuple[bytes, str]:
        key = (index % TEMPLATES, self.generation)
        found = self.templates.get(key)
        if found is None:
            body = feed_template(key[0], key[1], self.new, self.seed)
            found = self.templates[key] = (body, email.utils.format_datetime(_EPOCH + timedelta(days=key[1]), usegmt=True))
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
        etag = f'"f{index}-g{self.generation}-s{index % TEMPLATES}"'
        headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "max-age=300"}
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


def serve(conn: Any, n: int, new_per_generation: int, seed: int) -> None:
    """Entry point of the server process: binds 127.0.0.1:0, sends the port through `conn`, serves until
    terminated or until its parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business; it terminates us
    parent = os.getppid()

    async def main() -> None:
        server = FeedServer(n, new_per_generation, seed)
        app = web.Application()
        app.router.add_get("/feeds/{index}.xml", server.feed)
        app.router.add_post("/_generation/{generation}", server.set_generation)
        app.router.add_get("/_stats", server.stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        sockets = site._server.sockets if site._server is not None else ()  # noqa: SLF001
        conn.send(sockets[0].getsockname()[1])
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


class ServerProcess:
    """Starts `serve` in a spawned process; `stop()` always leaves no process behind."""

    def __init__(self, n: int, new_per_generation: int, seed: int) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.n = n
        self.new = new_per_generation
        self.seed = seed
        self.process: Any = None
        self.port = 0

    def start(self, timeout: float = 60.0) -> int:
        receiver, sender = self.context.Pipe(duplex=False)
        self.process = self.context.Process(
            target=serve, args=(sender, self.n, self.new, self.seed), name="bench-feed-server", daemon=True
        )
        self.process.start()
        sender.close()
        try:
            if not receiver.poll(timeout):
                raise RuntimeError(f"the feed server did not start within {timeout:g}s")
            self.port = int(receiver.recv())
        except EOFError:
            raise RuntimeError(f"the feed server exited during start-up (exit code {self.process.exitcode})") from None
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


# ----------------------------------------------------------------------------------------------------------
# Measurements: RSS, CPU by thread, server counters


def _status_kb(field_name: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def hwm_mb() -> float:
    return _status_kb("VmHWM") / 1024


_PEAK_KB = 0  # the process peak seen before any VmHWM reset


def _ru_maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def reset_hwm() -> bool:
    """Reset VmHWM (Linux >= 4.0) so that each phase gets its own peak; False where not permitted.

    The reset lowers ru_maxrss too (both read the same high-water mark), so the peak so far is kept first."""
    global _PEAK_KB
    _PEAK_KB = max(_PEAK_KB, _ru_maxrss_kb(), _status_kb("VmHWM"))
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def max_rss_mb() -> float:
    """Peak RSS of this process over the whole run: ru_maxrss, combined with the peaks kept across resets."""
    return max(_PEAK_KB, _ru_maxrss_kb(), _status_kb("VmHWM")) / 1024


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far of each live thread, grouped: event loop, db writer, db reader, other threads."""
    found: dict[str, float] = {}
    for thread in threading.enumerate():
        tid = thread.native_id
        try:
            stat = Path(f"/proc/self/task/{tid}/stat").read_text()
        except (OSError, TypeError):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        if thread is threading.main_thread():
            group = "loop"
        elif thread.name.startswith("clausewatch-db-writer"):
            group = "db_writer"
        elif thread.name.startswith("clausewatch-db-reader"):
            group = "db_reader"
        else:
            group = "threads"
        found[group] = found.get(group, 0.0) + seconds
    return found


class Phase:
    """Wall time, process CPU (split by thread), server request counts and memory of one phase."""

    def __init__(self, name: str, n: int, control: Control | None) -> None:
        self.name = name
        self.n = n
        self.control = control
        self.result: dict[str, Any] = {"name": name}

    async def __aenter__(self) -> Phase:
        gc.collect()
        self.hwm_reset = reset_hwm()
        self.counts = await self.control.counts() if self.control else {}
        self.cpu = process_cpu()
        self.threads = thread_cpu()
        self.started = time.perf_counter()
        return self

    async def __aexit__(self, *exc: object) -> None:
        seconds = time.perf_counter() - self.started
        cpu = process_cpu() - self.cpu
        threads_now = thread_cpu()
        split = {k: round(v - self.threads.get(k, 0.0), 2) for k, v in threads_now.items()}
        split["exited_threads"] = round(max(0.0, cpu - sum(split.values())), 2)
        self.result.update(
            seconds=round(seconds, 3),
            ms_per_source=round(seconds * 1000 / self.n, 3) if self.n else None,
            cpu_seconds=round(cpu, 2),
            cpu_by_thread={k: v for k, v in split.items() if v},
            rss_mb=round(rss_mb(), 1),
            phase_peak_rss_mb=round(hwm_mb(), 1) if self.hwm_reset else None,
        )
        if self.control:
            after = await self.control.counts()
            self.result["server"] = {k: v - self.counts.get(k, 0) for k, v in after.items() if v - self.counts.get(k, 0)}


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


# ----------------------------------------------------------------------------------------------------------
# The bare loop baseline


def bare_session(concurrency: int, per_host: int, timeout: float) -> aiohttp.ClientSession:
    from bot.core.config import PollSettings

    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=per_host, ttl_dns_cache=300)
    return aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": "bench/poll.py bare loop", "Accept-Encoding": "gzip, deflate"},
        timeout=aiohttp.ClientTimeout(total=timeout or PollSettings().timeout),
    )


async def bare_loop(session: aiohttp.ClientSession, urls: list[str], workers: int,
                    etags: list[str | None] | None = None, record: list[str | None] | None = None) -> dict[str, int]:
    """GET every URL with `workers` concurrent workers, reading bodies; with `etags`, conditionally."""
    statuses: dict[str, int] = {}
    indices = iter(range(len(urls)))

    async def worker() -> None:
        for index in indices:
            headers = {"If-None-Match": etags[index]} if etags and etags[index] else None
            async with session.get(urls[index], headers=headers) as response:
                await response.read()
                if record is not None:
                    record[index] = response.headers.get("ETag")
                key = str(response.status)
                statuses[key] = statuses.get(key, 0) + 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    return statuses


# ----------------------------------------------------------------------------------------------------------
# The pipeline


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


def profile_rows(profiler: cProfile.Profile, limit: int) -> list[dict[str, Any]]:
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, function), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({
            "function": f"{_short_path(filename)}:{line}({function})",
            "calls": nc, "tottime": round(tt, 3), "cumtime": round(ct, 3),
            "tottime_share": round(tt / total, 3) if total else 0.0,
        })
    rows.sort(key=lambda row: row["tottime"], reverse=True)
    return rows[:limit]


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


async def run_pipeline(args: argparse.Namespace, urls: list[str], control: Control, scratch: Path,
                       phases: list[dict[str, Any]], problems: list[str], profiles: dict[str, Any]) -> None:
    from bot.app import App
    from bot.core.config import parse_config

    n = len(urls)
    jsonl = scratch / "posts.jsonl" if args.channel == "jsonl" else None
    text = config_text(scratch / "storage", urls, args.concurrency, args.per_host, jsonl, args.platforms)
    config_file = scratch / "feeds.yaml"
    config_file.write_text(text, encoding="utf-8")

    async with Phase("config_parse", n, None) as phase:
        config = parse_config(text, config_file)
    phases.append(phase.result)

    app_cm = App.open(config, stdout=io.StringIO())
    async with Phase("app_open", n, None) as phase:
        app = await app_cm.__aenter__()
    phases.append(phase.result)
    try:
        async with Phase("pipeline_prime", n, control) as phase:
            report = await app.poller.run_cycle()
        phase.result.update(cycle_fields(report))
        phases.append(phase.result)
        _expect(problems, "pipeline_prime", report.ok == n and report.events == 0,
                f"expected {n} ok and 0 events, got {cycle_fields(report)}")
        _expect_served(problems, phase.result, {"200": n})

        await control.generation(2)
        async with Phase("pipeline_200", n, control) as phase:
            report = await app.poller.run_cycle()
        phase.result.update(cycle_fields(report))
        phases.append(phase.result)
        _expect(problems, "pipeline_200", report.ok == n and report.events == n * args.new_items,
                f"expected {n} ok and {n * args.new_items} events, got {cycle_fields(report)}")
        _expect_served(problems, phase.result, {"200": n})

        if jsonl is not None:
            async with Phase("deliver", n, None) as phase:
                delivery = await app.deliverer.deliver_pending()
            phase.result.update(delivered=delivery.delivered, failed=delivery.failed, deferred=delivery.deferred,
                                ms_per_delivery=round(phase.result["seconds"] * 1000 / max(1, delivery.delivered), 3))
            phases.append(phase.result)
            _expect(problems, "deliver", delivery.delivered == report.events,
                    f"expected {report.events} deliveries, got {delivery.delivered}")

        # The 304 comparison alternates a bare conditional round with a pipeline round, so that both run
        # in the same process state (heap size, warm connections, machine load) rather than minutes apart.
        etags: list[str | None] = [None] * n
        bare = bare_session(args.concurrency, args.per_host, 60.0)
        try:
            await bare_loop(bare, urls, args.concurrency, record=etags)  # warm-up: learn generation 2's ETags
            for round_no in range(1, args.rounds + 1):
                async with Phase("bare_304_interleaved", n, control) as phase:
                    statuses = await bare_loop(bare, urls, args.concurrency, etags=etags)
                phase.result.update(statuses=statuses, round=round_no)
                phases.append(phase.result)
                _expect(problems, "bare_304_interleaved", statuses == {"304": n}, f"statuses {statuses}")
                async with Phase("pipeline_304", n, control) as phase:
                    report = await app.poller.run_cycle()
                phase.result.update(cycle_fields(report), round=round_no)
                phases.append(phase.result)
                _expect(problems, f"pipeline_304 round {round_no}", report.not_modified == n,
                        f"expected {n} not modified, got {cycle_fields(report)}")
                _expect_served(problems, phase.result, {"304": n})
        finally:
            await bare.close()

        if args.profile:
            profiler = cProfile.Profile()
            async with Phase("profiled_pipeline_304", n, control) as phase:
                profiler.enable()
                report = await app.poller.run_cycle()
                profiler.disable()
            phase.result.update(cycle_fields(report))
            phases.append(phase.result)
            profiles["pipeline_304"] = profile_rows(profiler, args.profile_top)

            await control.generation(3)
            profiler = cProfile.Profile()
            async with Phase("profiled_pipeline_200", n, control) as phase:
                profiler.enable()
                report = await app.poller.run_cycle()
                profiler.disable()
            phase.result.update(cycle_fields(report))
            phases.append(phase.result)
            profiles["pipeline_200"] = profile_rows(profiler, args.profile_top)
    finally:
        async with Phase("app_close", n, None) as phase:
            await app_cm.__aexit__(None, None, None)
        phases.append(phase.result)


def _expect(problems: list[str], where: str, condition: bool, message: str) -> None:
    if not condition:
        problems.append(f"{where}: {message}")
        log.warning("%s: %s", where, message)


def _expect_served(problems: list[str], phase: dict[str, Any], expected: dict[str, int]) -> None:
    """What the server saw during the phase (every request of the phase, nothing else)."""
    served = phase.get("server")
    _expect(problems, phase["name"], served == expected, f"the server answered {served}, expected {expected}")


# ----------------------------------------------------------------------------------------------------------
# The run


async def run_bench(args: argparse.Namespace, port: int) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}"
    urls = [f"{base}/feeds/{index}.xml" for index in range(args.feeds)]
    phases: list[dict[str, Any]] = []
    problems: list[str] = []
    profiles: dict[str, Any] = {}
    sample = _sample_check(args, problems)

    async with Control(base) as control:
        # 1. bare loops (generation 1)
        for round_no in range(1, args.rounds + 1):
            etags: list[str | None] = [None] * args.feeds
            session = bare_session(args.concurrency, args.per_host, 60.0)
            try:
                async with Phase("bare_get", args.feeds, control) as phase:
                    statuses = await bare_loop(session, urls, args.concurrency, record=etags)
                phase.result.update(statuses=statuses, round=round_no)
                phases.append(phase.result)
                _expect(problems, "bare_get", statuses == {"200": args.feeds}, f"statuses {statuses}")
                async with Phase("bare_304", args.feeds, control) as phase:
                    statuses = await bare_loop(session, urls, args.concurrency, etags=etags)
                phase.result.update(statuses=statuses, round=round_no)
                phases.append(phase.result)
                _expect(problems, "bare_304", statuses == {"304": args.feeds}, f"statuses {statuses}")
                if args.profile and round_no == args.rounds:
                    profiler = cProfile.Profile()
                    async with Phase("profiled_bare_304", args.feeds, control) as phase:
                        profiler.enable()
                        statuses = await bare_loop(session, urls, args.concurrency, etags=etags)
                        profiler.disable()
                    phase.result.update(statuses=statuses)
                    phases.append(phase.result)
                    profiles["bare_304"] = profile_rows(profiler, args.profile_top)
            finally:
                await session.close()

        # 2. the pipeline
        with tempfile.TemporaryDirectory(prefix="clausewatch-bench-") as scratch:
            await run_pipeline(args, urls, control, Path(scratch), phases, problems, profiles)
        server_peak = await control.server_peak_mb()

    return summarize(args, phases, problems, profiles, sample, server_peak)


def _sample_check(args: argparse.Namespace, problems: list[str]) -> dict[str, Any]:
    """Body size and the parser path the pipeline takes on these feeds (fast lxml path expected)."""
    from bot.sources.feed_parser import parse_feed

    sizes = [len(feed_body(feed_template(t, 1, args.new_items), t)) for t in range(TEMPLATES)]
    parsed = parse_feed(feed_body(feed_template(0, 2, args.new_items), 0), "http://127.0.0.1/feeds/0.xml")
    _expect(problems, "sample", len(parsed.entries) == ITEMS, f"sample feed parsed to {len(parsed.entries)} entries")
    return {"avg_body_kb": round(sum(sizes) / len(sizes) / 1024, 1), "items": ITEMS, "parser": parsed.parser,
            "new_items_per_generation": args.new_items}


def _best(phases: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    rows = [p for p in phases if p["name"] == name]
    return min(rows, key=lambda p: p["seconds"]) if rows else None


def _median(phases: list[dict[str, Any]], name: str) -> float | None:
    values = sorted(p["seconds"] for p in phases if p["name"] == name)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def summarize(args: argparse.Namespace, phases: list[dict[str, Any]], problems: list[str],
              profiles: dict[str, Any], sample: dict[str, Any], server_peak: float) -> dict[str, Any]:
    best = {name: (row["seconds"] if (row := _best(phases, name)) else None)
            for name in ("bare_get", "bare_304", "bare_304_interleaved", "pipeline_200", "pipeline_304")}
    median = {name: _median(phases, name) for name in best}
    # The 304 target compares with the bare rounds interleaved with the pipeline's (same process state).
    if best["bare_304_interleaved"] is not None:
        best["bare_304"], median["bare_304"] = best["bare_304_interleaved"], median["bare_304_interleaved"]
    del best["bare_304_interleaved"], median["bare_304_interleaved"]
    ratio_200 = _ratio(best["pipeline_200"], best["bare_get"])
    ratio_304 = _ratio(best["pipeline_304"], best["bare_304"])
    peak = max_rss_mb()
    judged = args.feeds >= RSS_JUDGED_FROM
    targets = {
        "all_304_within_1_5x_of_bare": {
            "value": ratio_304, "limit": ALL_304_LIMIT,
            "result": "PASS" if ratio_304 is not None and ratio_304 <= ALL_304_LIMIT else "FAIL",
        },
        "peak_rss_under_200mb_at_10k": {
            "value": round(peak, 1), "limit": RSS_LIMIT_MB,
            "result": ("PASS" if peak < RSS_LIMIT_MB else "FAIL") if judged else "NOT JUDGED",
            **({} if judged else {"note": f"judged only with --feeds >= {RSS_JUDGED_FROM}"}),
        },
    }
    return {
        "benchmark": "bench/poll.py",
        "feeds": args.feeds,
        "concurrency": args.concurrency,
        "per_host": args.per_host,
        "rounds": args.rounds,
        "platforms": args.platforms,
        "channel": args.channel,
        "sample": sample,
        "environment": {
            "python": platform.python_version(), "aiohttp": aiohttp.__version__, "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "phases": phases,
        "best_seconds": {k: round(v, 3) if v is not None else None for k, v in best.items()},
        "median_seconds": {k: round(v, 3) if v is not None else None for k, v in median.items()},
        "per_source_ms": {k: round(v * 1000 / args.feeds, 3) if v is not None else None for k, v in best.items()},
        "ratios": {
            "all_200_pipeline_over_bare": ratio_200,
            "all_304_pipeline_over_bare": ratio_304,
            "all_304_pipeline_over_bare_medians": _ratio(median["pipeline_304"], median["bare_304"]),
        },
        "memory": {"peak_rss_mb": round(peak, 1), "server_peak_rss_mb": round(server_peak, 1)},
        "targets": targets,
        "problems": problems,
        **({"profile": profiles} if profiles else {}),
    }


def print_table(result: dict[str, Any], out: Any = sys.stdout) -> None:
    w = out.write
    sample = result["sample"]
    w(f"Clausewatch poll benchmark: {result['feeds']} feeds of ~{sample['avg_body_kb']} KB ({sample['items']} items, "
      f"{sample['parser']} parser path, +{sample['new_items_per_generation']} at the switch), concurrency "
      f"{result['concurrency']}, per_host {result['per_host']}, {result['platforms']} platforms, "
      f"channel {result['channel']}\n")
    env = result["environment"]
    w(f"Python {env['python']}, aiohttp {env['aiohttp']}, {env['cpus']} CPUs; server in a separate process\n\n")
    header = (f"{'phase':<24}{'seconds':>9}{'median':>8}{'ms/src':>9}{'cpu s':>7}  {'cpu s by thread':<44}"
              f"{'rss MB':>7}{'peak MB':>8}  outcome\n")
    w(header)
    w("-" * (len(header) + 24) + "\n")
    shown: set[str] = set()
    for p in result["phases"]:
        if "round" in p:  # repeated phase: one row, its best round, with the median of all rounds
            if p["name"] in shown:
                continue
            shown.add(p["name"])
            count = sum(1 for q in result["phases"] if q["name"] == p["name"])
            p = _best(result["phases"], p["name"]) or p
            name, med = f"{p['name']} (best of {count})", f"{_median(result['phases'], p['name']):.3f}"
        else:
            name, med = p["name"], ""
        threads = " ".join(f"{k}={v:g}" for k, v in p.get("cpu_by_thread", {}).items())
        if "statuses" in p:
            outcome = ", ".join(f"{k}×{v}" for k, v in sorted(p["statuses"].items()))
        elif "ok" in p:
            outcome = (f"ok {p['ok']}, 304 {p['not_modified']}, unchanged {p['unchanged']}, failed {p['failed']}, "
                       f"events {p['events']}")
        elif "delivered" in p:
            outcome = f"delivered {p['delivered']} ({p['ms_per_delivery']} ms each), failed {p['failed']}"
        else:
            outcome = ""
        peak = p.get("phase_peak_rss_mb")
        ms = p.get("ms_per_source")
        w(f"{name:<24}{p['seconds']:>9.3f}{med:>8}{(ms if ms is not None else 0):>9.3f}{p['cpu_seconds']:>7.2f}  "
          f"{threads:<44}{p['rss_mb']:>7.1f}{(peak if peak is not None else float('nan')):>8.1f}  {outcome}\n")
    ratios, per = result["ratios"], result["per_source_ms"]
    w("\nPer source (best round): "
      f"bare GET {per['bare_get']} ms, bare 304 {per['bare_304']} ms, "
      f"pipeline all-200 {per['pipeline_200']} ms, pipeline all-304 {per['pipeline_304']} ms\n")
    w("Ratios (best round of each side):\n")
    w(f"  all-200: pipeline / bare GET loop         = {ratios['all_200_pipeline_over_bare']}\n")
    w(f"  all-304: pipeline / bare conditional loop = {ratios['all_304_pipeline_over_bare']}"
      f"   (ratio of medians: {ratios['all_304_pipeline_over_bare_medians']})\n")
    mem = result["memory"]
    w(f"\nPeak RSS (client, ru_maxrss): {mem['peak_rss_mb']} MB   (server process peak: {mem['server_peak_rss_mb']} MB)\n")
    w("\nTargets:\n")
    for name, target in result["targets"].items():
        note = f"  ({target['note']})" if target.get("note") else ""
        w(f"  {target['result']:<11}{name}: {target['value']} (limit {target['limit']}){note}\n")
    if result["problems"]:
        w("\nProblems:\n")
        for problem in result["problems"]:
            w(f"  - {problem}\n")


def print_profiles(profiles: dict[str, Any], out: Any = sys.stderr) -> None:
    for name, rows in profiles.items():
        out.write(f"\ncProfile of one {name} cycle (event-loop thread only), top by own time:\n")
        out.write(f"{'tottime':>8}{'share':>7}{'cumtime':>9}{'calls':>9}  function\n")
        for row in rows:
            out.write(f"{row['tottime']:>8.3f}{row['tottime_share']:>7.1%}{row['cumtime']:>9.3f}{row['calls']:>9}  "
                      f"{row['function']}\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=2000, help="number of feeds (default 2000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="poll.concurrency and the bare loop's worker count (default: PollSettings, 20)")
    parser.add_argument("--per-host", type=int, default=None, help="poll.per_host (default: = concurrency)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the bare loops and of the all-304 cycle (default 5)")
    parser.add_argument("--platforms", type=int, default=len(PLATFORMS),
                        help=f"platforms declared in the config, 0-{len(PLATFORMS)} (default {len(PLATFORMS)})")
    parser.add_argument("--new-items", type=int, default=2, help="new items per feed at the generation switch")
    parser.add_argument("--channel", choices=("jsonl", "none"), default="jsonl", help="configure a JSONL channel")
    parser.add_argument("--profile", action="store_true", help="profile one extra all-304 and all-200 cycle")
    parser.add_argument("--profile-top", type=int, default=25, help="rows of profile output")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a judged target fails")
    args = parser.parse_args(argv)
    from bot.core.config import PollSettings

    args.concurrency = args.concurrency or PollSettings().concurrency
    args.per_host = args.per_host or args.concurrency
    if args.feeds < 1 or args.rounds < 1 or not 1 <= args.new_items <= ITEMS or not 0 <= args.platforms <= len(PLATFORMS):
        parser.error(f"--feeds and --rounds must be >= 1, --new-items between 1 and {ITEMS}, "
                     f"--platforms between 0 and {len(PLATFORMS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    server = ServerProcess(args.feeds, args.new_items, SEED)
    try:
        port = server.start()
        result = asyncio.run(run_bench(args, port))
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return 130
    finally:
        server.stop()
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        print_table(result)
    if result.get("profile"):
        print_profiles(result["profile"])
    judged_fail = any(t["result"] == "FAIL" for t in result["targets"].values())
    return 1 if args.strict and (judged_fail or result["problems"]) else 0


if __name__ == "__main__":
    sys.exit(main())
