"""`clausewatch demo`: the real pipeline, offline, against a local server playing a platform's terms page
and news feeds through four stages of a story (baseline, terms change, coverage and statement, update).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.app import App
from bot.core.config import parse_config
from bot.core.events import clause_lines
from bot.core.terms.clauses import ClauseChange
from bot.demo.server import STAGES, FixtureServer
from bot.pipeline.reports import diff_report, status_report

NARRATION = (
    "Cycle 1 — first look: every source is recorded as a baseline; nothing is posted (no flood on subscribe).",
    "Cycle 2 — Cloudtune's terms gain an AI-training clause, and an English outlet reports it. "
    "A news feed starts failing (HTTP 500).",
    "Cycle 3 — a French outlet covers the same change; Cloudtune posts a statement on its newsroom. "
    "The failing feed crosses the threshold: one notice.",
    "Cycle 4 — the English article gains an appended statement; the terms page changes only cosmetically "
    "(quotes, spacing, date line): no alert. The failing feed recovers: one notice.",
)

# The demo's story happens in February 2024: the pipeline's clock follows it, one date per stage, so that
# terms changes (dated when they are seen) and articles (dated when published) share one timeline.
STAGE_TIMES = (datetime(2024, 2, 10, 9, tzinfo=UTC), datetime(2024, 2, 14, 17, tzinfo=UTC),
               datetime(2024, 2, 16, 19, tzinfo=UTC), datetime(2024, 2, 17, 10, tzinfo=UTC))

CONFIG = """\
storage: {storage}
poll: {{interval: 1h, concurrency: 1, timeout: 5s, max_bytes: 1MB, failure_threshold: 2}}
platforms:
  cloudtune:
    name: Cloudtune
    aliases: [Cloudtune, Cloud Tune]
    documents:
      - {{type: Terms of Service, url: "{base}/cloudtune/terms", select: main, remove: [".cookie-banner"]}}
    feeds:
      - {{url: "{base}/cloudtune/newsroom.xml"}}
feeds:
  - {{id: sound-policy-daily, url: "{base}/news/feed.xml"}}
  - {{id: le-fil, url: "{base}/actu/feed.xml"}}
  - {{id: creator-weekly, url: "{base}/weekly/feed.xml"}}
channels:
  - {{id: console, console: true}}
  - {{id: archive, jsonl: {jsonl}}}
"""


async def run_demo(out: TextIO, keep: Path | None = None, web_port: int | None = None,
                   stop: asyncio.Event | None = None) -> None:
    """Run the four stages and print the threaded result; the storage is temporary unless `keep` is given.
    With `web_port`, the web view is served from the start (posts link to it), its address printed after the
    stages, and the demo waits for `stop` before it cleans up."""
    with tempfile.TemporaryDirectory(prefix="clausewatch-demo-") as scratch:
        folder = (keep or Path(scratch)).absolute()
        folder.mkdir(parents=True, exist_ok=True)
        server = FixtureServer()
        await server.start()
        try:
            jsonl = folder / "posts.jsonl"
            text = CONFIG.format(storage=folder / "storage", base=server.url("").rstrip("/"), jsonl=jsonl)
            config_file = folder / "feeds.yaml"
            config_file.write_text(text, encoding="utf-8")
            config = parse_config(text, config_file)
            out.write(f"Clausewatch demo — local server on 127.0.0.1:{server.port}, storage in {folder}\n\n")
            async with App.open(config, stdout=out, clock=lambda: STAGE_TIMES[server.stage]) as app:
                address = None
                if web_port is not None:
                    address = await app.serve_web("127.0.0.1", web_port)
                    app.deliverer.base_url = address  # posts carry "Full diff" and "Story" links to it
                for stage in range(STAGES):
                    server.stage = stage
                    out.write(f"── {NARRATION[stage]}\n")
                    out.flush()
                    cycle, delivery = await app.poll_once()
                    out.write(
                        f"   ({cycle.sources} sources: {cycle.ok} new content, {cycle.not_modified} not modified (304), "
                        f"{cycle.unchanged} unchanged, {cycle.failed} failed → {cycle.events} events, "
                        f"{delivery.delivered} deliveries)\n\n"
                    )
                status = await status_report(config, app.store, "cloudtune")
                latest = await diff_report(config, app.store, "cloudtune", None)
                _print_status(out, status)
                for change in latest["changes"]:
                    out.write(f"\nLatest change, clause by clause (`clausewatch diff cloudtune`): "
                              f"{change['document']}, {change['severity']} severity\n")
                    for line in clause_lines([ClauseChange(**clause) for clause in change["clauses"]]):
                        out.write(f"  {line}\n")
                lines = jsonl.read_text(encoding="utf-8").splitlines() if jsonl.exists() else []
                out.write(f"\nJSONL output: {len(lines)} records in {jsonl}" + ("" if keep else " (temporary)") + "\n")
                if lines:
                    out.write("first record: " + json.dumps(json.loads(lines[0]), ensure_ascii=False)[:300] + "…\n")
                if address is not None and stop is not None:
                    out.write(f"\nWeb view of the demo: {address}/ (platform page: {address}/platforms/cloudtune); "
                              "Ctrl-C to stop\n")
                    out.flush()
                    await stop.wait()
        finally:
            await server.stop()


def _print_status(out: TextIO, status: dict[str, Any]) -> None:
    out.write("Status of Cloudtune after the demo (`clausewatch status cloudtune`):\n")
    for doc in status["documents"]:
        ai = doc["ai_training"] or {}
        out.write(f"  {doc['type']}: last change {doc['last_change']}; grants AI training: {ai.get('granted')}; "
                  f"opt-out mentioned: {ai.get('opt_out')}\n")
        if ai.get("clause"):
            out.write(f"    “{ai['clause']}”\n")
    statement = status.get("statement")
    if isinstance(statement, dict):
        out.write(f"  Latest statement: {statement['speaker']} ({statement['channel']})\n")
        for point in statement["points"]:
            out.write(f"    • {point}\n")
    for story in status.get("stories") or []:
        out.write(f"  Story: {story['title']} — {story['items']} posts, languages {', '.join(story['languages'])}\n")
