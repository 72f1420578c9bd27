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

Modules: the feeds come from `synthetic_feeds.py`, the server from `feed_server.py`, the bare loop and the
pipeline's config from `loops.py`, the measurements from `measure.py`; `cycle.py` uses the same parts to time
whole cycles in fresh processes (the first poll and an unchanged cycle).

Note on per_host: every feed lives on the same host (127.0.0.1), so the pipeline's default per-host limit
(4) would cap the whole run at 4 connections, which is not what happens with sources spread over many
hosts. The config (and the bare loop's connector) therefore use per_host = concurrency unless --per-host
says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib.util
import io
import json
import logging
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("bot") is None:
    sys.path.insert(0, str(ROOT))

from feed_server import Control, ServerProcess  # noqa: E402
from loops import bare_loop, bare_session, config_text, cycle_fields  # noqa: E402
from measure import Phase, max_rss_mb, profile_rows  # noqa: E402
from synthetic_feeds import ITEMS, PLATFORMS, SEED, TEMPLATES, feed_body, feed_template  # noqa: E402

ALL_304_LIMIT = 1.5
RSS_LIMIT_MB = 200.0
RSS_JUDGED_FROM = 10_000

log = logging.getLogger("bench.poll")


# ----------------------------------------------------------------------------------------------------------
# The pipeline


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
        # One event per new entry; with platforms, entries about the same event are grouped into one story.
        new = n * args.new_items
        events_ok = report.events == new if not args.platforms else 0 < report.events <= new
        _expect(problems, "pipeline_200", report.ok == n and events_ok,
                f"expected {n} ok and {'' if not args.platforms else 'at most '}{new} events, "
                f"got {cycle_fields(report)}")
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
            await profile_cycles(app, control, n, args.profile_top, phases, profiles)
    finally:
        async with Phase("app_close", n, None) as phase:
            await app_cm.__aexit__(None, None, None)
        phases.append(phase.result)


async def profile_cycles(app: Any, control: Control, n: int, top: int, phases: list[dict[str, Any]],
                         profiles: dict[str, Any]) -> None:
    """One profiled all-304 cycle, then (after a generation switch) one profiled all-200 cycle."""
    for name in ("pipeline_304", "pipeline_200"):
        if name == "pipeline_200":
            await control.generation(3)
        profiler = cProfile.Profile()
        async with Phase(f"profiled_{name}", n, control) as phase:
            profiler.enable()
            report = await app.poller.run_cycle()
            profiler.disable()
        phase.result.update(cycle_fields(report))
        phases.append(phase.result)
        profiles[name] = profile_rows(profiler, top)


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
    """Body size, and that a sample feed parses to all its items."""
    from bot.sources.feed_parser import parse_feed

    sizes = [len(feed_body(feed_template(t, 1, args.new_items), t)) for t in range(TEMPLATES)]
    parsed = parse_feed(feed_body(feed_template(0, 2, args.new_items), 0), "http://127.0.0.1/feeds/0.xml")
    _expect(problems, "sample", len(parsed.entries) == ITEMS, f"sample feed parsed to {len(parsed.entries)} entries")
    return {"avg_body_kb": round(sum(sizes) / len(sizes) / 1024, 1), "items": ITEMS,
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
      f"+{sample['new_items_per_generation']} at the switch), concurrency "
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
