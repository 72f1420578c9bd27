"""feeds.yaml contract: the keys of the foundation issue, durations and sizes, and errors that name
the file, the key path and what was expected."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import load_config
from bot.core.config import ConfigError, PollSettings, config_keys, parse_duration, parse_size

ISSUE_EXAMPLE = """\
storage: ./storage
poll: {interval: 15m, concurrency: 20, timeout: 20s, max_bytes: 5MB, user_agent: "test-agent/1.0"}
platforms:
  soundcloud:
    name: SoundCloud
    aliases: [SoundCloud]
    documents:
      - {type: Terms of Service, url: https://example.org/terms, select: "main", remove: [".banner"]}
      - {type: Privacy Policy, path: snapshots/soundcloud-privacy.md}
    feeds:
      - {url: https://example.org/blog/feed}
feeds:
  - {id: policy-news, url: https://example.org/feed.xml, interval: 10m}
channels:
  - {id: local, console: true}
  - {id: archive, jsonl: out/posts.jsonl}
  - {id: artists, slack: C0123456, platforms: [soundcloud], topics: [ai_training]}
  - {id: server, discord: "123456789012345678"}
"""


def test_issue_example_loads_with_every_key(write_config: Callable[..., Path]) -> None:
    path = write_config(ISSUE_EXAMPLE)
    config = load_config(path)
    assert config.storage == (path.parent / "storage").resolve()
    assert config.poll.interval == 900 and config.poll.timeout == 20 and config.poll.max_bytes == 5 * 1024 * 1024
    assert config.poll.user_agent == "test-agent/1.0"
    sources = {s.id: s for s in config.sources()}
    assert set(sources) == {"soundcloud/terms-of-service", "soundcloud/privacy-policy", "soundcloud/feed", "policy-news"}
    privacy = sources["soundcloud/privacy-policy"]
    assert privacy.path == (path.parent / "snapshots" / "soundcloud-privacy.md").resolve()
    assert sources["soundcloud/terms-of-service"].remove == (".banner",)
    assert sources["policy-news"].interval == 600
    assert sources["soundcloud/feed"].interval == 900  # inherits poll.interval
    channels = {c.id: c for c in config.channels}
    assert channels["archive"].target == str((path.parent / "out" / "posts.jsonl").resolve())
    assert channels["artists"].kind == "slack" and channels["artists"].target == "C0123456"
    assert channels["artists"].wants("soundcloud", ("ai_training",))
    assert not channels["artists"].wants("soundcloud", ("pricing",))
    assert not channels["artists"].wants("youtube", ("ai_training",))
    assert channels["server"].target == "123456789012345678"


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("10m", 600), ("1h", 3600), ("1d", 86400), (45, 45), ("250ms", 0.25)])
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "size"), [("5MB", 5 * 1024**2), ("512KB", 512 * 1024), ("1GB", 1024**3), (2048, 2048)])
def test_sizes(text: object, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("poll: {interval: soon}\n", "poll.interval: expected a duration like 90s, 10m, 1h, got 'soon'"),
        ("poll: {interval: 999999999999999d}\n", "poll.interval: expected a duration of at most 3650d"),
        ("stories: {window: .inf}\n", "stories.window: expected a duration of at most 3650d"),
        ("poll: {max_bytes: lots}\n", "poll.max_bytes: expected a size like 512KB or 5MB"),
        ("poll: {concurrency: many}\n", "poll.concurrency: expected a whole number >= 1"),
        ("pol: {interval: 1m}\n", "pol: unknown key"),
        ("poll: {intervall: 1m}\n", "poll.intervall: unknown key (expected one of:"),
        ("feeds: [{id: a, url: 'https://x.test/a', colour: red}]\n", "feeds[0].colour: unknown key"),
        ("feeds: [{url: 'https://x.test/a'}]\n", "feeds[0].id: is required"),
        ("feeds: [{id: a, url: 'ftp://x.test/a'}]\n", "feeds[0].url: expected an http(s):// or file:// URL"),
        ("feeds: [{id: a}]\n", "feeds[0]: needs exactly one of `url` or `path`"),
        ("feeds:\n  - {id: a, url: 'https://x.test/a'}\n  - {id: a, url: 'https://x.test/b'}\n", "feeds[1].id: duplicate id 'a'"),
        ("channels:\n  - {id: c, console: true}\n  - {id: c, jsonl: out.jsonl}\n", "channels[1].id: duplicate channel id 'c'"),
        ("channels: [{id: c, slack: C1, platforms: [soundclod]}]\n", "channels[0].platforms: unknown platform 'soundclod'"),
        ("channels: [{id: c, console: true, topics: [ai]}]\n", "channels[0].topics: unknown topic 'ai'"),
        ("channels: [{id: c}]\n", "channels[0]: needs exactly one output of: console, jsonl, atom, slack, discord"),
        ("platforms:\n  sc: {name: SC, documents: [{url: 'https://x.test/t'}]}\n", "platforms.sc.documents[0].type: is required"),
        ("platforms:\n  sc: {name: SC, documents: [{type: Terms of Service, url: 'https://x.test/t', select: 'main >'}]}\n",
         "platforms.sc.documents[0]: invalid CSS selector 'main >'"),
        ("platforms:\n  sc: {name: SC}\n  sc: {name: SC2}\n", "duplicate key 'sc'"),
        ("platforms:\n  SoundCloud: {name: SC}\n", "platforms.SoundCloud: platform ids are lowercase"),
        ("platforms:\n  sc:\n    name: SC\n    documents:\n      - {type: Terms of Service, url: 'https://x.test/a'}\n"
         "      - {type: Terms of Service, url: 'https://x.test/b'}\n", "duplicate document type 'Terms of Service'"),
        ("storage: [a, b]\n", "storage: expected a non-empty string, got a list"),
        ("- just\n- a list\n", "expected a mapping, got a list"),
        ("poll: {interval: 1m\n", "not valid YAML"),
    ],
)
def test_errors_name_file_key_path_and_expectation(write_config: Callable[..., Path], text: str, expected: str) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert expected in message
    assert str(path) in message


def test_every_problem_is_reported_at_once(write_config: Callable[..., Path]) -> None:
    path = write_config("poll: {interval: soon, timeout: never}\nfeeds: [{id: a}]\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert len(caught.value.problems) == 3


def test_a_repeated_id_is_reported_beside_the_entry_s_other_mistakes(write_config: Callable[..., Path]) -> None:
    path = write_config("feeds:\n  - {id: a, url: 'https://x.test/a'}\n  - {id: a, url: 'https://x.test/b', colour: red}\n"
                        "channels:\n  - {id: c, console: true}\n  - {id: c, jsonl: out.jsonl, mood: calm}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problems = caught.value.problems
    assert "feeds[1].id: duplicate id 'a'" in problems and "channels[1].id: duplicate channel id 'c'" in problems
    assert any(problem.startswith("feeds[1].colour: unknown key") for problem in problems)
    assert any(problem.startswith("channels[1].mood: unknown key") for problem in problems)
    assert len(problems) == 4


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.yaml")


def test_non_ota_document_type_is_a_warning_not_an_error(write_config: Callable[..., Path]) -> None:
    path = write_config("platforms:\n  sc: {name: SC, documents: [{type: House Rules, url: 'https://x.test/t'}]}\n")
    config = load_config(path)
    assert any("not an Open Terms Archive terms type" in w for w in config.warnings)


def test_the_repository_default_config_is_valid() -> None:
    config = load_config(Path(__file__).resolve().parents[2] / "feeds.yaml")
    required = {"soundcloud", "youtube", "spotify", "bandcamp", "x", "instagram", "facebook", "tiktok", "linkedin",
                "reddit", "tumblr", "deviantart", "patreon", "adobe"}
    assert required <= set(config.platforms)
    for platform_id in required:
        types = {d.doc_type for d in config.platforms[platform_id].documents}
        assert {"Terms of Service", "Privacy Policy"} <= types, platform_id
        assert all(d.url and d.url.startswith("https://") for d in config.platforms[platform_id].documents)
    assert len(config.feeds) >= 3
    assert [c.kind for c in config.channels] == ["console"]
    assert not config.warnings


def test_unknown_keys_name_what_the_schema_accepts(write_config: Callable[..., Path]) -> None:
    path = write_config("poll: {intervall: 1m}\nchannels: [{id: c, console: true, colour: red}]\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    for parent, key in (("poll", "intervall"), ("channels[]", "colour")):
        accepted = sorted(k.name for k in config_keys() if k.parent == parent)
        where = parent.replace("[]", "[0]")
        assert f"{where}.{key}: unknown key (expected one of: {', '.join(accepted)})" in caught.value.problems


def test_rules_on_keys_together_are_reported_with_wrong_values(write_config: Callable[..., Path]) -> None:
    path = write_config("feeds: [{id: 'a b', url: 'https://x.test/a', path: a.xml}]\n"
                        "channels: [{id: 3}]\nmetrics: {host: 5}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        "feeds[0].id: ids are letters, digits, '-', '_', '.' or '/'",
        "feeds[0]: has both `url` and `path`; expected exactly one",
        "channels[0].id: expected a non-empty string, got a number",
        "channels[0]: needs exactly one output of: console, jsonl, atom, slack, discord",
        "metrics.host: expected a non-empty string, got a number",
        "metrics.port: required when `metrics` is set",
    ]


def test_settings_are_validated_frozen_dataclasses() -> None:
    poll = PollSettings(interval="15m", max_bytes="1MB")  # type: ignore[arg-type]
    assert (poll.interval, poll.max_bytes) == (900.0, 1024**2)
    assert dataclasses.replace(poll, timeout=5.0).timeout == 5.0 and dataclasses.asdict(poll)["interval"] == 900.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        poll.interval = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="expected a whole number >= 1"):
        PollSettings(concurrency=0)


@pytest.mark.parametrize(("written", "shards"), [("auto", "auto"), ("4", 4), (None, None)])
def test_discord_shards_take_auto_or_a_count(tmp_path: Path, written: str | None, shards: object) -> None:
    from bot.core.config import parse_config

    text = "channels: []\n" if written is None else f"discord: {{shards: {written}}}\n"
    assert parse_config(text, tmp_path / "feeds.yaml").discord_shards == shards


@pytest.mark.parametrize("written", ["0", "-2", "many", "true"])
def test_discord_shards_refuse_anything_else(tmp_path: Path, written: str) -> None:
    from bot.core.config import parse_config

    with pytest.raises(ConfigError, match="auto` or a number of shards"):
        parse_config(f"discord: {{shards: {written}}}\n", tmp_path / "feeds.yaml")


def test_extraction_settings_round_trip_and_bad_stored_values_are_refused() -> None:
    from bot.core.config import SourceSpec, describe_extraction

    spec = SourceSpec("acme/terms", "document", "acme", "https://acme.test/terms", None, 3600.0,
                      doc_type="Terms of Service", select="main", remove=("nav", ".promo"))
    bare = SourceSpec("acme/terms", "document", "acme", "https://acme.test/terms", None, 3600.0, doc_type="Terms of Service")
    assert bare.with_extraction(spec.extraction) == spec and spec.with_extraction(bare.extraction) == bare
    assert describe_extraction(spec.extraction) == "selector main, without nav, .promo"
    assert describe_extraction(bare.extraction) == "the whole page"
    for stored in ("", "not json", "[]", '{"select": 3, "remove": []}', '{"select": null, "remove": [1]}',
                   '{"select": "main"}'):
        assert spec.with_extraction(stored) is None
        describe_extraction(stored)  # (never raises: the note of a new baseline is written from it)
    assert describe_extraction("not json") == describe_extraction("[]") == "unknown settings"
    assert SourceSpec("wire", "feed", None, "https://news.test/feed", None, 600.0).extraction == ""
