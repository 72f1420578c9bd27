"""`clausewatch store copy`: moves a SQLite store into PostgreSQL — every table the migrations create, streamed with
COPY inside one PostgreSQL transaction — and verifies it before committing: per table, the row count and a checksum
of the rows read back on both sides. A mismatch rolls the whole copy back."""

from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from sqlite_utils import Database

from bot.core.config_schema import DATABASE_URL
from bot.store import postgres
from bot.store.connection import DATABASE_NAME, StoreError
from bot.store.schema import migrations, steps
from bot.store.sql import redact

BATCH = 5000  # rows read from SQLite, and read back from PostgreSQL, at a time
_DIGEST_MODULUS = 1 << 128


class Checksum:
    """An order-independent digest of a table's rows: the sum (mod 2**128) of one BLAKE2b digest per row over the
    `repr` of its values (which tells 5, 5.0, '5' and b'5' apart). Order-independent so that the two engines' text
    collations (SQLite compares bytes, PostgreSQL its locale) cannot make equal tables differ."""

    def __init__(self) -> None:
        self.rows = 0
        self._total = 0

    def add(self, row: Sequence[Any]) -> None:
        digest = hashlib.blake2b(repr(tuple(row)).encode("utf-8", "surrogatepass"), digest_size=16).digest()
        self._total = (self._total + int.from_bytes(digest, "big")) % _DIGEST_MODULUS
        self.rows += 1

    def hexdigest(self) -> str:
        return f"{self._total:032x}"


@dataclass
class TableCopy:
    """One table: what was read from SQLite (rows, checksum of the values as sent) and read back from PostgreSQL."""

    name: str
    rows: int = 0
    checksum: str = ""
    target_rows: int = 0
    target_checksum: str = ""
    nul_values: int = 0  # text values whose NUL characters were dropped: PostgreSQL's text cannot hold them

    @property
    def verified(self) -> bool:
        return self.rows == self.target_rows and self.checksum == self.target_checksum

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "checksum": self.checksum, "target_rows": self.target_rows,
                "target_checksum": self.target_checksum, "nul_values_dropped": self.nul_values,
                "verified": self.verified}


@dataclass
class CopyReport:
    """What `copy_store` did: every table copied, the SQLite tables no migration creates (not copied), and whether
    the copy was verified and committed (a copy that is not verified is rolled back)."""

    source: str
    target: str  # the URL without its password
    replaced: bool = False  # the target held data, emptied first (--replace)
    tables: list[TableCopy] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    committed: bool = False
    seconds: float = 0.0

    @property
    def verified(self) -> bool:
        return all(table.verified for table in self.tables)

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "verified": self.verified, "committed": self.committed,
                "replaced": self.replaced, "rows": self.rows, "seconds": round(self.seconds, 3),
                "tables": {table.name: table.to_dict() for table in self.tables}, "skipped": self.skipped}

    def summary(self) -> list[str]:
        """A few lines for a person: totals and the verdict, then what needs a word (mismatches, NULs, skipped)."""
        head = f"{len(self.tables)} tables, {self.rows} rows from {self.source} into {self.target}"
        if self.verified and self.committed:
            lines = [f"copied {head}{' (its previous data replaced)' if self.replaced else ''}: verified, the row "
                     f"count and checksum of every table match"]
        else:
            lines = [f"NOT copied: {head} did not verify; the copy was rolled back and the target is as it was"]
        for table in self.tables:
            if not table.verified:
                lines.append(f"  {table.name}: {table.rows} rows, checksum {table.checksum} in SQLite; "
                             f"{table.target_rows} rows, checksum {table.target_checksum} read back")
            if table.nul_values:
                lines.append(f"  {table.name}: {table.nul_values} text values lost their NUL characters "
                             f"(PostgreSQL's text cannot hold them; the checksums are over the values without them)")
        if self.skipped:
            lines.append(f"  not copied (no Clausewatch migration creates them): {', '.join(self.skipped)}")
        return lines


