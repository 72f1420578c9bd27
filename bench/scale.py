"""Scale benchmark: 100,000 sources, one poll cycle at a time, on SQLite with one worker and on PostgreSQL with 1, 2
and 4 workers, in one invocation.

What it measures
    N synthetic RSS feeds (default 100,000; `--sources` for smaller runs) are served on 127.0.0.1 by the server of
    `bench/soak.py` in a spawned process of its own: ~3 KB feeds of 8 items, and before each cycle a seeded draw of
    what every feed does in it, soak.py's default mix: 80% unchanged (304 to a matching If-None-Match), 15% changed
    (200 with 2 new items), 2.5% HTTP 500, 1% 503 with Retry-After, 1.25% a connection reset mid-body and 0.25% no
    answer within the 1 s timeout. Every scenario polls every cycle, so all of them see the same answers.

    A worker is a process of its own running the real bot as `clausewatch poll --once` does (`App.open(config,
    exclusive=True)`, then `app.poll_once()`: fetch, parse, store, deliver, prune), kept open from cycle to cycle
    as `clausewatch run` keeps its App: it reports when it is ready (configuration of N sources read, store opened,
    sources registered, fetch state loaded) and runs one `poll_once()` each time it is told. All workers of a
    scenario start each cycle together, so the start-up (reading N sources from feeds.yaml) neither counts in a
    cycle nor staggers the workers, and it is paid once per worker, not once per cycle. On PostgreSQL
    (`CLAUSEWATCH_DATABASE_URL`) `poll_once()` claims its sources a chunk at a time (source leases, FOR UPDATE SKIP
    LOCKED), so the workers of a scenario share one cycle over all sources. `poll_once()` rather than `App.run`
    because a cycle then has a start and an end that every worker reports, while `run` workers would have to be
    made due all at once (their loop looks for due sources every few seconds) and watched from outside until every
    source had been polled.

    Sequence: cycle 0 primes the SQLite store with one worker (every feed answers 200, every entry is new: the first
    poll sets each feed's baseline and posts nothing); `clausewatch store copy` moves it into a PostgreSQL database
    (the documented way onto PostgreSQL; 38 s where a first poll there took 14 minutes in a trial), copied again
    (`CREATE DATABASE … TEMPLATE`) for the 2- and 4-worker scenarios, so that every store starts from the same
    state. Cycle 1 is a warm-up in every scenario, not timed, with py-spy attached to each worker when it is
    installed (`pip install py-spy`): it gives where the time goes. Cycles 2 … `--runs`+1 are timed, the order of
    the scenarios rotating from cycle to cycle, one scenario at a time.

    Per scenario and cycle: the wall time (first worker's start to last worker's end) and sources per second; per
    worker: its cycle, CPU seconds by thread (event loop, database writer, reader), RSS; peak RSS of each worker
    process (the kernel's high-water mark, `ru_maxrss`, read by the worker as it exits: start-up with the
    configuration of N sources, every cycle and closing included, with no sampling that could miss a short peak)
    and its start-up time. CPU seconds during the cycle of every party: the workers (their own getrusage), the
    feed server (/proc/<pid>/stat), PostgreSQL (every `postgres` process from /proc, plus what the postmaster
    reaped; of which the backends of this scenario's database, by pg_stat_activity), and the rest of the machine
    (/proc/stat minus those): each as a share of the machine's CPU time. The server's request counts show whether
    every source was fetched once (requests - sources > 0: some twice).

    Where the time goes (warm-up cycle, py-spy `--idle --threads`, 50 samples/s, every thread): the event-loop
    thread's samples by what runs at the sample's deepest recognised frame — parsing (feedparser,
    bot/sources/feed_parser, html_text, bot/core/news/entries), network (aiohttp, yarl, asyncio's socket
    transports, bot/sources/fetcher), database (bot/store, psycopg, sqlite3 called on the loop), pipeline
    (bot/pipeline, other bot code), waiting (the loop idle in select: replies from the server or the database
    outstanding), other (the event loop itself, logging); and how busy the database threads were (writer: every
    write, claim and commit of the worker, one at a time; reader; advisory locks), busy meaning not waiting for work.
    Samples are of wall time: a thread that waits for a CPU is counted where it stands (on loopback a socket send
    also runs the server's receive path and may hand the CPU to the server, which shows as network).

Targets (issue): PostgreSQL with 2 workers >= 1.5x the throughput of 1 worker; PostgreSQL with 1 worker within 1.3x
of SQLite's cycle time; < 250 MB peak RSS per worker at 100,000 sources. Ratios are of the fastest runs (the ratio
of the medians is shown beside them); the memory target is judged only at --sources >= 100000.

Run (from the repository root; PostgreSQL at --postgres, trust authentication: databases clausewatch_bench_* are
created and dropped)
    .venv/bin/python bench/scale.py                          # 100,000 sources, 3 runs (30-35 minutes on 2 cores)
    .venv/bin/python bench/scale.py --sources 5000 --runs 1  # a quick look
    .venv/bin/python bench/scale.py --json                   # one JSON object on stdout; progress on stderr
    .venv/bin/python bench/scale.py --scenarios sqlite pg1   # a subset
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import platform
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
if importlib.util.find_spec("bot") is None:
    sys.path.insert(0, str(ROOT))

from feed_server import SpawnedServer  # noqa: E402
from soak import DEFAULT_MIX, ITEMS, parse_mix  # noqa: E402
from soak import serve as soak_serve  # noqa: E402

SCENARIOS: dict[str, tuple[str, int]] = {"sqlite": ("sqlite", 1), "pg1": ("postgresql", 1),
                                         "pg2": ("postgresql", 2), "pg4": ("postgresql", 4)}
TARGET_PG1_VS_SQLITE = 1.3  # PostgreSQL 1 worker cycle time / SQLite cycle time, at most
TARGET_PG2_SPEEDUP = 1.5  # PostgreSQL 2 workers throughput / 1 worker throughput, at least
TARGET_RSS_MB = 250.0  # peak RSS per worker at 100,000 sources, below
MEMORY_JUDGED_FROM = 100_000
PREFIX = "SCALE "  # a worker's protocol lines on its stdout start with this
TICKS = os.sysconf("SC_CLK_TCK")
SPY_RATE = 50  # py-spy samples per second
DATABASE_URL_ENV = "CLAUSEWATCH_DATABASE_URL"


def log(text: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
    sys.stderr.flush()


# ----------------------------------------------------------------------------------------------------------
# The worker: a process of its own running the real App, one cycle each time it is told


def _send(message: dict[str, Any]) -> None:
    sys.stdout.write(PREFIX + json.dumps(message) + "\n")
    sys.stdout.flush()


def _command() -> str:
    """The benchmark's next word ("go" or "exit"); the worker waits here between cycles."""
    line = sys.stdin.readline().strip()
    if line not in ("go", "exit"):
        raise SystemExit(f"worker: expected go or exit from the benchmark, got {line!r}")
    return line


