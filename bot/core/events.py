"""Turns what the pipeline observed (new or changed entries, terms changes, health changes) into messages."""

from __future__ import annotations

import re

from bot.core.config import Platform, SourceSpec
from bot.core.documents import TextChange
from bot.core.entries import FeedEntry
from bot.core.messages import Message, thread_key
from bot.core.topics import label_topics, severity_for

_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[\"'«“A-Z0-9À-Ý(])")
MAX_TEXT = 1500
MAX_TITLE = 300
# Analysis looks at the start of an entry only: a hostile 10 MB body must not stall the event loop.
ANALYSIS_CHARS = 20_000


def analysed(entry: FeedEntry) -> str:
    """The part of an entry that topic labels and platform attribution read."""
    return f"{entry.title[:MAX_TITLE]}\n{entry.text[:ANALYSIS_CHARS]}"


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    """Cut at a word boundary with an ellipsis when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def story_thread(source: SourceSpec, entry: FeedEntry) -> str:
    return thread_key("story", source.platform or source.id, entry.identity)


def entry_message(source: SourceSpec, platform: str | None, entry: FeedEntry, at: str) -> Message:
    """A new entry opens a thread: a `statement` when it comes from the platform's own feed, else a `story`."""
    topics = label_topics(analysed(entry))
    return Message(
        event="statement" if source.is_statement_feed else "story",
        title=shorten(entry.title, MAX_TITLE) or "(untitled)",
        text=shorten(entry.text),
        url=entry.link,
        platform=platform,
        topics=topics,
        severity=severity_for(topics),
        thread=story_thread(source, entry),
        reply_to=None,
        at=at,
        source=source.id,
        key=f"entry:{source.id}:{entry.identity}:{entry.fingerprint[:16]}",
    )


def added_passage(old_text: str, new_text: str) -> str:
    """Sentences of `new_text` that were not in `old_text` (what an appended update says)."""
    old_sentences = {s.strip() for s in _SENTENCE.split(old_text) if s.strip()}
    fresh = [s.strip() for s in _SENTENCE.split(new_text) if s.strip() and s.strip() not in old_sentences]
    return " ".join(fresh)


def entry_update_message(
    source: SourceSpec,
    platform: str | None,
    entry: FeedEntry,
    old_title: str,
    old_text: str,
    thread: str,
    at: str,
) -> Message:
    """A known entry whose title or content changed: a reply saying only what is new."""
    passage = added_passage(old_text[: ANALYSIS_CHARS * 5], entry.text[: ANALYSIS_CHARS * 5])
    parts: list[str] = []
    if entry.title != old_title:
        parts.append(f"Retitled: “{shorten(old_title, MAX_TITLE)}” → “{shorten(entry.title, MAX_TITLE)}”.")
    if passage:
        parts.append(passage)
    elif entry.text != old_text:
        parts.append("The article was edited (no new passage).")
    topics = label_topics(f"{entry.title[:MAX_TITLE]}\n{passage[:ANALYSIS_CHARS]}") or label_topics(analysed(entry))
    return Message(
        event="update",
        title=f"Updated: {shorten(entry.title, MAX_TITLE)}" if entry.title else "Updated article",
        text=shorten(" ".join(parts)),
        url=entry.link,
        platform=platform,
        topics=topics,
        severity=severity_for(topics),
        thread=thread,
        reply_to=thread,
        at=at,
        source=source.id,
        key=f"entry:{source.id}:{entry.identity}:{entry.fingerprint[:16]}",
    )


def terms_change_message(
    source: SourceSpec, platform: Platform | None, change: TextChange, version: str, at: str
) -> Message:
    """A substantive change of a terms document opens its own thread, quoting the changed passages."""
    name = platform.name if platform else (source.platform or source.id)
    doc_type = source.doc_type or "terms"
    topics = label_topics("\n".join((*change.added, *change.removed)))
    lines: list[str] = []
    for passage in change.added[:8]:
        lines.append(f"+ {shorten(passage, 400)}")
    for passage in change.removed[:8]:
        lines.append(f"- {shorten(passage, 400)}")
    hidden = max(0, len(change.added) - 8) + max(0, len(change.removed) - 8)
    if hidden:
        lines.append(f"… and {hidden} more changed passages")
    what = ", ".join(t.replace("_", " ") for t in topics) or "wording"
    return Message(
        event="terms_change",
        title=f"{name} changed its {doc_type}: {what}",
        text=shorten("\n".join(lines), 3000),
        url=source.url,
        platform=source.platform,
        topics=topics,
        severity=severity_for(topics),
        thread=thread_key("terms", source.id, version),
        reply_to=None,
        at=at,
        source=source.id,
        key=f"terms:{source.id}:{version}",
    )


def health_message(source: SourceSpec, notice: str, error: str | None, failures: int, at: str, seq: int) -> Message:
    """One notice when a source starts failing (opens a thread), one reply when it recovers."""
    thread = thread_key("source", source.id, str(seq))
    if notice == "failing":
        return Message(
            event="source_failing",
            title=f"Source {source.id} is failing",
            text=f"{failures} consecutive failures; last error: {error or 'unknown'}",
            url=source.url,
            platform=source.platform,
            topics=(),
            severity="medium",
            thread=thread,
            reply_to=None,
            at=at,
            source=source.id,
            key=f"health:{source.id}:{seq}:failing",
        )
    return Message(
        event="source_recovered",
        title=f"Source {source.id} has recovered",
        text="Fetched successfully again.",
        url=source.url,
        platform=source.platform,
        topics=(),
        severity="low",
        thread=thread,
        reply_to=thread,
        at=at,
        source=source.id,
        key=f"health:{source.id}:{seq}:recovered",
    )
