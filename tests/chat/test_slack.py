"""The Slack adapter against a fake Slack (tests/fake_slack.py): threaded, idempotent, paced delivery with
safe rendering, and the /policy command over HTTP (signed) and Socket Mode, through real Bolt/SDK code."""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from slack_sdk.signature import SignatureVerifier

from bot.chat.outputs import DeliveryError
from bot.chat.slack.bridge import EVENTS_PATH, SlackBridge, SlackSetupError
from bot.chat.slack.render import SECTION_CHARS, render_reply
from bot.core.commands import SUBCOMMANDS, Choice, CommandReply, CommandRequest, parse_command, write_usage_hint
from bot.core.config import Channel
from bot.core.messages import Message, page_link
from tests.fake_slack import APP_TOKEN, BOT_ID, BOT_TOKEN, TEAM_ID, FakeSlack, Posted, form_body

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_CHANNEL = "C0ARTISTS"
ROUTE = Channel(id="artists", kind="slack", target=SLACK_CHANNEL)
THREAD = "story-cloudtune-ai"


def story(**changes: Any) -> Message:
    base = Message(
        event="story", title="Cloudtune adds an AI-training clause to its terms",
        text="Cloudtune's new terms let it train models on uploaded tracks.\nCreators have until March to opt out.",
        url="https://news.example.org/cloudtune-ai-terms", platform="cloudtune", topics=("ai_training", "opt_out"),
        severity="high", thread=THREAD, reply_to=None, at="2026-11-20T10:00:00+00:00", source="policy-news",
    )
    return replace(base, key="", **changes)


def follow_up(n: int, **changes: Any) -> Message:
    values: dict[str, Any] = {"event": "statement", "title": f"Cloudtune answers creators ({n})",
                              "text": f"Statement number {n}.", "url": f"https://cloudtune.example.com/blog/{n}",
                              "reply_to": THREAD, **changes}
    return story(**values)


class MemoryThreads:
    """A ThreadBook in a dict."""

    def __init__(self) -> None:
        self.book: dict[tuple[str, str], str] = {}

    async def find_thread(self, channel_id: str, thread: str) -> str | None:
        return self.book.get((channel_id, thread))

    async def remember_thread(self, channel_id: str, thread: str, ref: str) -> None:
        self.book[(channel_id, thread)] = ref


class EchoCommands:
    """A CommandService that echoes the parsed command and refuses config changes to non-admins."""

    def __init__(self) -> None:
        self.requests: list[CommandRequest] = []
        self.gate: asyncio.Event | None = None

    async def handle(self, request: CommandRequest) -> CommandReply:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        parsed = parse_command(request.text)
        if parsed.args == ("crash",):
            raise RuntimeError("the store is on fire")
        if parsed.changes_config and not request.is_admin:
            return CommandReply(title="Only workspace admins can change what this channel receives", ephemeral=True,
                                ok=False)
        return CommandReply(title=" ".join((parsed.name, *parsed.args)), lines=(f"asked by {request.user}",),
                            fields=(("workspace", request.workspace or "?"),))

    def complete_platform(self, prefix: str) -> list[Choice]:
        return [Choice("Cloudtune", "cloudtune")] if "cloudtune".startswith(prefix) else []


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(admins={"U0ADMIN"}) as fake:
        yield fake


@pytest.fixture
def threads() -> MemoryThreads:
    return MemoryThreads()


def new_bridge(slack: FakeSlack, threads: MemoryThreads, *, commands: EchoCommands | None = None,
               **options: Any) -> SlackBridge:
    """A bridge on the fake, unpaced and without back-off so tests run fast."""
    settings: dict[str, Any] = {"api_url": slack.api_url, "pace": 0.0, "retry_backoff": 0.0, **options}
    return SlackBridge(BOT_TOKEN, commands=commands or EchoCommands(), threads=threads, **settings)


@pytest.fixture
async def bridge(slack: FakeSlack, threads: MemoryThreads) -> AsyncIterator[SlackBridge]:
    made = new_bridge(slack, threads)
    yield made
    await made.close()