def _hide(text: str, url: str) -> str:
    """`text` (an error message) with the URL's password blanked, wherever a library may have echoed it."""
    text = text.replace(url, redact(url))
    secrets = {urlsplit(url).password or "", *re.findall(r"(?i)password=([^&\s]+)", url)} - {""}
    for secret in sorted(secrets | {unquote(secret) for secret in secrets}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def sqlite_source(storage: Path, configured_url: str | None) -> Path:
    """The SQLite database to copy: the storage folder's. StoreError when the configuration names PostgreSQL as the
    store (`configured_url`) or there is no database."""
    if configured_url is not None:
        raise StoreError(f"this store is already PostgreSQL ({redact(configured_url)} in the configuration): "
                         f"there is no SQLite store to copy")
    path = storage / DATABASE_NAME
    if not path.is_file():
        raise StoreError(f"no SQLite database at {path}: nothing to copy")
    return path


@functools.cache
def migrated_tables() -> tuple[str, ...]:
    """The tables the migrations create, in order (read from an in-memory database they were applied to)."""
    db = Database(memory=True)
    migrations.apply(db)
    return tuple(name for name in db.table_names() if name != "_sqlite_migrations")


def copy_store(source: Path, url: str, replace: bool = False, batch: int = BATCH) -> CopyReport:
    """Copy the SQLite database `source` into the PostgreSQL database at `url` (migrated first), then verify each
    table; all in one PostgreSQL transaction, committed only when every table verifies (see `CopyReport`). Refused
    (StoreError) when the target holds data, unless `replace` (then its tables are emptied first)."""
    if not DATABASE_URL.match(url or ""):
        raise StoreError("give the target as --to postgresql://user@host/database (or set $CLAUSEWATCH_DATABASE_URL)")
    report = CopyReport(str(source), redact(url))
    started = time.monotonic()
    try:
        src = _open_source(source)
    except sqlite3.Error as error:
        raise StoreError(f"cannot read {source}: {error}") from error
    try:
        db = postgres.connect(url)
    except psycopg.Error as error:
        src.close()
        raise StoreError(f"cannot connect to {report.target}: {_hide(str(error), url)}") from None
    try:
        with db.conn.transaction():
            _copy_all(src, db, report, replace, batch)
            report.committed = report.verified
            if not report.committed:
                raise psycopg.Rollback()
    except (psycopg.Error, sqlite3.Error) as error:
        raise StoreError(f"cannot copy {source} into {report.target} (nothing was written): "
                         f"{_hide(str(error), url)}") from None
    finally:
        db.close()
        src.close()
    report.seconds = time.monotonic() - started
    return report


def _open_source(path: Path) -> Database:
    """The SQLite database with its pending migrations applied (as every writing command does), inside a read
    transaction: one snapshot is copied and checksummed even if another command writes meanwhile."""
    conn = sqlite3.connect(str(path), timeout=30)
    db = Database(conn, execute_plugins=False)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        if migrations.pending(db):
            migrations.apply(db)
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN")
    except BaseException:
        conn.close()
        raise
    return db


def _copy_all(src: Database, db: postgres.PgDatabase, report: CopyReport, replace: bool, batch: int) -> None:
    """Inside the target's transaction: migrate, check (or empty) the target, copy and read back every table,
    then move the identity sequences past the copied ids."""
    postgres.apply(db, migrations.name, steps)  # its advisory lock is held to the end: workers starting wait
    wanted = set(migrated_tables())
    names = [row[0] for row in src.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    tables = [name for name in names if name in wanted]
    report.skipped = [name for name in names if name not in wanted and name != "_sqlite_migrations"
                      and not name.startswith("sqlite_")]
    _prepare_target(db, tables, report, replace)
    for table in tables:
        columns = _columns(src, db, table)
        entry = _copy_table(src, db, table, columns, batch)
        _read_back(db, table, columns, batch, entry)
        report.tables.append(entry)
    _reset_identities(db, tables)


def _prepare_target(db: postgres.PgDatabase, tables: Iterable[str], report: CopyReport, replace: bool) -> None:
    """Refuse a target that holds data, unless replacing it; refuse replacing under workers that hold leases."""
    holding = [table for table in tables if _scalar(db, f'SELECT EXISTS (SELECT 1 FROM "{table}")')]
    if not holding:
        return
    if not replace:
        raise StoreError(f"{report.target} already holds data ({', '.join(holding)}): nothing was copied; give "
                         f"--replace to empty it first")
    now = time.time()
    leases = _scalar(db, "SELECT (SELECT COUNT(*) FROM fetch_state WHERE lease_until > ?) + "
                         "(SELECT COUNT(*) FROM lanes WHERE until > ?)", [now, now])
    if leases:
        raise StoreError(f"workers are running on {report.target} ({leases} leases held): stop them before "
                         f"replacing its data (nothing was changed)")
    db.execute(f"TRUNCATE {_quoted(holding)}")
    report.replaced = True


def _scalar(db: postgres.PgDatabase, sql: str, parameters: Sequence[Any] = ()) -> Any:
    row = db.execute(sql, list(parameters)).fetchone()
    return None if row is None else row[0]


def _columns(src: Database, db: postgres.PgDatabase, table: str) -> list[str]:
    """The table's columns, in SQLite's order; StoreError when the two schemas disagree."""
    mine = [row[1] for row in src.execute(f'PRAGMA table_info("{table}")')]
    theirs = [row["column_name"] for row in db.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? ORDER BY ordinal_position", [table])]
    if set(mine) != set(theirs):
        raise StoreError(f"table {table}: SQLite has columns {sorted(mine)}, PostgreSQL {sorted(theirs)}")
    return mine


def _quoted(columns: Iterable[str]) -> str:
    return ", ".join(f'"{column}"' for column in columns)


def _copy_table(src: Database, db: postgres.PgDatabase, table: str, columns: list[str], batch: int) -> TableCopy:
    """Stream the SQLite rows into PostgreSQL with COPY, checksumming each row as it is sent."""
    entry = TableCopy(table)
    checksum = Checksum()
    rows = src.execute(f'SELECT {_quoted(columns)} FROM "{table}"')
    with db.conn.cursor() as cursor, cursor.copy(f'COPY "{table}" ({_quoted(columns)}) FROM STDIN') as pipe:
        while chunk := rows.fetchmany(batch):
            for row in chunk:
                values = list(row)
                for index, value in enumerate(values):
                    if isinstance(value, str) and "\x00" in value:
                        values[index] = value.replace("\x00", "")
                        entry.nul_values += 1
                checksum.add(values)
                pipe.write_row(values)
    entry.rows, entry.checksum = checksum.rows, checksum.hexdigest()
    return entry


def _read_back(db: postgres.PgDatabase, table: str, columns: list[str], batch: int, entry: TableCopy) -> None:
    """Read the table back from PostgreSQL (a server-side cursor, `batch` rows at a time) and checksum it alike."""
    checksum = Checksum()
    with db.conn.cursor(name=f"clausewatch_copy_{table}") as cursor:
        cursor.itersize = batch
        cursor.execute(f'SELECT {_quoted(columns)} FROM "{table}"')
        for row in cursor:
            checksum.add(row)
    entry.target_rows, entry.target_checksum = checksum.rows, checksum.hexdigest()


def _reset_identities(db: postgres.PgDatabase, tables: Sequence[str]) -> None:
    """Move each identity column's sequence past the highest id copied, so that new rows get new ids."""
    for row in db.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                        "current_schema() AND is_identity = 'YES'"):
        table, column = row["table_name"], row["column_name"]
        if table in tables:
            db.execute(f'SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX("{column}"), 0) + 1, false) '
                       f'FROM "{table}"', [f'"{table}"', column])
