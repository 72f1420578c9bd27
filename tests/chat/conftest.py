"""Every test here runs on both store backends, SQLite and PostgreSQL (the `backend` fixture of tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def each_backend(backend: str) -> str:
    return backend