def sections(post: Posted) -> list[str]:
    """The plain-text body sections of a post, unescaped as a Slack user reads them."""
    return [html.unescape(b["text"]["text"]) for b in post.blocks
            if b["type"] == "section" and b.get("text", {}).get("type") == "plain_text"]


def text_objects(post: Posted) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in post.blocks:
        for obj in [block.get("text"), *(block.get("fields") or []), *(block.get("elements") or [])]:
            if isinstance(obj, dict) and "text" in obj:
                found.append(obj)
    return found


# ---------------------------------------------------------------------- threads


async def test_story_then_two_replies_make_one_thread_in_order(bridge: SlackBridge, slack: FakeSlack,
                                                               threads: MemoryThreads) -> None:
    output = bridge.output_for(ROUTE)
    first, second, third = story(), follow_up(1), follow_up(2)
    for message in (first, second, third):
        await output.deliver(message)

    [parent] = slack.top_level(SLACK_CHANNEL)
    assert parent.key == first.key
    assert [m.key for m in slack.replies(SLACK_CHANNEL, parent.ts)] == [second.key, third.key]
    assert threads.book[("artists", THREAD)] == parent.ts
    assert parent.metadata == {"event_type": "clausewatch_event",
                               "event_payload": {"key": first.key, "part": 1, "parts": 1}}
    assert parent.params["unfurl_links"] is False and parent.params["unfurl_media"] is False
    assert "*<https://news.example.org/cloudtune-ai-terms|Cloudtune adds an AI-training clause" in parent.block_texts()[0]
    assert sections(parent) == ["Cloudtune's new terms let it train models on uploaded tracks.\n"
                                "Creators have until March to opt out."]
    assert "cloudtune · AI training, opt-out · high · story" in parent.block_texts()


@pytest.mark.parametrize("restarted", [False, True], ids=["same-process", "after-restart"])
async def test_reply_whose_parent_was_deleted_opens_a_thread_that_continues_the_story(
        slack: FakeSlack, threads: MemoryThreads, restarted: bool) -> None:
    first = new_bridge(slack, threads)
    await first.output_for(ROUTE).deliver(story())
    [old] = slack.top_level(SLACK_CHANNEL)
    slack.delete(SLACK_CHANNEL, old.ts)
    bridge = new_bridge(slack, threads) if restarted else first

    await bridge.output_for(ROUTE).deliver(follow_up(1))
    await bridge.output_for(ROUTE).deliver(follow_up(2))

    [new] = slack.top_level(SLACK_CHANNEL)
    assert new.ts != old.ts and new.key == follow_up(1).key
    assert any("Continues" in text for text in new.block_texts())
    assert threads.book[("artists", THREAD)] == new.ts
    assert [m.key for m in slack.replies(SLACK_CHANNEL, new.ts)] == [follow_up(2).key]


async def test_reply_to_a_story_this_channel_never_saw_opens_a_continuing_thread(
        bridge: SlackBridge, slack: FakeSlack, threads: MemoryThreads) -> None:
    await bridge.output_for(ROUTE).deliver(follow_up(1))

    [post] = slack.top_level(SLACK_CHANNEL)
    assert "Continues an earlier story" in post.block_texts()[0]
    assert threads.book[("artists", THREAD)] == post.ts


async def test_continuation_links_the_old_thread_when_slack_still_knows_it(
        bridge: SlackBridge, slack: FakeSlack, threads: MemoryThreads) -> None:
    await bridge.output_for(ROUTE).deliver(story())
    [old] = slack.top_level(SLACK_CHANNEL)
    slack.error_next("chat.postMessage", "thread_not_found")  # Slack refuses the thread, the post is still there

    await bridge.output_for(ROUTE).deliver(follow_up(1))

    new = slack.top_level(SLACK_CHANNEL)[-1]
    assert new.ts != old.ts
    link = f"https://cloudtune-fans.slack.com/archives/{SLACK_CHANNEL}/p{old.ts.replace('.', '')}"
    assert f"<{link}|an earlier thread>" in new.block_texts()[0]


# ---------------------------------------------------------------------- hostile text


