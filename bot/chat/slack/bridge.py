"""Slack adapter: posts messages as threaded Block Kit posts (paced, de-duplicated by message metadata) and
runs the Bolt app that receives `/policy` over Socket Mode or HTTP (answered by commands.SlackCommands).
It translates only: thread handles are kept in an injected ThreadBook, commands answered by a CommandService.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.outputs import ChatSetupError, DeliveryError, Output, ThreadBook
from bot.chat.slack.commands import SlackCommands
from bot.chat.slack.render import METADATA_EVENT, SlackPart, message_metadata, render_message
from bot.core.commands import COMMAND_NAME, CommandService
from bot.core.config import Channel
from bot.core.messages import Message

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
POST_ATTEMPTS = 3  # posts of one part within one deliver() when Slack's answer is uncertain
RATE_LIMIT_RETRIES = 2  # short 429s waited out (Retry-After) inside one call before the outbox takes over
SHORT_RATE_LIMIT = 5  # seconds: a longer Retry-After is not slept inside the call; the channel's lane waits it out
HISTORY_LIMIT = 200  # top-level messages per page searched for an earlier copy of a thread's first post …
HISTORY_PAGES = 5  # … in at most this many pages (the latest 1,000), once per channel after a restart
REPLIES_LIMIT = 200
REPLIES_PAGES = 5
MAX_PLACES = 2000  # channel tops and threads whose posts are remembered
CONNECTION_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)

# Slack refused us the channel itself: the route is switched off with this advice.
ROUTE_ERRORS: dict[str, str] = {
    "not_in_channel": "invite the bot to {channel} (/invite @<bot name> in that channel)",
    "channel_not_found": "{channel} does not exist or the bot cannot see it (private channel): check the id and invite the bot",
    "is_archived": "{channel} is archived: unarchive it or route the events elsewhere",
    "missing_scope": "the Slack app lacks the scope {needed}: add it (slack-manifest.yaml) and reinstall the app",
    "not_authed": "no token reached Slack: set SLACK_BOT_TOKEN",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid: copy the app's Bot User OAuth Token again",
    "token_revoked": "SLACK_BOT_TOKEN was revoked: reinstall the app and update the token",
    "token_expired": "SLACK_BOT_TOKEN expired: reinstall the app and update the token",
    "account_inactive": "the bot's account or its workspace is deactivated",
    "no_permission": "the bot is not allowed to post in {channel}",
    "access_denied": "the bot is not allowed to post in {channel}",
    "restricted_action": "the workspace does not let the bot post in {channel}",
    "restricted_action_read_only_channel": "{channel} is read-only",
    "restricted_action_thread_only_channel": "{channel} accepts only thread replies",
    "restricted_action_non_threadable_channel": "{channel} does not accept threads",
    "team_access_not_granted": "the token has no access to the workspace of {channel}",
    "ekm_access_denied": "workspace administrators suspended the bot's access",
    "org_login_required": "the workspace is being migrated to an organisation: try again later or reinstall",
}
# The token itself is refused (start() fails on these).
TOKEN_ERRORS = frozenset({"not_authed", "invalid_auth", "token_revoked", "token_expired", "account_inactive",
                          "team_access_not_granted", "ekm_access_denied"})
# The thread we reply in is gone (its first post was deleted).
GONE_ERRORS = frozenset({"thread_not_found", "message_not_found", "invalid_thread_ts"})
# Slack may have done the work before failing: look before posting again.
UNCERTAIN_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable"})
# The message itself is wrong: posting it again cannot work.
REJECTED_ERRORS = frozenset({
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "msg_blocks_too_long", "no_text", "invalid_arguments",
    "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large", "too_many_attachments",
    "invalid_attachments", "invalid_form_data", "invalid_json", "json_not_object",
})

Place = tuple[str, str | None]  # (Slack channel id, thread ts or None for the channel's top level)
Ident = tuple[str, int]  # (message key, part)


class SlackSetupError(ChatSetupError):
    """Slack refused the bot's configuration at start (token, mode): the message says what to fix."""


class _ThreadGone(Exception):
    """The thread a reply was meant for no longer exists."""


@dataclass(slots=True)
class _Seen:
    """Our posts known at one place, (key, part) → ts, and when Slack was last asked about them."""

    posts: dict[Ident, str] = field(default_factory=dict)
    checked_at: float = float("-inf")


