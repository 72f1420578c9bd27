"""Console and JSONL outputs: thread structure, hostile text made harmless, crash-safe JSONL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import feedparser
import pytest

from bot.chat.atom import AtomOutput
from bot.chat.console import ConsoleOutput
from bot.chat.jsonl import JsonlOutput
from bot.chat.outputs import DeliveryError
from bot.core.config import Channel
from bot.core.messages import Message


def message(event: str = "story", title: str = "Title", text: str = "Body", reply_to: str | None = None,
            thread: str = "story-1", key: str = "") -> Message:
    return Message(event=event, title=title, text=text, url="https://news.test/a", platform="tunely",
                   topics=("ai_training",), severity="high", thread=thread, reply_to=reply_to,
                   at="2024-02-14T10:00:00+00:00", source="wire", key=key)


async def test_console_draws_replies_under_their_thread() -> None:
    stream = io.StringIO()
    output = ConsoleOutput(Channel("c", "console", "stdout"), stream)
    await output.deliver(message(title="Tunely adds AI clause"))
    await output.deliver(message(event="story", title="Other story", thread="story-2"))
    await output.deliver(message(event="update", title="Updated", text="A statement.", reply_to="story-1"))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "!!● [story] Tunely adds AI clause"
    at = lines.index("   ┆ in thread: Tunely adds AI clause")
    assert lines[at + 1] == "   └─ [update] Updated"


async def test_console_strips_terminal_escapes_and_bidi_overrides() -> None:
    stream = io.StringIO()
    output = ConsoleOutput(Channel("c", "console", "stdout"), stream)
    await output.deliver(message(title="Evil\x1b[2J\x1b]0;pwned\x07 title\u202egnp.exe", text="ok\x00\x08 text"))
    printed = stream.getvalue()
    assert "\x1b" not in printed and "\u202e" not in printed and "\x00" not in printed and "\x07" not in printed
    assert "Evil[2J]0;pwned title" in printed


async def test_jsonl_writes_each_key_once_and_repairs_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "out" / "posts.jsonl"
    channel = Channel("archive", "jsonl", str(path))
    first = JsonlOutput(channel, io.StringIO())
    await first.deliver(message(key="k1"))
    await first.deliver(message(key="k1"))  # a retry of the same event
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"channel": "archive", "event": "sto')  # a crash mid-line
    restarted = JsonlOutput(channel, io.StringIO())
    await restarted.deliver(message(key="k1"))  # re-delivery after the crash: already there
    await restarted.deliver(message(key="k2", title="Second"))
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["key"] for r in records] == ["k1", "k2"]
    assert records[1]["title"] == "Second" and records[1]["reply_to"] is None


async def test_jsonl_keeps_hostile_text_as_data(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    output = JsonlOutput(Channel("archive", "jsonl", str(path)), io.StringIO())
    hostile = 'line\n{"event": "fake"}\u2028@everyone\x85<!channel>\u2029'
    await output.deliver(message(title=hostile, key="h"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["title"] == hostile


async def test_atom_feed_is_read_by_feedparser_with_one_stable_entry_per_event(tmp_path: Path) -> None:
    path = tmp_path / "out" / "changes.xml"
    output = AtomOutput(Channel("feed", "atom", str(path)), io.StringIO())
    opener = message(title="Cloudtune adds an AI clause", text="Uploads may train models.\x1b[31m")
    hostile = Message(event="update", title="<script>alert(1)</script> & more", text="@everyone <b>x</b>",
                      url="javascript:alert(1)", platform="cloudtune", topics=(), severity="low",
                      thread=opener.thread, reply_to=opener.thread, at="2024-02-15T10:00:00+00:00")
    for item in (opener, hostile, opener):  # the re-delivery of `opener` after a crash adds nothing
        await output.deliver(item)
    await output.deliver(message(event="source_failing", title="feed down"))  # not about a platform
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo and feed.feed.title == "Clausewatch: feed"
    assert [e.title for e in feed.entries] == ["<script>alert(1)</script> & more", "Cloudtune adds an AI clause"]
    assert feed.entries[1].id == f"urn:clausewatch:event:{opener.key}"
    assert feed.entries[0].get("links", []) == [] and "\x1b" not in feed.entries[1].summary
    assert feed.entries[1].link == "https://news.test/a"
    assert {t.term for t in feed.entries[1].tags} >= {"story", "ai_training", "severity:high"}
    # A new process finds the entries already written and keeps the ids stable.
    again = AtomOutput(Channel("feed", "atom", str(path)), io.StringIO())
    await again.deliver(hostile)
    assert len(feedparser.parse(path.read_bytes()).entries) == 2


async def test_atom_output_sets_a_damaged_file_aside_and_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "changes.xml"
    path.write_text("<feed><entry>", encoding="utf-8")
    output = AtomOutput(Channel("feed", "atom", str(path)), io.StringIO())
    with pytest.raises(DeliveryError, match="not valid Atom"):
        await output.deliver(message())
    await output.deliver(message())
    assert len(feedparser.parse(path.read_bytes()).entries) == 1
    assert (tmp_path / "changes.xml.damaged").read_text(encoding="utf-8") == "<feed><entry>"