async def test_hostile_feed_text_reaches_slack_escaped_and_inert(bridge: SlackBridge, slack: FakeSlack) -> None:
    hostile = story(
        title="<!channel> *URGENT* _now_ ~gone~ `rm -rf` @everyone <@U0ADMIN>",
        text="Hi <!here> and <@U123>, see <#C999|general> or <http://evil.example|click here> & <!subteam^S1>\n"
             "> quoted line\n*bold* _it_ ~strike~ `code` @channel @here",
        url="javascript:alert(document.cookie)",
    )
    await bridge.output_for(ROUTE).deliver(hostile)
    await bridge.output_for(ROUTE).deliver(follow_up(1, title="*Fake* <!everyone> _update_",
                                                     url="https://news.example.org/a?x=1&y=<b>|c d"))
    await bridge.output_for(ROUTE).deliver(follow_up(2, url="file:///etc/passwd"))

    for call in slack.calls_to("chat.postMessage"):
        sent = json.dumps(call.params, ensure_ascii=False)
        for forbidden in ("<!", "<@", "<#", "<http://evil", "javascript:", "file://"):
            assert forbidden not in sent
        assert call.params["mrkdwn"] is False  # the fallback text is not read as mrkdwn
    parent = slack.top_level(SLACK_CHANNEL)[0]
    assert all(obj["type"] == "plain_text" for obj in text_objects(parent))  # no link: nothing is mrkdwn
    assert html.unescape(parent.blocks[0]["text"]["text"]) == hostile.title  # shown literally
    assert "<@U123>" in sections(parent)[0] and "*bold* _it_ ~strike~" in sections(parent)[0]

    reply, other = slack.replies(SLACK_CHANNEL, parent.ts)
    mrkdwn = [obj["text"] for obj in text_objects(reply) if obj["type"] == "mrkdwn"]
    assert len(mrkdwn) == 1
    target, label = re.fullmatch(r"\*<([^|<>]+)\|([^<>]*)>\*", mrkdwn[0]).groups()  # type: ignore[union-attr]
    assert target == "https://news.example.org/a?x=1&amp;y=%3Cb%3E%7Cc%20d"
    assert not set("*_~`") & set(label) and "&lt;!everyone&gt;" in label
    assert all(obj["type"] == "plain_text" for obj in text_objects(other))  # file: URL is not a link


async def test_a_terms_change_and_a_story_link_their_web_pages_in_blocks_and_fallback(
        bridge: SlackBridge, slack: FakeSlack) -> None:
    change = replace(story(event="terms_change", thread="terms-cloudtune-7"), key="terms:cloudtune/tos:7")
    change = replace(change, link=page_link(change, "https://watch.example.org"))
    opener = replace(story(), link=page_link(story(), "https://watch.example.org"))
    for message in (change, opener, story(thread="story-plain")):
        await bridge.output_for(ROUTE).deliver(message)

    linked_change, linked_story, plain = slack.top_level(SLACK_CHANNEL)
    diff = "<https://watch.example.org/changes/terms%3Acloudtune%2Ftos%3A7|Full diff>"
    assert diff in [obj["text"] for obj in text_objects(linked_change) if obj["type"] == "mrkdwn"]
    assert linked_change.text.endswith("\n" + diff) and linked_change.key == change.key
    assert f"<https://watch.example.org/stories/{THREAD}|Story>" in linked_story.block_texts()
    assert linked_story.text.endswith(f"\n<https://watch.example.org/stories/{THREAD}|Story>")
    assert not any("watch.example.org" in text or "Full diff" in text for text in [plain.text, *plain.block_texts()])


async def test_a_page_link_cannot_break_out_of_its_slack_markup(bridge: SlackBridge, slack: FakeSlack) -> None:
    hostile = replace(story(event="terms_change"), link="https://watch.example.org/changes/a|<!channel> x>y&z")
    await bridge.output_for(ROUTE).deliver(hostile)
    await bridge.output_for(ROUTE).deliver(replace(story(thread="story-2"), link="javascript:alert(1)"))

    linked, refused = slack.top_level(SLACK_CHANNEL)
    [markup] = [obj["text"] for obj in text_objects(linked) if obj["type"] == "mrkdwn" and "Full diff" in obj["text"]]
    assert markup == "<https://watch.example.org/changes/a%7C%3C!channel%3E%20x%3Ey&amp;z|Full diff>"
    assert "<!channel>" not in json.dumps(linked.params) and linked.text.endswith(markup)
    assert "javascript:" not in json.dumps(refused.params) and "Story" not in refused.text


