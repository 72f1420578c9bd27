"""PostgreSQL as the store: chosen by `storage: postgresql://…` or $CLAUSEWATCH_DATABASE_URL, shown by `check`, its
password kept out of feeds.yaml, migrations applied once by workers starting together, and the SQLite file
commands refused with a pointer to what to use instead."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from bot.app import App, ChatEnv, load_config
from bot.cli import main
from bot.core.config import ConfigError, parse_config
from bot.store.database import Store
from tests.postgres import ThrowAwayDatabase


@pytest.fixture
def schema_url(postgres_database: ThrowAwayDatabase) -> object:
    yield from postgres_database.schema_url()


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_storage_url_in_feeds_yaml_selects_postgresql_and_check_says_so(tmp_path: Path, schema_url: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLAUSEWATCH_DATABASE_URL", raising=False)
    config = tmp_path / "feeds.yaml"
    config.write_text(f"storage: {schema_url}\nchannels: [{{id: here, console: true}}]\n", encoding="utf-8")
    code, out, _ = invoke("--config", str(config), "check")
    assert code == 0 and f"database:  PostgreSQL, {schema_url}" in out

    async def open_it() -> str:
        async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
            return app.store.backend

    assert asyncio.run(open_it()) == "postgresql"
    with psycopg.connect(schema_url) as conn:  # the tables were made in that database, not in a local file
        assert conn.execute("SELECT to_regclass('events') IS NOT NULL").fetchone() == (True,)
    assert not (tmp_path / "storage" / "clausewatch.db").exists()


def test_the_environment_url_wins_and_its_password_is_never_printed(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("storage: ./storage\n", encoding="utf-8")
    env = {"CLAUSEWATCH_DATABASE_URL": "postgresql://clausewatch:s3cret-pass@db.example:5432/cw"}
    code, out, _ = invoke("--config", str(config), "check", env=env)
    assert code == 0 and "database:  PostgreSQL, postgresql://clausewatch:***@db.example:5432/cw" in out
    assert "s3cret" not in out
    code, out, _ = invoke("--config", str(config), "check", env={"CLAUSEWATCH_DATABASE_URL": ""})
    assert code == 0 and f"database:  SQLite, {tmp_path / 'storage' / 'clausewatch.db'}" in out


def test_a_password_in_feeds_yaml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config("storage: postgresql://cw:hunter22@db.example/cw\n", tmp_path / "feeds.yaml")
    assert "PGPASSWORD" in str(error.value) and "CLAUSEWATCH_DATABASE_URL" in str(error.value)
    with pytest.raises(ConfigError, match="expected a folder or a postgresql:// URL"):  # never a folder `mysql:`
        parse_config("storage: mysql://cw@db.example/cw\n", tmp_path / "feeds.yaml")
    parsed = parse_config("storage: postgresql://cw@db.example/cw\n", tmp_path / "feeds.yaml")
    assert parsed.database_url == "postgresql://cw@db.example/cw"


def test_export_is_refused_on_postgresql_with_what_to_use(tmp_path: Path, schema_url: str) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("storage: ./storage\n", encoding="utf-8")
    code, _, err = invoke("--config", str(config), "export", str(tmp_path / "out.tar.gz"),
                          env={"CLAUSEWATCH_DATABASE_URL": schema_url})
    assert code == 1 and "pg_dump" in err and not (tmp_path / "out.tar.gz").exists()


async def test_workers_starting_together_apply_each_migration_once(tmp_path: Path, schema_url: str) -> None:
    stores = await asyncio.gather(*(Store.connect(tmp_path, schema_url) for _ in range(4)))
    try:
        rows = await stores[0].query("SELECT name, count(*) AS n FROM clausewatch_migrations GROUP BY name")
        assert rows and all(row["n"] == 1 for row in rows)
        assert {store.backend for store in stores} == {"postgresql"}
    finally:
        for store in stores:
            await store.close()


async def test_an_unreachable_database_is_a_clear_store_error(tmp_path: Path) -> None:
    from bot.store.database import StoreError

    with pytest.raises(StoreError, match=r"cannot open database postgresql://cw:\*\*\*@127\.0\.0\.1:9/cw"):
        await Store.connect(tmp_path, "postgresql://cw:pw@127.0.0.1:9/cw")


def test_health_on_postgresql_asks_the_server_whether_it_takes_writes(tmp_path: Path, schema_url: str) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("storage: ./storage\nchannels: [{id: here, console: true}]\n", encoding="utf-8")
    env = {"CLAUSEWATCH_DATABASE_URL": schema_url}
    assert invoke("--config", str(config), "poll", "--once", env=env)[0] == 0
    code, out, err = invoke("--config", str(config), "health", "--json", env=env)
    assert code == 0 and '"healthy": true' in out, (out, err)
    with psycopg.connect(schema_url, autocommit=True) as conn:  # the database stops taking writes
        name = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    try:
        code, out, err = invoke("--config", str(config), "health", "--json", env=env)
        assert code == 1 and "read-only" in out
    finally:
        with psycopg.connect(schema_url, autocommit=True) as conn:
            conn.execute("SET default_transaction_read_only = off")
            conn.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