def _status_mb(name: str) -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker_main(config_file: Path) -> int:
    """The App as `clausewatch poll --once` opens it, kept open: "ready", then one `poll_once()` per "go" (each
    reported), until "exit"; the process's peak RSS and CPU are reported as it ends."""
    import asyncio

    from measure import thread_cpu

    from bot.app import App, ChatEnv, load_config, setup_logging

    setup_logging("info", "human")  # the CLI's default; stderr goes to a log file
    started = time.perf_counter()
    config = load_config(config_file)

    async def work() -> None:
        async with App.open(config, stdout=sys.stderr, exclusive=True, chat_env=ChatEnv()) as app:
            _send({"ready": True, "pid": os.getpid(), "startup_seconds": time.perf_counter() - started,
                   "rss_mb": _status_mb("VmRSS"), "worker": app.worker})
            while _command() == "go":
                threads, cpu, begin = thread_cpu(), _process_cpu(), time.monotonic()
                cycle, delivery = await app.poll_once()
                end, cpu_after, threads_after = time.monotonic(), _process_cpu(), thread_cpu()
                by_thread = {name: round(seconds - threads.get(name, 0.0), 3)
                             for name, seconds in threads_after.items()}
                _send({"done": True, "start": begin, "end": end, "cpu": cpu_after - cpu, "cpu_by_thread": by_thread,
                       "sources": cycle.sources, "ok": cycle.ok, "not_modified": cycle.not_modified,
                       "unchanged": cycle.unchanged, "failed": cycle.failed, "events": cycle.events,
                       "delivered": delivery.delivered, "rss_mb": _status_mb("VmRSS"), "hwm_mb": _status_mb("VmHWM")})

    asyncio.run(work())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # e.g. a process that parsed feeds.yaml for the worker
    _send({"exit": True, "maxrss_mb": usage.ru_maxrss / 1024, "cpu_total": usage.ru_utime + usage.ru_stime,
           "children_maxrss_mb": children.ru_maxrss / 1024})
    return 0


# ----------------------------------------------------------------------------------------------------------
# Talking to workers, the feed server and PostgreSQL