# ---------------------------------------------------------------------- size limits


def long_diff() -> str:
    clauses = [f"~ Terms > 4. Content > 4.{i} > (a): We [-may-]{{+will+}} share your <uploads> & drafts "
               f"with partners for AI training (clause {i}); " * 3 for i in range(400)]
    return "\n".join(clauses[:200] + ["x" * 7000] + clauses[200:])


async def test_long_text_is_split_within_slack_limits_over_thread_replies(
        slack: FakeSlack, threads: MemoryThreads) -> None:
    message = story(event="terms_change", title="Cloudtune changed its Terms of Service: AI training clause added",
                    text=long_diff())
    bridge = new_bridge(slack, threads)
    await bridge.output_for(ROUTE).deliver(message)

    [parent] = slack.top_level(SLACK_CHANNEL)
    posts = [parent, *slack.replies(SLACK_CHANNEL, parent.ts)]
    assert len(posts) == len(slack.in_channel(SLACK_CHANNEL)) > 1
    for post in posts:
        assert len(post.blocks) <= 50 and len(post.text) <= 40_000
        assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in post.blocks if b["type"] == "section")
    assert [p.metadata["event_payload"]["part"] for p in posts] == list(range(1, len(posts) + 1))  # type: ignore[index]
    body = "".join(chunk for post in posts for chunk in sections(post))
    assert "".join(body.split()) == "".join(message.text.split())  # nothing lost, nothing added

    again = new_bridge(slack, MemoryThreads())  # a restart re-delivers it (tried before): nothing is posted twice
    await again.output_for(ROUTE).deliver(message, unsure=True)
    assert len(slack.in_channel(SLACK_CHANNEL)) == len(posts)


async def test_parts_cut_short_by_failures_are_completed_once(slack: FakeSlack, bridge: SlackBridge) -> None:
    message = story(event="terms_change", text=long_diff())
    slack.fail_next("chat.postMessage", 503, times=3, after=2)

    with pytest.raises(DeliveryError) as failure:
        await bridge.output_for(ROUTE).deliver(message)
    assert failure.value.retryable and not failure.value.disable_route
    assert len(slack.in_channel(SLACK_CHANNEL)) == 2

    await bridge.output_for(ROUTE).deliver(message)
    parts = [p.metadata["event_payload"]["part"] for p in slack.in_channel(SLACK_CHANNEL)]  # type: ignore[index]
    assert parts == list(range(1, len(parts) + 1)) and len(parts) > 2


# ---------------------------------------------------------------------- failures


async def test_rate_limit_storm_is_waited_out_and_posts_once(bridge: SlackBridge, slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", 429, retry_after=0, times=2)

    await bridge.output_for(ROUTE).deliver(story())

    assert len(slack.in_channel(SLACK_CHANNEL)) == 1
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 429, 200]


