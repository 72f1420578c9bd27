"""Whole-cycle benchmark: one poll cycle of the real pipeline against a bare loop, each run in a fresh process.

What it measures
    A spawned server process serves N synthetic ~40 KB RSS 2.0 feeds (20 items each, `synthetic_feeds.py`) on
    127.0.0.1, always 200 with the same body (no ETag or Last-Modified, so nothing is answered 304). For each
    run and each scenario this script starts one fresh ``python`` process per side, which times one cycle and
    reports it as JSON on stdout:

    first      the first poll of N feeds, every entry new.
               pipeline: ``App.open(config)`` (temporary storage) and ``await app.poller.run_cycle()``.
               bare:     an aiohttp loop (the pipeline's connector limits and worker count) that GETs every feed
                         and hands each body to ``feedparser.parse`` inline.
    unchanged  a cycle in which no body changed: the pipeline skips each one before parsing (same body hash).
               pipeline: one untimed priming cycle, then --cycles timed cycles (default 5).
               bare:     one untimed GET loop (warm connections), then --cycles timed GET loops (bodies read).
               A process's figure is its fastest cycle: at ~0.1-0.2 s a single cycle is at the mercy of the
               scheduler of a shared machine.
    conditional  a cycle in which no feed changed, served by a second server that sends ETags: every feed
               answers 304 to a conditional GET (what servers with validators do).
               pipeline: one untimed priming cycle (it learns the ETags), then --cycles timed cycles.
               bare:     one untimed GET loop recording the ETags, then --cycles timed conditional GET loops.

    Sides alternate (bare first in odd runs, the pipeline first in even ones), so both see the same machine.
    With two CPUs or more, the server is pinned to one CPU and every measured process to another (--no-pin to
    let the scheduler place them): unpinned, a client process that shares its core with the server now and then
    runs a whole process 1.5-2x slower, and that luck, not the code, decided the ratio. Pinned, the pipeline's
    writer thread shares its core with its event loop, as the bare loop has no such thread: the conservative side.
    Reported per scenario: the cycle seconds of each side in every run, the ratio pipeline / bare of their
    minimums and of their medians, and the wall time of each whole process (start-up and imports included,
    for information).

    --platforms declares that many platforms (default 0): with platforms, the first poll also attributes every
    entry and extracts its statements, the news analysis that `news.py` measures on its own; the bare loop
    has nothing of the kind.

Targets (judged on the ratio of the minimums; the ratio of the medians is shown beside it)
    * first poll: pipeline / (aiohttp + feedparser) <= 1.2;
    * unchanged cycle: pipeline / aiohttp <= 1.5 (judged on both kinds: bodies compared by hash, and 304s).

Run (from the repository root)
    python bench/cycle.py                  # 1,000 feeds, 3 runs (about 2 minutes on 2 cores)
    python bench/cycle.py --runs 5 --json  # one JSON object on stdout
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("bot") is None:
    sys.path.insert(0, str(ROOT))

from feed_server import ServerProcess  # noqa: E402
from loops import bare_loop, bare_session, config_text, cycle_fields  # noqa: E402
from measure import process_cpu  # noqa: E402
from synthetic_feeds import SEED  # noqa: E402

SCENARIOS = ("first", "unchanged", "conditional")
SIDES = ("bare", "pipeline")
LIMITS = {"first": 1.2, "unchanged": 1.5, "conditional": 1.5}
BASELINES = {"first": "aiohttp + feedparser", "unchanged": "aiohttp", "conditional": "aiohttp conditional GETs"}
T = TypeVar("T")


# ----------------------------------------------------------------------------------------------------------
# One side of one scenario, in a child process


async def timed(cycle: Callable[[], Awaitable[T]], repeats: int) -> tuple[dict[str, Any], T]:
    """Run `cycle` `repeats` times; the fastest counts (with its CPU seconds), all are listed."""
    rounds: list[tuple[float, float]] = []
    for _ in range(repeats):
        cpu, started = process_cpu(), time.perf_counter()
        outcome = await cycle()
        rounds.append((time.perf_counter() - started, process_cpu() - cpu))
    seconds, cpu = min(rounds)
    return {"seconds": seconds, "cpu_seconds": cpu, "cycles": [round(s, 4) for s, _ in rounds]}, outcome


async def bare_cycle(scenario: str, urls: list[str], concurrency: int, repeats: int) -> dict[str, Any]:
    import feedparser

    def parse(body: bytes) -> object:
        return feedparser.parse(io.BytesIO(body))

    session = bare_session(concurrency, concurrency, 60.0)
    try:
        if scenario == "first":
            result, statuses = await timed(lambda: bare_loop(session, urls, concurrency, parse=parse), 1)
        elif scenario == "conditional":
            etags: list[str | None] = [None] * len(urls)
            await bare_loop(session, urls, concurrency, record=etags)
            result, statuses = await timed(lambda: bare_loop(session, urls, concurrency, etags=etags), repeats)
        else:
            await bare_loop(session, urls, concurrency)
            result, statuses = await timed(lambda: bare_loop(session, urls, concurrency), repeats)
    finally:
        await session.close()
    expected_status = "304" if scenario == "conditional" else "200"
    problems = [] if statuses == {expected_status: len(urls)} else [f"statuses {statuses}"]
    return {**result, "outcome": {"statuses": statuses}, "problems": problems}


async def pipeline_cycle(scenario: str, urls: list[str], concurrency: int, platforms: int,
                         repeats: int) -> dict[str, Any]:
    from bot.app import App
    from bot.core.config import parse_config

    n = len(urls)
    with tempfile.TemporaryDirectory(prefix="clausewatch-cycle-") as scratch:
        text = config_text(Path(scratch) / "storage", urls, concurrency, concurrency, None, platforms)
        config = parse_config(text, Path(scratch) / "feeds.yaml")
        async with App.open(config, stdout=io.StringIO()) as app:
            if scenario == "first":
                result, report = await timed(app.poller.run_cycle, 1)
            else:
                await app.poller.run_cycle()
                result, report = await timed(app.poller.run_cycle, repeats)
    outcome = cycle_fields(report)
    field = {"first": "ok", "unchanged": "unchanged", "conditional": "not_modified"}[scenario]
    problems = [] if outcome[field] == n else [f"expected {n} {field}: {outcome}"]
    return {**result, "outcome": outcome, "problems": problems}


def child(args: argparse.Namespace) -> int:
    side, scenario = args.child
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    urls = [f"http://127.0.0.1:{args.port}/feeds/{index}.xml" for index in range(args.feeds)]
    if side == "bare":
        result = asyncio.run(bare_cycle(scenario, urls, args.concurrency, args.cycles))
    else:
        result = asyncio.run(pipeline_cycle(scenario, urls, args.concurrency, args.platforms, args.cycles))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# ----------------------------------------------------------------------------------------------------------
# The driver


def run_child(side: str, scenario: str, port: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", side, scenario, "--port", str(port),
               "--feeds", str(args.feeds), "--concurrency", str(args.concurrency), "--platforms", str(args.platforms),
               "--cycles", str(args.cycles)]
    if args.pinned:
        command += ["--cpu", str(args.pinned[1])]
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    wall = time.perf_counter() - started
    if finished.returncode != 0 or not finished.stdout.strip():
        raise RuntimeError(f"{side} {scenario} exited with {finished.returncode}: {finished.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    result["process_seconds"] = wall
    return result


def measure_all(args: argparse.Namespace) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """runs[scenario][side] = the child results, run after run."""
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {s: {side: [] for side in SIDES} for s in args.scenarios}
    server = ServerProcess(args.feeds, 2, SEED, validators=False)
    validating = ServerProcess(args.feeds, 2, SEED, validators=True)  # ETags, so an unchanged feed answers 304
    try:
        ports = {"plain": server.start(), "validating": validating.start() if "conditional" in args.scenarios else 0}
        if args.pinned:
            for process in (server.process, validating.process):
                if process is not None:
                    os.sched_setaffinity(process.pid, {args.pinned[0]})
        for run in range(1, args.runs + 1):
            for scenario in args.scenarios:
                port = ports["validating" if scenario == "conditional" else "plain"]
                for side in SIDES if run % 2 else SIDES[::-1]:
                    result = run_child(side, scenario, port, args)
                    runs[scenario][side].append(result)
                    sys.stderr.write(f"run {run} {scenario:<9} {side:<8} cycle {result['seconds']:7.3f} s, "
                                     f"process {result['process_seconds']:7.3f} s\n")
    finally:
        server.stop()
        validating.stop()
    return runs


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("nan")


def summarize(args: argparse.Namespace, runs: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    scenarios: dict[str, Any] = {}
    for scenario, sides in runs.items():
        cycle = {side: [row["seconds"] for row in rows] for side, rows in sides.items()}
        process = {side: [row["process_seconds"] for row in rows] for side, rows in sides.items()}
        best = {side: min(values) for side, values in cycle.items()}
        middle = {side: statistics.median(values) for side, values in cycle.items()}
        ratio_min, ratio_median = _ratio(best["pipeline"], best["bare"]), _ratio(middle["pipeline"], middle["bare"])
        whole = scenario == "first"
        scenarios[scenario] = {
            "baseline": BASELINES[scenario],
            "cycle_seconds": {side: [round(v, 3) for v in values] for side, values in cycle.items()},
            "process_seconds": {side: [round(v, 3) for v in values] for side, values in process.items()},
            "cpu_seconds": {side: [round(row["cpu_seconds"], 2) for row in rows] for side, rows in sides.items()},
            "ms_per_feed_min": {side: round(v * 1000 / args.feeds, 3) for side, v in best.items()},
            "ratio_min": ratio_min,
            "ratio_median": ratio_median,
            # An unchanged-cycle process also primes (the pipeline) or warms up (the bare loop): no ratio of those.
            "process_ratio_min": _ratio(min(process["pipeline"]), min(process["bare"])) if whole else None,
            "process_ratio_median": (_ratio(statistics.median(process["pipeline"]), statistics.median(process["bare"]))
                                     if whole else None),
            "limit": LIMITS[scenario],
            "result": "PASS" if ratio_min <= LIMITS[scenario] else "FAIL",
            "problems": sorted({problem for rows in sides.values() for row in rows for problem in row["problems"]}),
        }
    return {"benchmark": "bench/cycle.py", "feeds": args.feeds, "runs": args.runs, "platforms": args.platforms,
            "concurrency": args.concurrency, "python": sys.version.split()[0],
            "pinned": {"server_cpu": args.pinned[0], "client_cpu": args.pinned[1]} if args.pinned else None,
            "scenarios": scenarios}


def print_table(report: dict[str, Any]) -> None:
    print(f"Clausewatch cycle benchmark: {report['feeds']} feeds of ~40 KB, {report['runs']} runs, each side in a "
          f"fresh process; concurrency {report['concurrency']}, {report['platforms']} platforms")
    pinned = report["pinned"]
    print(f"server on CPU {pinned['server_cpu']}, measured processes on CPU {pinned['client_cpu']}" if pinned
          else "not pinned: the scheduler placed the processes")
    for scenario, row in report["scenarios"].items():
        print(f"\n{scenario} cycle vs {row['baseline']}")
        for side in SIDES:
            values = ", ".join(f"{v:.3f}" for v in row["cycle_seconds"][side])
            print(f"  {side:<9} cycle s: {values}   ({row['ms_per_feed_min'][side]} ms/feed at best); "
                  f"process s: {', '.join(f'{v:.2f}' for v in row['process_seconds'][side])}")
        whole = (f"   (whole processes: min {row['process_ratio_min']}, median {row['process_ratio_median']})"
                 if row["process_ratio_min"] is not None else "")
        print(f"  pipeline / bare: min {row['ratio_min']}, median {row['ratio_median']}{whole}")
        print(f"  {row['result']}: ratio of minimums <= {row['limit']}")
        for problem in row["problems"]:
            print(f"  problem: {problem}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000, help="number of feeds (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per side and scenario (default 3)")
    parser.add_argument("--cycles", type=int, default=5,
                        help="unchanged cycles timed in each process; its fastest counts (default 5)")
    parser.add_argument("--platforms", type=int, default=0, help="platforms declared in the config (default 0)")
    parser.add_argument("--concurrency", type=int, default=None, help="poll.concurrency (default: PollSettings)")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS),
                        help="scenarios to run (default: both)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target fails")
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="do not pin the server and the measured processes to separate CPUs")
    parser.add_argument("--cpu", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "SCENARIO"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.concurrency is None:
        from bot.core.config import PollSettings

        args.concurrency = PollSettings().concurrency
    if args.feeds < 1 or args.runs < 1 or args.cycles < 1:
        parser.error("--feeds, --runs and --cycles must be at least 1")
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    args.pinned = (cpus[0], cpus[1]) if args.pin and len(cpus) >= 2 else None
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    report = summarize(args, measure_all(args))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    failed = any(row["result"] == "FAIL" or row["problems"] for row in report["scenarios"].values())
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
