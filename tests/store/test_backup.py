"""`clausewatch export` / `import` round trip: the restored store answers exactly as the original did."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app import PollerLock
from bot.cli import main

pytestmark = pytest.mark.sqlite_only("export and import copy the SQLite database file (PostgreSQL has pg_dump)")

TERMS_V1 = "# Terms\n\n## 1. Content\n\n1.1 You keep your rights.\n\n1.2 We may host your uploads.\n"
TERMS_V2 = TERMS_V1 + "\n1.3 Your uploads may be used to train artificial intelligence models.\n"


def invoke(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """A store with two document versions, a change, news entries and a subscription."""
    (tmp_path / "terms.md").write_text(TERMS_V1, encoding="utf-8")
    (tmp_path / "wire.xml").write_text(
        "<rss version='2.0'><channel><title>Wire</title><item><guid>a1</guid><title>Tunely news</title>"
        "<link>https://news.test/a1</link><description>Tunely rewrites its terms.</description></item>"
        "</channel></rss>", encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "platforms:\n  tunely:\n    documents:\n      - {type: Terms of Service, path: terms.md}\n"
        "feeds:\n  - {id: wire, path: wire.xml, backfill: 1}\n"
        "channels:\n  - {id: log, jsonl: out.jsonl}\n", encoding="utf-8")
    assert invoke(config, "poll", "--once")[0] == 0
    (tmp_path / "terms.md").write_text(TERMS_V2, encoding="utf-8")
    assert invoke(config, "poll", "--once")[0] == 0
    with sqlite3.connect(tmp_path / "storage" / "clausewatch.db") as conn:
        conn.execute("INSERT INTO subscriptions VALUES ('slack-C1', 'topic', 'ai_training', 'U1', '2026-11-22')")
    return config


def views(config: Path) -> list[str]:
    return [invoke(config, *args)[1] for args in (("status", "tunely", "--json"), ("history", "tunely", "--json"),
                                                  ("diff", "tunely", "--json"), ("stories", "--json"),
                                                  ("why", "https://news.test/a1", "--json"))]


def test_round_trip_restores_the_same_state(state: Path, tmp_path: Path) -> None:
    before = views(state)
    code, out, err = invoke(state, "export", str(tmp_path / "backup.tar.gz"), "--json")
    assert code == 0, err
    manifest = json.loads(out)
    assert manifest["tables"]["snapshots"] == 2 and manifest["tables"]["subscriptions"] == 1
    shutil.rmtree(tmp_path / "storage")
    code, out, err = invoke(state, "import", str(tmp_path / "backup.tar.gz"))
    assert code == 0 and "restored" in out, err
    assert views(state) == before
    with sqlite3.connect(tmp_path / "storage" / "clausewatch.db") as conn:
        assert conn.execute("SELECT value FROM subscriptions").fetchall() == [("ai_training",)]


def test_import_over_data_needs_replace_and_keeps_the_old_database(state: Path, tmp_path: Path) -> None:
    assert invoke(state, "export", str(tmp_path / "backup.tar.gz"))[0] == 0
    code, _, err = invoke(state, "import", str(tmp_path / "backup.tar.gz"))
    assert code == 1 and "--replace" in err
    code, out, _ = invoke(state, "import", str(tmp_path / "backup.tar.gz"), "--replace", "--json")
    report = json.loads(out)
    assert code == 0 and Path(report["previous_database"]).exists() and report["archived_config"] is None


def test_import_is_refused_while_a_poller_runs(state: Path, tmp_path: Path) -> None:
    assert invoke(state, "export", str(tmp_path / "backup.tar.gz"))[0] == 0
    lock = PollerLock(tmp_path / "storage")
    lock.acquire()
    try:
        code, _, err = invoke(state, "import", str(tmp_path / "backup.tar.gz"), "--replace")
    finally:
        lock.release()
    assert code == 1 and "already polling" in err


def test_a_hostile_archive_is_refused_without_writing_anything(state: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(hostile, "w:gz") as archive:
        for name, data in (("manifest.json", b'{"format": "clausewatch-export/1"}'), ("../../escape.txt", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    code, _, err = invoke(state, "import", str(hostile), "--replace")
    assert code == 1 and "not a Clausewatch export" in err
    assert not (tmp_path.parent / "escape.txt").exists() and not (tmp_path / "escape.txt").exists()


def test_two_replacing_imports_in_one_second_keep_both_earlier_databases(state: Path, tmp_path: Path) -> None:
    assert invoke(state, "export", str(tmp_path / "backup.tar.gz"))[0] == 0
    kept = []
    for _ in range(2):
        code, out, err = invoke(state, "import", str(tmp_path / "backup.tar.gz"), "--replace", "--json")
        assert code == 0, err
        kept.append(json.loads(out)["previous_database"])
    assert kept[0] != kept[1] and all(Path(k).exists() for k in kept)


def test_a_truncated_archive_says_so(state: Path, tmp_path: Path) -> None:
    assert invoke(state, "export", str(tmp_path / "backup.tar.gz"))[0] == 0
    whole = (tmp_path / "backup.tar.gz").read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(whole[: len(whole) // 2])
    before = (tmp_path / "storage" / "clausewatch.db").read_bytes()
    code, out, err = invoke(state, "import", str(tmp_path / "cut.tar.gz"), "--replace")
    assert code == 1 and "truncated" in err and "Aborted" not in out + err
    assert (tmp_path / "storage" / "clausewatch.db").read_bytes() == before  # nothing was replaced