async def test_persistent_rate_limit_or_server_error_is_a_retryable_delivery_error(
        bridge: SlackBridge, slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", 429, retry_after=0, times=3)
    with pytest.raises(DeliveryError) as limited:
        await bridge.output_for(ROUTE).deliver(story())
    assert limited.value.retryable and "429" in str(limited.value)

    slack.fail_next("chat.postMessage", 500, times=3)
    with pytest.raises(DeliveryError) as broken:
        await bridge.output_for(ROUTE).deliver(story())
    assert broken.value.retryable and not broken.value.disable_route
    assert slack.in_channel(SLACK_CHANNEL) == []

    await bridge.output_for(ROUTE).deliver(story())  # the outbox tries again later
    assert len(slack.in_channel(SLACK_CHANNEL)) == 1


@pytest.mark.parametrize("drop", [False, True], ids=["answered-500", "connection-dropped"])
async def test_post_stored_by_slack_but_not_confirmed_is_not_posted_twice(
        bridge: SlackBridge, slack: FakeSlack, threads: MemoryThreads, drop: bool) -> None:
    output = bridge.output_for(ROUTE)
    slack.store_then_fail_next("chat.postMessage", 500, drop=drop)
    await output.deliver(story())
    [parent] = slack.in_channel(SLACK_CHANNEL)
    assert threads.book[("artists", THREAD)] == parent.ts

    slack.store_then_fail_next("chat.postMessage", 500, drop=drop)
    await output.deliver(follow_up(1))
    assert [m.key for m in slack.replies(SLACK_CHANNEL, parent.ts)] == [follow_up(1).key]
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_redelivery_after_a_restart_finds_the_earlier_posts(slack: FakeSlack) -> None:
    before = MemoryThreads()
    first = new_bridge(slack, before)
    await first.output_for(ROUTE).deliver(story())
    await first.output_for(ROUTE).deliver(follow_up(1))

    after = MemoryThreads()  # the crash came before the thread was remembered
    second = new_bridge(slack, after)  # the outbox says both were tried before: an earlier copy may exist
    await second.output_for(ROUTE).deliver(story(), unsure=True)
    await second.output_for(ROUTE).deliver(follow_up(1), unsure=True)

    assert len(slack.in_channel(SLACK_CHANNEL)) == 2
    assert after.book == before.book


async def test_redelivery_after_a_restart_finds_the_story_behind_a_busy_channel(slack: FakeSlack) -> None:
    # The thread was opened, then the process died before remembering it, and the channel got 450 other
    # messages before the restart: the earlier post is still found (the history is read page by page).
    before = MemoryThreads()
    await new_bridge(slack, before).output_for(ROUTE).deliver(story())
    for n in range(450):
        slack.post_as("B0OTHER", SLACK_CHANNEL, f"chatter {n}")
    after = MemoryThreads()
    await new_bridge(slack, after).output_for(ROUTE).deliver(story(), unsure=True)
    assert after.book == before.book
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_a_copy_posted_by_another_app_does_not_count(bridge: SlackBridge, slack: FakeSlack) -> None:
    message = story()
    slack.post_as("B0STAGING", SLACK_CHANNEL, "staging copy", {"event_type": "clausewatch_event",
                                                              "event_payload": {"key": message.key, "part": 1}})

    await bridge.output_for(ROUTE).deliver(message)

    assert [m.bot_id for m in slack.top_level(SLACK_CHANNEL)] == ["B0STAGING", BOT_ID]


@pytest.mark.parametrize("code, advice", [
    ("not_in_channel", "invite the bot"),
    ("channel_not_found", "does not exist"),
    ("is_archived", "archived"),
    ("invalid_auth", "SLACK_BOT_TOKEN"),
    ("missing_scope", "chat:write"),
])
async def test_slack_refusing_the_channel_disables_the_route(bridge: SlackBridge, slack: FakeSlack,
                                                             code: str, advice: str) -> None:
    slack.error_next("chat.postMessage", code, needed="chat:write")

    with pytest.raises(DeliveryError) as refused:
        await bridge.output_for(ROUTE).deliver(story())

    assert refused.value.disable_route and not refused.value.retryable
    assert f"Slack says {code}" in str(refused.value) and advice in str(refused.value)
    assert slack.in_channel(SLACK_CHANNEL) == []


async def test_without_history_scope_delivery_goes_on_unchecked(bridge: SlackBridge, slack: FakeSlack) -> None:
    slack.error_next("conversations.history", "missing_scope", needed="channels:history")

    await bridge.output_for(ROUTE).deliver(story())

    assert len(slack.in_channel(SLACK_CHANNEL)) == 1


async def test_posts_to_one_channel_are_paced(slack: FakeSlack, threads: MemoryThreads) -> None:
    bridge = new_bridge(slack, threads, pace=0.2)
    for n in range(3):
        await bridge.output_for(ROUTE).deliver(story(thread=f"story-{n}", title=f"Story {n}"))

    times = [c.at for c in slack.calls_to("chat.postMessage")]
    assert all(later - earlier >= 0.19 for earlier, later in zip(times, times[1:], strict=False))


# ---------------------------------------------------------------------- /policy over HTTP


@pytest.fixture
async def http_bridge(slack: FakeSlack, threads: MemoryThreads) -> AsyncIterator[tuple[SlackBridge, EchoCommands]]:
    commands = EchoCommands()
    made = new_bridge(slack, threads, commands=commands, signing_secret=SECRET, host="127.0.0.1", port=0)
    await made.start()
    yield made, commands
    await made.close()


async def send_command(bridge: SlackBridge, fields: dict[str, str], *, secret: str = SECRET,
                       timestamp: int | None = None) -> tuple[int, str]:
    body = form_body(fields)
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": signature or ""}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"http://127.0.0.1:{bridge.http_port}/slack/events", data=body, headers=headers) as r:
            return r.status, await r.text()


async def test_signed_slash_command_is_acked_at_once_then_answered(
        http_bridge: tuple[SlackBridge, EchoCommands], slack: FakeSlack) -> None:
    bridge, commands = http_bridge
    commands.gate = asyncio.Event()  # the answer is slow: the ack must not wait for it
    started = time.monotonic()

    status, _ = await send_command(bridge, slack.slash_command("status cloudtune", user="U0MEMBER"))

    assert status == 200 and time.monotonic() - started < 3.0
    assert slack.responses == []
    commands.gate.set()
    await slack.wait_until(lambda: len(slack.responses) == 1)
    [answer] = slack.responses
    assert answer["response_type"] == "in_channel" and answer["blocks"][0]["text"]["text"] == "status cloudtune"
    [request] = commands.requests
    assert (request.chat, request.channel, request.user, request.workspace, request.is_admin) == (
        "slack", "C0ARTISTS", "U0MEMBER", TEAM_ID, False)


@pytest.mark.parametrize("secret, age", [("not-the-secret", 0), (SECRET, 600)], ids=["wrong-signature", "stale"])
async def test_unsigned_or_stale_slash_command_is_refused(http_bridge: tuple[SlackBridge, EchoCommands],
                                                          slack: FakeSlack, secret: str, age: int) -> None:
    bridge, commands = http_bridge

    status, _ = await send_command(bridge, slack.slash_command("subscribe cloudtune"), secret=secret,
                                   timestamp=int(time.time()) - age)

    assert status == 401
    assert commands.requests == [] and slack.responses == []


async def test_config_changes_need_a_workspace_admin(http_bridge: tuple[SlackBridge, EchoCommands],
                                                     slack: FakeSlack) -> None:
    bridge, commands = http_bridge
    for n, user in enumerate(("U0MEMBER", "U0ADMIN", "U0MEMBER")):
        status, _ = await send_command(bridge, slack.slash_command("subscribe cloudtune", user=user, response=str(n)))
        assert status == 200
        await slack.wait_until(lambda n=n: len(slack.responses) == n + 1)

    refused, accepted, refused_again = slack.responses
    assert refused["response_type"] == "ephemeral" and "Only workspace admins" in refused["blocks"][0]["text"]["text"]
    assert accepted["response_type"] == "in_channel" and accepted["blocks"][0]["text"]["text"] == "subscribe cloudtune"
    assert refused_again["response_type"] == "ephemeral"
    assert [r.is_admin for r in commands.requests] == [False, True, False]
    assert len(slack.calls_to("users.info")) == 2  # the verdict is remembered


@pytest.mark.parametrize("text, title", [("frobnicate now", "That is not a /policy command"),
                                         ("status crash", "/policy failed")])
async def test_bad_command_or_failing_service_gets_an_ephemeral_error(
        http_bridge: tuple[SlackBridge, EchoCommands], slack: FakeSlack, text: str, title: str) -> None:
    bridge, _ = http_bridge

    status, _ = await send_command(bridge, slack.slash_command(text))

    assert status == 200
    await slack.wait_until(lambda: len(slack.responses) == 1)
    [answer] = slack.responses
    assert answer["response_type"] == "ephemeral" and title in answer["blocks"][0]["text"]["text"]


# ---------------------------------------------------------------------- /policy over Socket Mode


async def test_slash_command_over_socket_mode_is_acked_and_answered(slack: FakeSlack, threads: MemoryThreads) -> None:
    commands = EchoCommands()
    bridge = new_bridge(slack, threads, commands=commands, app_token=APP_TOKEN, signing_secret=SECRET)
    await bridge.start()
    try:
        await slack.wait_connected()
        envelope = await slack.push("slash_commands", slack.slash_command("diff cloudtune terms", user="U0ADMIN"))

        assert (await slack.wait_ack(envelope)) == {"envelope_id": envelope}
        await slack.wait_until(lambda: len(slack.responses) == 1)
        assert slack.responses[0]["blocks"][0]["text"]["text"] == "diff cloudtune terms"
        assert commands.requests[0].is_admin and bridge.http_port is None  # Socket Mode wins over HTTP
    finally:
        await bridge.close()


@pytest.mark.parametrize("app_token, problem", [(APP_TOKEN, "SLACK_BOT_TOKEN (token_revoked)"),
                                                ("xapp-wrong", "SLACK_APP_TOKEN (invalid_auth)")])
async def test_start_refuses_a_bad_token_with_a_clear_reason(slack: FakeSlack, threads: MemoryThreads,
                                                             app_token: str, problem: str) -> None:
    if app_token == APP_TOKEN:
        slack.error_next("auth.test", "token_revoked")
    bridge = new_bridge(slack, threads, app_token=app_token)

    with pytest.raises(SlackSetupError) as refused:
        await bridge.start()
    assert problem in str(refused.value)
    await bridge.close()


# ---------------------------------------------------------------------- reply rendering


def test_command_reply_renders_escaped_within_limits() -> None:
    reply = CommandReply(title="Status of <!channel> *Cloudtune*", lines=tuple(f"line {i} <@U1>" for i in range(3000)),
                         fields=(("AI training", "granted & no opt-out"),), url="https://cloudtune.example.com/terms",
                         ephemeral=True)

    payload = render_reply(reply)

    assert payload["response_type"] == "ephemeral" and len(payload["blocks"]) <= 50
    assert "<!" not in json.dumps(payload) and "<@" not in json.dumps(payload)
    assert payload["blocks"][0]["text"]["text"].startswith("*<https://cloudtune.example.com/terms|")
    assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in payload["blocks"] if "text" in b)
    assert render_reply(CommandReply(title="help"))["response_type"] == "in_channel"


