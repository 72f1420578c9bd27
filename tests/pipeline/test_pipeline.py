"""End-to-end behaviour of a poll cycle against a local server: what gets posted, when, and in which thread."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot.app import App, load_config
from tests.conftest import Remote

JSONL_FIELDS = {"channel", "event", "platform", "thread", "reply_to", "title", "text", "url", "topics", "severity", "at"}


def rss(*items: tuple[str, str, str], title: str = "Policy Wire") -> str:
    """An RSS 2.0 feed of (guid, title, description) items."""
    body = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{t}</title><link>https://news.test/{guid}</link>"
        f"<pubDate>Wed, 14 Feb 2024 {19 - i % 10}:00:00 GMT</pubDate><description>{d}</description></item>"
        for i, (guid, t, d) in enumerate(items)
    )
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>{body}</channel></rss>"


TERMS = """<html><body><nav>menu</nav><main>
<h1>Terms</h1><p>Last updated: {date}</p>
<h2>1. Content</h2><p>1.1 You keep ownership of your uploads.</p>
<p>1.2 You grant us a licence to host and stream your uploads.</p>{extra}
<h2>2. Accounts</h2><p>2.1 You may close your account at any time.</p>
</main></body></html>"""
AI_CLAUSE = "<p>1.3 Your uploads may be used to train artificial intelligence models.</p>"


def config_text(tmp: Path, remote: Remote, threshold: int = 3, backfill: int = 0) -> str:
    return f"""
storage: {tmp / 'storage'}
poll: {{interval: 1h, timeout: 3s, max_bytes: 200KB, failure_threshold: {threshold}}}
platforms:
  tunely:
    name: Tunely
    aliases: [Tunely]
    documents:
      - {{type: Terms of Service, url: "{remote.url('/terms')}", select: main}}
    feeds:
      - {{url: "{remote.url('/newsroom.xml')}"}}
feeds:
  - {{id: wire, url: "{remote.url('/wire.xml')}", backfill: {backfill}}}
channels:
  - {{id: everything, jsonl: {tmp / 'out' / 'all.jsonl'}}}
  - {{id: ai-only, jsonl: {tmp / 'out' / 'ai.jsonl'}, platforms: [tunely], topics: [ai_training]}}
