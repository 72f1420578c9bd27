"""Killing the process at any moment loses no event and, on restart, delivers the pending ones once.

`clausewatch poll --once` is SIGKILLed at seeded random moments of its cycle (fetch, commit, delivery)
while new entries keep arriving; then clean runs finish the work. Every new entry must appear exactly
once in the JSONL output, and the database must pass `PRAGMA integrity_check`.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # whole processes; skipped by the quick tier (-m "not slow")

FEEDS = 40
KILLS = 10


def _write_feed(path: Path, guids: list[str]) -> None:
    items = "".join(
        f"<item><guid>{guid}</guid><title>Tunely story {guid}</title><link>https://news.test/{guid}</link>"
        f"<description>Report {guid} about Tunely and its terms. {'Padding text. ' * 40}</description></item>"
        for guid in reversed(guids)
    )
    temporary = path.with_suffix(".tmp")
    temporary.write_text(f"<?xml version='1.0'?><rss version='2.0'><channel><title>{path.stem}</title>{items}"
                         f"</channel></rss>", encoding="utf-8")
    temporary.replace(path)  # a reader never sees half a file


def _poll(config: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "--log-level", "error", "poll", "--once"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def test_sigkill_at_random_points_loses_nothing_and_posts_once(tmp_path: Path) -> None:
    rng = random.Random(20240214)
    feeds = [tmp_path / "feeds" / f"feed-{n}.xml" for n in range(FEEDS)]
    feeds[0].parent.mkdir()
    guids: dict[Path, list[str]] = {path: [f"{path.stem}-old-{i}" for i in range(5)] for path in feeds}
    for path in feeds:
        _write_feed(path, guids[path])
    config = tmp_path / "feeds.yaml"
    lines = ["storage: ./storage", "poll: {interval: 1h, failure_threshold: 1000}", "feeds:"]
    lines += [f"  - {{id: {path.stem}, path: feeds/{path.name}}}" for path in feeds]
    lines += ["channels:", "  - {id: archive, jsonl: out/posts.jsonl}"]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")

    started = time.monotonic()
    first = _poll(config)
    assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
    duration = time.monotonic() - started  # a whole run, interpreter start included
    expected: set[str] = set()
    killed = 0
    for round_number in range(KILLS):
        for path in feeds:
            fresh = [f"{path.stem}-r{round_number}-{i}" for i in range(5)]
            guids[path].extend(fresh)
            expected.update(fresh)
            _write_feed(path, guids[path])
        process = _poll(config)
        try:  # the kill lands at a seeded moment of the run, unless the run is already over by then
            process.wait(timeout=rng.uniform(0.3, max(0.4, duration * 0.9)))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            killed += 1
            process.wait(timeout=60)
    for _ in range(2):
        final = _poll(config)
        assert final.wait(timeout=120) == 0, final.stderr.read() if final.stderr else ""

    records = [json.loads(line) for line in (tmp_path / "out" / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    posted = [str(record["url"]).rsplit("/", 1)[1] for record in records]
    print(f"kills landed: {killed}/{KILLS}")
    assert killed >= KILLS // 2, "the kills must land while the cycle runs for this test to mean anything"
    assert sorted(posted) == sorted(expected), "every new entry exactly once"
    assert all(record["event"] == "story" for record in records)
    with sqlite3.connect(tmp_path / "storage" / "clausewatch.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        pending = conn.execute("SELECT count(*) FROM deliveries WHERE status != 'done'").fetchone()[0]
        assert pending == 0
