"""The command-line contract: check, poll --once, sources, status --json, run, demo, --help everywhere."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from click.testing import CliRunner

from bot.app import setup_logging
from bot.cli import main
from tests.conftest import read_until

pytestmark = pytest.mark.slow  # whole processes; skipped by the quick tier (-m "not slow")

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = sorted(main.commands)  # type: ignore[attr-defined]


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_every_command_has_help(command: list[str]) -> None:
    code, out, _ = invoke(*command, "--help")
    assert code == 0 and "Usage:" in out and len(out.splitlines()) > 3


def test_python_dash_m_bot_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "poll" in done.stdout


def test_check_summarises_the_default_config() -> None:
    code, out, _ = invoke("--config", str(ROOT / "feeds.yaml"), "check")
    assert code == 0
    assert re.search(r"platforms: \d+ \(soundcloud, youtube", out)
    assert "console (console → stdout)" in out
    assert "web view:  http://127.0.0.1:8088/ while `run` runs; no base_url: posts carry no link" in out


def test_config_errors_exit_2_and_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("poll: {interval: sometimes}\n", encoding="utf-8")
    for command in (["check"], ["poll", "--once"], ["sources"]):
        code, _, err = invoke("--config", str(bad), *command)
        assert code == 2
        assert f"{bad}: poll.interval: expected a duration" in err


def test_environment_variable_selects_the_config(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.yaml"
    config.write_text("storage: ./s\nchannels: [{id: here, console: true}]\n", encoding="utf-8")
    code, out, _ = invoke("check", env={"CLAUSEWATCH_CONFIG": str(config)})
    assert code == 0 and str(config) in out and "here (console" in out


def test_chat_routes_without_tokens_are_reported_inactive(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("channels: [{id: artists, slack: C0123456}]\n", encoding="utf-8")
    code, out, _ = invoke("--config", str(config), "check", env={"SLACK_BOT_TOKEN": ""})
    assert code == 0 and "inactive: SLACK_BOT_TOKEN is not set" in out


@pytest.fixture
def offline_default_config(tmp_path: Path) -> Path:
    """The repository's feeds.yaml with storage in a temporary folder and a short timeout (no network here)."""
    data = yaml.safe_load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    data["storage"] = str(tmp_path / "storage")
    data["poll"]["timeout"] = "2s"
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_poll_once_offline_on_the_default_config_fails_cleanly(offline_default_config: Path) -> None:
    code, _, err = invoke("--config", str(offline_default_config), "poll", "--once")
    assert code == 0
    assert "Traceback" not in err
    total = len(yaml.safe_load(offline_default_config.read_text())["feeds"])
    assert re.search(r"polled \d+ sources .* 0 changed or new, .* (\d+) failed", err)
    code, out, _ = invoke("--config", str(offline_default_config), "sources", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) > total
    assert all(row["health"] == "erroring (1)" and row["last_error"] for row in rows)
    assert all(row["next_due"] for row in rows)
    code, out, _ = invoke("--config", str(offline_default_config), "sources")
    assert out.splitlines()[0].startswith("SOURCE") and "soundcloud/terms-of-service" in out


def test_status_json_contract(tmp_path: Path) -> None:
    snapshot = tmp_path / "terms.md"
    snapshot.write_text("# Terms\n\n3.4 Your uploads may be used to train artificial intelligence models.\n", encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "platforms:\n  tunely:\n    name: Tunely\n    documents:\n      - {type: Terms of Service, path: terms.md}\n",
        encoding="utf-8",
    )
    assert invoke("--config", str(config), "poll", "--once")[0] == 0
    code, out, _ = invoke("--config", str(config), "status", "tunely", "--json")
    status = json.loads(out)
    assert code == 0 and status["platform"] == "tunely" and isinstance(status["recent"], list)
    (document,) = status["documents"]
    assert {"type", "last_change", "effective_date", "ai_training"} <= set(document)
    assert document["type"] == "Terms of Service"
    assert document["ai_training"]["granted"] is True
    assert "train artificial intelligence" in document["ai_training"]["clause"]
    assert {"granted", "clause", "opt_out", "exceptions"} == set(document["ai_training"])
    code, out, _ = invoke("--config", str(config), "status", "--json")
    assert code == 0 and json.loads(out)["platforms"][0]["platform"] == "tunely"


