"""`clausewatch store copy`: a SQLite store filled by the real pipeline moves into PostgreSQL and answers the same
(reports, outbox, chat state, story threads, no post twice); refused over data without --replace, while a poller
runs, and when the configured store is PostgreSQL; a checksum mismatch rolls the whole copy back; NUL characters are
dropped and said so; the password is never printed."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from click.testing import CliRunner

from bot.app import App, ChatEnv, PollerLock, load_config
from bot.cli import main
from bot.core.overrides import FeedChange
from bot.core.routing import Subscription
from bot.store.copy import migrated_tables
from bot.store.database import Store
from tests.conftest import Remote
from tests.pipeline.test_pipeline import AI_CLAUSE, config_text, posts, rss, serve_defaults
from tests.postgres import ThrowAwayDatabase

NOW = "2024-03-01T12:00:00+00:00"
FIRST = "Tunely changed its terms. Artists are worried."
UPDATED = FIRST + " Update: More than 2,000 artists have signed an open letter."
OLD = ("a1", "Old", "Old.")
REPORTS = (["status", "--json"], ["status", "tunely", "--json"], ["stories", "--json"], ["history", "tunely", "--json"],
           ["diff", "tunely", "--json"], ["sources", "--json"], ["why", "https://news.test/a2", "--json"])


@pytest.fixture
def schema_url(postgres_database: ThrowAwayDatabase, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh empty PostgreSQL schema; the bot itself runs on SQLite until a test says otherwise."""
    monkeypatch.delenv("CLAUSEWATCH_DATABASE_URL", raising=False)
    yield from postgres_database.schema_url()


def invoke(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def copy(config: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    return invoke("--config", str(config), "store", "copy", *args, env=env)


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"{parts.username}:{password}@{parts.hostname}:{parts.port}", parts.path,
                       parts.query, parts.fragment))


def scalar(url: str, sql: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
        return None if row is None else row[0]


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]
                for table in migrated_tables()}


