"""Tables `entries`, `entry_versions`, `story_snapshot`, `story_journal`, `statements` and `summary_cache`:
the news entries seen in feeds, the story index with the journal of items placed since it was saved, the
platforms' statements and the points a summarizer gave for them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from bot.store.connection import Connection
from bot.store.records import EntryWrite, KnownEntry, StatementWrite, StoryState
from bot.store.sql import SqlDatabase, insert_rows

CHUNK = 500  # ids per `IN (…)` list


class Stories:
    """News entries, stories and statements."""

    connection: Connection  # set by the Store this group is part of

    async def known_entries(self, source_id: str, identities: Iterable[str]) -> dict[str, KnownEntry]:
        """The stored entries of a source among `identities`, by identity."""
        wanted = list(dict.fromkeys(identities))

        def load(db: SqlDatabase) -> dict[str, KnownEntry]:
            found: dict[str, KnownEntry] = {}
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                marks = ",".join("?" * len(chunk))
                for row in db.query(
                    f"SELECT identity, title, text, fingerprint, thread, version FROM entries "
                    f"WHERE source_id = ? AND identity IN ({marks})",
                    [source_id, *chunk],
                ):
                    found[row["identity"]] = KnownEntry(**row)
            return found

        return await self.connection.read(load)

    async def story_state(self, since: int = 0) -> StoryState:
        """The story index as last saved (JSON) and the items placed after it (seq, JSON, new story id), in order.

        `since`: the last journal row the caller has applied. When the saved index reflects no more than that,
        it is not read again (`snapshot` None) and only the rows after `since` come back; a worker catching up
        on what others placed reads only what is new to it."""
        def load(db: SqlDatabase) -> StoryState:
            rows = list(db.query("SELECT data, upto FROM story_snapshot WHERE id = 1"))
            upto = int(rows[0]["upto"] or 0) if rows else 0
            reload = since == 0 or upto > since
            journal = [(row["seq"], row["item"], row["new_story"]) for row in db.query(
                "SELECT seq, item, new_story FROM story_journal WHERE seq > ? ORDER BY seq",
                [upto if reload else since])]
            return StoryState(rows[0]["data"] if rows and reload else None, upto, journal)

        return await self.connection.read(load)

    async def journal_tip(self) -> int:
        """The last journal row written (0 when none is left)."""
        rows = await self.connection.query("SELECT MAX(seq) AS seq FROM story_journal")
        return int(rows[0]["seq"] or 0) if rows else 0

    async def save_story_snapshot(self, data: str, now: str, upto: int) -> None:
        """Replace the saved index by `data`, which reflects every journal row up to `upto`: those are deleted."""
        def apply(db: SqlDatabase) -> None:
            db.execute("INSERT INTO story_snapshot (id, data, saved_at, upto) VALUES (1, ?, ?, ?) ON CONFLICT (id) "
                       "DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at, upto = excluded.upto",
                       [data, now, upto])
            db.execute("DELETE FROM story_journal WHERE seq <= ?", [upto])

        await self.connection.write(apply)

    async def opened_threads(self, threads: Sequence[str]) -> set[str]:
        """Which of `threads` have had their opening post recorded."""
        wanted = list(threads)

        def load(db: SqlDatabase) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start:start + CHUNK]
                found.update(row["thread"] for row in db.query(
                    f"SELECT DISTINCT thread FROM events WHERE reply_to IS NULL AND thread IN ({','.join('?' * len(chunk))})",
                    chunk))
            return found

        return await self.connection.read(load)

    async def cached_points(self, key: str) -> list[str] | None:
        """The points a summarizer gave for the statement `key`, if it was asked before."""
        rows = await self.connection.query("SELECT points FROM summary_cache WHERE key = ?", [key])
        return json.loads(rows[0]["points"]) if rows else None

    async def cache_points(self, key: str, model: str, points: Sequence[str], now: str) -> None:
        """Remember the points `model` gave for the statement `key`."""
        await self.connection.write(lambda db: db.execute(
            "INSERT INTO summary_cache (key, model, points, at) VALUES (?,?,?,?) "
            "ON CONFLICT (key) DO UPDATE SET model = excluded.model, points = excluded.points, at = excluded.at",
            [key, model, json.dumps(list(points), ensure_ascii=False), now],
        ))

    async def latest_statements(self, platform: str, limit: int = 3) -> list[dict[str, Any]]:
        """A platform's newest statements, newest first, with their points."""
        rows = await self.connection.query("SELECT * FROM statements WHERE platform = ? ORDER BY at DESC, id DESC LIMIT ?",
                                           [platform, limit])
        for row in rows:
            row["points"] = json.loads(row["points"] or "[]")
        return rows


def write_entries(db: SqlDatabase, source_id: str, entries: Sequence[EntryWrite], seen: Sequence[str], now: str) -> None:
    """Insert or bump entries with their version rows, and mark the `seen` identities as still carried by the feed
    (inside the caller's transaction)."""
    rows = [[source_id, entry.identity, entry.platform, entry.title, entry.link, entry.text, entry.fingerprint,
             entry.published, entry.thread, entry.version, now, now, entry.language, entry.attribution, entry.note,
             entry.placement] for entry in entries]
    # One statement for all the entries, unless an identity comes twice: an upsert may not touch a row twice in one
    # statement, and one after the other the later one wins (except `placement`, which the first sets).
    unique = len({entry.identity for entry in entries}) == len(entries)
    for chunk in [rows] if unique else [[row] for row in rows]:
        insert_rows(
            db, "INSERT INTO entries (source_id, identity, platform, title, link, text, fingerprint, published, "
                "thread, version, first_seen_at, last_seen_at, language, attribution, note, placement)", chunk,
            "ON CONFLICT(source_id, identity) DO UPDATE SET title=excluded.title, link=excluded.link, "
            "text=excluded.text, fingerprint=excluded.fingerprint, version=excluded.version, "
            "last_seen_at=excluded.last_seen_at, platform=excluded.platform, language=excluded.language, "
            "attribution=excluded.attribution, note=excluded.note, "
            "placement=COALESCE(entries.placement, excluded.placement)")
    insert_rows(db, "INSERT INTO entry_versions (source_id, identity, version, title, text, fingerprint, seen_at)",
                [[source_id, entry.identity, entry.version, entry.title, entry.text, entry.fingerprint, now]
                 for entry in entries], "ON CONFLICT DO NOTHING")
    for start in range(0, len(seen), CHUNK):
        chunk_ids = seen[start : start + CHUNK]
        db.execute(
            f"UPDATE entries SET last_seen_at = ? WHERE source_id = ? AND identity IN ({','.join('?' * len(chunk_ids))})",
            [now, source_id, *chunk_ids],
        )


def write_placements(db: SqlDatabase, source_id: str, items: Sequence[tuple[str, str | None]],
                     statements: Sequence[StatementWrite]) -> None:
    """Journal the story items placed (JSON, new story id) and store the statements found (inside the caller's
    transaction, with the outcome they came from: a restart replays the journal)."""
    for item, new_story in items:
        db.execute("INSERT INTO story_journal (item, new_story) VALUES (?, ?)", [item, new_story])
    for found in statements:
        db.execute(
            "INSERT INTO statements (event_key, source_id, platform, story, speaker, channel, quote, points, "
            "language, url, at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [found.event_key, source_id, found.platform, found.story, found.speaker, found.channel,
             found.quote, json.dumps(list(found.points), ensure_ascii=False), found.language, found.url,
             found.at],
        )