def _posts_a_message(request: HttpRequest) -> bool:
    return request.url.rstrip("/").endswith("/chat.postMessage")


class _ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Waits out a 429 inside the call only when Slack asks for a few seconds; a longer Retry-After reaches the
    delivery lane (DeliveryError.retry_after), which waits without holding up other channels or shutdown."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = _retry_after(response.headers)
        return wait is None or wait <= SHORT_RATE_LIMIT


def _retry_after(headers: Any) -> float | None:
    """Seconds of a Retry-After header (slack_sdk gives header values as lists), or None."""
    for name, value in dict(headers or {}).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, (list, tuple)) and value else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


class _ReadRetry(AsyncServerErrorRetryHandler):
    """Retries 500/503 for every method but chat.postMessage, which may have posted before failing
    (the bridge looks for the post before trying again)."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        if _posts_a_message(request):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


class _ConnectionRetry(AsyncConnectionErrorRetryHandler):
    """Retries connection resets for every method but chat.postMessage (same reason as _ReadRetry)."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        if _posts_a_message(request):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


def _failure(error: SlackApiError) -> tuple[int, str, dict[str, Any]]:
    """(HTTP status, Slack error code, response data) of a failed Web API call."""
    response = error.response
    status = getattr(response, "status_code", None) or getattr(response, "status", 0) or 0
    data = getattr(response, "data", None)
    data = data if isinstance(data, dict) else {}
    return int(status), str(data.get("error") or f"HTTP {status}"), data


def _route_error(route: Channel, code: str, data: dict[str, Any]) -> DeliveryError:
    where = f"channel {route.target} (route {route.id!r})"
    advice = ROUTE_ERRORS[code].format(channel=where, needed=data.get("needed") or "it needs")
    return DeliveryError(f"Slack says {code}: {advice}", retryable=False, disable_route=True)


class SlackOutput:
    """The Output of one configured Slack route. The bridge does the work, so routes that share a Slack
    channel share its pacing and de-duplication; closing the output leaves the bridge open."""

    records_attempts = True

    def __init__(self, bridge: SlackBridge, channel: Channel) -> None:
        self.channel = channel
        self._bridge = bridge

    async def deliver(self, message: Message, unsure: bool = False) -> None:
        await self._bridge.deliver(self.channel, message, unsure)

    async def close(self) -> None:
        return None


