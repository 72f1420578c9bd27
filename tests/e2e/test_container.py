"""CI here cannot run Docker: check at least that the Dockerfile's copied files and its command exist."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main

pytestmark = pytest.mark.slow  # whole processes; skipped by the quick tier (-m "not slow")

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_copied_paths_exist() -> None:
    copies = re.findall(r"^COPY\s+(.+?)\s+\S+$", DOCKERFILE, re.MULTILINE)
    assert copies
    for sources in copies:
        for source in sources.split():
            assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def test_command_is_a_real_cli_command_run_as_non_root() -> None:
    command = re.search(r'^CMD \["clausewatch", "(\w+)"\]', DOCKERFILE, re.MULTILINE)
    assert command is not None and command.group(1) in main.commands  # type: ignore[attr-defined]
    assert re.search(r"^USER (?!root)\w+", DOCKERFILE, re.MULTILINE)
    assert 'VOLUME ["/app/storage"]' in DOCKERFILE


def test_healthcheck_calls_the_health_command() -> None:
    check = re.search(r'^HEALTHCHECK .*CMD \["clausewatch", "(\w+)"\]', DOCKERFILE, re.MULTILINE)
    assert check is not None and check.group(1) == "health" and "health" in main.commands  # type: ignore[attr-defined]


def test_compose_example_runs_the_image_with_the_storage_volume() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["clausewatch"]
    assert service["build"] == "." and any(v.endswith(":/app/storage") for v in service["volumes"])
    assert "clausewatch-data" in compose["volumes"]


def test_compose_postgres_profile_adds_the_database_and_workers_with_the_password_only_from_env() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    compose = yaml.safe_load(text)
    postgres, workers = compose["services"]["postgres"], compose["services"]["workers"]
    assert postgres["profiles"] == workers["profiles"] == ["postgres"]  # `docker compose up` alone stays on SQLite
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert workers["environment"]["CLAUSEWATCH_DATABASE_URL"].startswith("${CLAUSEWATCH_DATABASE_URL:?")
    assert workers["depends_on"]["postgres"]["condition"] == "service_healthy" and "ports" not in workers
    assert compose["services"]["clausewatch"]["environment"]["CLAUSEWATCH_DATABASE_URL"] == "${CLAUSEWATCH_DATABASE_URL:-}"
    assert "clausewatch-postgres" in compose["volumes"] and "postgresql://clausewatch:" not in text.replace(
        "postgresql://clausewatch:<the same password>", "")


def test_the_image_and_compose_publish_the_web_view_on_loopback_only() -> None:
    assert re.search(r"^EXPOSE 8088$", DOCKERFILE, re.MULTILINE) and "CLAUSEWATCH_WEB_HOST=0.0.0.0" in DOCKERFILE
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert "127.0.0.1:8088:8088" in compose["services"]["clausewatch"]["ports"]


def test_datasette_canned_queries_run_on_a_real_store(tmp_path: Path) -> None:
    """Each canned query of metadata.yaml runs on a database made by a real poll."""
    snapshot = tmp_path / "terms.md"
    snapshot.write_text("# Terms\n\n1. Your uploads may be used to train AI models.\n", encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text("platforms:\n  tunely:\n    documents:\n      - {type: Terms of Service, path: terms.md}\n"
                      "channels:\n  - {id: log, jsonl: out.jsonl}\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["--config", str(config), "poll", "--once"]).exit_code == 0
    snapshot.write_text("# Terms\n\n1. Your uploads and likeness may be used to train AI models.\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["--config", str(config), "poll", "--once"]).exit_code == 0
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text(encoding="utf-8"))
    queries = metadata["databases"]["clausewatch"]["queries"]
    database = sqlite3.connect(tmp_path / "storage" / "clausewatch.db")
    results = {name: database.execute(query["sql"]).fetchall() for name, query in queries.items()}
    assert len(results["recent_terms_changes"]) == 1 and len(results["ai_training_changes"]) == 1
    assert results["undelivered"] == [] and len(results["stories"]) == 1