class Worker:
    """One worker process and its line protocol (see `worker_main`)."""

    def __init__(self, config_file: Path, env: dict[str, str], log_file: Path) -> None:
        self.ready: dict[str, Any] = {}
        self.log_file = log_file
        self.log_handle: IO[bytes] = log_file.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(config_file)], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log_handle, bufsize=0, cwd=str(ROOT))
        self.buffer = b""
        self.pid = self.process.pid

    def message(self, timeout: float) -> dict[str, Any]:
        """The next protocol line, waiting up to `timeout` seconds."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            line, newline, rest = self.buffer.partition(b"\n")
            if newline:
                self.buffer = rest
                text = line.decode("utf-8", "replace")
                if text.startswith(PREFIX):
                    return dict(json.loads(text[len(PREFIX):]))
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"worker {self.pid}: no answer within {timeout:g}s (log: {self.log_file})")
            ready, _, _ = select.select([self.process.stdout], [], [], left)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError(f"worker {self.pid} exited ({self.process.wait()}); its log ends:\n"
                                       + self.log_file.read_text(errors="replace")[-3000:])
                self.buffer += chunk

    def tell(self, word: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(word.encode() + b"\n")
        self.process.stdin.flush()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log_handle.close()


def _stat_fields(pid: int | str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    head, _, tail = text.rpartition(")")
    return [head.partition("(")[2], *tail.split()]  # [comm, state, ppid, …]: utime is [12], stime [13]


def process_cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[12]) + int(fields[13])) / TICKS if fields else 0.0


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine so far, all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values
    busy = user + nice + system + irq + softirq + steal
    return busy / TICKS, (busy + idle + iowait) / TICKS


@dataclass
class PostgresCpu:
    """CPU seconds of every `postgres` process (live ones by pid; the postmaster's reaped children)."""

    live: dict[int, float]
    reaped: float

    @classmethod
    def now(cls) -> PostgresCpu:
        live: dict[int, float] = {}
        parents: dict[int, int] = {}
        children = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            fields = _stat_fields(entry.name)
            if not fields or fields[0] != "postgres":
                continue
            pid = int(entry.name)
            live[pid] = (int(fields[12]) + int(fields[13])) / TICKS
            parents[pid] = int(fields[2])
        for pid, parent in parents.items():
            if parent not in parents:  # the postmaster: what its exited children used is in its cutime/cstime
                fields = _stat_fields(pid)
                if fields:
                    children += (int(fields[14]) + int(fields[15])) / TICKS
        return cls(live, children)

    def since(self, before: PostgresCpu) -> float:
        """CPU used between `before` and this snapshot (a process that exited meanwhile: by the reaped total)."""
        live = sum(seconds - before.live.get(pid, 0.0) for pid, seconds in self.live.items())
        gone = sum(seconds for pid, seconds in before.live.items() if pid not in self.live)
        return live - gone + (self.reaped - before.reaped)


class Postgres:
    """The benchmark's databases on the server at `admin_url` (created, copied, dropped) and their backends."""

    def __init__(self, admin_url: str, tag: str) -> None:
        import psycopg

        self.psycopg = psycopg
        self.admin_url = admin_url
        self.base = admin_url.rpartition("/")[0]
        self.tag = tag
        self.names: list[str] = []
        self.conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=10)
        self.version = str(self.conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]

    def name(self, scenario: str) -> str:
        return f"clausewatch_bench_{self.tag}_{scenario}"

    def url(self, scenario: str) -> str:
        return f"{self.base}/{self.name(scenario)}"

    def create(self, scenario: str, template: str | None = None) -> None:
        name = self.name(scenario)
        self.conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{self.name(template)}"' if template else ""))
        self.names.append(name)

    def backends(self, scenario: str) -> list[int]:
        rows = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.name(scenario)])
        return [int(row[0]) for row in rows.fetchall()]

    def size_mb(self, scenario: str) -> float:
        row = self.conn.execute("SELECT pg_database_size(%s)", [self.name(scenario)]).fetchone()
        return int(row[0]) / 2**20 if row else 0.0

    def drop_all(self) -> None:
        for name in self.names:
            with contextlib.suppress(self.psycopg.Error):
                self.conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.conn.close()


class FeedServer:
    """soak.py's feed server in its own process, and its two control endpoints."""

    def __init__(self, sources: int, mix: dict[str, float], new: int, timeout: float) -> None:
        self.server = SpawnedServer(soak_serve, (sources, mix, new, timeout + 2.0), "scale feed server")
        self.port = self.server.start()
        self.pid = int(self.server.process.pid)

    def _call(self, path: str, method: str = "GET") -> dict[str, int]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with urllib.request.urlopen(request, timeout=120) as response:
            return {str(k): int(v) for k, v in json.loads(response.read()).items()}

    def plan(self, cycle: int) -> dict[str, int]:
        """Draw what every feed does in `cycle` (0: every feed answers 200)."""
        return self._call(f"/_cycle/{cycle}", "POST")

    def counts(self) -> Counter[str]:
        return Counter(self._call("/_stats"))

    def stop(self) -> None:
        self.server.stop()


# ----------------------------------------------------------------------------------------------------------
# py-spy: where the time goes


LOOP_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("parsing", ("feedparser/", "sgmllib", "xml/sax", "xml/dom", "expat", "bot/sources/feed_parser",
                 "bot/sources/html_text", "bot/core/news/entries", "html/parser")),
    ("database", ("bot/store/", "psycopg", "sqlite3", "sqlite_utils")),
    ("network", ("aiohttp/", "yarl/", "multidict/", "asyncio/selector_events", "asyncio/sslproto", "asyncio/streams",
                 "bot/sources/fetcher", "bot/sources/network_guard", "http/cookies", "ssl.py", "socket.py")),
    ("pipeline", ("bot/",)),
)
LOOP_KINDS = ("parsing", "network", "database", "pipeline", "other", "waiting")
THREAD_KINDS = ("db_writer", "db_reader", "db_locks", "other_threads")
WAITING = "EpollSelector.select (selectors.py"  # the event loop with nothing to run
IDLE_LEAVES = ("Condition.wait (threading.py", "Queue.get (queue.py",  # the writer thread waiting for a job
               "_worker (concurrent/futures/thread.py")  # an executor thread waiting for one (SimpleQueue.get, in C)
OUTSIDE_CYCLE = "_command (scale.py"  # the worker waiting for "go" or "exit": not part of the cycle


def _loop_kind(frames: list[str]) -> str:
    if frames[-1].startswith(WAITING):
        return "waiting"
    for frame in reversed(frames):
        for kind, markers in LOOP_CATEGORIES:
            if any(marker in frame for marker in markers):
                return kind
    return "other"


def _thread_kind(name: str) -> str:
    for prefix, kind in (("clausewatch-db-writer", "db_writer"), ("clausewatch-db-reader", "db_reader"),
                         ("clausewatch-db-locks", "db_locks")):
        if name.startswith(prefix):
            return kind
    return "other_threads"


