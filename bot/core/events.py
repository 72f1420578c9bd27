"""Turns what the pipeline observed (new or changed entries, terms changes, health changes) into messages."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.config import Platform, SourceSpec
from bot.core.messages import Message, thread_key
from bot.core.news.entries import FeedEntry
from bot.core.news.statements import Statement
from bot.core.terms.availability import UNAVAILABLE
from bot.core.terms.clause_topics import change_topics
from bot.core.topics import label_topics, severity_for, topic_name

if TYPE_CHECKING:
    from bot.core.terms.clauses import ClauseChange

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


def health_message(source: SourceSpec, notice: str, error: str | None, failures: int, at: str, seq: int) -> Message:
    """One notice when a source starts failing (opens a thread), one reply when it recovers."""
    thread = thread_key("source", source.id, str(seq))
    # A page that is not the document (a block, login or geo-block page …): the document is unavailable
    unavailable = error is not None and error.startswith(UNAVAILABLE)
    document = f"{source.platform or source.id} {source.doc_type or 'document'}"
    failing = notice == "failing"
    if failing:
        title = (f"The {document} is unavailable: {error[len(UNAVAILABLE):]}" if unavailable and error
                 else f"Source {source.id} is failing")
        text = f"{failures} consecutive failures; last error: {error or 'unknown'}"
    else:
        title = f"The {document} is available again" if unavailable else f"Source {source.id} has recovered"
        text = "The document is served again." if unavailable else "Fetched successfully again."
    return Message(
        event="source_failing" if failing else "source_recovered",
        title=title,
        text=text,
        url=source.url,
        platform=source.platform,
        topics=(),
        severity="medium" if failing else "low",
        thread=thread,
        reply_to=None if failing else thread,
        at=at,
        source=source.id,
        key=f"health:{source.id}:{seq}:{'failing' if failing else 'recovered'}",
    )


# What an outage's sources have in common, in words (the fetcher's and poller's error classes).
_ERROR_CLASS_WORDS = {
    "connection": "cannot connect", "timeout": "timed out", "http": "HTTP errors", "forbidden": "access refused",
    "redirects": "bad redirects", "url": "invalid URLs", "parse": "not readable as feeds", "extract": "unreadable pages",
    "not_document": "the pages are not the documents", "error_page": "empty or error pages",
}
MAX_LISTED_SOURCES = 10


def outage_message(outage: str, kind: str, sources: Sequence[str], total: int, since: str, at: str) -> Message:
    """One notice for many sources failing together with the same class of error (a network outage, a blocked
    address): "37 of 99 sources failing since 14:02: cannot connect". It opens the thread of `outage` (its id)."""
    thread = thread_key("outage", outage)
    listed = ", ".join(sources[:MAX_LISTED_SOURCES]) + (
        f" and {len(sources) - MAX_LISTED_SOURCES} more" if len(sources) > MAX_LISTED_SOURCES else "")
    words = _ERROR_CLASS_WORDS.get(kind, kind)
    return Message(
        event="source_failing", title=f"{len(sources)} of {total} sources failing since {_clock(since)}: {words}",
        text=f"Failing together: {listed}. One reply follows when they are fetched again.", url=None, platform=None,
        topics=(), severity="medium", thread=thread, reply_to=None, at=at, source=None,
        key=f"outage:{outage}:failing",
    )


def outage_recovered_message(outage: str, kind: str, since: str, members: int, at: str) -> Message:
    """The outage's one recovery reply, once none of its sources is failing any more."""
    thread = thread_key("outage", outage)
    return Message(
        event="source_recovered", title=f"The {members} sources failing since {_clock(since)} are fetched again",
        text=f"Recovered from: {_ERROR_CLASS_WORDS.get(kind, kind)}.", url=None, platform=None, topics=(),
        severity="low", thread=thread, reply_to=thread, at=at, source=None, key=f"outage:{outage}:recovered",
    )


def _clock(moment: str) -> str:
    """'2026-12-06T14:02:31+00:00' → '2026-12-06 14:02 UTC' (the zone as stored)."""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    zone = parsed.tzname() or ""
    return parsed.strftime("%Y-%m-%d %H:%M") + (" UTC" if zone in ("UTC", "UTC+00:00") else f" {zone}" if zone else "")


_KIND_WORDS = {"added": "added", "removed": "removed", "modified": "changed", "moved": "moved"}
_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}
MAX_LISTED_CLAUSES = 10


def clause_headline(changes: Sequence[ClauseChange]) -> str:
    """What a change is about in a few words: "AI training clause added", "3 clauses changed"."""
    ranked = sorted(changes, key=lambda c: (-_SEVERITY_RANK.get(c.severity, 0), 0 if c.topics else 1))
    top = ranked[0]
    if top.topics:
        return f"{topic_name(top.topics[0])} clause {_KIND_WORDS[top.kind]}"
    if len(changes) == 1:
        return f"clause {top.path or '(untitled)'} {_KIND_WORDS[top.kind]}"
    return f"{len(changes)} clauses changed"


