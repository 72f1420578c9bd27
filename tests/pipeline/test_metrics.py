"""The Prometheus endpoint of a running App, scraped over HTTP after real poll cycles."""

from __future__ import annotations

import io
import socket
from collections.abc import Callable
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App, ChatEnv, load_config
from tests.conftest import Remote
from tests.pipeline.test_pipeline import config_text, rss, serve_defaults


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def test_metrics_count_polls_failures_events_and_deliveries(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Tunely opens a newsroom", "x")))
    port = free_port()
    text = config_text(tmp_path, remote, backfill=1) + f"metrics: {{port: {port}}}\n"
    async with App.open(load_config(write_config(text)), stdout=io.StringIO(), chat_env=ChatEnv(), listen=True) as app:
        await app.poll_once()
        remote.serve("/wire.xml", "<html>gone</html>", content_type="text/html")
        await app.poll_once()
        metrics = await scrape(port)
    polls = {labels[0][1]: value for (name, labels), value in metrics.items() if name == "clausewatch_polls_total"}
    assert polls == {"ok": 3, "unchanged": 2, "error": 1}  # terms, newsroom, wire; then the wire broke
    assert metrics[("clausewatch_fetch_errors_total", (("kind", "parse"),))] == 1
    assert metrics[("clausewatch_events_total", (("type", "story"),))] == 1
    assert metrics[("clausewatch_deliveries_total", (("status", "done"),))] == 1
    assert metrics[("clausewatch_delivery_queue_depth", ())] == 0
    assert metrics[("clausewatch_sources", (("state", "all"),))] == 3
    assert metrics[("clausewatch_poll_cycle_seconds_count", ())] == 2
