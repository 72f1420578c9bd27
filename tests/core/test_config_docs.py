"""The README's configuration table and the schema agree: every key feeds.yaml accepts has a row, and every row
names a key the schema accepts (nested paths like `poll.interval`, `platforms.<id>.documents[].type`)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.config import config_keys

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def table_keys() -> list[str]:
    """The first column of the table in "Configuration reference"."""
    section = README.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE)


def test_the_table_is_found() -> None:
    assert "poll.interval" in table_keys()


def test_every_accepted_key_has_a_row() -> None:
    rows = set(table_keys())
    missing = [key.path for key in config_keys() if not key.section and key.path not in rows]
    assert not missing, f"keys the schema accepts but the README's table lacks: {missing}"


def test_every_row_is_an_accepted_key() -> None:
    keys = config_keys()
    paths = {key.path for key in keys} | {key.path + key.items for key in keys if key.items}
    unknown = [row for row in table_keys() if row not in paths]
    assert not unknown, f"rows of the README's table that the schema does not accept: {unknown}"


def test_no_key_has_two_rows() -> None:
    rows = table_keys()
    assert len(rows) == len(set(rows))


def test_required_keys_say_so() -> None:
    cells = {match[0]: match[1] for match in re.findall(r"^\| `([^`]+)` \| ([^|]*) \|", README, re.MULTILINE)}
    required = [key.path for key in config_keys() if key.required]
    assert required and all(cells[path].strip() == "required" for path in required), required
