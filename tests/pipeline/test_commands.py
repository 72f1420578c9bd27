"""`/policy` answered by the real command service over a real store and a local feed server: what a
chat user sees, who may change the configuration, and that changes reach the poller and survive restarts."""

from __future__ import annotations

import io
import ipaddress
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import App, ChatEnv, load_config
from bot.core.commands import (
    CommandRequest,
    CommandSyntaxError,
    ParsedCommand,
    build_command,
    parse_command,
    write_help,
)
from bot.core.config import Channel, PollSettings
from bot.core.routing import RouteTable, Subscription
from bot.sources.fetcher import Fetcher, build_session
from bot.sources.network_guard import NetworkGuard
from tests.conftest import Remote
from tests.pipeline.test_pipeline import AI_CLAUSE, rss, serve_defaults


def config_text(tmp: Path, remote: Remote, admins: str = "[]", private: bool = True) -> str:
    return f"""
storage: {tmp / 'storage'}
allow_private_networks: {'true' if private else 'false'}
poll: {{interval: 1h, timeout: 3s}}
chat: {{admin_users: {admins}}}
platforms:
  tunely:
    name: Tunely
    aliases: [Tunely]
    documents:
      - {{type: Terms of Service, url: "{remote.url('/terms')}", select: main}}
    feeds:
      - {{url: "{remote.url('/newsroom.xml')}"}}
  cloudtune:
    name: Cloudtune
feeds:
  - {{id: wire, url: "{remote.url('/wire.xml')}", backfill: 5}}
channels:
  - {{id: everything, jsonl: {tmp / 'out' / 'all.jsonl'}}}
"""


class TickingClock:
    """A clock one minute further on each reading, so command cooldowns never get in a test's way."""

    def __init__(self, start: datetime | None = None, step: timedelta = timedelta(minutes=1)) -> None:
        self.now = start or datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


@asynccontextmanager
async def running(path: Path, clock: Callable[[], datetime] | None = None) -> AsyncIterator[App]:
    async with App.open(load_config(path), stdout=io.StringIO(), chat_env=ChatEnv(), clock=clock or TickingClock()) as app:
        yield app


def ask(text: str, admin: bool = False, user: str = "U1") -> CommandRequest:
    return CommandRequest(text=text, chat="slack", channel="C1", user=user, is_admin=admin)


def test_parse_command_checks_subcommands_and_arguments() -> None:
    assert parse_command("").name == "help"
    assert parse_command("Status tunely").args == ("tunely",)
    assert parse_command("feeds add https://x.test/feed.xml tunely").changes_config
    assert not parse_command("feeds list").changes_config
    for bad in ("launch", "status", "feeds", "feeds add", "feeds purge x", "subscribe a b"):
        with pytest.raises(CommandSyntaxError):
            parse_command(bad)


def test_slack_text_and_discord_options_make_the_same_typed_command() -> None:
    typed = build_command("feeds", "add", {"url": "https://x.test/feed.xml", "platform": "tunely"})
    assert parse_command("Feeds ADD https://x.test/feed.xml tunely") == typed
    assert typed == ParsedCommand("feeds", "add", {"url": "https://x.test/feed.xml", "platform": "tunely"}, True)
    assert build_command("diff", None, {"platform": "tunely", "document": None}).values == {"platform": "tunely"}
    assert build_command("diff", None, {"platform": "tunely", "document": "Terms of Service"}).line() == \
        "diff tunely Terms-of-Service"
    for name, action, values in (("feeds", None, {}), ("status", None, {}), ("feeds", "purge", {}), ("nope", None, {})):
        with pytest.raises(CommandSyntaxError):
            build_command(name, action, values)


def test_help_lists_every_subcommand_with_its_usage() -> None:
    assert write_help() == (
        "/policy status <platform>: terms status, AI-training stance, latest statement, open stories",
        "/policy diff <platform> [document]: the latest clause-level change",
        "/policy history <platform>: dated versions and substantive changes",
        "/policy stories [platform]: recent stories",
        "/policy platforms: what is watched",
        "/policy feeds list | feeds add <url> [platform] | feeds remove <id>: watched news feeds",
        "/policy subscribe <platform|topic>: route a platform or topic to this channel",
        "/policy unsubscribe <platform|topic>: stop routing it to this channel",
        "/policy subscriptions: this channel's routes",
        "/policy resume: deliver here again after a permission problem was fixed",
        "/policy why <url>: what happened to one article",
        "/policy help: this list",
    )