def test_manifest_declares_the_command_and_only_the_scopes_the_code_uses() -> None:
    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "slack-manifest.yaml").read_text("utf-8"))

    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/policy" and command["url"].endswith(EVENTS_PATH)
    assert all(name in command["usage_hint"] for name in SUBCOMMANDS)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "chat:write", "commands", "channels:history", "groups:history", "users:read"}
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_the_manifest_usage_hint_is_the_one_the_command_specification_gives() -> None:
    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "slack-manifest.yaml").read_text("utf-8"))
    [command] = manifest["features"]["slash_commands"]
    assert command["usage_hint"] == write_usage_hint()


async def test_a_long_retry_after_is_not_slept_in_the_call_but_handed_to_the_delivery_lane(
        bridge: SlackBridge, slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", 429, retry_after=120)
    with pytest.raises(DeliveryError) as limited:
        await bridge.output_for(ROUTE).deliver(story())
    assert limited.value.retryable and limited.value.retry_after == 120
    assert len(slack.calls_to("chat.postMessage")) == 1  # asked once, not slept on for two minutes


async def test_a_first_attempt_posts_without_reading_the_channel_history(
        bridge: SlackBridge, slack: FakeSlack, threads: MemoryThreads) -> None:
    # Since 2025 Slack allows apps outside its Marketplace one conversations.history or .replies call a minute:
    # a delivery never tried before cannot have an earlier copy, so Slack is not asked.
    await bridge.output_for(ROUTE).deliver(story())
    for n in range(1, 4):
        await bridge.output_for(ROUTE).deliver(follow_up(n))
    assert len(slack.in_channel(SLACK_CHANNEL)) == 4
    assert slack.calls_to("conversations.history") == [] and slack.calls_to("conversations.replies") == []

    restarted = new_bridge(slack, threads)
    await restarted.output_for(ROUTE).deliver(follow_up(4), unsure=True)  # tried before by a process that died
    assert len(slack.calls_to("conversations.replies")) == 1 and len(slack.in_channel(SLACK_CHANNEL)) == 5
    await restarted.close()