async def fill(tmp: Path, remote: Remote, write_config: Callable[..., Path]) -> Path:
    """A SQLite store filled by polling: stories, a statement, a terms change (snapshots, change records), an update
    reply; a chat subscription, a feed added from chat, a thread handle, a switched-off route, and a channel that
    cannot be written (its deliveries stay pending in the outbox)."""
    serve_defaults(remote, rss(OLD))
    remote.serve("/extra.xml", rss(("x1", "Extra old", "Old.")))
    (tmp / "out" / "stuck.jsonl").mkdir(parents=True)  # its deliveries fail, and stay pending with their error
    text = config_text(tmp, remote) + "".join(f"  - {{id: {name}, jsonl: {tmp / 'out' / name}.jsonl}}\n"
                                              for name in ("muted", "stuck"))
    path = write_config(text)
    async with App.open(load_config(path), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        await app.poll_once()  # the baseline
        await app.store.add_subscription(Subscription("ai-only", "platform", "tunely"), "U1", NOW)
        await app.store.disable_route("muted", "missing_access", NOW)
        await app.store.record_feed_change(FeedChange("extra", "add", remote.url("/extra.xml"), "tunely", "Extra",
                                                      "U1", NOW))
        await app.store.remember_thread("muted", "story-x", "1700000000.000100")
        await app.refresh()
        serve_defaults(remote, rss(("a2", "Tunely terms change", FIRST), OLD))
        remote.serve("/newsroom.xml", rss(("n2", "Our position on AI", "We do not sell your data."),
                                          ("n1", "Welcome to the Tunely newsroom", "Hello."), title="Tunely Newsroom"))
        await app.poll_once()
        serve_defaults(remote, rss(("a2", "Tunely terms change", UPDATED), OLD))
        await app.poll_once()
        serve_defaults(remote, rss(("a2", "Tunely terms change", UPDATED), OLD), terms_extra=AI_CLAUSE, date="2 March 2024")
        await app.poll_once()
    return path


async def test_a_filled_store_moves_into_postgresql_and_answers_the_same(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path, schema_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = await fill(tmp_path, remote, write_config)
    sent = posts(tmp_path)
    assert {post["event"] for post in sent} >= {"story", "update", "statement", "terms_change"}
    code, out, err = await asyncio.to_thread(copy, config, "--to", schema_url, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["verified"] and report["committed"] and not report["replaced"] and report["skipped"] == []
    assert set(report["tables"]) == set(migrated_tables())
    for name in ("sources", "entries", "snapshots", "changes", "events", "deliveries", "subscriptions",
                 "route_problems", "feed_changes", "threads", "statements", "story_snapshot"):
        table = report["tables"][name]
        assert table["rows"] > 0 and table["rows"] == table["target_rows"], name
        assert table["checksum"] == table["target_checksum"] and table["verified"], name
    assert counts(schema_url) == {name: table["rows"] for name, table in report["tables"].items()}

    for args in REPORTS:  # the reports read the same from both
        on_sqlite = await asyncio.to_thread(invoke, "--config", str(config), *args)
        on_postgres = await asyncio.to_thread(invoke, "--config", str(config), *args,
                                              env={"CLAUSEWATCH_DATABASE_URL": schema_url})
        assert on_sqlite[0] == on_postgres[0] == 0, (args, on_sqlite[2], on_postgres[2])
        assert json.loads(on_postgres[1]) == json.loads(on_sqlite[1]), args

    sqlite, postgres = await Store.connect(tmp_path / "storage", None), await Store.connect(tmp_path, schema_url)
    try:
        pending = await sqlite.pending_deliveries()
        assert pending and {row.channel_id for row in pending} == {"stuck"}
        assert await postgres.pending_deliveries() == pending
        assert await postgres.subscriptions() == await sqlite.subscriptions()
        assert await postgres.route_problems() == await sqlite.route_problems()
        assert await postgres.feed_changes() == await sqlite.feed_changes()
        assert await postgres.find_thread("muted", "story-x") == "1700000000.000100"
        (last_id,) = [row["n"] for row in await sqlite.query("SELECT MAX(id) AS n FROM events")]
    finally:
        await sqlite.close()
        await postgres.close()

    # Polling on PostgreSQL now: nothing is posted twice; the update joins its story's thread (the story index
    # moved too); the new event gets a new id (the identity sequences were moved past the copied ids).
    monkeypatch.setenv("CLAUSEWATCH_DATABASE_URL", schema_url)
    serve_defaults(remote, rss(("a2", "Tunely terms change", UPDATED + " Update: Tunely will reply on Monday."), OLD),
                   terms_extra=AI_CLAUSE, date="2 March 2024")
    async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        assert app.store.backend == "postgresql"
        await app.poll_once()
        new_ids = [row["id"] for row in await app.store.query("SELECT id FROM events WHERE id > ?", [last_id])]
        assert await app.store.route_problems() and "muted" not in app.deliverer.outputs
    after = posts(tmp_path)
    assert after[:len(sent)] == sent
    (update,) = after[len(sent):]
    story = next(post for post in sent if post["event"] == "story" and post["title"] == "Tunely terms change")
    assert update["thread"] == story["thread"] and "reply on Monday" in str(update["text"]) and new_ids == [last_id + 1]
    assert not (tmp_path / "out" / "muted.jsonl").exists()


def test_the_target_defaults_to_the_environment_and_data_is_only_replaced_when_asked(
    tmp_path: Path, schema_url: str
) -> None:
    config = small_store(tmp_path)
    code, out, err = copy(config, env={"CLAUSEWATCH_DATABASE_URL": schema_url})  # no --to: the environment's URL
    assert code == 0 and out.startswith(f"copied {len(migrated_tables())} tables, 5 rows from ") and "verified" in out, err
    before = counts(schema_url)
    with sqlite3.connect(tmp_path / "storage" / "clausewatch.db") as conn:
        conn.execute("INSERT INTO cycles (started_at) VALUES ('2024-03-02')")
    code, out, err = copy(config, "--to", schema_url)
    assert code == 1 and "already holds data (sources, cycles, route_problems, subscriptions)" in err and "--replace" in err
    assert counts(schema_url) == before  # nothing was written
    code, out, err = copy(config, "--to", schema_url, "--replace")
    assert code == 0 and "its previous data replaced" in out, err
    assert counts(schema_url) == {**before, "cycles": 2}


def small_store(tmp_path: Path, storage: str = "./storage") -> Path:
    """A SQLite store with a few rows written straight into its tables."""
    config = tmp_path / "feeds.yaml"
    config.write_text(f"storage: {storage}\n", encoding="utf-8")
    code, _, err = invoke("--config", str(config), "health")  # creates and migrates the database
    assert (tmp_path / "storage" / "clausewatch.db").exists(), err
    with sqlite3.connect(tmp_path / "storage" / "clausewatch.db") as conn:
        conn.executemany("INSERT INTO sources (id, kind, platform, url) VALUES (?, 'feed', 'tunely', ?)",
                         [("wire", "https://wire.test/a"), ("other", "https://wire.test/b")])
        conn.execute("INSERT INTO cycles (id, started_at) VALUES (41, '2024-03-01')")
        conn.execute("INSERT INTO subscriptions VALUES ('C1', 'topic', 'ai_training', 'U1', ?)", [NOW])
        conn.execute("INSERT INTO route_problems VALUES ('C2', 'missing_access', ?)", [NOW])
    return config


def test_refused_while_a_poller_runs_on_the_storage(tmp_path: Path, schema_url: str) -> None:
    config = small_store(tmp_path)
    lock = PollerLock(tmp_path / "storage")
    lock.acquire()
    try:
        code, out, err = copy(config, "--to", schema_url)
    finally:
        lock.release()
    assert code == 1 and "already polling" in err and out == ""
    assert scalar(schema_url, "SELECT to_regclass('events') IS NULL") is True  # not even migrated
    assert copy(config, "--to", schema_url)[0] == 0  # once it stopped


def test_refused_without_a_sqlite_store_or_when_the_store_is_postgresql(tmp_path: Path, schema_url: str) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("storage: ./storage\n", encoding="utf-8")
    code, _, err = copy(config, "--to", schema_url)
    assert code == 1 and f"no SQLite database at {tmp_path / 'storage' / 'clausewatch.db'}" in err
    assert not (tmp_path / "storage").exists()  # refused before the lock made the folder
    config.write_text(f"storage: {schema_url}\n", encoding="utf-8")
    code, _, err = copy(config, "--to", schema_url)
    assert code == 1 and "already PostgreSQL" in err
    small_store(tmp_path)
    config.write_text("storage: ./storage\n", encoding="utf-8")
    code, _, err = copy(config)
    assert code == 1 and "--to postgresql://" in err
    code, _, err = copy(config, "--to", str(tmp_path / "other.db"))
    assert code == 1 and "--to postgresql://" in err


def test_a_checksum_mismatch_rolls_the_whole_copy_back(tmp_path: Path, schema_url: str) -> None:
    """A BLOB in a text column (SQLite keeps it; PostgreSQL's text column can only take its escaped form) reads back
    as something else: the table does not verify and nothing is kept, not even the truncation of --replace."""
    config = small_store(tmp_path)
    assert copy(config, "--to", schema_url)[0] == 0
    before = counts(schema_url)
    with sqlite3.connect(tmp_path / "storage" / "clausewatch.db") as conn:
        conn.execute("INSERT INTO summary_cache (key, model, points, at) VALUES ('k', 'm', ?, ?)", [b"\x01\x02", NOW])
    code, out, err = copy(config, "--to", schema_url, "--replace", "--json")
    assert code == 1, err
    report = json.loads(out)
    assert not report["verified"] and not report["committed"]
    bad = report["tables"]["summary_cache"]
    assert bad["rows"] == bad["target_rows"] == 1 and bad["checksum"] != bad["target_checksum"] and not bad["verified"]
    assert [name for name, table in report["tables"].items() if not table["verified"]] == ["summary_cache"]
    assert counts(schema_url) == before  # rolled back: the earlier copy is still there, untouched
    code, out, _ = copy(config, "--to", schema_url, "--replace")
    assert code == 1 and out.startswith("NOT copied") and "rolled back" in out and "summary_cache: 1 rows" in out


def test_nul_characters_are_dropped_and_said_so_and_other_tables_are_left_out(tmp_path: Path, schema_url: str) -> None:
    config = small_store(tmp_path)
    with sqlite3.connect(tmp_path / "storage" / "clausewatch.db") as conn:
        conn.execute("INSERT INTO feed_changes (id, action, title) VALUES ('f', 'add', ?)", ["be\x00fore\x00"])
        conn.execute("CREATE TABLE my_notes (note TEXT)")
        conn.execute("INSERT INTO my_notes VALUES ('mine')")
    code, out, err = copy(config, "--to", schema_url, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["tables"]["feed_changes"]["nul_values_dropped"] == 1 and report["verified"]
    assert report["skipped"] == ["my_notes"] and "my_notes" not in report["tables"]
    assert scalar(schema_url, "SELECT title FROM feed_changes") == "before"
    assert scalar(schema_url, "SELECT to_regclass('my_notes') IS NULL") is True
    code, out, _ = copy(config, "--to", schema_url, "--replace")
    assert code == 0 and "feed_changes: 1 text values lost their NUL characters" in out and "my_notes" in out


def test_the_password_is_never_printed(tmp_path: Path, schema_url: str) -> None:
    config = small_store(tmp_path)
    secret = "s3cret-pw"
    url = with_password(schema_url, secret)  # the server trusts the loopback: any password is accepted
    outputs = [copy(config, "--to", url), copy(config, "--to", url, "--json"), copy(config, "--to", url, "--replace"),
               copy(config, env={"CLAUSEWATCH_DATABASE_URL": url}),
               copy(config, "--to", with_password("postgresql://cw@127.0.0.1:1/cw?password=" + secret, secret))]
    assert [code for code, _, _ in outputs] == [0, 1, 0, 1, 1]
    assert "cw:***@127.0.0.1:1/cw?password=***" in outputs[-1][2]
    for _, out, err in outputs:
        assert secret not in out and secret not in err
        assert "***@" in out + err