def clause_lines(changes: Sequence[ClauseChange], quote_limit: int = 400) -> list[str]:
    """One line per changed clause: `+` added, `-` removed, `~` modified (inline word diff), `↔` moved."""
    lines: list[str] = []
    for change in changes[:MAX_LISTED_CLAUSES]:
        where = change.path or "(untitled)"
        if change.kind == "added":
            lines.append(f"+ {where}: “{shorten(change.new_text or '', quote_limit)}”")
        elif change.kind == "removed":
            lines.append(f"- {where}: “{shorten(change.old_text or '', quote_limit)}”")
        elif change.kind == "modified":
            lines.append(f"~ {where}: {shorten(change.inline or change.new_text or '', quote_limit)}")
        else:
            lines.append(f"↔ moved: {change.old_path} → {where}")
    if len(changes) > MAX_LISTED_CLAUSES:
        lines.append(f"… and {len(changes) - MAX_LISTED_CLAUSES} more changed clauses")
    return lines


def clause_change_message(
    source: SourceSpec,
    platform: Platform | None,
    changes: Sequence[ClauseChange],
    version: str,
    at: str,
    effective: str | None = None,
    upcoming_and_current: bool = False,
) -> Message:
    """A substantive, clause-level change of a terms document: opens its own thread."""
    name = platform.name if platform else (source.platform or source.id)
    topics = change_topics(changes, source.doc_type)
    severity = max((c.severity for c in changes), key=lambda s: _SEVERITY_RANK.get(s, 0), default="low")
    lines = clause_lines(changes)
    if effective:
        lines.append(f"Effective date announced: {effective}")
    if upcoming_and_current:
        lines.append("The page holds both the upcoming and the current text.")
    return Message(
        event="terms_change",
        title=f"{name} changed its {source.doc_type or 'terms'}: {clause_headline(changes)}",
        text=shorten("\n".join(lines), 3000),
        url=source.url,
        platform=source.platform,
        topics=topics,
        severity=severity,
        thread=thread_key("terms", source.id, version),
        reply_to=None,
        at=at,
        source=source.id,
        key=f"terms:{source.id}:{version}",
    )


# --- stories: what a reply in a story's thread says ------------------------------------------------------


def in_story(message: Message, story: str, opened: bool) -> Message:
    """`message` placed in story `story`: the thread's opening post, or a reply in it."""
    return dataclasses.replace(message, thread=story, reply_to=None if opened else story)


def coverage_message(source: SourceSpec, platform: str | None, entry: FeedEntry, story: str, outlets: Sequence[str],
                     at: str, key: str, more_from_outlet: bool = False) -> Message:
    """Another outlet (or outlets) reports the story: "Also reported by …", with the link."""
    topics = label_topics(analysed(entry))
    if more_from_outlet:
        title = f"More from {outlets[0]}: {shorten(entry.title, MAX_TITLE)}" if outlets else shorten(entry.title, MAX_TITLE)
    else:
        title = f"Also reported by {', '.join(outlets)}"
    return Message(
        event="update",
        title=title,
        text=shorten(entry.title, MAX_TITLE) if not more_from_outlet else shorten(entry.text, 500),
        url=entry.link,
        platform=platform,
        topics=topics,
        severity="low",
        thread=story,
        reply_to=story,
        at=at,
        source=source.id,
        key=key,
    )


def _readable_time(value: str) -> str:
    """`2024-02-16T18:00:00+00:00` → `16 Feb 2024, 18:00 UTC`, `…-08:00` → `16 Feb 2024, 10:30 UTC-08:00` (a time
    without a zone is UTC, as feeds give it); other wordings, which carry their own date and zone
    ("Feb 16, 2024, 4:30 PM PT"), as they are."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    offset = moment.utcoffset()
    if offset is None or offset == timedelta(0):
        zone = "UTC"
    else:
        minutes = int(offset.total_seconds()) // 60
        zone = f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{moment.day} {moment:%b %Y, %H:%M} {zone}"


_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-zà-ÿ])")


def _sentence_case(text: str) -> str:
    """Reported speech pieces joined as sentences, each starting with a capital ("the company has …")."""
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


def statement_message(source: SourceSpec, platform: Platform | None, statement: Statement, points: Sequence[str],
                      story: str, opened: bool, url: str | None, at: str, key: str) -> Message:
    """The platform's own words in the story's thread: a few plain points, who said them, where and when.

    Quoted words are shown in quotation marks; reported speech is labelled as a paraphrase, never quoted. A post
    from the platform's own newsroom keeps its headline as the title.
    """
    name = platform.name if platform else (statement.platform or "The platform")
    where = f" ({statement.channel})" if statement.channel else ""
    lines = [f"• {point}" for point in points]
    lines.append(f"— {statement.speaker or name}{where}" + (f", {_readable_time(statement.when)}" if statement.when else ""))
    if statement.direct:
        lines.append(f"“{shorten(statement.quote, 600)}”")
    else:
        lines.append(f"(paraphrased) {shorten(_sentence_case(statement.quote), 600)}")
    topics = label_topics(statement.quote[:ANALYSIS_CHARS])
    if statement.title:
        title = f"{name}: {shorten(statement.title, MAX_TITLE)}"
    elif opened:
        title = f"{name}: {shorten(points[0] if points else statement.quote, 200)}"
    else:
        title = f"{name} responds"
    return Message(
        event="statement",
        title=title,
        text=shorten("\n".join(lines), 3000),
        url=url,
        platform=platform.id if platform else statement.platform,
        topics=topics,
        severity=severity_for(topics),
        thread=story,
        reply_to=None if opened else story,
        at=at,
        source=source.id,
        key=key,
    )
