"""A large feeds.yaml (100,000 sources) is parsed in a child process, so that a worker does not keep the parse's
peak memory: the configuration it gets, and the errors it reports, are the same as when parsed in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import load_config
from bot.core.config import ConfigError


def write(tmp_path: Path, feeds: int, extra: str = "") -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text("\n".join([
        "storage: ./storage", "poll: {interval: 30m}", "platforms:", "  tunely: {name: Tunely}", "feeds:",
        *[f'  - {{id: f{n}, url: "https://news{n % 7}.test/feed-{n}.xml"}}' for n in range(feeds)],
        "channels:", "  - {id: log, jsonl: out.jsonl, platforms: [tunely]}", extra]) + "\n", encoding="utf-8")
    return path


def test_a_large_configuration_parsed_in_a_child_is_the_same(tmp_path: Path) -> None:
    path = write(tmp_path, 3000)
    in_child = load_config(path, child_above=1)
    assert in_child == load_config(path) and len(in_child.feeds) == 3000
    assert in_child.feeds[2999].url == "https://news3.test/feed-2999.xml"


def test_a_large_configuration_with_errors_reports_them_as_in_process(tmp_path: Path) -> None:
    path = write(tmp_path, 3000, extra="  - {id: wrong, slack: C1, topics: [nonsense]}")
    with pytest.raises(ConfigError) as in_child:
        load_config(path, child_above=1)
    with pytest.raises(ConfigError) as in_process:
        load_config(path)
    assert in_child.value.problems == in_process.value.problems and in_child.value.file == str(path.absolute())
    assert any("nonsense" in problem for problem in in_child.value.problems)
