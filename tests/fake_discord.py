"""A fake Discord on 127.0.0.1 for tests: the REST API (/api/v10) and the gateway websocket, with the
state a user would see (channels, threads, messages, interaction replies), Discord's nonce
de-duplication and limits, and scriptable failures (429 storms, uncertain 5xx, dropped connections,
missing permissions, deleted or archived threads).

Use it as an async context manager. It speaks TLS with a certificate for discord.com and gateway.discord.gg
signed by a test CA (tests/fixtures/discord): give a DiscordBridge its `api_url`, `gateway_url` and `ca_file`,
and the bridge's own connector reaches the fake under Discord's names (bot.chat.discord.endpoints).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

FIXTURES = Path(__file__).parent / "fixtures" / "discord"
CA_FILE = FIXTURES / "ca.pem"  # the test CA; server-cert.pem (discord.com, gateway.discord.gg) is signed by it
GATEWAY_URL = "wss://gateway.discord.gg/"  # what the fake tells clients to resume at: it reaches the fake too
TEXT = 0
PUBLIC_THREAD = 11
FORUM = 15
MANAGE_GUILD = 1 << 5
# What the bot is granted in the fake guild: view, send, embed links, history, threads.
BOT_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 35) | (1 << 38)
NONCE_WINDOW = 300.0  # Discord checks nonce uniqueness over "the past few minutes"
ERRORS = {
    10003: "Unknown Channel",
    10008: "Unknown Message",
    10062: "Unknown interaction",
    50001: "Missing Access",
    50006: "Cannot send an empty message",
    50013: "Missing Permissions",
    50035: "Invalid Form Body",
    50083: "Thread is archived",
    160004: "A thread has already been created for this message",
    160005: "Thread is locked",
}
Handler = Callable[[web.Request, "re.Match[str]", Any], Awaitable[web.StreamResponse]]


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses a body as JSON only when Content-Type is exactly application/json.
    return web.Response(body=json.dumps(data).encode("utf-8"), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def _error(status: int, code: int, message: str | None = None, errors: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"message": message or ERRORS.get(code, "Error"), "code": code}
    if errors:
        body["errors"] = errors
    return _json(body, status)


class _Refused(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


@dataclass
class Call:
    """One REST request as the fake received it."""

    method: str
    path: str  # after /api/v10
    query: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class Failure:
    """A scripted failure for the next `times` requests whose method and path match."""

    method: str
    path: re.Pattern[str]
    status: int
    code: int = 0
    message: str = ""
    times: int = 1
    retry_after: float = 0.0
    after_create: bool = False  # do the work, then fail: the client cannot know it succeeded
    drop: bool = False  # close the connection instead of answering


@dataclass
class InteractionRecord:
    """An interaction pushed through the gateway and what the bot answered, as the user sees it."""

    id: str
    token: str
    type: int
    callback: dict[str, Any] | None = None
    followups: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None  # the deferred "thinking" message, once filled in
    original_deleted: bool = False
    shown: list[tuple[dict[str, Any], bool]] = field(default_factory=list)  # (message, ephemeral)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def deferred(self) -> bool:
        return self.callback is not None and self.callback.get("type") == 5

    @property
    def defer_ephemeral(self) -> bool:
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags", 0)) & 64)

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list(((self.callback or {}).get("data") or {}).get("choices", []))


class FakeDiscord:
    """Plays Discord for one bot in one guild. Start with `async with FakeDiscord() as fake:`."""

    def __init__(self, token: str = "fake-bot-token", *, guild_name: str = "Creators") -> None:
        self.token = token
        self._ids = itertools.count(1_200_000_000_000_000_000, 4_194_304 * 7)
        self.application_id = self.snowflake()
        self.bot_user: dict[str, Any] = {"id": self.application_id, "username": "clausewatch", "global_name": None,
                                         "discriminator": "0", "avatar": None, "bot": True, "flags": 0}
        self.owner: dict[str, Any] = self.user("owner")
        self.guild_id = self.snowflake()
        self.guild_name = guild_name
        self.roles: dict[str, dict[str, Any]] = {
            self.guild_id: {"id": self.guild_id, "name": "@everyone", "permissions": str(BOT_PERMISSIONS),
                            "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0},
        }
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.denied: dict[str, int] = {}  # channel id -> error code for sends (threads inherit)
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.commands: list[dict[str, Any]] = []  # the last bulk overwrite of global commands
        self.interactions: dict[str, InteractionRecord] = {}
        self.identified = asyncio.Event()
        self.identify_count = 0
        self.withhold_ready = False  # accept IDENTIFY but never send READY (a stuck gateway)
        # Sharding: the shard count GET /gateway/bot recommends, and each identified session's [shard, count]. The
        # guild's events go only to the session of the shard that owns it ((guild id >> 22) % count), as on Discord.
        self.recommended_shards = 1
        self.shards: list[list[int]] = []
        self._shard_of: dict[web.WebSocketResponse, list[int]] = {}
        self.post_delay = 0.0  # latency after a message is stored, before the answer: a crash then leaves it unconfirmed
        self._nonces: dict[tuple[str, str, str], tuple[float, dict[str, Any]]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self.open_connections = 0  # gateway websockets open right now, identified or not
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/users/@me"), self._get_me),
            ("GET", re.compile(r"/(?:oauth2/)?applications/@me"), self._get_application),
            ("GET", re.compile(r"/gateway(?:/bot)?"), self._get_gateway),
            ("PUT", re.compile(r"/applications/(\d+)/commands"), self._put_commands),
            ("GET", re.compile(r"/applications/(\d+)/commands"), self._get_commands),
            ("GET", re.compile(r"/guilds/(\d+)/threads/active"), self._active_threads),
            ("GET", re.compile(r"/channels/(\d+)"), self._get_channel),
            ("PATCH", re.compile(r"/channels/(\d+)"), self._patch_channel),
            ("POST", re.compile(r"/channels/(\d+)/messages"), self._post_message),
            ("GET", re.compile(r"/channels/(\d+)/messages"), self._list_messages),
            ("GET", re.compile(r"/channels/(\d+)/messages/(\d+)"), self._get_message),
            ("POST", re.compile(r"/channels/(\d+)/messages/(\d+)/threads"), self._thread_from_message),
            ("POST", re.compile(r"/channels/(\d+)/threads"), self._thread_in_channel),
            ("POST", re.compile(r"/interactions/(\d+)/([^/]+)/callback"), self._interaction_callback),
            ("POST", re.compile(r"/webhooks/(\d+)/([^/]+)"), self._followup),
            ("GET", re.compile(r"/webhooks/(\d+)/([^/]+)/messages/@original"), self._get_original),
            ("PATCH", re.compile(r"/webhooks/(\d+)/([^/]+)/messages/@original"), self._edit_original),
            ("DELETE", re.compile(r"/webhooks/(\d+)/([^/]+)/messages/@original"), self._delete_original),
        ]

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(FIXTURES / "server-cert.pem", FIXTURES / "server-key.pem")
        await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """Where Discord's REST API is served here (DISCORD_API_URL)."""
        return f"https://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Where the gateway is served here (DISCORD_GATEWAY_URL)."""
        return f"wss://127.0.0.1:{self.port}/"

    @property
    def ca_file(self) -> str:
        """The CA that signed the fake's certificate (DISCORD_CA_FILE)."""
        return str(CA_FILE)

    @property
    def sessions(self) -> int:
        """Gateway sessions currently connected and identified."""
        return len(self._sockets)

    # ------------------------------------------------------------------ the world

    def snowflake(self) -> str:
        return str(next(self._ids))

    def user(self, name: str) -> dict[str, Any]:
        return {"id": self.snowflake(), "username": name, "global_name": name.title(), "discriminator": "0",
                "avatar": None, "bot": False, "flags": 0}

    async def add_role(self, name: str, permissions: int = 0) -> str:
        """A server manager creates a role (the gateway tells connected bots, as Discord does)."""
        role_id = self.snowflake()
        self.roles[role_id] = {"id": role_id, "name": name, "permissions": str(permissions), "position": len(self.roles),
                               "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        await self.dispatch("GUILD_ROLE_CREATE", {"guild_id": self.guild_id, "role": self.roles[role_id]})
        return role_id

    def add_text_channel(self, name: str = "policy-news") -> str:
        return self._add_channel(name, TEXT)

    def add_forum_channel(self, name: str = "policy-forum") -> str:
        return self._add_channel(name, FORUM)

    def _add_channel(self, name: str, kind: int) -> str:
        channel_id = self.snowflake()
        self.channels[channel_id] = {
            "id": channel_id, "type": kind, "guild_id": self.guild_id, "name": name, "position": len(self.channels),
            "parent_id": None, "permission_overwrites": [], "nsfw": False, "topic": None, "rate_limit_per_user": 0,
            "last_message_id": None, "flags": 0, "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
            **({"available_tags": [], "default_reaction_emoji": None, "default_sort_order": None,
                "default_forum_layout": 0} if kind == FORUM else {}),
        }
        self.messages[channel_id] = []
        return channel_id

    def deny(self, channel_id: str, code: int = 50013) -> None:
        """The bot loses access to a channel: sends there (and in its threads) get 403 `code`."""
        self.denied[channel_id] = code

    async def delete_channel(self, channel_id: str) -> None:
        """Someone deletes a channel or thread (the gateway tells the bot, as Discord does)."""
        channel = self.channels.pop(channel_id)
        self.messages.pop(channel_id, None)
        for message in self.messages.get(channel.get("parent_id") or "", []):
            if message.get("thread", {}).get("id") == channel_id:
                del message["thread"]
        event = "THREAD_DELETE" if channel["type"] == PUBLIC_THREAD else "CHANNEL_DELETE"
        data = ({"id": channel_id, "guild_id": self.guild_id, "parent_id": channel["parent_id"], "type": channel["type"]}
                if event == "THREAD_DELETE" else channel)
        await self.dispatch(event, data)

    async def archive_thread(self, thread_id: str, locked: bool = False) -> None:
        """A moderator (or inactivity) archives a thread, optionally locking it."""
        meta = self.channels[thread_id]["thread_metadata"]
        meta.update(archived=True, locked=locked, archive_timestamp=_now())
        await self.dispatch("THREAD_UPDATE", self.channels[thread_id])

    def fail(self, method: str, path: str, status: int, *, code: int = 0, message: str = "", times: int = 1,
             retry_after: float = 0.0, after_create: bool = False, drop: bool = False) -> None:
        """Script the next `times` requests matching `method` and the regex `path` (after /api/v10) to fail."""
        self.failures.append(Failure(method, re.compile(path), status, code, message, times, retry_after, after_create, drop))

    def rate_limit(self, path: str, times: int, retry_after: float = 0.01) -> None:
        """A 429 storm: the next `times` POSTs to `path` are rate limited (with the `Via` header Discord sends)."""
        self.fail("POST", path, 429, times=times, retry_after=retry_after)

    # ------------------------------------------------------------------ what users see

    def threads(self, parent_id: str) -> list[dict[str, Any]]:
        return [c for c in self.channels.values() if c["type"] == PUBLIC_THREAD and c["parent_id"] == parent_id]

    def posted(self, channel_id: str) -> list[dict[str, Any]]:
        return list(self.messages.get(channel_id, []))

    def all_messages(self) -> list[dict[str, Any]]:
        return [m for messages in self.messages.values() for m in messages]

    def message_posts(self) -> list[Call]:
        """Every request that asked Discord to create a message (channel, thread, forum post, follow-up)."""
        return [c for c in self.calls if c.method == "POST" and (
            re.fullmatch(r"/channels/\d+/messages", c.path) or re.fullmatch(r"/channels/\d+/threads", c.path)
            or re.fullmatch(r"/webhooks/\d+/[^/]+", c.path))]

    # ------------------------------------------------------------------ interactions

    async def invoke(self, *names: str, user: dict[str, Any] | None = None, channel_id: str | None = None,
                     permissions: int = 0, roles: tuple[str, ...] = (), timeout: float = 5.0,
                     **options: str) -> InteractionRecord:
        """A member runs `/policy <names...> option=value...`; returns once the bot answered (a follow-up or
        an immediate message)."""
        data = self._command_data(names, options, focused=None)
        record = await self._push_interaction(2, data, user, channel_id, permissions, roles)

        def answered() -> bool:
            if record.callback is None:
                return False
            return not record.deferred or bool(record.shown)

        await self._wait(record, answered, timeout)
        return record

    async def autocomplete(self, *names: str, focused: str, user: dict[str, Any] | None = None,
                           channel_id: str | None = None, timeout: float = 5.0, **options: str) -> InteractionRecord:
        """A member is typing option `focused` (its current text in `options`); returns the suggestions."""
        data = self._command_data(names, options, focused=focused)
        record = await self._push_interaction(4, data, user, channel_id, 0, ())
        await self._wait(record, lambda: record.callback is not None, timeout)
        return record

    def _command_data(self, names: tuple[str, ...], options: dict[str, str], focused: str | None) -> dict[str, Any]:
        leaf: list[dict[str, Any]] = []
        for name, value in options.items():
            option: dict[str, Any] = {"name": name, "type": 3, "value": value}
            if name == focused:
                option["focused"] = True
            leaf.append(option)
        nested: list[dict[str, Any]] = leaf
        for depth, name in reversed(list(enumerate(names))):
            kind = 1 if depth == len(names) - 1 else 2  # SUB_COMMAND, then SUB_COMMAND_GROUP
            nested = [{"name": name, "type": kind, "options": nested}]
        command_id = next((c["id"] for c in self.commands if c["name"] == "policy"), self.snowflake())
        return {"id": command_id, "name": "policy", "type": 1, "options": nested}

    async def _push_interaction(self, kind: int, data: dict[str, Any], user: dict[str, Any] | None,
                                channel_id: str | None, permissions: int, roles: tuple[str, ...]) -> InteractionRecord:
        who = user or self.owner
        channel = self.channels[channel_id] if channel_id else next(iter(self.channels.values()))
        record = InteractionRecord(id=self.snowflake(), token=f"token-{self.snowflake()}", type=kind)
        self.interactions[record.id] = record
        payload = {
            "id": record.id, "application_id": self.application_id, "type": kind, "data": data,
            "guild_id": self.guild_id, "guild": {"id": self.guild_id, "locale": "en-US", "features": []},
            "channel_id": channel["id"], "channel": channel,
            "member": {"user": who, "roles": list(roles), "joined_at": _now(), "deaf": False, "mute": False,
                       "flags": 0, "pending": False, "nick": None, "avatar": None,
                       "communication_disabled_until": None, "permissions": str(permissions)},
            "token": record.token, "version": 1, "app_permissions": str(BOT_PERMISSIONS), "locale": "en-US",
            "guild_locale": "en-US", "entitlements": [], "authorizing_integration_owners": {"0": self.guild_id},
            "context": 0, "attachment_size_limit": 26_214_400,
        }
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    @staticmethod
    async def _wait(record: InteractionRecord, done: Callable[[], bool], timeout: float) -> None:
        async def until() -> None:
            while not done():
                record.changed.clear()
                await record.changed.wait()

        await asyncio.wait_for(until(), timeout)

    # ------------------------------------------------------------------ gateway

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH (op 0) to every connected, identified gateway session of the guild's shard."""
        for socket in list(self._sockets):
            if not self._owns_guild(self._shard_of.get(socket, [0, 1])):
                continue
            self._seq += 1
            await socket.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self.open_connections += 1
        try:
            await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41_250}, "s": None, "t": None})
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                op = message.get("op")
                if op == 1:
                    await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    if message["d"].get("token") != self.token:
                        await socket.close(code=4004, message=b"Authentication failed.")
                        break
                    await self._identify(socket, message["d"])
                elif op == 6:
                    self._sockets.append(socket)
                    self._seq += 1
                    await socket.send_json({"op": 0, "t": "RESUMED", "s": self._seq, "d": {}})
        finally:
            self.open_connections -= 1
            if socket in self._sockets:
                self._sockets.remove(socket)
        return socket

    def _owns_guild(self, shard: list[int]) -> bool:
        return (int(self.guild_id) >> 22) % shard[1] == shard[0]

    async def _identify(self, socket: web.WebSocketResponse, identify: dict[str, Any]) -> None:
        self.identify_count += 1
        if self.withhold_ready:
            return
        shard = list(identify.get("shard") or [0, 1])
        self.shards.append(shard)
        self._shard_of[socket] = shard
        owns = self._owns_guild(shard)
        self._sockets.append(socket)
        self._seq += 1
        await socket.send_json({"op": 0, "t": "READY", "s": self._seq, "d": {
            "v": 10, "user": self.bot_user, "guilds": [{"id": self.guild_id, "unavailable": True}] if owns else [],
            "session_id": f"session-{self.identify_count}", "resume_gateway_url": GATEWAY_URL,
            "shard": shard, "application": {"id": self.application_id, "flags": 0},
            "private_channels": [], "relationships": [],
        }})
        if owns:
            self._seq += 1
            await socket.send_json({"op": 0, "t": "GUILD_CREATE", "s": self._seq, "d": self._guild()})
            self.identified.set()

    def _guild(self) -> dict[str, Any]:
        channels = [c for c in self.channels.values() if c["type"] != PUBLIC_THREAD]
        threads = [c for c in self.channels.values()
                   if c["type"] == PUBLIC_THREAD and not c["thread_metadata"]["archived"]]
        me = {"user": self.bot_user, "roles": [], "joined_at": _now(), "deaf": False, "mute": False, "flags": 0}
        return {
            "id": self.guild_id, "name": self.guild_name, "icon": None, "owner_id": self.owner["id"],
            "unavailable": False, "member_count": 2, "large": False, "joined_at": _now(), "features": [],
            "roles": list(self.roles.values()), "channels": channels, "threads": threads, "members": [me],
            "emojis": [], "stickers": [], "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "premium_tier": 0, "preferred_locale": "en-US", "system_channel_flags": 0, "afk_timeout": 300,
        }

    # ------------------------------------------------------------------ REST plumbing

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body = await self._body(request)
        call = Call(request.method, path, dict(request.query), body)
        self.calls.append(call)
        if request.headers.get("Authorization") != f"Bot {self.token}" and not path.startswith(
                ("/interactions/", "/webhooks/")):
            call.status = 401
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        failure = self._failure(request.method, path)
        if failure is not None and not failure.after_create:
            call.status = failure.status
            return self._failure_response(request, failure)
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if method == request.method and match:
                try:
                    response = await handler(request, match, body)
                except _Refused as refused:
                    response = refused.response
                if failure is not None:  # the work is done, but the client will not hear about it
                    call.status = failure.status
                    return self._failure_response(request, failure)
                call.status = response.status
                return response
        call.status = 404
        return _json({"message": "404: Not Found", "code": 0}, 404)

    @staticmethod
    async def _body(request: web.Request) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type == "multipart/form-data":
            form = await request.post()
            payload = json.loads(str(form.get("payload_json", "{}")))
            payload["_files"] = [{"name": k, "filename": getattr(v, "filename", None),
                                  "size": len(v.file.read()) if hasattr(v, "file") else len(str(v))}
                                 for k, v in form.items() if k != "payload_json"]
            return payload
        text = await request.text()
        return json.loads(text) if text else None

    def _failure(self, method: str, path: str) -> Failure | None:
        for failure in self.failures:
            if failure.times > 0 and failure.method == method and failure.path.fullmatch(path):
                failure.times -= 1
                return failure
        return None

    @staticmethod
    def _failure_response(request: web.Request, failure: Failure) -> web.Response:
        if failure.drop:
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)
        if failure.status == 429:
            return _json({"message": "You are being rate limited.", "retry_after": failure.retry_after,
                          "global": False, "code": 0}, 429,
                         headers={"Via": "1.1 google", "Retry-After": str(failure.retry_after),
                                  "X-RateLimit-Scope": "user"})
        code = failure.code
        return _json({"message": failure.message or ERRORS.get(code, "Internal Server Error"), "code": code},
                     failure.status)

    # ------------------------------------------------------------------ REST: session

    async def _get_me(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        return _json({**self.bot_user, "verified": True, "mfa_enabled": False, "locale": "en-US"})

    async def _get_application(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        return _json({"id": self.application_id, "name": "Clausewatch", "icon": None, "description": "",
                      "rpc_origins": [], "bot_public": True, "bot_require_code_grant": False, "owner": self.owner,
                      "summary": "", "verify_key": "0" * 64, "team": None, "flags": 0, "tags": [],
                      "interactions_endpoint_url": None, "bot": self.bot_user})

    async def _get_gateway(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        return _json({"url": GATEWAY_URL, "shards": self.recommended_shards, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 16}})

    async def _put_commands(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        self.commands = [{**command, "id": self.snowflake(), "application_id": self.application_id,
                          "version": self.snowflake(), "default_member_permissions": command.get("default_member_permissions"),
                          "dm_permission": command.get("dm_permission", True), "nsfw": command.get("nsfw", False),
                          "type": command.get("type", 1)} for command in body]
        return _json(self.commands)

    async def _get_commands(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        return _json(self.commands)

    # ------------------------------------------------------------------ REST: channels and threads

    def _channel(self, channel_id: str) -> dict[str, Any]:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise _Refused(_error(404, 10003))
        return channel

    def _check_send(self, channel: dict[str, Any]) -> None:
        for candidate in (channel["id"], channel.get("parent_id")):
            if candidate in self.denied:
                raise _Refused(_error(403, self.denied[candidate]))

    async def _get_channel(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        channel = self._channel(match[1])
        if channel["id"] in self.denied and self.denied[channel["id"]] == 50001:
            return _error(403, 50001)
        return _json(channel)

    async def _patch_channel(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        channel = self._channel(match[1])
        body = body or {}
        if channel["type"] == PUBLIC_THREAD:
            self._check_send(channel)
            meta = channel["thread_metadata"]
            if "archived" in body and not body["archived"] and meta.get("locked"):
                return _error(403, 50013)  # unlocking/unarchiving a locked thread needs Manage Threads
            if "archived" in body:
                meta["archived"] = bool(body["archived"])
                meta["archive_timestamp"] = _now()
        for key in ("name", "topic"):
            if key in body:
                channel[key] = body[key]
        await self.dispatch("THREAD_UPDATE" if channel["type"] == PUBLIC_THREAD else "CHANNEL_UPDATE", channel)
        return _json(channel)

    async def _active_threads(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        threads = [c for c in self.channels.values()
                   if c["type"] == PUBLIC_THREAD and not c["thread_metadata"]["archived"]]
        return _json({"threads": threads, "members": []})

    async def _list_messages(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        self._channel(match[1])
        limit = int(request.query.get("limit", "50"))
        return _json(list(reversed(self.messages[match[1]]))[:limit])

    async def _get_message(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        self._channel(match[1])
        for message in self.messages[match[1]]:
            if message["id"] == match[2]:
                return _json(message)
        return _error(404, 10008)

    async def _post_message(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        channel = self._channel(match[1])
        self._check_send(channel)
        body = body or {}
        if channel["type"] == FORUM:
            return _error(400, 50035, "Cannot send messages in a forum channel; create a post")
        if channel["type"] == PUBLIC_THREAD:
            meta = channel["thread_metadata"]
            if meta["archived"] and meta.get("locked"):
                return _error(400, 50083)
            if meta.get("locked"):
                return _error(403, 160005)
            if meta["archived"]:  # a message in an archived, unlocked thread unarchives it
                meta["archived"] = False
        self._validate(body)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get((self.bot_user["id"], channel["id"], str(nonce)))
            if seen is not None and time.monotonic() - seen[0] < NONCE_WINDOW:
                return _json(seen[1])
        message = self._create_message(channel, body)
        if self.post_delay:
            await asyncio.sleep(self.post_delay)
        return _json(message)

    def _create_message(self, channel: dict[str, Any], body: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
        message = {
            "id": message_id or self.snowflake(), "channel_id": channel["id"], "author": self.bot_user,
            "content": body.get("content") or "", "timestamp": _now(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [
                {"id": self.snowflake(), "filename": f.get("filename") or "file", "size": f["size"],
                 "url": "https://cdn.test/file", "proxy_url": "https://cdn.test/file"}
                for f in body.get("_files", [])],
            "embeds": body.get("embeds") or [], "pinned": False, "type": 0, "flags": int(body.get("flags") or 0),
            "components": [], "nonce": body.get("nonce"), "allowed_mentions": body.get("allowed_mentions"),
        }
        self.messages[channel["id"]].append(message)
        channel["last_message_id"] = message["id"]
        if channel["type"] == PUBLIC_THREAD:
            channel["message_count"] += 1
            channel["total_message_sent"] += 1
        if body.get("nonce") is not None:
            self._nonces[(self.bot_user["id"], channel["id"], str(body["nonce"]))] = (time.monotonic(), message)
        return message

    def _validate(self, body: dict[str, Any]) -> None:
        """Discord's documented message limits; a breach is a 400 Invalid Form Body."""
        problems: dict[str, Any] = {}
        content = body.get("content") or ""
        embeds = body.get("embeds") or []
        if len(content) > 2000:
            problems["content"] = "Must be 2000 or fewer in length."
        if len(embeds) > 10:
            problems["embeds"] = "Must be 10 or fewer in length."
        total = 0
        for index, embed in enumerate(embeds):
            limits = {"title": 256, "description": 4096}
            for key, limit in limits.items():
                if len(embed.get(key) or "") > limit:
                    problems[f"embeds.{index}.{key}"] = f"Must be {limit} or fewer in length."
            fields = embed.get("fields") or []
            if len(fields) > 25:
                problems[f"embeds.{index}.fields"] = "Must be 25 or fewer in length."
            for number, item in enumerate(fields):
                if not item.get("name") or not item.get("value"):
                    problems[f"embeds.{index}.fields.{number}"] = "This field is required"
                if len(item.get("name", "")) > 256 or len(item.get("value", "")) > 1024:
                    problems[f"embeds.{index}.fields.{number}"] = "Too long."
            footer = (embed.get("footer") or {}).get("text") or ""
            if len(footer) > 2048:
                problems[f"embeds.{index}.footer.text"] = "Must be 2048 or fewer in length."
            url = embed.get("url")
            if url is not None and not re.match(r"https?://", url):
                problems[f"embeds.{index}.url"] = "Scheme must be one of ('http', 'https')."
            total += len(embed.get("title") or "") + len(embed.get("description") or "") + len(footer)
            total += len((embed.get("author") or {}).get("name") or "")
            total += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in fields)
        if total > 6000:
            problems["embeds"] = "Embed size exceeds maximum size of 6000"
        nonce = body.get("nonce")
        if nonce is not None and len(str(nonce)) > 25:
            problems["nonce"] = "Must be 25 or fewer in length."
        if problems:
            raise _Refused(_error(400, 50035, errors=problems))
        if not content and not embeds and not body.get("_files"):
            raise _Refused(_error(400, 50006))

    def _new_thread(self, parent: dict[str, Any], name: str, thread_id: str | None = None) -> dict[str, Any]:
        if not 1 <= len(name) <= 100:
            raise _Refused(_error(400, 50035, errors={"name": "Must be between 1 and 100 in length."}))
        thread_id = thread_id or self.snowflake()
        thread = {
            "id": thread_id, "type": PUBLIC_THREAD, "guild_id": self.guild_id, "parent_id": parent["id"],
            "owner_id": self.bot_user["id"], "name": name, "last_message_id": None, "message_count": 0,
            "member_count": 1, "total_message_sent": 0, "rate_limit_per_user": 0, "flags": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "archive_timestamp": _now(),
                                "locked": False, "create_timestamp": _now()},
        }
        self.channels[thread_id] = thread
        self.messages[thread_id] = []
        return thread

    async def _thread_from_message(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        parent = self._channel(match[1])
        self._check_send(parent)
        starter = next((m for m in self.messages[parent["id"]] if m["id"] == match[2]), None)
        if starter is None:
            return _error(404, 10008)
        if starter["id"] in self.channels:
            return _error(400, 160004)
        body = body or {}
        # A thread started from a message has the message's id.
        thread = self._new_thread(parent, str(body.get("name", "")), thread_id=starter["id"])
        starter["thread"] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread, 201)

    async def _thread_in_channel(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        parent = self._channel(match[1])
        self._check_send(parent)
        body = body or {}
        if parent["type"] == FORUM:
            first = body.get("message") or {}
            self._validate(first)
            thread = self._new_thread(parent, str(body.get("name", "")))
            starter = self._create_message(thread, first, message_id=thread["id"])  # the starter has the thread's id
            await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
            return _json({**thread, "message": starter}, 201)
        thread = self._new_thread(parent, str(body.get("name", "")))
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread, 201)

    # ------------------------------------------------------------------ REST: interactions

    def _interaction(self, interaction_id: str, token: str) -> InteractionRecord:
        record = self.interactions.get(interaction_id)
        if record is None or record.token != token:
            raise _Refused(_error(404, 10062))
        return record

    def _by_token(self, application_id: str, token: str) -> InteractionRecord:
        for record in self.interactions.values():
            if record.token == token and application_id == self.application_id:
                return record
        raise _Refused(_error(404, 10062))

    async def _interaction_callback(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        record = self._interaction(match[1], match[2])
        if record.callback is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = body or {}
        record.callback = body
        if body.get("type") == 4:  # an immediate message
            message = self._interaction_message(record, body.get("data") or {})
            record.shown.append((message, bool(int((body.get("data") or {}).get("flags", 0)) & 64)))
        record.changed.set()
        return _json({"interaction": {"id": record.id, "type": record.type,
                                      "response_message_loading": body.get("type") == 5,
                                      "response_message_ephemeral": record.defer_ephemeral}})

    def _interaction_message(self, record: InteractionRecord, body: dict[str, Any]) -> dict[str, Any]:
        self._validate(body)
        return {"id": self.snowflake(), "channel_id": next(iter(self.channels)), "author": self.bot_user,
                "content": body.get("content") or "", "timestamp": _now(), "edited_timestamp": None, "tts": False,
                "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
                "embeds": body.get("embeds") or [], "pinned": False, "type": 20, "components": [],
                "flags": int(body.get("flags") or 0), "webhook_id": self.application_id,
                "application_id": self.application_id}

    async def _followup(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        record = self._by_token(match[1], match[2])
        if record.callback is None:
            return _error(404, 10015, "Unknown Webhook")
        body = body or {}
        message = self._interaction_message(record, body)
        record.followups.append(body)
        if record.deferred and record.original is None and not record.original_deleted:
            # The first follow-up after a deferral fills the "thinking" message; its visibility was set by the defer.
            record.original = message
            record.shown.append((message, record.defer_ephemeral))
        else:
            record.shown.append((message, bool(int(body.get("flags") or 0) & 64)))
        record.changed.set()
        return _json(message)

    async def _get_original(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        record = self._by_token(match[1], match[2])
        if record.original is None:
            return _error(404, 10008)
        return _json(record.original)

    async def _edit_original(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        record = self._by_token(match[1], match[2])
        body = body or {}
        message = self._interaction_message(record, body)
        if record.original is not None:
            record.shown = [(m, e) for m, e in record.shown if m is not record.original]
        record.original = message
        record.shown.append((message, record.defer_ephemeral))
        record.changed.set()
        return _json(message)

    async def _delete_original(self, request: web.Request, match: re.Match[str], body: Any) -> web.Response:
        record = self._by_token(match[1], match[2])
        record.original_deleted = True
        if record.original is not None:
            record.shown = [(m, e) for m, e in record.shown if m is not record.original]
        record.changed.set()
        return web.Response(status=204)
