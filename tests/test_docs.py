"""The README stays true: every command and setting is documented, its examples load, and CI runs
exactly the test command the quick start gives."""

from __future__ import annotations

import re
from pathlib import Path

import click

from bot.app import load_config
from bot.cli import main
from bot.core import config as config_module

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.DOTALL)


def test_quick_start_is_two_commands_install_and_demo_then_tests() -> None:
    install, tests = _quick_start()
    assert "\n" not in install and "\n" not in tests
    assert "pip install -e '.[test]'" in install and install.endswith("clausewatch demo")
    assert "pytest" in tests


def test_ci_runs_the_readme_install_and_test_commands() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install, tests = _quick_start()
    assert "pip install --quiet -e '.[test]'" in script
    assert script.strip().splitlines()[-1] == tests


def test_every_command_is_documented() -> None:
    assert isinstance(main, click.Group)
    for name in main.commands:
        assert f"`clausewatch {name}" in README, f"command {name} is not in the README"


def test_every_setting_is_documented() -> None:
    keys = {key.name for key in config_module.config_keys()}
    for key in sorted(keys):
        assert f"`{key}" in README or f".{key}`" in README or f"{key}:" in README, f"setting {key} is not in the README"


def test_every_topic_is_documented() -> None:
    from bot.core.topics import TOPICS

    for topic in TOPICS:
        assert f"`{topic}`" in README


def test_readme_configuration_example_loads(tmp_path: Path) -> None:
    example = re.search(r"```yaml\n(storage: .*?)```", README, re.DOTALL)
    assert example is not None
    path = tmp_path / "feeds.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    config = load_config(path)
    assert [c.id for c in config.channels] == ["local", "archive", "artists", "server"]


def test_jsonl_contract_fields_are_documented() -> None:
    for field in ("channel", "event", "platform", "thread", "reply_to", "title", "text", "url", "topics", "severity", "at"):
        assert f'"{field}"' in README
