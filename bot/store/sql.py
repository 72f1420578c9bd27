"""The face of a database connection that the table groups and migrations write their SQL against: sqlite-utils'
`Database`, or the PostgreSQL adapter (`bot.store.postgres`). Statements use `?` placeholders and the SQL both
engines share (ON CONFLICT, RETURNING, row values); `dialect` tells where they differ; `redact` hides a password."""

from __future__ import annotations

import contextlib
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


def pipelined(db: SqlDatabase) -> contextlib.AbstractContextManager[Any]:
    """Around many writes whose `rowcount` is not read: on PostgreSQL they go out without a round trip each."""
    pipeline = getattr(db, "pipelined", None)
    return contextlib.nullcontext() if pipeline is None else pipeline()


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
