"""Database schema as numbered migrations, recorded in the database itself: sqlite-utils applies them to SQLite,
`bot.store.postgres` the same functions, in the same order, to PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils.migrations import Migrations

from bot.store.sql import SqlDatabase

Migration = Callable[[SqlDatabase], None]
migrations = Migrations("clausewatch")
steps: list[Migration] = []  # every migration in order (sqlite-utils keeps its list private)


def migration(fn: Migration) -> Migration:
    """Register a migration for both backends."""
    steps.append(fn)
    return migrations()(fn)


@migration
def m001_initial(db: SqlDatabase) -> None:
    db.table("sources").create(
        {"id": str, "kind": str, "platform": str, "url": str, "doc_type": str, "first_seen_at": str},
        pk="id",
    )
    db.table("fetch_state").create(
        {
            "source_id": str,
            "etag": str,
            "last_modified": str,
            "body_hash": str,
            "last_fetch_at": str,
            "last_success_at": str,
            "last_outcome": str,
            "http_status": int,
            "last_error": str,
            "consecutive_failures": int,
            "failing": int,
            "failing_seq": int,
            "next_due_at": float,
            "fetches": int,
            "primed": int,
        },
        pk="source_id",
        defaults={"consecutive_failures": 0, "failing": 0, "failing_seq": 0, "fetches": 0, "primed": 0},
    )
    db.table("entries").create(
        {
            "source_id": str,
            "identity": str,
            "platform": str,
            "title": str,
            "link": str,
            "text": str,
            "fingerprint": str,
            "published": str,
            "thread": str,
            "version": int,
            "first_seen_at": str,
            "last_seen_at": str,
        },
        pk=("source_id", "identity"),
    )
    db.table("entry_versions").create(
        {"source_id": str, "identity": str, "version": int, "title": str, "text": str, "fingerprint": str, "seen_at": str},
        pk=("source_id", "identity", "version"),
    )
    db.table("snapshots").create(
        {
            "id": int,
            "source_id": str,
            "hash": str,
            "raw_hash": str,
            "text": str,
            "metadata": str,
            "fetched_at": str,
        },
        pk="id",
    )
    db.table("snapshots").create_index(["source_id", "hash"])
    db.table("events").create(
        {
            "id": int,
            "key": str,
            "event": str,
            "thread": str,
            "reply_to": str,
            "platform": str,
            "source_id": str,
            "created_at": str,
            "message": str,
        },
        pk="id",
    )
    db.table("events").create_index(["key"], unique=True)
    db.table("events").create_index(["thread"])
    db.table("deliveries").create(
        {
            "event_id": int,
            "channel_id": str,
            "status": str,
            "attempts": int,
            "last_error": str,
            "delivered_at": str,
        },
        pk=("event_id", "channel_id"),
        defaults={"status": "pending", "attempts": 0},
    )
    db.table("deliveries").create_index(["status", "event_id"])
    db.table("cycles").create(
        {"id": int, "started_at": str, "finished_at": str, "sources": int, "ok": int, "failed": int, "events": int},
        pk="id",
    )


@migration
def m002_changes(db: SqlDatabase) -> None:
    """Clause-level change records of terms documents (one per substantive new version)."""
    db.table("changes").create(
        {
            "id": int,
            "source_id": str,
            "platform": str,
            "doc_type": str,
            "old_snapshot_id": int,
            "new_snapshot_id": int,
            "old_fetched_at": str,
            "new_fetched_at": str,
            "effective_date": str,
            "upcoming_and_current": int,
            "severity": str,
            "topics": str,
            "clauses": str,
            "event_key": str,
        },
        pk="id",
    )
    db.table("changes").create_index(["source_id", "id"])


@migration
def m003_archive_captures(db: SqlDatabase) -> None:
    """Web-archive captures already handled per document, so that a backfill resumes without refetching."""
    db.table("archive_captures").create(
        {"source_id": str, "timestamp": str, "outcome": str, "handled_at": str},
        pk=("source_id", "timestamp"),
    )


@migration
def m004_chat(db: SqlDatabase) -> None:
    """What chat adds at run time: story threads per channel, routes switched off by a permission
    error, `/policy subscribe` subscriptions, and feeds added or removed with `/policy feeds`."""
    db.table("threads").create(
        {"channel_id": str, "thread": str, "ref": str, "opened_at": str},
        pk=("channel_id", "thread"),
    )
    db.table("route_problems").create(
        {"channel_id": str, "reason": str, "since": str},
        pk="channel_id",
    )
    db.table("subscriptions").create(
        {"channel_id": str, "kind": str, "value": str, "added_by": str, "added_at": str},
        pk=("channel_id", "kind", "value"),
    )
    db.table("feed_changes").create(
        {"id": str, "action": str, "url": str, "platform": str, "title": str, "by": str, "at": str},
        pk="id",
    )


@migration
def m005_stories(db: SqlDatabase) -> None:
    """Stories: why an entry was attributed and its language, the platform statements found, and the
    story index (a snapshot saved after each cycle plus a journal of the items placed since, written with
    each source's outcome, so a crash never loses a placement)."""
    entries = db.table("entries")
    entries.add_column("language", str)
    entries.add_column("attribution", str)
    entries.add_column("note", str)
    db.table("statements").create(
        {"id": int, "event_key": str, "source_id": str, "platform": str, "story": str, "speaker": str,
         "channel": str, "quote": str, "points": str, "language": str, "url": str, "at": str},
        pk="id",
    )
    db.table("statements").create_index(["platform", "id"])
    db.table("story_snapshot").create({"id": int, "data": str, "saved_at": str}, pk="id")
    db.table("story_journal").create({"seq": int, "item": str, "new_story": str}, pk="seq")


@migration
def m006_summary_cache(db: SqlDatabase) -> None:
    """Points a remote summarizer gave for a statement, so that it is asked once per statement."""
    db.table("summary_cache").create({"key": str, "model": str, "points": str, "at": str}, pk="key")


@migration
def m007_entry_placement(db: SqlDatabase) -> None:
    """Why an entry opened or joined its thread (the nearest stories and the missing evidence), for `why URL`."""
    db.table("entries").add_column("placement", str)


@migration
def m008_outages(db: SqlDatabase) -> None:
    """The class of a source's last error, and the outage (many sources failing together) it was announced in."""
    db.table("fetch_state").add_column("error_kind", str)
    db.table("fetch_state").add_column("outage", str)


@migration
def m009_retention(db: SqlDatabase) -> None:
    """Indexes that let retention find old rows in small batches without scanning what it already pruned, and
    the watermark of the events whose bodies were trimmed."""
    db.execute("CREATE INDEX IF NOT EXISTS entries_with_text ON entries (last_seen_at) WHERE text != ''")
    db.execute("CREATE INDEX IF NOT EXISTS entries_last_seen ON entries (last_seen_at)")
    db.execute("CREATE INDEX IF NOT EXISTS deliveries_event ON deliveries (event_id)")
    db.execute("CREATE INDEX IF NOT EXISTS entry_versions_seen ON entry_versions (seen_at)")
    db.execute("CREATE INDEX IF NOT EXISTS deliveries_finished ON deliveries (delivered_at) WHERE status != 'pending'")
    db.table("retention_marks").create({"name": str, "value": int}, pk="name")
    db.table("fetch_state").add_column("primed_at", str)


@migration
def m010_delivery_attempts(db: SqlDatabase) -> None:
    """When a delivery was last tried, written before the post is sent: a row tried before whose outcome is
    unknown (the process died) is the only one for which chat platforms are asked for an earlier copy."""
    db.table("deliveries").add_column("tried_at", str)


@migration
def m011_leases(db: SqlDatabase) -> None:
    """Several workers on one database (PostgreSQL): a source is fetched by the worker that holds its lease, a
    channel's deliveries are made by the worker holding its lane; the story index's snapshot says up to which
    journal row it reflects, so that a worker catching up knows whether to reload it."""
    fetch_state = db.table("fetch_state")
    fetch_state.add_column("lease_owner", str)
    fetch_state.add_column("lease_until", float)
    db.execute("CREATE INDEX IF NOT EXISTS fetch_state_due ON fetch_state (next_due_at)")
    db.table("lanes").create({"channel_id": str, "owner": str, "until": float}, pk="channel_id")
    db.table("story_snapshot").add_column("upto", int)


@migration
def m012_leased_sources(db: SqlDatabase) -> None:
    """The few sources leased now, found without reading every source's state (a worker asks often)."""
    db.execute("CREATE INDEX IF NOT EXISTS fetch_state_leased ON fetch_state (lease_owner) WHERE lease_owner IS NOT NULL")


@migration
def m013_passes(db: SqlDatabase) -> None:
    """Passes over every source (`poll --once`) in progress, by worker: passes that overlap share their sources."""
    db.table("passes").create({"owner": str, "started_at": float}, pk="owner")


@migration
def m014_extraction(db: SqlDatabase) -> None:
    """The extraction settings each document's stored version was read with, and a note on versions stored without
    a comparison (a new baseline after those settings changed)."""
    db.table("fetch_state").add_column("extraction", str)
    db.table("snapshots").add_column("note", str)