"""


@asynccontextmanager
async def running(write_config: Callable[..., Path], text: str) -> AsyncIterator[App]:
    config = load_config(write_config(text))
    async with App.open(config, stdout=io.StringIO()) as app:
        yield app


def posts(tmp: Path, name: str = "all.jsonl") -> list[dict[str, object]]:
    path = tmp / "out" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def serve_defaults(remote: Remote, wire: str, terms_extra: str = "", date: str = "1 March 2024") -> None:
    remote.serve("/wire.xml", wire)
    remote.serve("/newsroom.xml", rss(("n1", "Welcome to the Tunely newsroom", "Hello."), title="Tunely Newsroom"))
    remote.serve("/terms", TERMS.format(date=date, extra=terms_extra), content_type="text/html; charset=utf-8")


async def test_first_poll_records_without_posting_then_new_entries_open_threads(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Old news about Tunely", "Nothing new.")))
    async with running(write_config, config_text(tmp_path, remote)) as app:
        cycle, _ = await app.poll_once()
        assert cycle.events == 0 and posts(tmp_path) == []
        serve_defaults(remote, rss(
            ("a2", "Tunely will train AI on uploads", "Uploads to Tunely may train artificial intelligence models."),
            ("a1", "Old news about Tunely", "Nothing new."),
        ))
        cycle, delivery = await app.poll_once()
    records = posts(tmp_path)
    assert [r["title"] for r in records] == ["Tunely will train AI on uploads"]
    record = records[0]
    assert JSONL_FIELDS <= set(record)
    assert record["event"] == "story" and record["reply_to"] is None and record["platform"] == "tunely"
    assert record["topics"] == ["ai_training"] and record["severity"] == "high"
    assert record["url"] == "https://news.test/a2" and str(record["thread"]).startswith("story-")
    assert [r["title"] for r in posts(tmp_path, "ai.jsonl")] == ["Tunely will train AI on uploads"]


async def test_updated_entry_replies_in_its_thread_with_only_the_added_passage(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    first = "Tunely changed its terms. Artists are worried."
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    async with running(write_config, config_text(tmp_path, remote)) as app:
        await app.poll_once()
        serve_defaults(remote, rss(("a2", "Tunely terms change", first), ("a1", "Old", "Old.")))
        await app.poll_once()
        serve_defaults(remote, rss(
            ("a2", "Tunely terms change", first + " Update: A Tunely spokesperson said the clause only covers spam detection."),
            ("a1", "Old", "Old."),
        ))
        await app.poll_once()
        await app.poll_once()  # nothing changed: nothing more is posted
    story, update, statement = posts(tmp_path)
    # The added passage is an update reply with only that passage; the platform's answer in it is also a statement
    # reply with its points.
    assert update["event"] == "update" and update["reply_to"] == story["thread"]
    assert "spam detection" in update["text"] and "Artists are worried" not in update["text"]
    assert statement["event"] == "statement" and statement["title"] == "Tunely responds"
    assert statement["thread"] == story["thread"] and statement["reply_to"] == story["thread"]
    assert "says the clause only covers spam detection" in statement["text"]
    assert "a Tunely spokesperson" in statement["text"] and statement["url"] == "https://news.test/a2"


async def test_an_article_update_without_a_statement_replies_with_only_the_added_passage(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    first = "Tunely changed its terms. Artists are worried."
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    async with running(write_config, config_text(tmp_path, remote)) as app:
        await app.poll_once()
        serve_defaults(remote, rss(("a2", "Tunely terms change", first), ("a1", "Old", "Old.")))
        await app.poll_once()
        serve_defaults(remote, rss(
            ("a2", "Tunely terms change", first + " Update: More than 2,000 artists have signed an open letter."),
            ("a1", "Old", "Old."),
        ))
        await app.poll_once()
        await app.poll_once()
    story, update = posts(tmp_path)
    assert update["event"] == "update" and update["reply_to"] == story["thread"]
    assert update["text"] == "Update: More than 2,000 artists have signed an open letter."


async def test_backfill_posts_the_newest_entries_on_first_poll(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a3", "Third", "c"), ("a2", "Second", "b"), ("a1", "First", "a")))
    async with running(write_config, config_text(tmp_path, remote, backfill=2)) as app:
        await app.poll_once()
    assert sorted(r["title"] for r in posts(tmp_path)) == ["Second", "Third"]


async def test_platform_feed_posts_are_statements(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    async with running(write_config, config_text(tmp_path, remote)) as app:
        await app.poll_once()
        remote.serve("/newsroom.xml", rss(("n2", "Our position on AI", "We do not sell your data."),
                                          ("n1", "Welcome to the Tunely newsroom", "Hello."), title="Tunely Newsroom"))
        await app.poll_once()
    (record,) = posts(tmp_path)
    assert record["event"] == "statement" and record["platform"] == "tunely" and record["reply_to"] is None


async def test_conditional_get_and_unchanged_bodies_skip_work(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, "")
    remote.serve("/wire.xml", rss(("a1", "Old", "Old.")), etag='"v1"')
    async with running(write_config, config_text(tmp_path, remote)) as app:
        first, _ = await app.poll_once()
        second, _ = await app.poll_once()
    assert first.ok == 3
    assert second.not_modified == 1  # the wire answered 304 to If-None-Match
    assert second.unchanged == 2  # same bytes: not parsed again
    conditional = [r for r in remote.requests if r.path == "/wire.xml"]
    assert conditional[1].headers.get("If-None-Match") == '"v1"'


async def test_terms_change_alerts_once_and_flip_back_is_silent(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    async with running(write_config, config_text(tmp_path, remote)) as app:
        await app.poll_once()  # baseline
        serve_defaults(remote, rss(("a1", "Old", "Old.")), terms_extra=AI_CLAUSE, date="2 March 2024")
        await app.poll_once()
        serve_defaults(remote, rss(("a1", "Old", "Old.")), date="3 March 2024")  # flips back to the first text
        await app.poll_once()
        serve_defaults(remote, rss(("a1", "Old", "Old.")), terms_extra=AI_CLAUSE, date="4 March 2024")  # and again
        await app.poll_once()
    (change,) = posts(tmp_path)
    assert change["event"] == "terms_change" and change["platform"] == "tunely"
    assert change["title"] == "Tunely changed its Terms of Service: AI training clause added"
    assert change["text"] == "+ Terms > 1. Content > 1.3: “Your uploads may be used to train artificial intelligence models.”"
    assert change["severity"] == "high"


async def test_with_a_web_base_url_a_terms_change_post_links_its_diff_and_the_store_keeps_no_link(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    text = config_text(tmp_path, remote) + 'web: {base_url: "https://watch.example.org/"}\n'
    async with running(write_config, text) as app:
        await app.poll_once()  # baseline
        serve_defaults(remote, rss(("a1", "Old", "Old.")), terms_extra=AI_CLAUSE, date="2 March 2024")
        await app.poll_once()
        stored = await app.store.query("SELECT key, message FROM events WHERE event = 'terms_change'")
    (change,) = posts(tmp_path)
    assert change["event"] == "terms_change" and str(change["key"]).startswith("terms:")
    assert change["link"] == f"https://watch.example.org/changes/{quote(str(change['key']), safe='')}"
    assert "%3A" in str(change["link"]) and ":" not in str(change["link"]).removeprefix("https:")
    [row] = stored
    assert row["key"] == change["key"] and "link" not in json.loads(row["message"])


async def test_error_page_is_a_fetch_problem_and_keeps_the_baseline(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    async with running(write_config, config_text(tmp_path, remote)) as app:
        await app.poll_once()
        remote.serve("/terms", "<html><body><main>Access denied</main></body></html>", content_type="text/html")
        cycle, _ = await app.poll_once()
        assert cycle.failed == 1
        assert "error page" in cycle.failures["tunely/terms-of-service"]
        remote.serve("/terms", "<html><body><article>moved</article></body></html>", content_type="text/html")
        cycle, _ = await app.poll_once()
        assert "matched nothing" in cycle.failures["tunely/terms-of-service"]
        serve_defaults(remote, rss(("a1", "Old", "Old.")), date="9 March 2024")  # same terms as the baseline
        cycle, _ = await app.poll_once()
        assert cycle.failed == 0
    assert posts(tmp_path) == []


async def test_failing_source_posts_one_notice_and_one_recovery(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    async with running(write_config, config_text(tmp_path, remote, threshold=2)) as app:
        await app.poll_once()
        remote.serve("/wire.xml", "oops", status=503, content_type="text/plain")
        for _ in range(4):
            await app.poll_once()
        serve_defaults(remote, rss(("a1", "Old", "Old.")))
        await app.poll_once()
        await app.poll_once()
    records = posts(tmp_path)
    assert [r["event"] for r in records] == ["source_failing", "source_recovered"]
    failing, recovered = records
    assert "HTTP 503" in str(failing["text"]) and failing["reply_to"] is None
    assert recovered["reply_to"] == failing["thread"]
    assert posts(tmp_path, "ai.jsonl") == []  # a route limited to platforms gets no notice about a general feed


async def test_local_snapshot_path_is_a_document_source(write_config: Callable[..., Path], tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshots" / "privacy.md"
    snapshot.parent.mkdir()
    snapshot.write_text("# Privacy\n\nWe collect your email address.\n", encoding="utf-8")
    text = f"""
