"""Statement points from an OpenAI-compatible endpoint played by a local server: used when it answers well,
asked once per statement, and replaced by the offline summary on any failure."""

from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import App, ChatEnv, load_config
from bot.core.config import PollSettings, SummarizerSettings
from bot.core.news.statements import Statement
from bot.core.news.summaries import summarize
from bot.pipeline.statement_points import StatementPoints
from bot.sources.fetcher import build_session
from bot.store.database import Store
from tests.conftest import Remote
from tests.pipeline.test_pipeline import posts, rss, serve_defaults

STATEMENT = Statement(
    quote="We have never sold listener data to advertisers, and the new clause only covers spam detection.",
    speaker="a Tunely spokesperson", channel="emailed statement", language="en", passage="")
ANSWER = "- denies ever selling listener data to advertisers\n- says the new clause only covers spam detection"


def completion(content: str) -> dict[str, object]:
    return {"id": "c1", "object": "chat.completion", "model": "tiny",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}


async def test_the_pipeline_posts_the_endpoints_points_and_sends_the_key(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CW_SUMMARY_KEY", "sk-test-123")
    asked: list[dict[str, object]] = []

    async def chat(request: web.Request) -> web.StreamResponse:
        asked.append({"auth": request.headers.get("Authorization"), **(await request.json())})
        return web.json_response(completion(ANSWER))

    remote.route("/v1/chat/completions", chat)
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    text = (f"storage: {tmp_path / 'storage'}\npoll: {{interval: 1h, timeout: 3s}}\n"
            f"summarizer: {{kind: openai, base_url: \"{remote.url('/v1')}\", model: tiny, api_key_env: CW_SUMMARY_KEY}}\n"
            f"platforms:\n  tunely:\n    name: Tunely\nfeeds:\n  - {{id: wire, url: \"{remote.url('/wire.xml')}\"}}\n"
            f"channels:\n  - {{id: all, jsonl: {tmp_path / 'out' / 'all.jsonl'}}}\n")
    async with App.open(load_config(write_config(text)), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        await app.poll_once()
        serve_defaults(remote, rss(("a2", "Tunely terms change", "Tunely changed its terms. Update: "
                                    "In an emailed statement, a Tunely spokesperson said the company has never sold "
                                    "listener data to advertisers."), ("a1", "Old", "Old.")))
        await app.poll_once()
    statement = [p for p in posts(tmp_path) if p["event"] == "statement"]
    assert len(statement) == 1
    assert "• denies ever selling listener data to advertisers" in str(statement[0]["text"])
    assert len(asked) == 1 and asked[0]["auth"] == "Bearer sk-test-123" and asked[0]["model"] == "tiny"
    assert "never sold listener data" in json.dumps(asked[0]["messages"])


@pytest.mark.parametrize("answer", ["http-500", "not-json", "no-choices", "ten-points", "too-slow"])
async def test_any_failure_falls_back_to_the_offline_summary_and_a_success_is_asked_once(
    remote: Remote, tmp_path: Path, answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    hits = 0
    release = asyncio.Event()

    async def chat(request: web.Request) -> web.StreamResponse:
        nonlocal hits
        hits += 1
        if answer == "http-500":
            return web.Response(status=500, text="upstream overloaded")
        if answer == "not-json":
            return web.Response(text="<html>gateway</html>", content_type="text/html")
        if answer == "no-choices":
            return web.json_response({"error": {"message": "quota"}})
        if answer == "ten-points":
            return web.json_response(completion("\n".join(f"- point {n}" for n in range(10))))
        await release.wait()  # never answers within the timeout
        return web.json_response(completion(ANSWER))

    remote.route("/v1/chat/completions", chat)
    settings = SummarizerSettings(kind="openai", base_url=remote.url("/v1"), model="tiny", timeout=0.2)
    store = await Store.connect(tmp_path / "storage", os.environ.get("CLAUSEWATCH_DATABASE_URL"))
    try:
        async with build_session(PollSettings()) as session:
            service = StatementPoints(store, settings, session, lambda: datetime(2026, 11, 22, tzinfo=UTC))
            assert await service.points(STATEMENT) == summarize(STATEMENT)
            assert await service.points(STATEMENT) == summarize(STATEMENT)  # failures are not cached
            assert hits == 2 and "using the offline summary" in caplog.text
            good: list[int] = []

            async def answer_well(request: web.Request) -> web.StreamResponse:
                good.append(1)
                return web.json_response(completion(ANSWER))

            remote.route("/v1/chat/completions", answer_well)
            first = await service.points(STATEMENT)
            again = await service.points(STATEMENT)
        release.set()
    finally:
        await store.close()
    assert len(good) == 1, "a statement already summarised is not asked again"
    assert first == again == ["denies ever selling listener data to advertisers",
                              "says the new clause only covers spam detection"]

