"""Fixtures of the web view's tests: the headless browser (tests/web/browser.py) and the offline demo's store."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.demo import run_demo
from tests.web.browser import browser


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline demo run once, its web view served while it ran (so its posts carry links), then stopped:
    its folder holds feeds.yaml, storage/ and posts.jsonl."""
    folder = tmp_path_factory.mktemp("demo")
    stop = asyncio.Event()
    stop.set()  # the demo returns after its stages instead of serving on
    asyncio.run(run_demo(io.StringIO(), folder, web_port=0, stop=stop))
    return folder


__all__ = ["browser", "demo_folder"]