storage: {tmp_path / 'storage'}
platforms:
  tunely:
    name: Tunely
    documents:
      - {{type: Privacy Policy, path: snapshots/privacy.md}}
channels:
  - {{id: out, jsonl: out/all.jsonl}}
"""
    async with running(write_config, text) as app:
        await app.poll_once()
        snapshot.write_text("# Privacy\n\nWe collect your email address.\n\nWe share your data with advertising partners.\n",
                            encoding="utf-8")
        await app.poll_once()
    (change,) = posts(tmp_path)
    assert change["event"] == "terms_change" and "data_sharing" in change["topics"]
    assert change["url"] is None


async def test_a_source_that_breaks_does_not_stop_the_others(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    async with running(write_config, config_text(tmp_path, remote)) as app:
        await app.poll_once()

        async def reset(request: web.Request) -> web.StreamResponse:
            assert request.transport is not None
            request.transport.close()
            return web.Response()

        remote.route("/terms", reset)
        remote.serve("/wire.xml", rss(("a2", "Fresh Tunely story", "Text."), ("a1", "Old", "Old.")))
        cycle, _ = await app.poll_once()
    assert cycle.failed == 1 and cycle.events == 1
    assert [r["title"] for r in posts(tmp_path)] == ["Fresh Tunely story"]


async def test_html_where_a_feed_was_expected_is_a_clear_failure(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, "")
    remote.serve("/wire.xml", "<!DOCTYPE html><html><body><h1>Welcome</h1><p>Our site.</p></body></html>",
                 content_type="text/html")
    async with running(write_config, config_text(tmp_path, remote)) as app:
        cycle, _ = await app.poll_once()
        state = app.poller.states["wire"]
    assert cycle.failed == 1 and "not a readable feed" in cycle.failures["wire"]
    assert state.consecutive_failures == 1 and state.last_outcome == "error"


async def test_broken_and_mis_encoded_feeds_are_still_read(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, "")
    broken = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>W</title>"
              "<item><guid>b1</guid><title>Tunely &amp; friends: caf\xe9 &nbsp;news</title>"
              "<link>https://news.test/b1</link><description>Bare & ampersand <b>unclosed</description></item>"
              "</channel></rss>").encode("cp1252")  # declares UTF-8, is Windows-1252
    remote.serve("/wire.xml", rss(("b0", "Old", "Old.")))
    async with running(write_config, config_text(tmp_path, remote)) as app:
        await app.poll_once()
        remote.serve("/wire.xml", broken)
        cycle, _ = await app.poll_once()
    assert cycle.failed == 0
    (record,) = posts(tmp_path)
    assert str(record["title"]).startswith("Tunely & friends: caf")


async def test_each_source_waits_for_its_own_interval(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    import time

    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    text = config_text(tmp_path, remote).replace(
        f"url: \"{remote.url('/wire.xml')}\"", f"url: \"{remote.url('/wire.xml')}\", interval: 10m"
    )
    async with running(write_config, text) as app:
        assert len(app.poller.due()) == 3  # never fetched: due now
        await app.poll_once()
        now = time.time()
        assert app.poller.due(now) == []
        assert [s.id for s in app.poller.due(now + 11 * 60)] == ["wire"]  # 10m ± 10% jitter
        assert len(app.poller.due(now + 67 * 60)) == 3  # the others: 1h ± 10%


async def test_a_feed_that_grows_by_a_thousand_is_recorded_not_posted(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a0", "Old", "Old.")))
    async with running(write_config, config_text(tmp_path, remote)) as app:
        await app.poll_once()
        items = "".join(
            f"<item><guid>n{i}</guid><title>Tunely item {i}</title><link>https://news.test/n{i}</link>"
            f"<pubDate>{(datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=i)).strftime('%a, %d %b %Y %H:%M:%S GMT')}"
            f"</pubDate><description>Entry {i}.</description></item>"
            for i in range(1000)
        )
        remote.serve("/wire.xml", f"<?xml version='1.0'?><rss version='2.0'><channel><title>W</title>{items}</channel></rss>")
        cycle, _ = await app.poll_once()
        known = await app.store.query("SELECT count(*) AS n FROM entries WHERE source_id = 'wire'")
    titles = [r["title"] for r in posts(tmp_path)]  # "Tunely item 999", or "More from W: Tunely item 998" …
    assert len(titles) == 50 and any(t.endswith("Tunely item 999") for t in titles)
    assert not any(t.endswith("Tunely item 949") for t in titles)
    assert cycle.failed == 0 and known[0]["n"] == 1001  # everything recorded, so nothing is posted later either