def spy_breakdown(raw: str) -> dict[str, Any]:
    """py-spy's raw output (`thread (tid): name;frame;…;leaf count` per line, frames as `function (file:line)`) →
    the event-loop thread's samples during the cycle by kind, and the other threads' busy samples."""
    loop: Counter[str] = Counter()
    busy: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        header, _, rest = stack.partition(";")
        frames = [frame for frame in rest.split(";") if frame]
        if not header.startswith("thread (") or not count_text.isdigit() or not frames:
            continue
        count = int(count_text)
        if header.endswith("): MainThread"):
            if not any(frame.startswith(OUTSIDE_CYCLE) for frame in frames):
                kind = _loop_kind(frames)
                loop[kind] += count
                if kind == "other":
                    other[frames[-1]] += count
        elif not frames[-1].startswith(IDLE_LEAVES):
            busy[_thread_kind(header.partition("): ")[2])] += count
    return {"loop_samples": sum(loop.values()), "loop": {k: loop.get(k, 0) for k in LOOP_KINDS},
            "threads_busy": {k: busy.get(k, 0) for k in THREAD_KINDS},
            "loop_other_leaves": dict(other.most_common(5))}


def py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return found if Path(found).exists() else None


# ----------------------------------------------------------------------------------------------------------
# Scenarios


@dataclass
class Setup:
    args: argparse.Namespace
    scratch: Path
    config_file: Path
    server: FeedServer
    postgres: Postgres | None
    spy: str | None
    cpus: int
    logs: Path = field(init=False)

    def __post_init__(self) -> None:
        self.logs = self.scratch / "logs"
        self.logs.mkdir(exist_ok=True)

    def env(self, scenario: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != DATABASE_URL_ENV}
        if SCENARIOS[scenario][0] == "postgresql":
            assert self.postgres is not None
            env[DATABASE_URL_ENV] = self.postgres.url(scenario)
        env["PYTHONUNBUFFERED"] = "1"
        return env


def start_workers(setup: Setup, scenario: str, stack: contextlib.ExitStack) -> list[Worker]:
    """The workers of `scenario`, started together and ready (closed, killed if need be, when `stack` closes)."""
    _backend, count = SCENARIOS[scenario]
    workers: list[Worker] = []
    for index in range(count):
        worker = Worker(setup.config_file, setup.env(scenario), setup.logs / f"{scenario}-{index}.log")
        stack.callback(worker.close)
        workers.append(worker)
    for worker in workers:
        worker.ready = worker.message(3600.0)
    return workers


def stop_workers(workers: list[Worker]) -> list[dict[str, Any]]:
    """Tell the workers to exit; what each reports as it ends (peak RSS, CPU of its whole life)."""
    for worker in workers:
        worker.tell("exit")
    return [worker.message(600.0) for worker in workers]