def test_route_table_adds_subscriptions_to_the_seed_and_leaves_out_disabled_routes() -> None:
    seed = [Channel("all", "jsonl", "x.jsonl"), Channel("ai", "slack", "C9", platforms=frozenset({"tunely"}),
                                                      topics=frozenset({"ai_training"}))]
    table = RouteTable.build(seed, [Subscription("ai", "platform", "cloudtune"),
                                    Subscription("discord-42", "topic", "opt_out")], {"all": "gone"})
    assert table.for_event("tunely", ["ai_training"]) == ("ai",)
    assert table.for_event("tunely", ["privacy"]) == ()
    assert table.for_event("cloudtune", ["privacy"]) == ("ai",)
    assert table.for_event("spotify", ["opt_out"]) == ("discord-42",)
    assert table.find("discord", "42") is not None and table.find("slack", "C0") is None
    assert table.for_platform("cloudtune") == ("ai",)


async def test_read_only_commands_answer_and_unknown_platforms_get_close_names(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Tunely adds an AI clause", "Tunely may train models on uploads.")))
    async with running(write_config(config_text(tmp_path, remote))) as app:
        await app.poll_once()
        status = await app.commands.handle(ask("status Tunely"))
        assert status.ok and status.title == "Tunely: terms status"
        assert any("Terms of Service" in line for line in status.lines)
        unknown = await app.commands.handle(ask("status tunley"))
        assert not unknown.ok and unknown.ephemeral and "tunely" in unknown.lines[0]
        assert (await app.commands.handle(ask("platforms"))).title == "Watching 2 platforms"
        assert [c.value for c in app.commands.complete_platform("clo")] == ["cloudtune"]
        bad = await app.commands.handle(ask("launch rockets"))
        assert not bad.ok and "unknown subcommand" in bad.lines[0]
        stories = await app.commands.handle(ask("stories tunely"))
        assert any("Tunely adds an AI clause" in line for line in stories.lines)
        why = await app.commands.handle(ask("why https://news.test/a1"))
        assert "Seen in wire" in why.lines[0] and "everything: done" in why.lines[1]
        never = await app.commands.handle(ask("why https://news.test/zzz"))
        assert never.title == "Never seen"


async def test_configuration_changes_need_an_admin(remote: Remote, write_config: Callable[..., Path], tmp_path: Path) -> None:
    serve_defaults(remote, rss())
    async with running(write_config(config_text(tmp_path, remote, admins="[U7]"))) as app:
        refused = await app.commands.handle(ask("subscribe tunely"))
        assert not refused.ok and refused.ephemeral and "admins" in refused.title
        assert await app.store.subscriptions() == []
        by_list = await app.commands.handle(ask("subscribe ai_training", user="U7"))
        assert by_list.ok and by_list.title == "Subscribed to topic ai_training"
        by_role = await app.commands.handle(ask("feeds remove wire", admin=True))
        assert by_role.ok


async def test_feeds_added_from_chat_are_validated_polled_and_survive_a_restart(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss())
    remote.serve("/extra.xml", rss(("e1", "Cloudtune rewrites its licence", "Cloudtune's new terms."), title="Extra Wire"))
    remote.serve("/page.html", "<html><body>not a feed</body></html>", content_type="text/html")
    path = write_config(config_text(tmp_path, remote))
    async with running(path) as app:
        for url, why in ((remote.url("/page.html"), "not an RSS or Atom feed"), (remote.url("/missing.xml"), "failed"),
                         ("file:///etc/passwd", "Only http(s)")):
            reply = await app.commands.handle(ask(f"feeds add {url}", admin=True))
            assert not reply.ok and why in (reply.title + " ".join(reply.lines)), reply
        added = await app.commands.handle(ask(f"feeds add <{remote.url('/extra.xml')}> cloudtune", admin=True))
        assert added.ok and added.title == "Now watching Extra Wire" and "1 entries found" in added.lines[0]
        await app.poll_once()
        assert remote.hits.get("/extra.xml") == 2  # the validation fetch, then the poll
        listed = await app.commands.handle(ask("feeds list"))
        assert any(remote.url("/extra.xml") in line and "cloudtune" in line for line in listed.lines)
        removed = await app.commands.handle(ask("feeds remove wire", admin=True))
        assert removed.ok
        await app.poll_once()
        assert remote.hits["/wire.xml"] == 1
    async with running(path) as app:  # stored in the database, not in feeds.yaml
        await app.poll_once()
        assert remote.hits["/extra.xml"] == 4 and remote.hits["/wire.xml"] == 1
        assert "wire" not in {s.id for s in app.config.sources()}


async def test_urls_from_chat_cannot_reach_the_bots_own_network(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    """Without allow_private_networks, loopback, private and metadata addresses are refused — literal,
    resolved from a name, or reached through a redirect — and nothing is stored."""
    serve_defaults(remote, rss())
    remote.serve("/extra.xml", rss(("e1", "x", "y")))

    async def bounce(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(remote.url("/extra.xml"))

    remote.route("/bounce", bounce)
    async with running(write_config(config_text(tmp_path, remote, private=False))) as app:
        cases = {
            remote.url("/extra.xml"): "127.0.0.1 is a loopback address",
            f"http://localhost:{remote.port}/extra.xml": "localhost resolves to",
            "http://169.254.169.254/latest/meta-data/": "link-local (cloud metadata)",
            "http://[::ffff:10.0.0.1]/feed": "private",
            "http://[fd00::1]/feed": "private",
        }
        for url, why in cases.items():
            reply = await app.commands.handle(ask(f"feeds add {url}", admin=True))
            assert not reply.ok and why in reply.lines[0], (url, reply)
        assert remote.hits.get("/extra.xml") is None
        assert await app.store.feed_changes() == []
        # The configured (trusted) sources still reach the local server.
        cycle, _ = await app.poll_once()
        assert cycle.failed == 0 and remote.hits["/wire.xml"] == 1


async def test_every_redirect_hop_of_an_untrusted_url_is_checked() -> None:
    """A public-looking first hop that redirects into a forbidden address is stopped at the hop."""
    app = web.Application()
    hits: list[str] = []

    async def first(request: web.Request) -> web.StreamResponse:
        hits.append(request.path)
        raise web.HTTPFound(f"http://127.0.0.2:{request.url.port}/inside")

    async def inside(request: web.Request) -> web.StreamResponse:
        hits.append(request.path)
        return web.Response(text="secret")

    app.router.add_get("/first", first)
    app.router.add_get("/inside", inside)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    # Here 127.0.0.1 plays the public internet and 127.0.0.2 the private network.
    guard = NetworkGuard(allowed=lambda address: address != ipaddress.ip_address("127.0.0.2"))
    settings = PollSettings()
    try:
        async with build_session(settings, guard) as session:
            result = await Fetcher(session, settings, guard).fetch(f"http://127.0.0.1:{port}/first")
    finally:
        await runner.cleanup()
    assert result.outcome == "error" and result.error_kind == "forbidden"
    assert "127.0.0.2 is a loopback address" in (result.error or "")
    assert hits == ["/first"]


async def test_fetching_commands_have_per_user_and_per_channel_cooldowns(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss())
    clock = TickingClock(step=timedelta(seconds=0))
    async with running(write_config(config_text(tmp_path, remote)), clock) as app:
        assert (await app.commands.handle(ask("why https://news.test/a"))).title == "Never seen"
        again = await app.commands.handle(ask("why https://news.test/b"))
        assert again.title == "Not so fast" and again.ephemeral and "30s" in again.lines[0]
        same_channel = await app.commands.handle(CommandRequest("why https://news.test/c", "slack", "C1", "U2"))
        assert same_channel.title == "Not so fast" and "5s" in same_channel.lines[0]
        elsewhere = await app.commands.handle(CommandRequest("why https://news.test/c", "slack", "C2", "U2"))
        assert elsewhere.title == "Never seen"
        assert (await app.commands.handle(ask("platforms"))).ok  # read-only commands have no cooldown
        clock.now += timedelta(seconds=31)
        assert (await app.commands.handle(ask("why https://news.test/b"))).title == "Never seen"


async def test_with_a_web_base_url_diff_and_status_answers_link_to_their_pages(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    serve_defaults(remote, rss(("a1", "Old", "Old.")))
    text = config_text(tmp_path, remote) + 'web: {base_url: "https://watch.example.org"}\n'
    async with running(write_config(text)) as app:
        await app.poll_once()
        serve_defaults(remote, rss(("a1", "Old", "Old.")), terms_extra=AI_CLAUSE, date="2 March 2024")
        await app.poll_once()
        diff = await app.commands.handle(ask("diff tunely"))
        status = await app.commands.handle(ask("status tunely"))
    links = dict(diff.fields)
    assert links["Full diff"].startswith("https://watch.example.org/changes/terms%3Atunely")
    assert status.url == "https://watch.example.org/platforms/tunely"
    async with running(write_config(config_text(tmp_path, remote))) as app:  # the same store, no web view
        assert "Full diff" not in dict((await app.commands.handle(ask("diff tunely"))).fields)
        assert (await app.commands.handle(ask("status tunely"))).url is None