class SlackBridge:
    """One Slack app: a Web API client for delivery and a Bolt app for `/policy`.

    Inbound mode: Socket Mode with `app_token` (SLACK_APP_TOKEN), else HTTP on `host:port` at
    /slack/events with `signing_secret` (SLACK_SIGNING_SECRET), else none (delivery only).
    """

    def __init__(self, token: str, *, commands: CommandService, threads: ThreadBook, api_url: str | None = None,
                 app_token: str | None = None, signing_secret: str | None = None, host: str = "0.0.0.0",
                 port: int = 3000, pace: float = 1.0, lookup_ttl: float = 60.0, retry_backoff: float = 1.0,
                 connect_timeout: float = 10.0) -> None:
        base_url = api_url or AsyncWebClient.BASE_URL
        self.client = AsyncWebClient(
            token=token,
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            logger=logging.getLogger(f"{__name__}.web"),
            retry_handlers=self._retry_handlers(),
        )
        self._threads = threads
        self._app_token = app_token
        self._signing_secret = signing_secret
        self._host = host
        self._port = port
        self._pace = pace
        self._lookup_ttl = lookup_ttl
        self._retry_backoff = retry_backoff
        self._connect_timeout = connect_timeout
        self.app = AsyncApp(
            name="clausewatch",
            client=self.client,
            signing_secret=signing_secret or "",
            logger=logging.getLogger(f"{__name__}.bolt"),
        )
        self.commands = SlackCommands(commands, self.client)
        self.commands.register(self.app)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._next_post: dict[str, float] = {}
        self._seen: OrderedDict[Place, _Seen] = OrderedDict()
        self._uncertain: set[tuple[str, str, int]] = set()  # (channel, key, part) whose post Slack never confirmed
        self._blind: set[str] = set()  # channels we may not read (missing scope): no de-duplication there
        self._bot_id: str | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self.http_port: int | None = None

    @staticmethod
    def _retry_handlers() -> list[AsyncRetryHandler]:
        return [
            _ShortRateLimitRetry(max_retry_count=RATE_LIMIT_RETRIES),
            _ReadRetry(max_retry_count=2),
            _ConnectionRetry(max_retry_count=2),
        ]

    def output_for(self, channel: Channel) -> Output:
        """The Output delivering to `channel` (kind "slack", target a Slack channel id such as C0123)."""
        if channel.kind != "slack":
            raise ValueError(f"channel {channel.id!r} is a {channel.kind} channel, not a Slack one")
        return SlackOutput(self, channel)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Check the token, then connect Socket Mode or serve HTTP. Raises SlackSetupError on a refused
        token; an unreachable Slack is only logged (Socket Mode keeps trying in the background)."""
        await self._verify_token()
        if self._app_token:
            await self._verify_app_token(self._app_token)
            self._socket = AsyncSocketModeHandler(self.app, self._app_token, logger=logging.getLogger(f"{__name__}.socket"))
            self._connecting = asyncio.create_task(self._socket.connect_async())
            done, _ = await asyncio.wait({self._connecting}, timeout=self._connect_timeout)
            if not done:
                log.warning("Slack Socket Mode: not connected after %.0fs; still trying", self._connect_timeout)
            elif self._connecting.exception() is not None:
                raise SlackSetupError(f"Slack Socket Mode failed: {self._connecting.exception()}")
        elif self._signing_secret:
            self._runner = web.AppRunner(self.app.web_app(path=EVENTS_PATH, port=self._port), access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, self._host, self._port).start()
            self.http_port = self._runner.addresses[0][1]
            log.info("Slack: listening for /%s on %s:%s%s", COMMAND_NAME, self._host, self.http_port, EVENTS_PATH)
        else:
            log.info("Slack: no SLACK_APP_TOKEN or SLACK_SIGNING_SECRET, /%s is not served", COMMAND_NAME)

    async def _verify_token(self) -> None:
        """auth.test once at start, so a bad SLACK_BOT_TOKEN fails here and not at the first post."""
        try:
            identity = await self.client.auth_test()
        except SlackApiError as error:
            _, code, data = _failure(error)
            if code in TOKEN_ERRORS:
                raise SlackSetupError(f"Slack refused SLACK_BOT_TOKEN ({code}): "
                                      + ROUTE_ERRORS[code].format(channel="the channels", needed="")) from None
            log.warning("Slack: auth.test failed (%s); going on", code)
            return
        except CONNECTION_ERRORS as error:
            log.warning("Slack: cannot reach the Web API (%s); going on", error or type(error).__name__)
            return
        self._bot_id = identity.get("bot_id") or self._bot_id
        log.info("Slack: signed in as %s in %s", identity.get("user"), identity.get("team"))

    async def _verify_app_token(self, app_token: str) -> None:
        """Socket Mode retries a refused app token forever; ask once first so a wrong one fails start()."""
        try:
            await self.client.apps_connections_open(app_token=app_token)
        except SlackApiError as error:
            _, code, _ = _failure(error)
            if code in TOKEN_ERRORS:
                raise SlackSetupError(f"Slack refused SLACK_APP_TOKEN ({code}): it must be the app-level token "
                                      "(xapp-…) with the connections:write scope") from None
            log.warning("Slack: apps.connections.open failed (%s); Socket Mode keeps trying", code)
        except CONNECTION_ERRORS as error:
            log.warning("Slack: cannot reach Slack for Socket Mode (%s); it keeps trying", error or type(error).__name__)

    async def close(self) -> None:
        if self._socket is not None:
            if self._connecting is not None and not self._connecting.done():
                self._connecting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._connecting
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ delivery

    async def deliver(self, route: Channel, message: Message, unsure: bool = False) -> None:
        """Post `message` to `route`: a first message opens a thread, a reply goes in its thread (or opens a
        new one that says it continues the story). Returns once Slack holds every part exactly once.

        Slack's history is read only when an earlier copy may exist: `unsure` (the outbox says this delivery
        was tried before, by this process or one that died) or a post of this process Slack never confirmed.
        Since 2025 Slack allows apps outside its Marketplace one history or replies read a minute."""
        async with self._locks[route.target]:
            if message.reply_to is None:
                await self._open_thread(route, message, continues=False, old_ts=None, unsure=unsure)
                return
            thread_ts = await self._threads.find_thread(route.id, message.thread)
            if thread_ts is not None:
                try:
                    for part in render_message(message):
                        await self._post_once(route, thread_ts, message.key, part, unsure=unsure)
                    return
                except _ThreadGone:
                    log.info("channel %s: thread of %s is gone; opening a new one", route.id, message.thread,
                             extra={"channel": route.id})
            await self._open_thread(route, message, continues=True, old_ts=thread_ts, unsure=unsure)

    async def _open_thread(self, route: Channel, message: Message, *, continues: bool, old_ts: str | None,
                           unsure: bool) -> None:
        parts = render_message(message, continues=continues)

        async def first_part() -> SlackPart:
            if not continues or old_ts is None:
                return parts[0]
            return render_message(message, continues=True, permalink=await self._permalink(route.target, old_ts))[0]

        ts = await self._post_once(route, None, message.key, parts[0], first_part, unsure=unsure)
        await self._threads.remember_thread(route.id, message.thread, ts)
        try:
            for part in parts[1:]:
                await self._post_once(route, ts, message.key, part, unsure=unsure)
        except _ThreadGone:
            raise DeliveryError("the thread's first post vanished while its other parts were posted", retryable=True) from None

    async def _post_once(self, route: Channel, thread_ts: str | None, key: str, part: SlackPart,
                         finish: Callable[[], Awaitable[SlackPart]] | None = None, *, unsure: bool = False) -> str:
        """Post one part unless Slack already holds it (found by its metadata); returns its ts.

        Slack is asked for an earlier copy only when one may exist (`unsure`, or an attempt of this process
        whose outcome is unknown: 5xx, timeout, dropped connection); otherwise what this process posted is
        enough. Raises _ThreadGone when `thread_ts` no longer exists."""
        target = route.target
        ident = (key, part.index)
        marker = (target, key, part.index)
        if unsure or marker in self._uncertain:
            seen = await self._known(route, thread_ts, fresh=marker in self._uncertain)
        else:
            seen = self._posted_here(target, thread_ts)
        if ident in seen.posts:
            self._uncertain.discard(marker)
            return seen.posts[ident]
        if finish is not None:
            part = await finish()
        last = ""
        for attempt in range(POST_ATTEMPTS):
            if attempt:
                await asyncio.sleep(self._retry_backoff * 2 ** (attempt - 1))
                seen = await self._known(route, thread_ts, fresh=True)
                if ident in seen.posts:
                    self._uncertain.discard(marker)
                    return seen.posts[ident]
            await self._wait_turn(target)
            try:
                response = await self.client.chat_postMessage(
                    channel=target, thread_ts=thread_ts, text=part.text, blocks=part.blocks,
                    metadata=message_metadata(key, part), unfurl_links=False, unfurl_media=False, mrkdwn=False,
                )
            except SlackApiError as error:
                status, code, data = _failure(error)
                if not (status >= 500 or code in UNCERTAIN_ERRORS):
                    raise self._refusal(route, thread_ts, status, code, data,
                                        getattr(error.response, "headers", None)) from None
                last = code
            except CONNECTION_ERRORS as error:
                last = str(error) or type(error).__name__
            else:
                ts = str(response["ts"])
                seen.posts[ident] = ts
                self._uncertain.discard(marker)
                if thread_ts is None:
                    self._remember_place((target, ts), _Seen({ident: ts}, asyncio.get_running_loop().time()))
                return ts
            self._uncertain.add(marker)
            log.warning("channel %s: Slack did not confirm a post (%s); looking for it before trying again", route.id,
                        last, extra={"channel": route.id})
        raise DeliveryError(f"Slack did not confirm the post after {POST_ATTEMPTS} attempts ({last}); "
                            "the next attempt looks for it first", retryable=True)

    def _refusal(self, route: Channel, thread_ts: str | None, status: int, code: str,
                 data: dict[str, Any], headers: Any = None) -> Exception:
        if code in GONE_ERRORS and thread_ts is not None:
            return _ThreadGone(code)
        if code in ROUTE_ERRORS:
            return _route_error(route, code, data)
        if status == 429 or code == "ratelimited":
            wait = _retry_after(headers)
            later = f"retry in {wait:.0f}s" if wait is not None else "will retry later"
            return DeliveryError(f"Slack rate limit (HTTP 429); {later}", retryable=True, retry_after=wait)
        if code in REJECTED_ERRORS:
            return DeliveryError(f"Slack rejected the message: {code}", retryable=False)
        return DeliveryError(f"Slack says {code}", retryable=True)

    async def _wait_turn(self, target: str) -> None:
        """At most one post per `pace` seconds in one Slack channel (callers hold the channel's lock)."""
        if self._pace <= 0:
            return
        loop = asyncio.get_running_loop()
        wait = self._next_post.get(target, float("-inf")) - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        self._next_post[target] = loop.time() + self._pace

    # ------------------------------------------------------------------ look-ups (de-duplication)

    def _remember_place(self, place: Place, seen: _Seen) -> None:
        self._seen[place] = seen
        self._seen.move_to_end(place)
        while len(self._seen) > MAX_PLACES:
            self._seen.popitem(last=False)

    def _posted_here(self, target: str, thread_ts: str | None) -> _Seen:
        """What this process knows it posted at a place (no request to Slack)."""
        place = (target, thread_ts)
        seen = self._seen.get(place)
        if seen is None:
            seen = _Seen({}, float("-inf"))  # never asked: a later look-up still asks Slack
            self._remember_place(place, seen)
        return seen

    async def _known(self, route: Channel, thread_ts: str | None, *, fresh: bool) -> _Seen:
        """Our posts at a place: asked from Slack when not asked for `lookup_ttl` seconds (so always once
        per place after a restart) or when `fresh`; what this process posted since is added as it goes."""
        place = (route.target, thread_ts)
        now = asyncio.get_running_loop().time()
        seen = self._seen.get(place)
        if seen is not None and not fresh and now - seen.checked_at < self._lookup_ttl:
            return seen
        if route.target in self._blind:
            found: dict[Ident, str] = {}
        else:
            found = await self._look_up(route, thread_ts)
        seen = _Seen({**(seen.posts if seen else {}), **found}, now)
        self._remember_place(place, seen)
        return seen

    async def _look_up(self, route: Channel, thread_ts: str | None) -> dict[Ident, str]:
        try:
            bot_id = await self._our_bot_id()
            messages: list[dict[str, Any]] = []
            cursor: str | None = None
            for _ in range(HISTORY_PAGES if thread_ts is None else REPLIES_PAGES):
                if thread_ts is None:
                    response = await self.client.conversations_history(channel=route.target, cursor=cursor,
                                                                       limit=HISTORY_LIMIT, include_all_metadata=True)
                else:
                    response = await self.client.conversations_replies(channel=route.target, ts=thread_ts, cursor=cursor,
                                                                       limit=REPLIES_LIMIT, include_all_metadata=True)
                messages.extend(response.get("messages") or [])
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except SlackApiError as error:
            status, code, data = _failure(error)
            if code in GONE_ERRORS and thread_ts is not None:
                raise _ThreadGone(code) from None
            if code == "missing_scope":
                self._blind.add(route.target)
                log.warning("channel %s: cannot read %s (%s missing): posts there are not checked for duplicates",
                            route.id, route.target, data.get("needed") or "a history scope", extra={"channel": route.id})
                return {}
            if code in ROUTE_ERRORS:
                raise _route_error(route, code, data) from None
            raise DeliveryError(f"cannot check Slack for an earlier copy ({code}); will retry", retryable=True) from None
        except CONNECTION_ERRORS as error:
            raise DeliveryError(f"cannot reach Slack to check for an earlier copy ({error or type(error).__name__})",
                                retryable=True) from None
        return _our_posts(messages, bot_id)

    async def _our_bot_id(self) -> str | None:
        """This app's bot id (auth.test, once): only its posts count as earlier copies."""
        if self._bot_id is None:
            identity = await self.client.auth_test()
            self._bot_id = identity.get("bot_id") or None
        return self._bot_id

    async def _permalink(self, target: str, ts: str) -> str | None:
        try:
            response = await self.client.chat_getPermalink(channel=target, message_ts=ts)
        except (SlackApiError, *CONNECTION_ERRORS):
            return None
        link = response.get("permalink")
        return link if isinstance(link, str) else None


def _our_posts(messages: list[dict[str, Any]], bot_id: str | None) -> dict[Ident, str]:
    """(key, part) → ts of the messages carrying our metadata (and posted by our bot, when known)."""
    posts: dict[Ident, str] = {}
    for item in messages:
        metadata = item.get("metadata")
        if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT:
            continue
        if bot_id is not None and item.get("bot_id") != bot_id:
            continue
        payload = metadata.get("event_payload") or {}
        key, part = payload.get("key"), payload.get("part", 1)
        if isinstance(key, str) and isinstance(part, int) and isinstance(item.get("ts"), str):
            posts[(key, part)] = item["ts"]
    return posts
