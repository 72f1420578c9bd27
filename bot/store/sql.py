"""The face of a database connection that the table groups and migrations write their SQL against: sqlite-utils'
`Database`, or the PostgreSQL adapter (`bot.store.postgres`). Statements use `?` placeholders and the SQL both
engines share (ON CONFLICT, RETURNING, row values); `dialect` tells where they differ; `redact` hides a password."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit


class SqlCursor(Protocol):
    """What a statement gives back: rows as tuples, and how many rows it changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...


class SqlTable(Protocol):
    """The table operations the migrations use (sqlite-utils' names)."""

    def create(self, columns: dict[str, Any], /, *, pk: Any = ..., defaults: dict[str, Any] | None = ...) -> Any: ...

    def create_index(self, columns: Iterable[str], /, *, unique: bool = ...) -> Any: ...

    def add_column(self, col_name: str, col_type: Any = ..., /) -> Any: ...


class SqlDatabase(Protocol):
    """One open connection: statements with `?` placeholders, queries as dicts, and tables by name."""

    def execute(self, sql: str, parameters: Any = ..., /) -> SqlCursor: ...

    def query(self, sql: str, params: Any = ..., /) -> Iterable[dict[str, Any]]: ...

    def table(self, table_name: str, /) -> SqlTable: ...


def dialect(db: SqlDatabase) -> str:
    """`postgresql` for the PostgreSQL adapter, else `sqlite`."""
    return str(getattr(db, "dialect", "sqlite"))


ROWS_PER_INSERT = 100  # rows of one multi-row INSERT (within SQLite's 32,766 parameters at 16 columns a row)


def insert_rows(db: SqlDatabase, head: str, rows: Sequence[Sequence[Any]], tail: str = "") -> list[Any]:
    """`head` (`INSERT INTO t (a, b)`) with all `rows` as one `VALUES (?,?), (?,?)…` list (a statement per
    ROWS_PER_INSERT rows), then `tail` (`ON CONFLICT …`, `RETURNING …`): one statement, not one per row, which
    saves a round trip and the driver's work per row on PostgreSQL. Rows are inserted in the order given. Returns
    the rows a RETURNING tail gave back (in no promised order), else an empty list."""
    returned: list[Any] = []
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start:start + ROWS_PER_INSERT]
        marks = ", ".join("(" + ",".join("?" * len(row)) + ")" for row in chunk)
        cursor = db.execute(f"{head} VALUES {marks} {tail}".rstrip(), [value for row in chunk for value in row])
        if "RETURNING" in tail.upper():
            returned.extend(cursor.fetchall())
    return returned


def execute_many(db: SqlDatabase, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one statement for each row of parameters (SQLite's own `executemany`, or the adapter's)."""
    many = getattr(db, "executemany", None)
    if many is None:
        db.conn.executemany(sql, rows)  # type: ignore[attr-defined]  # sqlite-utils: the sqlite3 connection
    else:
        many(sql, rows)


def redact(url: str) -> str:
    """The database URL without its password (in the authority or as a `password=` parameter), fit for logs."""
    parts = urlsplit(url)
    if parts.password is not None:
        netloc = f"{parts.username}:***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", url)
