"""A throw-away PostgreSQL database for the test run (one per test process) and a fresh schema per test, so that
the store, pipeline and delivery tests run against both backends. The server is the machine's PostgreSQL at
$CLAUSEWATCH_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/postgres, trust authentication)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from urllib.parse import quote

import psycopg

ADMIN_URL = os.environ.get("CLAUSEWATCH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
_schemas = itertools.count(1)


class ThrowAwayDatabase:
    """A database created for this test process and dropped at its end; `schema_url()` gives a new, empty schema."""

    def __init__(self, admin_url: str = ADMIN_URL) -> None:
        self.admin_url = admin_url
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.name = f"clausewatch_test_{worker}_{os.getpid()}"
        base, _, _ = admin_url.rpartition("/")
        self.url = f"{base}/{self.name}"
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def schema_url(self) -> Iterator[str]:
        """A URL whose connections see only a new schema (its `search_path`); the schema is dropped afterwards."""
        schema = f"t{next(_schemas)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{self.url}?options={quote(f'-csearch_path={schema}')}"
        finally:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    def drop(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