def run_cycle(setup: Setup, scenario: str, workers: list[Worker], cycle: int, profile: bool) -> dict[str, Any]:
    """One cycle of `scenario`: its workers released together, done, measured; profiled with py-spy if asked."""
    timeout = 3600.0
    spies: list[tuple[subprocess.Popen[bytes], Path]] = []
    if profile and setup.spy:
        for worker in workers:
            out = setup.logs / f"spy-{scenario}-{worker.pid}.txt"
            spies.append((subprocess.Popen(
                [setup.spy, "record", "--pid", str(worker.pid), "--idle", "--threads", "--nonblocking",
                 "--rate", str(SPY_RATE), "--format", "raw", "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), out))
        time.sleep(1.0)  # attached before the cycle starts
    ours = setup.postgres.backends(scenario) if setup.postgres and scenario != "sqlite" else []
    served = setup.server.counts()
    pg_before, machine_before = PostgresCpu.now(), machine_cpu()
    backends_before = {pid: process_cpu_seconds(pid) for pid in ours}
    server_before = process_cpu_seconds(setup.server.pid)
    for worker in workers:
        worker.tell("go")
    done = [worker.message(timeout) for worker in workers]
    server_cpu = process_cpu_seconds(setup.server.pid) - server_before
    backends_cpu = sum(process_cpu_seconds(pid) - seconds for pid, seconds in backends_before.items())
    pg_cpu, machine_after = PostgresCpu.now().since(pg_before), machine_cpu()
    requests = setup.server.counts() - served
    breakdowns: list[dict[str, Any]] = []
    for spy, out in spies:
        spy.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            spy.wait(60)
        if spy.poll() is None:
            spy.kill()
            spy.wait()
        if out.exists():
            breakdowns.append(spy_breakdown(out.read_text(errors="replace")))
    wall = max(d["end"] for d in done) - min(d["start"] for d in done)
    machine_busy = machine_after[0] - machine_before[0]
    workers_cpu = sum(d["cpu"] for d in done)
    return {
        "scenario": scenario, "cycle": cycle, "workers": len(workers), "seconds": round(wall, 3),
        "sources_per_second": round(setup.args.sources / wall, 1) if wall else None,
        "per_worker": [{
            "seconds": round(d["end"] - d["start"], 3), "sources": d["sources"], "ok": d["ok"],
            "not_modified": d["not_modified"], "unchanged": d["unchanged"], "failed": d["failed"],
            "events": d["events"], "cpu": round(d["cpu"], 2), "cpu_by_thread": d["cpu_by_thread"],
            "rss_mb": round(d["rss_mb"], 1), "hwm_mb": round(d["hwm_mb"], 1),
        } for d in done],
        "sources_claimed": sum(d["sources"] for d in done),
        "requests": dict(requests), "requests_total": sum(requests.values()),
        "cpu": {
            "workers": round(workers_cpu, 2), "server": round(server_cpu, 2), "postgres": round(pg_cpu, 2),
            "postgres_backends": round(backends_cpu, 2),
            "others": round(max(0.0, machine_busy - workers_cpu - server_cpu - pg_cpu), 2),
            "machine_busy": round(machine_busy, 2), "capacity": round(wall * setup.cpus, 2),
        },
        "breakdown": breakdowns,
    }


def prime(setup: Setup) -> float:
    """Cycle 0 on the SQLite store: one worker's first poll (every feed 200, every entry new, nothing posted)."""
    with contextlib.ExitStack() as stack:
        worker = start_workers(setup, "sqlite", stack)[0]
        worker.tell("go")
        done = worker.message(7200.0)
        stop_workers([worker])
    log(f"primed: {done['sources']} sources, {done['ok']} ok, {done['failed']} failed in "
        f"{done['end'] - done['start']:.1f} s")
    return round(done["end"] - done["start"], 1)


def copy_store(setup: Setup, scenario: str) -> float:
    """`clausewatch store copy` of the primed SQLite store into the database of `scenario`; seconds taken."""
    assert setup.postgres is not None
    env = {k: v for k, v in os.environ.items() if k != DATABASE_URL_ENV}
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bot", "--config", str(setup.config_file), "store", "copy", "--to",
                           setup.postgres.url(scenario)], env=env, cwd=str(ROOT), capture_output=True, text=True,
                          timeout=7200, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"store copy failed ({done.returncode}): {done.stderr[-2000:]}")
    log(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "copied")
    return round(time.monotonic() - began, 1)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    began = time.monotonic()
    code = code_state()
    scenarios: list[str] = args.scenarios
    postgres_scenarios = [s for s in scenarios if SCENARIOS[s][0] == "postgresql"]
    scratch = Path(tempfile.mkdtemp(prefix="clausewatch-scale-"))
    postgres = Postgres(args.postgres, str(os.getpid())) if postgres_scenarios else None
    server = FeedServer(args.sources, args.mix_table, args.new, args.timeout)
    config_file = scratch / "feeds.yaml"
    config_file.write_text(config_text(scratch / "storage", server.port, args), encoding="utf-8")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    spy = py_spy() if args.profile else None
    setup = Setup(args, scratch, config_file, server, postgres, spy, cpus)
    if args.profile and not spy:
        log("py-spy is not installed (pip install py-spy): no breakdown of where the time goes")
    runs: list[dict[str, Any]] = []
    warmup: list[dict[str, Any]] = []
    priming: dict[str, float] = {}
    sizes: dict[str, float] = {}
    startup: dict[str, list[dict[str, Any]]] = {}
    exits: dict[str, list[dict[str, Any]]] = {}
    try:
        log(f"{args.sources} sources on 127.0.0.1:{server.port}; scratch {scratch}")
        server.plan(0)
        priming["sqlite_first_poll"] = prime(setup)
        sizes["sqlite_mb"] = round(sum(f.stat().st_size for f in (scratch / "storage").glob("clausewatch.db*"))
                                   / 2**20, 1)
        if postgres is not None:
            postgres.create(postgres_scenarios[0])
            priming["store_copy_to_postgresql"] = copy_store(setup, postgres_scenarios[0])
            cloned = time.monotonic()
            for scenario in postgres_scenarios[1:]:
                postgres.create(scenario, template=postgres_scenarios[0])
            priming["database_clones"] = round(time.monotonic() - cloned, 1)
            sizes["postgresql_mb"] = round(postgres.size_mb(postgres_scenarios[0]), 1)
        with contextlib.ExitStack() as stack:
            workers: dict[str, list[Worker]] = {}
            for scenario in scenarios:
                workers[scenario] = start_workers(setup, scenario, stack)
                startup[scenario] = [worker.ready for worker in workers[scenario]]
                log(f"{scenario}: {len(workers[scenario])} worker(s) ready in "
                    f"{max(r['startup_seconds'] for r in startup[scenario]):.1f} s")
            for cycle in range(1, args.runs + 2):
                plan = server.plan(cycle)
                shift = (cycle - 1) % len(scenarios)
                for scenario in scenarios[shift:] + scenarios[:shift]:
                    result = run_cycle(setup, scenario, workers[scenario], cycle, profile=cycle == 1)
                    result["plan"] = plan
                    (warmup if cycle == 1 else runs).append(result)
                    log(f"cycle {cycle}{' (warm-up)' if cycle == 1 else ''} {scenario}: {result['seconds']:.2f} s, "
                        f"{result['requests_total']} requests, cpu {result['cpu']}")
            for scenario in scenarios:
                exits[scenario] = stop_workers(workers[scenario])
    finally:
        server.stop()
        if postgres is not None:
            postgres.drop_all()
        if args.keep:
            log(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    report = summarize(args, scenarios, priming, sizes, warmup, runs, startup, exits, cpus,
                       postgres.version if postgres else None, time.monotonic() - began, bool(spy))
    report["code"] = {**code, "bot_changed_after": code_state()["bot_changed"]}
    return report


def code_state() -> dict[str, Any]:
    """The commit measured and the files of bot/ that differ from it (read-only git commands), since the numbers
    belong to a state of the code."""
    def git(*command: str) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
            return done.stdout.strip() if done.returncode == 0 else ""
        return ""

    changed = [line.split(maxsplit=1)[1] for line in git("status", "--porcelain", "--", "bot").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD") or None, "bot_changed": changed}


def config_text(storage: Path, port: int, args: argparse.Namespace) -> str:
    """feeds.yaml of the workers: N feeds on the local server, no platform and no channel (delivery is not
    measured here; bench/soak.py times it)."""
    lines = [
        f"storage: {json.dumps(str(storage))}",
        f"poll: {{interval: 1h, concurrency: {args.concurrency}, per_host: {args.concurrency}, "
        f"timeout: {args.timeout:g}s, max_bytes: 1MB}}",
        "platforms: {}",
        "feeds:",
        *[f'  - {{id: scale-{index:06d}, url: "http://127.0.0.1:{port}/feeds/{index}.xml"}}'
          for index in range(args.sources)],
    ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------------
# Summary and output


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def summarize(args: argparse.Namespace, scenarios: list[str], primed: dict[str, float], sizes: dict[str, float],
              warmup: list[dict[str, Any]], runs: list[dict[str, Any]], startup: dict[str, list[dict[str, Any]]],
              exits: dict[str, list[dict[str, Any]]], cpus: int, pg_version: str | None, wall: float,
              profiled: bool) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for scenario in scenarios:
        mine = [r for r in runs if r["scenario"] == scenario]
        seconds = [r["seconds"] for r in mine]
        workers = [w for r in mine for w in r["per_worker"]]
        shares = {party: statistics.median(r["cpu"][party] / r["cpu"]["capacity"] for r in mine)
                  for party in ("workers", "server", "postgres", "postgres_backends", "others")}
        threads: Counter[str] = Counter()
        for w in workers:
            threads.update(w["cpu_by_thread"])
        duplicates = [r["requests_total"] - args.sources for r in mine]
        rows[scenario] = {
            "backend": SCENARIOS[scenario][0], "workers": SCENARIOS[scenario][1],
            "cycle_seconds": seconds, "min": min(seconds), "median": statistics.median(seconds),
            "sources_per_second_best": round(args.sources / min(seconds), 1),
            "sources_per_second_median": round(args.sources / statistics.median(seconds), 1),
            "worker_cycle_seconds": [[w["seconds"] for w in r["per_worker"]] for r in mine],
            # the kernel's high-water mark of each worker over its whole life (start-up, every cycle, closing)
            # (or VmHWM read after a cycle, whichever is higher: the kernel updates the two counters at different times)
            "peak_rss_mb": [round(max(e["maxrss_mb"], *(r["per_worker"][i]["hwm_mb"] for r in mine)), 1)
                            for i, e in enumerate(exits[scenario])],
            # the largest peak among the processes a worker started and waited for (none, or a configuration parser)
            "children_peak_rss_mb": [round(e.get("children_maxrss_mb", 0.0), 1) for e in exits[scenario]],
            "rss_mb_ready": [round(r["rss_mb"], 1) for r in startup[scenario]],
            "rss_mb_after_last_cycle": [w["rss_mb"] for w in mine[-1]["per_worker"]],
            "startup_seconds": [round(r["startup_seconds"], 1) for r in startup[scenario]],
            "worker_cpu_seconds_median": statistics.median(r["cpu"]["workers"] for r in mine),
            "cpu_by_thread_per_cycle": {k: round(v / len(mine), 2) for k, v in sorted(threads.items())},
            "cpu_share_median": {k: round(v, 3) for k, v in shares.items()},
            "cpu_seconds_median": {party: statistics.median(r["cpu"][party] for r in mine)
                                   for party in ("workers", "server", "postgres", "postgres_backends", "others")},
            "requests_minus_sources": duplicates,
            "sources_claimed": [r["sources_claimed"] for r in mine],
            "outcomes_last_run": {k: sum(w[k] for w in mine[-1]["per_worker"])
                                  for k in ("ok", "not_modified", "unchanged", "failed", "events")},
            "breakdown": _breakdown([r for r in warmup if r["scenario"] == scenario]),
            "warmup_seconds": next((r["seconds"] for r in warmup if r["scenario"] == scenario), None),
        }
        rows[scenario]["peak_rss_mb_max"] = max(rows[scenario]["peak_rss_mb"])
    ratios: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []
    # (each timed cycle is a round in which every scenario runs once, back to back: the ratio within a round is
    # immune to the machine getting slower or faster from one round to the next)
    by_round = {(r["scenario"], r["cycle"]): r["seconds"] for r in runs}
    cycles = sorted({r["cycle"] for r in runs})

    def rounds(slow: str, fast: str) -> list[float | None]:
        return [_ratio(by_round.get((slow, c)), by_round.get((fast, c))) for c in cycles]

    if "sqlite" in rows and "pg1" in rows:
        ratio = _ratio(rows["pg1"]["min"], rows["sqlite"]["min"])
        ratios["pg1_vs_sqlite_cycle"] = {"min": ratio, "median": _ratio(rows["pg1"]["median"], rows["sqlite"]["median"]),
                                         "by_round": rounds("pg1", "sqlite")}
        targets.append({"target": f"PostgreSQL 1 worker cycle / SQLite cycle <= {TARGET_PG1_VS_SQLITE}",
                        "value": ratio, "result": "PASS" if ratio and ratio <= TARGET_PG1_VS_SQLITE else "FAIL"})
    for many in ("pg2", "pg4"):
        if many in rows and "pg1" in rows:
            ratio = _ratio(rows["pg1"]["min"], rows[many]["min"])
            ratios[f"{many}_vs_pg1_throughput"] = {"min": ratio,
                                                   "median": _ratio(rows["pg1"]["median"], rows[many]["median"]),
                                                   "by_round": rounds("pg1", many)}
            if many == "pg2":
                targets.append({"target": f"PostgreSQL 2 workers throughput / 1 worker >= {TARGET_PG2_SPEEDUP}",
                                "value": ratio, "result": "PASS" if ratio and ratio >= TARGET_PG2_SPEEDUP else "FAIL"})
    peak = max((row["peak_rss_mb_max"] for row in rows.values()), default=0.0)
    targets.append({"target": f"peak RSS per worker < {TARGET_RSS_MB:g} MB at {MEMORY_JUDGED_FROM:,} sources",
                    "value": peak, "result": ("PASS" if peak < TARGET_RSS_MB else "FAIL")
                    if args.sources >= MEMORY_JUDGED_FROM else "not judged (fewer sources)"})
    return {
        "benchmark": "bench/scale.py", "sources": args.sources, "runs": args.runs, "mix": args.mix,
        "new_per_change": args.new, "items_per_feed": ITEMS, "concurrency_per_worker": args.concurrency,
        "timeout": args.timeout, "cpus": cpus, "load_before": args.load_before,
        "environment": {"python": platform.python_version(), "postgresql": pg_version},
        "priming_seconds": primed, "store_size_after_priming": sizes, "profiled": profiled,
        "scenarios": rows, "ratios": ratios, "targets": targets, "runs_detail": runs, "warmup_detail": warmup,
        "wall_seconds": round(wall, 1),
    }


def _breakdown(profiled: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Per worker (averaged over the scenario's workers): the loop thread's time by kind and the database
    threads' busy time, in seconds of the profiled cycle."""
    if not profiled or not profiled[0]["breakdown"]:
        return None
    cycle = profiled[0]
    loop: Counter[str] = Counter()
    busy: Counter[str] = Counter()
    for spied in cycle["breakdown"]:
        total = spied["loop_samples"] or 1
        for kind, count in spied["loop"].items():
            loop[kind] += count / total
        for kind, count in spied["threads_busy"].items():
            busy[kind] += count / total  # a thread's samples per loop sample: the share of the cycle it was busy
    n = len(cycle["breakdown"])
    wall = cycle["seconds"]
    return {"cycle_seconds": wall, "workers_profiled": n,
            "loop_share": {k: round(loop[k] / n, 3) for k in LOOP_KINDS},
            "loop_seconds": {k: round(loop[k] / n * wall, 2) for k in LOOP_KINDS},
            "busy_share": {k: round(busy[k] / n, 3) for k in THREAD_KINDS},
            "busy_seconds": {k: round(busy[k] / n * wall, 2) for k in THREAD_KINDS}}


def _mb(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def print_report(report: dict[str, Any], out: IO[str] = sys.stdout) -> None:
    w = out.write
    env = report["environment"]
    w(f"Clausewatch scale: {report['sources']:,} sources (~3 KB RSS, {report['items_per_feed']} items) served by one "
      f"local server process; mix {report['mix']} (bench/soak.py's), +{report['new_per_change']} items per change\n")
    w(f"each worker: poll.concurrency {report['concurrency_per_worker']}, timeout {report['timeout']:g}s, no channel; "
      f"Python {env['python']}, PostgreSQL {env['postgresql'] or '-'}; {report['cpus']} CPUs shared by the workers, "
      f"the feed server and PostgreSQL (not pinned); 1-minute load before the run: {report['load_before']}\n")
    code = report.get("code", {})
    changed = sorted(set(code.get("bot_changed", [])) | set(code.get("bot_changed_after", [])))
    w(f"code: commit {code.get('commit')}" + (f", with uncommitted changes in {', '.join(changed)}" if changed
                                               else ", bot/ as committed") + "\n")
    primed = "; ".join(f"{k.replace('_', ' ')} {v:.1f} s" for k, v in report["priming_seconds"].items())
    sizes = ", ".join(f"{k.split('_')[0]} {v:,.0f} MB" for k, v in report["store_size_after_priming"].items())
    w(f"priming: {primed}; stores after priming: {sizes}\n")
    w(f"{report['runs']} timed cycles per scenario after a warm-up cycle (untimed"
      f"{', profiled' if report['profiled'] else ''}); the workers of a "
      f"scenario are started once and kept, each cycle released together\n\n")
    w(f"{'scenario':<8} {'cycle s min / median':>21} {'sources/s best / median':>24}   {'cycles s':<24} "
      f"{'worker CPU s':>12} {'requests - sources':>19}\n")
    for name, row in report["scenarios"].items():
        cycles = ", ".join(f"{v:.1f}" for v in row["cycle_seconds"])
        extra = ", ".join(str(v) for v in row["requests_minus_sources"])
        w(f"{name:<8} {row['min']:>10.1f} / {row['median']:<8.1f} {row['sources_per_second_best']:>11,.0f} / "
          f"{row['sources_per_second_median']:<10,.0f}   {cycles:<24} {row['worker_cpu_seconds_median']:>12.1f} "
          f"{extra:>19}\n")
    w("\nMemory per worker, MB: ready (configuration read, store open, fetch state loaded) / after the last cycle / "
      "peak RSS of the whole process [peak of a child it ran, if any]; start-up s\n")
    for name, row in report["scenarios"].items():
        children = row.get("children_peak_rss_mb", [])
        child = f" [{_mb(children)}]" if any(children) else ""
        w(f"{name:<8} {_mb(row['rss_mb_ready'])} / {_mb(row['rss_mb_after_last_cycle'])} / "
          f"{_mb(row['peak_rss_mb'])}{child};  start-up {', '.join(f'{v:.1f}' for v in row['startup_seconds'])}\n")
    w("\nCPU during the cycle as a share of all CPUs (median of the runs): workers / feed server / PostgreSQL "
      "(this scenario's backends) / rest of the machine / idle; workers' CPU s per cycle by thread\n")
    for name, row in report["scenarios"].items():
        c = row["cpu_share_median"]
        idle = max(0.0, 1 - c["workers"] - c["server"] - c["postgres"] - c["others"])
        threads = ", ".join(f"{k} {v:.1f}" for k, v in row["cpu_by_thread_per_cycle"].items() if v >= 0.05)
        w(f"{name:<8} {c['workers']:>4.0%} / {c['server']:>3.0%} / {c['postgres']:>3.0%} ({c['postgres_backends']:.0%})"
          f" / {c['others']:>3.0%} / {idle:>3.0%};  {threads}\n")
    w("outcomes of the last cycle: " + "; ".join(
        f"{name} {o['ok']} changed, {o['not_modified']} 304, {o['unchanged']} unchanged, {o['failed']} failed, "
        f"{o['events']} events" for name, o in ((n, r["outcomes_last_run"]) for n, r in report["scenarios"].items()))
      + "\n")
    w("\nRatios of the fastest cycles (of the medians) [round by round: the scenarios of a timed cycle run back to back]\n")
    labels = {"pg1_vs_sqlite_cycle": "PostgreSQL 1 worker / SQLite, cycle time",
              "pg2_vs_pg1_throughput": "PostgreSQL 2 workers / 1 worker, throughput",
              "pg4_vs_pg1_throughput": "PostgreSQL 4 workers / 1 worker, throughput"}
    for key, value in report["ratios"].items():
        w(f"  {labels[key]}: {value['min']} ({value['median']}) [{', '.join(str(r) for r in value['by_round'])}]\n")
    w("Targets\n")
    for target in report["targets"]:
        value = target["value"]
        shown = f"{value:.3f}" if isinstance(value, float) and value < 100 else f"{value}"
        w(f"  {target['result']}: {target['target']}: {shown}\n")
    profiled = {n: r["breakdown"] for n, r in report["scenarios"].items() if r["breakdown"]}
    if profiled:
        w(f"\nWhere the time goes (warm-up cycle, py-spy at {SPY_RATE}/s on every worker; per worker: seconds of "
          "the cycle and share)\n")
        w(f"{'':<8} {'cycle s':>7} | event-loop thread: " + " ".join(f"{k:>12}" for k in LOOP_KINDS)
          + " | threads busy: " + " ".join(f"{k:>11}" for k in THREAD_KINDS[:3]) + "\n")
        for name, b in profiled.items():
            cells = " ".join(f"{b['loop_seconds'][k]:>5.1f} ({b['loop_share'][k]:>3.0%})" for k in LOOP_KINDS)
            busy = " ".join(f"{b['busy_seconds'][k]:>5.1f} ({b['busy_share'][k]:>3.0%})" for k in THREAD_KINDS[:3])
            w(f"{name:<8} {b['cycle_seconds']:>7.1f} | {'':>19}{cells} | {'':>14}{busy}\n")
    elif not report["profiled"]:
        w("\n(no breakdown: py-spy not installed, or --no-profile)\n")
    w(f"\nWall time of the whole benchmark: {report['wall_seconds']:.0f} s\n")


# ----------------------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=100_000, help="number of feeds (default 100000)")
    parser.add_argument("--runs", type=int, default=3, help="timed cycles per scenario (default 3)")
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS),
                        help="scenarios to run (default: all four)")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"percent per outcome (default soak.py's: {DEFAULT_MIX})")
    parser.add_argument("--new", type=int, default=2, help="new items in a changed feed (default 2)")
    parser.add_argument("--concurrency", type=int, default=20, help="poll.concurrency of each worker (default 20)")
    parser.add_argument("--timeout", type=float, default=1.0, help="poll.timeout in seconds (default 1)")
    parser.add_argument("--postgres", default=os.environ.get("CLAUSEWATCH_BENCH_POSTGRES",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="an admin URL of the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432/"
                             "postgres, or $CLAUSEWATCH_BENCH_POSTGRES)")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="no py-spy on the warm-up cycle (no breakdown of where the time goes)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (configuration, worker logs)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--save", type=Path, default=None, help="also write the JSON object to this file")
    parser.add_argument("--worker", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is None:
        try:
            args.mix_table = parse_mix(args.mix)
        except argparse.ArgumentTypeError as error:
            parser.error(str(error))
        if args.sources < 1 or args.runs < 1 or not 1 <= args.new <= ITEMS:
            parser.error(f"--sources and --runs must be >= 1, --new between 1 and {ITEMS}")
        args.scenarios = [s for s in SCENARIOS if s in args.scenarios]  # in the canonical order
        args.load_before = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    return args


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker is not None:
        return worker_main(args.worker)
    # A SIGTERM ends the run like Ctrl-C: the workers and the server stop, the databases are dropped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        report = measure(args)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    if args.save is not None:
        args.save.write_text(json.dumps(report) + "\n", encoding="utf-8")
    if args.json:
        sys.stdout.write(json.dumps(report) + "\n")
    else:
        buffer = io.StringIO()
        print_report(report, buffer)
        sys.stdout.write(buffer.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
