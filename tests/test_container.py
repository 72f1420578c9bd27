"""CI here cannot run Docker: check at least that the Dockerfile's copied files and its command exist."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
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
