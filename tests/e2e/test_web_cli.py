"""The web view from the command line: `clausewatch serve` over an existing store and `clausewatch demo --serve`,
each a real process that prints its address, answers pages and stops cleanly on Ctrl-C."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bot.demo import run_demo
from tests.conftest import read_until

pytestmark = pytest.mark.slow  # whole processes; skipped by the quick tier (-m "not slow")


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def read_address(process: subprocess.Popen[str], pattern: str) -> str:
    """Read stdout until `pattern` (a regex with one group: the address) matches."""
    return read_until(process.stdout, pattern, timeout=60).group(1)


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (a local address the test started)
        return response.status, response.read().decode("utf-8")


def stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()


def test_serve_shows_an_existing_store_until_ctrl_c(tmp_path: Path) -> None:
    asyncio.run(run_demo(io.StringIO(), keep=tmp_path))
    process = spawn("--config", str(tmp_path / "feeds.yaml"), "serve", "--port", "0")
    try:
        address = read_address(process, r"web view: (http://127\.0\.0\.1:\d+)")
        status, text = fetch(address + "/platforms/cloudtune")
        assert status == 200 and "<h1>Cloudtune</h1>" in text and "<svg" in text
        assert fetch(address + "/")[0] == 200
    finally:
        code = stop(process)
    assert code == 0


def test_demo_serve_prints_the_address_of_its_pages_and_keeps_serving_until_ctrl_c() -> None:
    process = spawn("demo", "--serve", "--port", "0")
    try:
        address = read_address(process, r"Web view of the demo: (http://127\.0\.0\.1:\d+)/")
        status, text = fetch(address + "/platforms/cloudtune")
        assert status == 200 and "Terms of Service" in text
        change = re.search(r'href="(/changes/[^"]+)"', text)
        assert change is not None and fetch(address + change.group(1))[0] == 200
    finally:
        code = stop(process)
    assert code == 0
