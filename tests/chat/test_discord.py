"""The Discord adapter against a fake Discord (REST + gateway on 127.0.0.1), through discord.py's own
code paths: threads, forum posts, idempotent retries, refusals, hostile text and the /policy command."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.chat.discord.bridge import DiscordBridge, DiscordStartError, invite_url
from bot.chat.discord.render import render_reply
from bot.chat.outputs import DeliveryError, Output
from bot.core.commands import (
    SUBCOMMANDS,
    Choice,
    CommandReply,
    CommandRequest,
    CommandSyntaxError,
    ParsedCommand,
    parse_command,
)
from bot.core.config import Channel
from bot.core.messages import Message, page_link
from tests.conftest import wait_for
from tests.fake_discord import MANAGE_GUILD, FakeDiscord

PLATFORMS = {"cloudtune": "CloudTune", "clipshare": "ClipShare", "pixelhub": "PixelHub"}


class EchoService:
    """A CommandService for tests: echoes the parsed command; config changes need Manage Server."""

    def __init__(self) -> None:
        self.requests: list[CommandRequest] = []

    async def handle(self, request: CommandRequest) -> CommandReply:
        self.requests.append(request)
        try:
            parsed = parse_command(request.text)
        except CommandSyntaxError as error:
            return CommandReply(title="Not understood", lines=(str(error),), ephemeral=True, ok=False)
        if parsed.name == "why":
            raise RuntimeError("the store is down")
        if parsed.changes_config and not request.is_admin:
            return CommandReply(title="Only members with Manage Server can change subscriptions",
                                lines=("Ask a server manager.",), ephemeral=True, ok=False)
        if parsed.name == "status" and parsed.args[0] not in PLATFORMS:
            return CommandReply(title=f"Unknown platform {parsed.args[0]}", ephemeral=True, ok=False)
        return CommandReply(title=f"{parsed.name} {' '.join(parsed.args)}".strip(), lines=("All quiet.",),
                            fields=(("Platform", PLATFORMS.get(parsed.args[0], "-") if parsed.args else "-"),),
                            url="https://clausewatch.test/status", severity="medium")

    def complete_platform(self, prefix: str) -> list[Choice]:
        return [Choice(name, key) for key, name in PLATFORMS.items() if key.startswith(prefix.lower())]


class Book:
    """An in-memory ThreadBook."""

    def __init__(self) -> None:
        self.refs: dict[tuple[str, str], str] = {}

    async def find_thread(self, channel_id: str, thread: str) -> str | None:
        return self.refs.get((channel_id, thread))

    async def remember_thread(self, channel_id: str, thread: str, ref: str) -> None:
        self.refs[(channel_id, thread)] = ref


@dataclass
class World:
    fake: FakeDiscord
    bridge: DiscordBridge
    book: Book
    service: EchoService
    text: str  # a text channel id
    forum: str  # a forum channel id
    outputs: dict[str, Output] = field(default_factory=dict)

    def output(self, target: str) -> Output:
        if target not in self.outputs:
            self.outputs[target] = self.bridge.output_for(Channel(f"route-{target}", "discord", target))
        return self.outputs[target]

    def thread_of(self, target: str, story: str = "story-1") -> str:
        return self.book.refs[(f"route-{target}", story)]


def bridge_for(fake: FakeDiscord, book: Book, service: EchoService, **options: Any) -> DiscordBridge:
    return DiscordBridge(options.pop("token", fake.token), commands=service, threads=book, api_url=fake.api_url,
                         gateway_url=fake.gateway_url, ca_file=fake.ca_file, pace=options.pop("pace", 0.0),
                         guild_ready_timeout=0.05, **options)


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with FakeDiscord() as fake:
        text, forum = fake.add_text_channel("policy-news"), fake.add_forum_channel("policy-forum")
        book, service = Book(), EchoService()
        bridge = bridge_for(fake, book, service)
        await bridge.start(ready_timeout=5)
        try:
            yield World(fake, bridge, book, service, text, forum)
        finally:
            await bridge.close()


def message(title: str = "CloudTune adds an AI-training clause", text: str = "Section 4.2 now grants a licence.",
            reply_to: str | None = None, thread: str = "story-1", event: str = "story", key: str = "",
            url: str | None = "https://news.test/cloudtune-ai") -> Message:
    return Message(event=event, title=title, text=text, url=url, platform="cloudtune", topics=("ai_training",),
                   severity="high", thread=thread, reply_to=reply_to, at="2024-02-14T10:00:00+00:00",
                   source="policy-news", key=key)


def reply(title: str, key: str = "", thread: str = "story-1") -> Message:
    return message(title=title, text=f"{title}: details.", reply_to=thread, thread=thread, event="update", key=key)


def titles(messages: list[dict[str, Any]]) -> list[str]:
    return [m["embeds"][0]["title"] for m in messages]


# ---------------------------------------------------------------------- connection


async def test_bridge_logs_in_through_the_gateway_and_becomes_ready(world: World) -> None:
    assert world.bridge.ready
    assert world.fake.identify_count == 1 and world.fake.sessions == 1
    client = world.bridge.client
    assert client.user is not None and str(client.user.id) == world.fake.bot_user["id"]
    assert isinstance(client.get_channel(int(world.forum)), discord.ForumChannel)  # GUILD_CREATE was read
    await world.bridge.close()
    await wait_for(lambda: world.fake.sessions == 0, timeout=5)
    assert not world.bridge.ready


async def test_sharded_auto_takes_the_recommended_shards_and_posts_and_answers_through_the_guilds_one(
) -> None:
    """`discord.shards: auto`: discord.py's AutoShardedClient asks /gateway/bot how many shards, identifies each;
    posting and slash commands work through the shard that owns the server."""
    async with FakeDiscord() as fake:
        fake.recommended_shards = 2
        text = fake.add_text_channel("policy-news")
        book, service = Book(), EchoService()
        bridge = bridge_for(fake, book, service, shards="auto")
        await bridge.start(ready_timeout=10)
        try:
            assert isinstance(bridge.client, discord.AutoShardedClient) and bridge.client.shard_count == 2
            assert sorted(fake.shards) == [[0, 2], [1, 2]]
            output = bridge.output_for(Channel("route", "discord", text))
            await output.deliver(message())
            await output.deliver(reply("Update 1"))
            [thread] = fake.threads(text)
            assert titles(fake.posted(thread["id"])) == ["Update 1"]
            answered = await fake.invoke("stories")
            assert len(answered.shown) == 1 and [r.text for r in service.requests] == ["stories"]
        finally:
            await bridge.close()


async def test_a_gateway_that_never_says_ready_is_a_clear_start_error() -> None:
    async with FakeDiscord() as fake:
        fake.withhold_ready = True
        bridge = bridge_for(fake, Book(), EchoService())
        with pytest.raises(DiscordStartError, match="did not become ready within 0.3s"):
            await bridge.start(ready_timeout=0.3)
        assert fake.identify_count == 1
        await wait_for(lambda: fake.open_connections == 0, timeout=5)  # the bridge hung up


async def test_a_wrong_token_is_a_clear_start_error() -> None:
    async with FakeDiscord() as fake:
        bridge = bridge_for(fake, Book(), EchoService(), token="not-the-token")
        with pytest.raises(DiscordStartError, match="rejected the bot token"):
            await bridge.start(ready_timeout=5)
        assert fake.identify_count == 0


async def test_each_bridge_reaches_its_own_discord_and_nothing_process_wide_changes() -> None:
    async with FakeDiscord(guild_name="One") as one, FakeDiscord(guild_name="Two") as two:
        bridges = []
        for fake in (one, two):
            fake.add_text_channel()
            bridges.append(bridge_for(fake, Book(), EchoService()))
            await bridges[-1].start(ready_timeout=5)
        try:
            assert [[guild.name for guild in bridge.client.guilds] for bridge in bridges] == [["One"], ["Two"]]
            assert one.identify_count == two.identify_count == 1
            assert discord.http.Route.BASE == "https://discord.com/api/v10"
            assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"
        finally:
            for bridge in bridges:
                await bridge.close()


@pytest.mark.parametrize(("api_url", "gateway_url", "words"), [
    ("http://127.0.0.1:1/api/v10", None, "DISCORD_API_URL must use https://"),
    ("https://127.0.0.1:1/api/v9", None, "DISCORD_API_URL must end in /api/v10"),
    (None, "ws://127.0.0.1:1/", "DISCORD_GATEWAY_URL must use wss://"),
])
def test_an_endpoint_discord_py_cannot_be_pointed_at_is_a_clear_start_error(api_url: str | None,
                                                                            gateway_url: str | None, words: str) -> None:
    with pytest.raises(DiscordStartError, match=re.escape(words)):
        DiscordBridge("token", commands=EchoService(), threads=Book(), api_url=api_url, gateway_url=gateway_url)


def test_invite_url_asks_for_exactly_the_scopes_and_permissions_used() -> None:
    url = urlsplit(invite_url("1234"))
    query = parse_qs(url.query)
    assert url.scheme == "https" and url.netloc == "discord.com"
    assert query["client_id"] == ["1234"]
    assert query["scope"][0].split() == ["bot", "applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    assert granted == discord.Permissions(view_channel=True, send_messages=True, embed_links=True,
                                          read_message_history=True, create_public_threads=True,
                                          send_messages_in_threads=True)


# ---------------------------------------------------------------------- threads


async def test_a_story_opens_a_thread_and_replies_follow_in_it_in_order(world: World) -> None:
    output = world.output(world.text)
    await output.deliver(message())
    for number in (1, 2, 3):
        await output.deliver(reply(f"Update {number}"))

    [starter] = world.fake.posted(world.text)
    [thread] = world.fake.threads(world.text)
    embed = starter["embeds"][0]
    assert embed["title"] == "CloudTune adds an AI-training clause" and embed["url"] == "https://news.test/cloudtune-ai"
    assert embed["color"] == 0xD83C3E  # high severity is red
    assert {f["name"]: f["value"] for f in embed["fields"]} == {"Platform": "cloudtune", "Topics": "AI training",
                                                              "Severity": "high"}
    assert "update" not in embed["footer"]["text"] and "story" in embed["footer"]["text"]
    assert thread["id"] == starter["id"] and thread["name"] == "CloudTune adds an AI-training clause"
    assert world.thread_of(world.text) == thread["id"]
    assert titles(world.fake.posted(thread["id"])) == ["Update 1", "Update 2", "Update 3"]


async def test_a_forum_channel_gets_a_forum_post_and_replies_in_it(world: World) -> None:
    output = world.output(world.forum)
    await output.deliver(message())
    await output.deliver(reply("CloudTune answers"))

    [post] = world.fake.threads(world.forum)
    assert post["name"] == "CloudTune adds an AI-training clause"
    assert titles(world.fake.posted(post["id"])) == ["CloudTune adds an AI-training clause", "CloudTune answers"]
    assert world.fake.posted(world.forum) == []  # nothing loose in the forum itself


async def test_a_deleted_thread_is_replaced_by_a_new_one_that_links_the_old(world: World) -> None:
    output = world.output(world.text)
    await output.deliver(message())
    old = world.thread_of(world.text)
    await world.fake.delete_channel(old)

    await output.deliver(reply("CloudTune answers"))
    await output.deliver(reply("CloudTune backs down"))

    new = world.thread_of(world.text)
    assert new != old
    starters = world.fake.posted(world.text)
    assert titles(starters) == ["CloudTune adds an AI-training clause", "CloudTune answers"]
    assert f"<#{old}>" in starters[1]["content"]
    assert starters[1]["id"] == new
    assert titles(world.fake.posted(new)) == ["CloudTune backs down"]


async def test_a_locked_thread_is_replaced_and_an_archived_one_is_reopened(world: World) -> None:
    output = world.output(world.text)
    await output.deliver(message())
    first = world.thread_of(world.text)
    await world.fake.archive_thread(first)
    world.fake.fail("POST", rf"/channels/{first}/messages", 400, code=50083)  # Discord refuses: archived

    await output.deliver(reply("Still in the same thread"))
    assert titles(world.fake.posted(first)) == ["Still in the same thread"]
    assert world.fake.channels[first]["thread_metadata"]["archived"] is False
    assert [c.body for c in world.fake.calls if c.method == "PATCH"] == [{"archived": False}]

    await world.fake.archive_thread(first, locked=True)
    await output.deliver(reply("After the lock"))
    second = world.thread_of(world.text)
    assert second != first
    assert titles(world.fake.posted(first)) == ["Still in the same thread"]
    assert f"<#{first}>" in world.fake.posted(world.text)[-1]["content"]


async def test_a_reply_whose_story_was_never_posted_here_opens_its_own_thread(world: World) -> None:
    await world.output(world.text).deliver(reply("A statement about an older story", thread="story-old"))
    [starter] = world.fake.posted(world.text)
    assert starter["embeds"][0]["title"] == "A statement about an older story"
    assert world.thread_of(world.text, "story-old") == starter["id"]


# ---------------------------------------------------------------------- rendering


async def test_hostile_feed_text_is_inert_and_no_post_can_ping(world: World) -> None:
    hostile = ("@everyone @here <@123> <@!321> <@&456> <#789> **x** __y__ `z` "
               "[click](javascript:alert(1)) [docs](https://docs.test/a_b) \u202egnp.exe")
    await world.output(world.text).deliver(message(title="Breaking @everyone **x** <@123>", text=hostile,
                                                   url="javascript:alert(1)"))
    await world.output(world.text).deliver(reply("@here <@&456> reply"))
    await world.output(world.forum).deliver(message(title="@everyone forum", text=hostile))

    posts = world.fake.message_posts()
    assert len(posts) == 3
    assert all("@everyone" not in thread["name"] for thread in world.fake.channels.values() if "parent_id" in thread)
    for call in posts:
        body = call.body.get("message", call.body)  # a forum post carries its first message inside
        assert body["allowed_mentions"] == {"parse": []}
        shown = json.dumps(body["embeds"], ensure_ascii=False) + str(body.get("content"))
        for raw in ("@everyone", "@here", "<@123>", "<@!321>", "<@&456>", "<#789>", "javascript:", "\u202e"):
            assert raw not in shown
    embed = world.fake.posted(world.text)[0]["embeds"][0]
    assert "url" not in embed  # only http(s) links become the title link
    assert "\\*\\*x\\*\\*" in embed["description"] and "\\_\\_y\\_\\_" in embed["description"]
    assert "click" in embed["description"] and "docs (https://docs.test/a_b)" in embed["description"]
    assert "\\*\\*x\\*\\*" in embed["title"]


async def test_a_long_clause_diff_is_split_into_several_posts_within_discord_limits(world: World) -> None:
    clauses = [f"~ Terms > 4. Content > 4.{n}: We [-may-]{{+will+}} use your uploads to train models, clause {n}."
               for n in range(300)]
    change = message(event="terms_change", title="CloudTune changed its Terms of Service: AI training clause added",
                     text="\n".join(clauses), key="terms:cloudtune/terms-of-service:7")
    output = world.output(world.text)
    await output.deliver(change)

    [starter] = world.fake.posted(world.text)
    rest = world.fake.posted(starter["id"])
    parts = [starter, *rest]
    assert len(parts) >= 5
    assert rest[0]["embeds"][0]["title"].endswith(f"(2/{len(parts)})")
    shown = "\n".join(p["embeds"][0]["description"] for p in parts).replace("\\", "")
    assert all(clause in shown for clause in clauses)
    for part in parts:
        embed = part["embeds"][0]
        assert len(embed["description"]) <= 4096
        size = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
        assert size + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", [])) <= 6000
    assert len({p["nonce"] for p in parts}) == len(parts) and all(len(p["nonce"]) <= 25 for p in parts)

    await output.deliver(change)  # a retry of the whole event posts nothing new
    assert len(world.fake.posted(world.text)) == 1 and len(world.fake.posted(starter["id"])) == len(rest)


async def test_a_terms_change_and_a_story_link_their_web_pages_in_a_field(world: World) -> None:
    change = message(event="terms_change", thread="terms-cloudtune-7", key="terms:cloudtune/tos (v7)")
    opener = message()
    for item in (change, opener):
        await world.output(world.text).deliver(dataclasses.replace(item, link=page_link(item, "https://watch.test")))
    await world.output(world.forum).deliver(message(thread="story-plain"))

    linked_change, linked_story = (post["embeds"][0] for post in world.fake.posted(world.text))
    fields = {f["name"]: f for f in linked_change["fields"]}
    assert fields["Web view"]["value"] == "[Full diff](https://watch.test/changes/terms%3Acloudtune%2Ftos%20%28v7%29)"
    assert fields["Web view"]["inline"] is False and list(fields)[-1] == "Web view"
    assert {f["name"]: f["value"] for f in linked_story["fields"]}["Web view"] == (
        "[Story](https://watch.test/stories/story-1)")
    [forum_post] = world.fake.threads(world.forum)
    plain = world.fake.posted(forum_post["id"])[0]["embeds"][0]
    assert [f["name"] for f in plain["fields"]] == ["Platform", "Topics", "Severity"]


async def test_a_page_link_cannot_inject_markdown_into_its_field(world: World) -> None:
    hostile = dataclasses.replace(message(event="terms_change"),
                                  link="https://watch.test/changes/a)[@everyone](https://evil.test/`x`\\")
    await world.output(world.text).deliver(hostile)
    await world.output(world.text).deliver(dataclasses.replace(message(thread="story-2"), link="javascript:alert(1)"))

    linked, refused = (post["embeds"][0] for post in world.fake.posted(world.text))
    [value] = [f["value"] for f in linked["fields"] if f["name"] == "Web view"]
    assert value == "[Full diff](https://watch.test/changes/a%29%5B@everyone%5D%28https://evil.test/%60x%60%5C)"
    assert re.fullmatch(r"\[Full diff\]\([^()\[\]\s`\\]+\)", value)
    assert "Web view" not in [f["name"] for f in refused["fields"]]


def test_a_command_reply_renders_as_one_embed_within_limits() -> None:
    huge = CommandReply(title="@everyone " + "t" * 400, lines=tuple("line <@1> " * 50 for _ in range(200)),
                        fields=tuple((f"f{n}", "v" * 2000) for n in range(40)), url="javascript:alert(1)",
                        ephemeral=True, ok=False)
    embed, ephemeral = render_reply(huge)
    data = embed.to_dict()
    assert ephemeral and "url" not in data and len(data["title"]) <= 256
    assert len(data.get("fields", [])) <= 25 and all(len(f["value"]) <= 1024 for f in data.get("fields", []))
    assert len(embed) <= 6000 and "@everyone" not in data["title"] and "<@1>" not in data.get("description", "")


# ---------------------------------------------------------------------- failures


async def test_a_429_storm_then_success_posts_one_message(world: World) -> None:
    world.fake.rate_limit(rf"/channels/{world.text}/messages", times=3)
    await world.output(world.text).deliver(message())
    assert len(world.fake.posted(world.text)) == 1
    assert [c.status for c in world.fake.message_posts()] == [429, 429, 429, 200]


async def test_a_rate_limit_that_outlasts_the_retries_is_retryable_and_the_retry_posts_once(world: World) -> None:
    world.fake.rate_limit(rf"/channels/{world.text}/messages", times=5)
    with pytest.raises(DeliveryError) as failure:
        await world.output(world.text).deliver(message())
    assert failure.value.retryable and not failure.value.disable_route
    await world.output(world.text).deliver(message())
    assert len(world.fake.posted(world.text)) == 1


async def test_a_server_error_after_the_post_was_made_does_not_post_twice(world: World) -> None:
    # Discord creates the message, then answers 500: discord.py re-sends with the same nonce.
    world.fake.fail("POST", rf"/channels/{world.text}/messages", 500, after_create=True)
    await world.output(world.text).deliver(message())
    assert len(world.fake.posted(world.text)) == 1 and len(world.fake.threads(world.text)) == 1
    sends = [c for c in world.fake.message_posts() if c.path == f"/channels/{world.text}/messages"]
    assert [c.status for c in sends] == [500, 200] and sends[0].body["nonce"] == sends[1].body["nonce"]
    assert sends[0].body["enforce_nonce"] is True


async def test_a_lost_answer_then_a_retry_posts_one_message_and_one_thread(world: World) -> None:
    output = world.output(world.text)
    world.fake.fail("POST", rf"/channels/{world.text}/messages", 0, after_create=True, drop=True)
    with pytest.raises(DeliveryError) as failure:
        await output.deliver(message())
    assert failure.value.retryable
    world.fake.fail("POST", rf"/channels/{world.text}/messages/\d+/threads", 0, after_create=True, drop=True)
    with pytest.raises(DeliveryError):
        await output.deliver(message())
    await output.deliver(message())
    assert len(world.fake.posted(world.text)) == 1 and len(world.fake.threads(world.text)) == 1
    [thread] = world.fake.threads(world.text)
    assert world.thread_of(world.text) == thread["id"]

    world.fake.fail("POST", rf"/channels/{thread['id']}/messages", 0, after_create=True, drop=True)
    with pytest.raises(DeliveryError):
        await output.deliver(reply("A reply", key="r1"))
    await output.deliver(reply("A reply", key="r1"))
    assert titles(world.fake.posted(thread["id"])) == ["A reply"]


async def test_a_forum_post_whose_answer_was_lost_is_not_posted_twice(world: World) -> None:
    output = world.output(world.forum)
    world.fake.fail("POST", rf"/channels/{world.forum}/threads", 0, after_create=True, drop=True)
    with pytest.raises(DeliveryError):
        await output.deliver(message())
    await output.deliver(message())
    assert len(world.fake.threads(world.forum)) == 1
    assert world.thread_of(world.forum) == world.fake.threads(world.forum)[0]["id"]


async def test_a_forum_post_made_before_a_restart_is_found_not_posted_again(world: World) -> None:
    # The process died after Discord created the post but before the thread was recorded: a fresh output (a
    # new process) that retries the event finds the post by its name among the forum's active threads.
    world.fake.fail("POST", rf"/channels/{world.forum}/threads", 0, after_create=True, drop=True)
    with pytest.raises(DeliveryError):
        await world.output(world.forum).deliver(message())
    restarted = world.bridge.output_for(Channel(f"route-{world.forum}", "discord", world.forum))
    await restarted.deliver(message(), unsure=True)  # the outbox says it was tried before
    await restarted.deliver(reply("A reply", key="r1"))
    [post] = world.fake.threads(world.forum)
    assert world.thread_of(world.forum) == post["id"]
    assert titles(world.fake.posted(post["id"])) == ["CloudTune adds an AI-training clause", "A reply"]


async def test_two_stories_with_the_same_title_in_the_same_minute_keep_their_own_forum_posts(world: World) -> None:
    # A forum post is recognised by the marker of its event in its footer, never by its title.
    output = world.output(world.forum)
    await output.deliver(message(thread="story-1"))
    same_minute = dataclasses.replace(message(thread="story-2"), key="another-event")
    restarted = world.bridge.output_for(Channel(f"route-{world.forum}", "discord", world.forum))
    await restarted.deliver(same_minute, unsure=True)  # even when it looks for an earlier copy of its own
    assert len(world.fake.threads(world.forum)) == 2
    assert world.thread_of(world.forum, "story-1") != world.thread_of(world.forum, "story-2")


async def test_an_older_story_with_the_same_title_keeps_its_own_forum_post(world: World) -> None:
    output = world.output(world.forum)
    await output.deliver(message(thread="story-1"))
    later = datetime.now(UTC) + timedelta(hours=1)  # recorded after the first post was made
    await output.deliver(dataclasses.replace(message(thread="story-2"), at=later.isoformat(), key=""))
    assert len(world.fake.threads(world.forum)) == 2
    assert world.thread_of(world.forum, "story-1") != world.thread_of(world.forum, "story-2")


@pytest.mark.parametrize(("code", "words"), [
    (50013, ["Missing Permissions (50013)", "Send Messages", "Create Public Threads"]),
    (50001, ["Missing Access (50001)", "View Channel"]),
])
async def test_missing_permissions_disable_the_route_with_a_readable_reason(world: World, code: int,
                                                                             words: list[str]) -> None:
    world.fake.deny(world.text, code)
    with pytest.raises(DeliveryError) as failure:
        await world.output(world.text).deliver(message())
    assert failure.value.disable_route and not failure.value.retryable
    assert all(word in str(failure.value) for word in words) and world.text in str(failure.value)
    assert world.fake.posted(world.text) == []


async def test_an_unknown_channel_disables_the_route(world: World) -> None:
    missing = world.fake.snowflake()
    with pytest.raises(DeliveryError) as failure:
        await world.output(missing).deliver(message())
    assert failure.value.disable_route and "Unknown Channel (10003)" in str(failure.value)


async def test_losing_the_channel_while_replying_disables_the_route(world: World) -> None:
    output = world.output(world.text)
    await output.deliver(message())
    world.fake.deny(world.text, 50013)
    with pytest.raises(DeliveryError) as failure:
        await output.deliver(reply("After the permissions changed"))
    assert failure.value.disable_route and "Missing Permissions" in str(failure.value)


async def test_posts_to_one_channel_are_paced() -> None:
    async with FakeDiscord() as fake:
        text = fake.add_text_channel()
        book = Book()
        bridge = bridge_for(fake, book, EchoService(), pace=0.15)
        await bridge.start(ready_timeout=5)
        try:
            output = bridge.output_for(Channel("paced", "discord", text))
            await output.deliver(message())
            await output.deliver(reply("one"))
            await output.deliver(reply("two"))
        finally:
            await bridge.close()
        thread = book.refs[("paced", "story-1")]
        stamps = [datetime.fromisoformat(m["timestamp"]) for m in fake.posted(text) + fake.posted(thread)]
        gaps = [(later - earlier).total_seconds() for earlier, later in zip(stamps, stamps[1:], strict=False)]
        assert len(gaps) == 2 and min(gaps) >= 0.1  # 0.15 s apart, minus network jitter


# ---------------------------------------------------------------------- /policy


async def test_policy_status_is_deferred_then_answered_with_an_embed(world: World) -> None:
    member = world.fake.user("ana")
    role = await world.fake.add_role("artists")
    answer = await world.fake.invoke("status", platform="cloudtune", user=member, roles=(role,),
                                     channel_id=world.text)
    assert answer.deferred and not answer.defer_ephemeral
    [(shown, ephemeral)] = answer.shown
    assert not ephemeral
    embed = shown["embeds"][0]
    assert embed["title"] == "status cloudtune" and embed["url"] == "https://clausewatch.test/status"
    assert embed["fields"] == [{"name": "Platform", "value": "CloudTune", "inline": True}]
    assert answer.followups[0]["allowed_mentions"] == {"parse": []}
    [request] = world.service.requests
    assert request == CommandRequest(text="status cloudtune", chat="discord", channel=world.text,
                                     user=member["id"], is_admin=False, roles=(role,),
                                     workspace=world.fake.guild_id)


async def test_changing_subscriptions_needs_manage_server(world: World) -> None:
    refused = await world.fake.invoke("subscribe", target="cloudtune", permissions=0)
    [(shown, ephemeral)] = refused.shown
    assert ephemeral and refused.defer_ephemeral
    assert shown["embeds"][0]["title"].startswith("Only members with Manage Server")

    accepted = await world.fake.invoke("subscribe", target="cloudtune", permissions=MANAGE_GUILD)
    [(shown, ephemeral)] = accepted.shown
    assert not ephemeral and shown["embeds"][0]["title"] == "subscribe cloudtune"
    assert [r.is_admin for r in world.service.requests] == [False, True]


async def test_subcommand_groups_and_multi_word_options_become_one_command_line(world: World) -> None:
    await world.fake.invoke("feeds", "add", url="https://news.test/feed.xml", platform="cloudtune",
                            permissions=MANAGE_GUILD)
    await world.fake.invoke("diff", platform="cloudtune", document="Terms of Service")
    await world.fake.invoke("stories")
    assert [r.text for r in world.service.requests] == [
        "feeds add https://news.test/feed.xml cloudtune", "diff cloudtune Terms-of-Service", "stories"]


async def test_typed_options_reach_the_command_service_as_they_are(world: World) -> None:
    await world.fake.invoke("diff", platform="cloudtune", document="Terms of Service")
    await world.fake.invoke("feeds", "remove", feed="chat-0123456789", permissions=MANAGE_GUILD)
    first, second = world.service.requests
    assert first.command == ParsedCommand("diff", None, {"platform": "cloudtune", "document": "Terms of Service"})
    assert second.command == ParsedCommand("feeds", "remove", {"feed": "chat-0123456789"}, changes_config=True)
    assert second.parsed() == parse_command(second.text) == second.command


async def test_a_private_answer_to_a_public_deferral_is_shown_only_to_the_asker(world: World) -> None:
    answer = await world.fake.invoke("status", platform="nowhere")
    assert answer.deferred and not answer.defer_ephemeral and answer.original_deleted
    [(shown, ephemeral)] = answer.shown
    assert ephemeral and shown["embeds"][0]["title"] == "Unknown platform nowhere"


async def test_a_failing_command_service_gets_a_private_apology_not_a_crash(world: World) -> None:
    answer = await world.fake.invoke("why", url="https://news.test/a")
    [(shown, ephemeral)] = answer.shown
    assert ephemeral and shown["embeds"][0]["title"] == "Clausewatch could not answer"
    again = await world.fake.invoke("status", platform="cloudtune")  # the bot is still answering
    assert again.shown[0][0]["embeds"][0]["title"] == "status cloudtune"


async def test_platform_options_autocomplete_from_the_command_service(world: World) -> None:
    typed = await world.fake.autocomplete("status", focused="platform", platform="cl")
    assert typed.callback is not None and typed.callback["type"] == 8
    assert typed.choices == [{"name": "CloudTune", "value": "cloudtune"}, {"name": "ClipShare", "value": "clipshare"}]
    target = await world.fake.autocomplete("subscribe", focused="target", target="p")
    assert {c["value"] for c in target.choices} == {"pixelhub", "privacy", "pricing"}


async def test_sync_registers_policy_with_every_subcommand() -> None:
    async with FakeDiscord() as fake:
        fake.add_text_channel()
        bridge = bridge_for(fake, Book(), EchoService(), sync_commands=True)
        await bridge.start(ready_timeout=5)
        await bridge.close()
    [policy] = fake.commands
    assert policy["name"] == "policy"
    options = {o["name"]: o for o in policy["options"]}
    assert set(options) == set(SUBCOMMANDS)
    assert [o["name"] for o in options["feeds"]["options"]] == ["list", "add", "remove"]
    platform = next(o for o in options["status"]["options"] if o["name"] == "platform")
    assert platform["autocomplete"] is True and platform["required"] is True
    assert all(re.fullmatch(r"[a-z]+", name) for name in options)
