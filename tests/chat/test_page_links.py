"""Links to the web view (`web.base_url`): which events get one, how each output shows it, and that the
Deliverer adds it on the way out without touching the event key or the stored message."""

from __future__ import annotations

import io
import json
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from bot.chat.atom import AtomOutput
from bot.chat.console import ConsoleOutput
from bot.chat.jsonl import JsonlOutput
from bot.chat.outputs import Output
from bot.core.config import Channel
from bot.core.messages import Message, link_label, page_link
from bot.pipeline.delivery import Deliverer
from bot.store.database import Store
from bot.store.outbox import record_events
from bot.store.records import Routed


@pytest.fixture(autouse=True)
def each_backend(backend: str) -> str:
    """These tests read the store: they run on SQLite and on PostgreSQL."""
    return backend

BASE = "https://watch.example.org"
TERMS_KEY = "terms:cloudtune/terms of service:7"  # a slash, a space and colons: all quoted in the path
DIFF_URL = f"{BASE}/changes/terms%3Acloudtune%2Fterms%20of%20service%3A7"


def message(event: str = "terms_change", thread: str = "terms-3f9a1c2b7d4e", key: str = TERMS_KEY,
            reply_to: str | None = None) -> Message:
    return Message(event=event, title="Cloudtune changed its Terms of Service: AI training clause added",
                   text="+ Terms > 4.2: “We may train models on your uploads.”", url="https://cloudtune.test/terms",
                   platform="cloudtune", topics=("ai_training",), severity="high", thread=thread, reply_to=reply_to,
                   at="2024-02-14T10:00:00+00:00", source="cloudtune-tos", key=key)


def linked(item: Message) -> Message:
    return replace(item, link=page_link(item, BASE))


# ---------------------------------------------------------------------- the message


def test_terms_changes_link_their_diff_and_stories_their_page_other_events_nothing() -> None:
    assert page_link(message(), BASE) == DIFF_URL and link_label(message()) == "Full diff"
    story = message(event="story", thread="story/1 ?#x", key="")
    assert page_link(story, BASE) == f"{BASE}/stories/story%2F1%20%3F%23x" and link_label(story) == "Story"
    for event in ("update", "statement", "source_failing", "source_recovered"):
        assert page_link(message(event=event, reply_to="terms-3f9a1c2b7d4e"), BASE) is None
    assert page_link(message(), None) is None


def test_the_link_leaves_the_key_alone_and_is_only_stored_when_set() -> None:
    plain = message(key="")
    with_link = linked(plain)
    assert with_link.link is not None and with_link.key == plain.key
    assert Message(**{**plain.to_dict(), "topics": plain.topics, "key": "", "link": DIFF_URL}).key == plain.key
    assert "link" not in plain.to_dict()  # stored and written without the web view exactly as before
    assert with_link.to_dict()["link"] == with_link.link
    assert Message.from_dict(plain.to_dict()) == plain and Message.from_dict(with_link.to_dict()) == with_link


# ---------------------------------------------------------------------- console, JSONL, Atom


async def test_console_ends_a_linked_post_with_the_link_and_shows_nothing_new_without() -> None:
    stream = io.StringIO()
    output = ConsoleOutput(Channel("c", "console", "stdout"), stream)
    await output.deliver(message(key="plain"))
    without = stream.getvalue()
    await output.deliver(linked(message(thread="terms-other")))
    linked_post = stream.getvalue()[len(without):].splitlines()
    assert linked_post[-2:] == ["     https://cloudtune.test/terms", f"     Full diff: {DIFF_URL}"]
    assert without.splitlines()[-1] == "     https://cloudtune.test/terms" and BASE not in without


async def test_jsonl_record_carries_link_only_when_set(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    output = JsonlOutput(Channel("archive", "jsonl", str(path)), io.StringIO())
    await output.deliver(message(event="story", thread="story-1", key="plain"))
    await output.deliver(linked(message()))
    first, second = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    assert "link" not in first
    assert list(first) == ["channel", "event", "platform", "thread", "reply_to", "title", "text", "url", "topics",
                           "severity", "at", "key", "source"]
    assert second["link"] == DIFF_URL and second["key"] == TERMS_KEY


async def test_atom_entry_gets_a_related_link_titled_like_the_post(tmp_path: Path) -> None:
    path = tmp_path / "changes.xml"
    output = AtomOutput(Channel("feed", "atom", str(path)), io.StringIO())
    await output.deliver(message(key="plain"))
    await output.deliver(linked(message(event="story", thread="story-1", key="s1")))
    await output.deliver(replace(message(key="evil"), link="javascript:alert(1)"))  # never a link
    evil, story, plain = feedparser.parse(path.read_bytes()).entries
    related = [link for link in story.links if link.rel == "related"]
    assert [(link.href, link.title) for link in related] == [(f"{BASE}/stories/story-1", "Story")]
    assert story.link == "https://cloudtune.test/terms"  # the article stays the entry's main link
    assert [link.rel for link in plain.links] == ["alternate"] and [link.rel for link in evil.links] == ["alternate"]


# ---------------------------------------------------------------------- the Deliverer


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.connect(tmp_path / "storage", os.environ.get("CLAUSEWATCH_DATABASE_URL"))
    try:
        yield opened
    finally:
        await opened.close()


async def test_deliverer_with_a_base_url_hands_outputs_the_link_but_stores_none(store: Store, tmp_path: Path) -> None:
    change = message()
    story = message(event="story", thread="story-9", key="")
    update = message(event="update", thread="story-9", reply_to="story-9", key="")
    routed = [Routed(item, ("archive", "local")) for item in (change, story, update)]
    await store.write(lambda db: record_events(db, routed, "2024-02-14T10:00:00+00:00"))
    path, stream = tmp_path / "out" / "posts.jsonl", io.StringIO()
    outputs: dict[str, Output] = {"archive": JsonlOutput(Channel("archive", "jsonl", str(path)), io.StringIO()),
               "local": ConsoleOutput(Channel("local", "console", "stdout"), stream)}
    deliverer = Deliverer(store, outputs, lambda: datetime(2024, 2, 14, 11, tzinfo=UTC), base_url=BASE)

    report = await deliverer.deliver_pending()

    assert report.delivered == 6
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["key"], r.get("link")) for r in records] == [
        (TERMS_KEY, DIFF_URL), (story.key, f"{BASE}/stories/story-9"), (update.key, None)]
    assert f"Full diff: {DIFF_URL}\n" in stream.getvalue() and f"Story: {BASE}/stories/story-9\n" in stream.getvalue()
    stored = await store.query("SELECT message FROM events ORDER BY id")
    assert all("link" not in json.loads(row["message"]) for row in stored)


async def test_deliverer_without_a_base_url_changes_nothing_and_follows_a_new_one(store: Store, tmp_path: Path) -> None:
    first, second = message(key="first"), message(key="second")
    path = tmp_path / "posts.jsonl"
    deliverer = Deliverer(store, {"archive": JsonlOutput(Channel("archive", "jsonl", str(path)), io.StringIO())},
                          lambda: datetime(2024, 2, 14, 11, tzinfo=UTC))
    assert deliverer.base_url is None
    await store.write(lambda db: record_events(db, [Routed(first, ("archive",))], "2024-02-14T10:00:00+00:00"))
    await deliverer.deliver_pending()
    deliverer.base_url = "https://new.example.org"  # the configuration was reloaded
    await store.write(lambda db: record_events(db, [Routed(second, ("archive",))], "2024-02-14T10:05:00+00:00"))
    await deliverer.deliver_pending()
    before, after = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    assert "link" not in before
    assert after["link"] == "https://new.example.org/changes/second"
