"""Copies of the database file: a consistent backup while the bot may be writing, and the checked restore of
such a copy (the previous database set aside, never overwritten)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.store.connection import DATABASE_NAME, StoreError


def backup_database(storage: Path, target: Path) -> dict[str, int]:
    """A consistent copy of the database while the bot may be writing (SQLite's online backup API reads
    one snapshot under WAL). Returns the row count of each table in the copy."""
    source_path = storage / DATABASE_NAME
    if not source_path.exists():
        raise StoreError(f"no database at {source_path}: nothing to export")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    try:
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:  # storage that cannot be written: no WAL shared memory, read it as immutable
        source.close()
        source = sqlite3.connect(f"file:{source_path}?mode=ro&immutable=1", uri=True, timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        tables = [row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    except sqlite3.Error as error:
        raise StoreError(f"cannot back up {source_path}: {error}") from error
    finally:
        copy.close()
        source.close()


def restore_database(storage: Path, copy_path: Path, replace: bool) -> Path | None:
    """Install `copy_path` as the database of `storage` once it passes `PRAGMA integrity_check`. An
    existing database with data is refused unless `replace`; it is then kept aside, and its path returned.
    The caller holds the poller lock, so no process writes meanwhile."""
    try:
        with contextlib.closing(sqlite3.connect(str(copy_path))) as check:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
            migrated = check.execute("SELECT count(*) FROM sqlite_master WHERE name = '_sqlite_migrations'").fetchone()[0]
    except sqlite3.Error as error:
        raise StoreError(f"the archived database cannot be read: {error}") from error
    if verdict != "ok" or not migrated:
        raise StoreError(f"the archived database is damaged or not Clausewatch's ({verdict})")
    storage.mkdir(parents=True, exist_ok=True)
    current = storage / DATABASE_NAME
    kept: Path | None = None
    if current.exists():
        with contextlib.closing(sqlite3.connect(str(current))) as conn:
            has_data = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'events'").fetchone()[0] and \
                conn.execute("SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM snapshots) + "
                             "(SELECT count(*) FROM entries)").fetchone()[0]
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if has_data and not replace:
            raise StoreError(f"{current} already holds data; pass --replace to set it aside and restore the archive")
        stamp = f"{DATABASE_NAME}.before-import-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
        kept = current.with_name(stamp)
        number = 1
        while kept.exists():  # two imports in one second: never overwrite the first one's backup
            number += 1
            kept = current.with_name(f"{stamp}-{number}")
        current.replace(kept)
        for suffix in ("-wal", "-shm"):
            current.with_name(DATABASE_NAME + suffix).unlink(missing_ok=True)
    staged = storage / f".{DATABASE_NAME}.restoring"
    shutil.copyfile(copy_path, staged)
    with open(staged, "rb") as handle:
        os.fsync(handle.fileno())
    staged.replace(current)
    return kept