def test_status_of_unknown_platform_suggests_names(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("platforms:\n  tunely: {name: Tunely}\n  tiktok: {name: TikTok}\n", encoding="utf-8")
    code, _, err = invoke("--config", str(config), "status", "tunelly")
    assert code == 1 and "unknown platform 'tunelly'" in err and "tunely" in err


def test_demo_tells_the_whole_story_offline(tmp_path: Path) -> None:
    import asyncio

    from bot.demo import run_demo

    out = io.StringIO()
    asyncio.run(run_demo(out, keep=tmp_path))
    text = out.getvalue()
    for expected in (
        "[terms_change] Cloudtune changed its Terms of Service: AI training clause added",
        "+ Cloudtune Terms of Use > 3. Your content > 3.4: “You explicitly agree that Your Content may",
        "└─ [update] Also reported by Sound & Policy Daily",
        "└─ [update] Also reported by Le Fil Musique & Numérique",
        "└─ [statement] Cloudtune responds",
        "• denies allowing third parties to scrape Cloudtune for that purpose",
        "— a Cloudtune spokesperson (emailed statement)",
        "[source_failing] Source creator-weekly is failing",
        "└─ [source_recovered] Source creator-weekly has recovered",
        "grants AI training: True",
    ):
        assert expected in text, expected
    assert text.count("[terms_change]") == 1  # the cosmetic change in cycle 4 is not an alert
    records = [json.loads(line) for line in (tmp_path / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    story = [r for r in records if r["platform"] == "cloudtune"]
    # One story: the terms change opens the thread; the English and French coverage, the newsroom post and
    # the English article's appended passage (an update) and the statement in it are replies in it.
    assert [r["event"] for r in story] == ["terms_change", "update", "statement", "update", "update", "statement"]
    assert {r["thread"] for r in story} == {story[0]["thread"]} and story[0]["reply_to"] is None
    assert all(r["reply_to"] == story[0]["thread"] for r in story[1:])


def _spawn(config: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _read_until(process: subprocess.Popen[str], text: str, timeout: float = 30.0) -> str:
    """Read the process's stderr until `text` appears; all that was read."""
    return read_until(process.stderr, re.escape(text), timeout).string


def test_run_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    snapshot = tmp_path / "terms.md"
    snapshot.write_text("# Terms\n\nBe nice.\n", encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "poll: {interval: 1h}\nplatforms:\n  tunely:\n    name: Tunely\n    documents:\n"
        "      - {type: Terms of Service, path: terms.md}\nchannels: [{id: out, jsonl: out.jsonl}]\n",
        encoding="utf-8",
    )
    process = _spawn(config, "run")
    try:
        logged = _read_until(process, "cycle: 1 sources")
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=30)
        err = logged + rest
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopped cleanly" in err and "Traceback" not in err



def test_unusable_storage_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "storage"
    blocker.write_text("not a folder", encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text("storage: ./storage\n", encoding="utf-8")
    code, _, err = invoke("--config", str(config), "poll", "--once")
    assert code == 1
    assert f"error: cannot create storage folder {blocker}" in err and "Traceback" not in err


def test_diff_history_and_status_after_a_clause_change(tmp_path: Path) -> None:
    terms = tmp_path / "terms.md"
    terms.write_text("# Terms\nEffective date: 1 March 2024\n## 3. Content\n3.1 You own your uploads.\n"
                     "3.2 We may host your uploads.\n## 4. Disputes\n4.1 Courts of Paris decide.\n", encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text("platforms:\n  tunely:\n    name: Tunely\n    documents:\n"
                      "      - {type: Terms of Service, path: terms.md}\n", encoding="utf-8")
    assert invoke("--config", str(config), "poll", "--once")[0] == 0
    code, out, _ = invoke("--config", str(config), "diff", "tunely")
    assert code == 0 and "no recorded change for tunely" in out
    status = json.loads(invoke("--config", str(config), "status", "tunely", "--json")[1])
    assert status["documents"][0]["effective_date"] == "2024-03-01"  # announced by the first version
    terms.write_text("# Terms\nThese terms take effect on 7 February 2025.\n## 3. Content\n3.1 You own your uploads.\n"
                     "3.2 We may host and sublicense your uploads.\n"
                     "3.3 Your uploads may be used to train artificial intelligence models.\n"
                     "## 4. Disputes\n4.1 Courts of Paris decide.\n", encoding="utf-8")
    assert invoke("--config", str(config), "poll", "--once")[0] == 0
    code, out, _ = invoke("--config", str(config), "diff", "tunely", "Terms of Service", "--json")
    (change,) = json.loads(out)["changes"]
    assert code == 0 and change["effective_date"] == "2025-02-07" and change["severity"] == "high"
    kinds = {clause["kind"]: clause for clause in change["clauses"]}
    assert set(kinds) == {"added", "modified"}
    assert kinds["added"]["path"].endswith("3. Content > 3.3") and "ai_training" in kinds["added"]["topics"]
    assert kinds["modified"]["inline"] == "We may host {+and sublicense+} your uploads."
    code, out, _ = invoke("--config", str(config), "diff", "tunely")
    assert "+ Terms > 3. Content > 3.3: “Your uploads may be used to train" in out and "effective 2025-02-07" in out
    code, out, _ = invoke("--config", str(config), "history", "tunely", "terms-of-service", "--json")
    (document,) = json.loads(out)["documents"]
    assert len(document["versions"]) == 2 and document["changes"][0]["kinds"] == ["added", "modified"]
    status = json.loads(invoke("--config", str(config), "status", "tunely", "--json")[1])
    assert status["documents"][0]["effective_date"] == "2025-02-07"
    assert status["documents"][0]["last_change"] == change["new_version_at"]
    code, _, err = invoke("--config", str(config), "diff", "tunley")
    assert code == 1 and "did you mean: tunely" in err


def test_diff_of_an_unknown_document_lists_the_configured_ones(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("platforms:\n  tunely:\n    name: Tunely\n    documents:\n"
                      "      - {type: Terms of Service, path: terms.md}\n", encoding="utf-8")
    code, _, err = invoke("--config", str(config), "diff", "tunely", "Cookie Policy")
    assert code == 1 and "tunely has no document 'Cookie Policy'; configured: 'Terms of Service'" in err


def test_health_follows_the_last_poll_cycle(tmp_path: Path) -> None:
    import sqlite3

    config = tmp_path / "feeds.yaml"
    (tmp_path / "terms.md").write_text("# Terms\n\nBe kind.\n", encoding="utf-8")
    config.write_text("poll: {interval: 10m}\nplatforms:\n  tunely:\n    name: Tunely\n    documents:\n"
                      "      - {type: Terms of Service, path: terms.md}\n", encoding="utf-8")
    code, _, err = invoke("--config", str(config), "health")
    assert code == 1 and "no poll cycle has completed yet" in err
    assert invoke("--config", str(config), "poll", "--once")[0] == 0
    code, out, _ = invoke("--config", str(config), "health", "--json")
    assert code == 0 and json.loads(out)["healthy"] is True and json.loads(out)["limit_seconds"] == 1800
    with sqlite3.connect(tmp_path / "storage" / "clausewatch.db") as conn:
        conn.execute("UPDATE cycles SET finished_at = '2020-01-01T00:00:00+00:00'")
    code, _, err = invoke("--config", str(config), "health")
    assert code == 1 and "more than three intervals (1800s)" in err


def test_a_second_poller_on_the_same_storage_refuses_to_run(tmp_path: Path) -> None:
    (tmp_path / "terms.md").write_text("# Terms\n\nBe kind.\n", encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text("poll: {interval: 1h}\nplatforms:\n  tunely:\n    name: Tunely\n    documents:\n"
                      "      - {type: Terms of Service, path: terms.md}\n", encoding="utf-8")
    first = _spawn(config, "run")
    try:
        _read_until(first, "cycle: 1 sources")
        code, _, err = invoke("--config", str(config), "poll", "--once")
        assert code == 1 and "is already polling" in err and f"pid {first.pid}" in err
        assert invoke("--config", str(config), "status", "tunely")[0] == 0  # reading is never blocked
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        assert invoke("--config", str(config), "poll", "--once")[0] == 0  # the kernel released the lock
    finally:
        if first.poll() is None:
            first.kill()


@pytest.mark.parametrize("fmt", ["human", "json"])
def test_logs_never_show_chat_tokens_or_url_passwords(fmt: str, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    token = "MTIzNDU2Nzg5.discord-token-value.abcdef"
    monkeypatch.setenv("DISCORD_TOKEN", token)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("info", fmt)
        log = logging.getLogger("bot.test")
        log.warning("login failed with %s", token)
        log.warning("slack said no to xoxb-1234-5678-abcdefghijkl and xapp-1-A0-99-ffff0000")
        log.warning("cannot fetch https://reader:hunter2pass@feeds.example/rss")
        try:
            raise RuntimeError(f"Authorization: Bot {token}")
        except RuntimeError:
            log.exception("crashed")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    for secret in (token, "xoxb-1234", "xapp-1-A0", "hunter2pass"):
        assert secret not in err
    assert err.count("[redacted]") >= 5 and "https://reader:[redacted]@feeds.example/rss" in err


def test_discord_invite_asks_for_exactly_the_scopes_and_permissions_used() -> None:
    code, out, _ = invoke("discord-invite", "--application-id", "123456789012345678")
    query = parse_qs(urlsplit(out.strip()).query)
    assert code == 0 and query["client_id"] == ["123456789012345678"]
    assert query["scope"] == ["bot applications.commands"]
    # View Channel, Send Messages, Embed Links, Read Message History, Create Public Threads,
    # Send Messages in Threads — and nothing else (no Administrator, no Mention Everyone).
    assert int(query["permissions"][0]) == (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 35) | (1 << 38)
    token_id = base64.b64encode(b"987654321098765432").decode().rstrip("=")
    code, out, _ = invoke("discord-invite", env={"DISCORD_TOKEN": f"{token_id}.GxYz.secret"})
    assert code == 0 and "client_id=987654321098765432" in out and "secret" not in out
    code, _, err = invoke("discord-invite", env={"DISCORD_TOKEN": ""})
    assert code == 1 and "--application-id" in err
