"""A long `feeds:` list is read a slice at a time: the result must be the very document a plain parse gives, and
whatever slicing could change must be read whole, with a plain parse's errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core import config_yaml
from bot.core.config import ConfigError, parse_config
from bot.core.config_yaml import UniqueKeyLoader, load_yaml


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of 3 items, so that a file of a dozen feeds is read sliced."""
    monkeypatch.setattr(config_yaml, "SLICE_ITEMS", 3)


def plain(text: str) -> object:
    return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass


def feeds(count: int, indent: str = "  ") -> str:
    return "".join(f'{indent}- {{id: feed-{index}, url: "https://example.org/{index}.xml?a=1&b=2"}}\n'
                   for index in range(count))


SHAPES = {
    "flow items": "poll: {interval: 30m}\nfeeds:\n" + feeds(10) + "channels:\n  - {id: c, kind: jsonl, path: x}\n",
    "items at column 0": "feeds:\n" + feeds(10, indent="") + "poll: {interval: 1h}\n",
    "block items with lists and comments": "feeds:  # the news\n" + "".join(
        f"  # feed {index}\n  - id: f{index}\n    url: https://example.org/{index}\n    remove:\n      - '.ad'\n"
        f"      - |\n        a block scalar\n        - not an item\n\n" for index in range(8)) + "storage: ./s\n",
    "feeds last, no final newline": "storage: ./s\nfeeds:\n" + feeds(7).rstrip("\n"),
    "anchor inside one slice": "feeds:\n  - &one {id: a, url: 'https://e.org/a'}\n  - *one\n" + feeds(6),
    "windows line ends": ("feeds:\n" + feeds(9)).replace("\n", "\r\n"),
}


@pytest.mark.parametrize("name", SHAPES)
def test_sliced_read_gives_the_document_a_plain_parse_gives(name: str) -> None:
    text = SHAPES[name]
    assert config_yaml._load_sliced(text) is not None, "this shape should be read sliced"
    assert load_yaml(text) == plain(text)


FALLBACKS = {
    "anchor defined outside the list": "defaults: &d {interval: 1h}\nfeeds:\n" + feeds(8) + "  - {<<: *d, id: z}\n",
    "anchor used across slices": "feeds:\n  - &one {id: a, url: 'https://e.org/a'}\n" + feeds(6) + "  - *one\n",
    "flow item spanning lines": "feeds:\n" + feeds(5) + "- {id: x,\nurl: y}\n" + feeds(5),
    "two documents": "feeds:\n" + feeds(8) + "---\nfeeds: []\n",
}


@pytest.mark.parametrize("name", FALLBACKS)
def test_what_slicing_could_change_is_read_whole(name: str) -> None:
    text = FALLBACKS[name]
    assert config_yaml._load_sliced(text) is None
    try:
        expected = plain(text)
    except yaml.YAMLError as error:
        with pytest.raises(yaml.YAMLError) as raised:
            load_yaml(text)
        assert str(raised.value) == str(error)  # the plain parse's message, with its line numbers
    else:
        assert load_yaml(text) == expected


def test_a_second_feeds_key_is_still_a_duplicate_key_error(tmp_path: Path) -> None:
    text = "feeds:\n" + feeds(8) + "feeds:\n" + feeds(4)
    with pytest.raises(ConfigError) as raised:
        parse_config(text, tmp_path / "feeds.yaml")
    assert "duplicate key 'feeds'" in " ".join(raised.value.problems)


def test_a_bad_item_in_a_late_slice_is_reported_with_its_index(tmp_path: Path) -> None:
    text = "feeds:\n" + feeds(10) + "  - {id: broken}\n"
    with pytest.raises(ConfigError) as raised:
        parse_config(text, tmp_path / "feeds.yaml")
    assert any("feeds[10]" in problem for problem in raised.value.problems), raised.value.problems
