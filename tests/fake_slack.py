"""A fake Slack on 127.0.0.1 for tests: the Web API methods Clausewatch uses, response_url endpoints and a
Socket Mode websocket, with recorded state and scriptable failures. Runs real slack_sdk/slack_bolt
code against it: point `api_url` at it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-clausewatch-test"
APP_TOKEN = "xapp-clausewatch-test"
TEAM_ID = "T0CLOUDTUNE"
BOT_USER_ID = "U0CLAUSEBOT"
BOT_ID = "B0CLAUSEBOT"
APP_ID = "A0CLAUSE"

# Limits the fake enforces like Slack does (chat.postMessage answers invalid_blocks / msg_too_long).
SECTION_CHARS = 3000
HEADER_CHARS = 150
MAX_BLOCKS = 50
TEXT_CHARS = 40_000


@dataclass
class Posted:
    """One message stored in a channel."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    metadata: dict[str, Any] | None
    thread_ts: str | None
    params: dict[str, Any]
    bot_id: str = BOT_ID

    @property
    def key(self) -> str | None:
        return ((self.metadata or {}).get("event_payload") or {}).get("key")

    def block_texts(self) -> list[str]:
        """Every text string in the blocks, in order (section, header, context, fields)."""
        found: list[str] = []
        for block in self.blocks:
            for obj in [block.get("text"), *(block.get("fields") or []), *(block.get("elements") or [])]:
                if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                    found.append(obj["text"])
        return found


@dataclass
class Call:
    """One Web API call as the fake received it (query, form and JSON parameters merged)."""

    method: str
    params: dict[str, Any]
    raw: str
    at: float
    status: int = 200


@dataclass
class Fault:
    """A scripted answer for the next call(s) of a method (after `after` calls that pass)."""

    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    store: bool = False  # do the work first, then fail: the caller cannot know it happened
    drop: bool = False  # close the connection instead of answering
    times: int = 1
    after: int = 0


@dataclass
class FakeSlack:
    """Start with `async with FakeSlack() as slack:`; `slack.api_url` is the Web API base URL."""

    admins: set[str] = field(default_factory=set)
    owners: set[str] = field(default_factory=set)
    bot_token: str = BOT_TOKEN
    app_token: str = APP_TOKEN
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    messages: list[Posted] = field(default_factory=list)  # every stored message, in posting order
    responses: list[dict[str, Any]] = field(default_factory=list)  # what respond() sent to response URLs
    acks: list[dict[str, Any]] = field(default_factory=list)  # Socket Mode acknowledgements received
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    rate_limited: dict[str, int] = field(default_factory=dict)  # channel → Retry-After of its 429s, while set
    post_delay: float = 0.0  # network latency played after chat.postMessage stored a message, before the answer
    _extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # more fields for a scripted error
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _changed: asyncio.Condition | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "1") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    # ------------------------------------------------------------------ scripting

    def fail_next(self, method: str, status: int = 500, *, retry_after: int | None = None, error: str | None = None,
                  times: int = 1, after: int = 0) -> None:
        """Answer the next `times` calls of `method` with `status` (429 sends Retry-After)."""
        code = error or ("ratelimited" if status == 429 else "internal_error")
        self.faults.setdefault(method, []).append(Fault(status, code, retry_after, times=times, after=after))

    def error_next(self, method: str, error: str, *, times: int = 1, after: int = 0, **extra: Any) -> None:
        """Answer the next call(s) of `method` with HTTP 200 and {"ok": false, "error": error}."""
        self.faults.setdefault(method, []).append(Fault(200, error, times=times, after=after))
        self._extra[error] = extra

    def store_then_fail_next(self, method: str, status: int = 500, *, drop: bool = False, after: int = 0) -> None:
        """Do the next call's work, then answer `status` (or drop the connection): an uncertain outcome."""
        self.faults.setdefault(method, []).append(Fault(status, "internal_error", store=True, drop=drop, after=after))

    def post_as(self, bot_id: str, channel: str, text: str, metadata: dict[str, Any] | None = None) -> Posted:
        """A message posted by another app (e.g. a second Clausewatch installation)."""
        seq = next(self._seq)
        posted = Posted(channel, f"{1_760_000_000 + seq}.{seq:06d}", text, [], metadata, None, {}, bot_id)
        self.messages.append(posted)
        return posted

    def delete(self, channel: str, ts: str) -> None:
        """Delete a message, as a user would (the thread goes with its first post)."""
        self.messages = [m for m in self.messages if not (m.channel == channel and (m.ts == ts or m.thread_ts == ts))]

    # ------------------------------------------------------------------ reading state

    def top_level(self, channel: str) -> list[Posted]:
        return [m for m in self.messages if m.channel == channel and m.thread_ts in (None, m.ts)]

    def replies(self, channel: str, ts: str) -> list[Posted]:
        return [m for m in self.messages if m.channel == channel and m.thread_ts == ts and m.ts != ts]

    def in_channel(self, channel: str) -> list[Posted]:
        return [m for m in self.messages if m.channel == channel]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait for a state change that makes `predicate` true."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ slash commands

    def slash_command(self, text: str, *, user: str = "U0MEMBER", channel: str = "C0ARTISTS",
                      response: str = "1") -> dict[str, str]:
        """The fields Slack sends for `/policy text` (form-encoded over HTTP, the payload in Socket Mode)."""
        return {
            "token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "cloudtune-fans",
            "channel_id": channel, "channel_name": "artists", "user_id": user, "user_name": user.lower(),
            "command": "/policy", "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
            "response_url": self.response_url(response), "trigger_id": f"trigger-{response}",
        }

    async def wait_connected(self, timeout: float = 5.0) -> None:
        await self.wait_until(lambda: any(not ws.closed for ws in self._sockets), timeout)

    async def push(self, kind: str, payload: dict[str, Any]) -> str:
        """Send a Socket Mode envelope to the connected app; returns its envelope id."""
        envelope_id = f"env-{next(self._seq)}"
        ws = next(ws for ws in self._sockets if not ws.closed)
        await ws.send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                            "accepts_response_payload": kind != "events_api", "retry_attempt": 0, "retry_reason": ""})
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        await self.wait_until(lambda: any(a.get("envelope_id") == envelope_id for a in self.acks), timeout)
        return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    # ------------------------------------------------------------------ HTTP handlers

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        raw = await request.text()
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json" and raw:
            params.update(json.loads(raw))
        elif raw:
            params.update(dict(await request.post()))
        call = Call(method, params, raw, asyncio.get_running_loop().time())
        self.calls.append(call)
        try:
            return await self._answer(request, method, params, call)
        finally:
            await self._notify()

    async def _answer(self, request: web.Request, method: str, params: dict[str, Any], call: Call) -> web.StreamResponse:
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if request.headers.get("Authorization") != f"Bearer {expected}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "chat.postMessage" and str(params.get("channel")) in self.rate_limited:
            call.status = 429
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(self.rate_limited[str(params["channel"])])})
        fault = self._take_fault(method)
        if fault is not None and not fault.store:
            call.status = fault.status
            if fault.drop:
                return self._drop(request)
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            body = {"ok": False, "error": fault.error, **self._extra.get(fault.error or "", {})}
            return web.json_response(body, status=fault.status, headers=headers)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        result: dict[str, Any] = handler(params)
        if method == "chat.postMessage" and self.post_delay:
            await asyncio.sleep(self.post_delay)  # a crash of the client now leaves the post unconfirmed
        if fault is not None:
            call.status = fault.status
            if fault.drop:
                return self._drop(request)
            return web.json_response({"ok": False, "error": fault.error}, status=fault.status)
        return web.json_response(result)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        if fault.after > 0:
            fault.after -= 1
            return None
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        body["_response"] = request.match_info["id"]
        self.responses.append(body)
        await self._notify()
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID},
                            "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600}})
        await self._notify()
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                self.acks.append(json.loads(frame.data))
                await self._notify()
        self._sockets.remove(ws)
        await self._notify()
        return ws

    # ------------------------------------------------------------------ Web API methods

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://cloudtune-fans.slack.com/", "team": "Cloudtune Fans", "user": "clausewatch",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user"))
        return {"ok": True, "user": {"id": user, "team_id": TEAM_ID, "name": user.lower(), "deleted": False,
                                     "is_admin": user in self.admins, "is_owner": user in self.owners,
                                     "is_primary_owner": False, "is_bot": False}}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        blocks = params.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        text = params.get("text") or ""
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not text and not blocks:
            return {"ok": False, "error": "no_text"}
        if len(text) > TEXT_CHARS:
            return {"ok": False, "error": "msg_too_long"}
        if not _blocks_valid(blocks):
            return {"ok": False, "error": "invalid_blocks"}
        thread_ts = params.get("thread_ts") or None
        if thread_ts is not None and not any(m.channel == channel and m.ts == thread_ts for m in self.messages):
            return {"ok": False, "error": "thread_not_found"}
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        seq = next(self._seq)
        ts = f"{1_760_000_000 + seq}.{seq:06d}"
        self.messages.append(Posted(channel, ts, text, blocks, metadata, thread_ts, params))
        return {"ok": True, "channel": channel, "ts": ts, "message": self._public(self.messages[-1], True)}

    def _public(self, message: Posted, with_metadata: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "message", "user": BOT_USER_ID, "bot_id": message.bot_id, "app_id": APP_ID,
                                "ts": message.ts, "text": message.text, "blocks": message.blocks}
        if message.thread_ts is not None:
            data["thread_ts"] = message.thread_ts
        elif self.replies(message.channel, message.ts):
            data["thread_ts"] = message.ts
            data["reply_count"] = len(self.replies(message.channel, message.ts))
        if with_metadata and message.metadata is not None:
            data["metadata"] = message.metadata
        return data

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel"))
        newest_first = list(reversed(self.top_level(channel)))
        return self._page(newest_first, params)

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel")), str(params.get("ts"))
        parent = [m for m in self.top_level(channel) if m.ts == ts]
        if not parent:
            return {"ok": False, "error": "thread_not_found"}
        return self._page(parent + self.replies(channel, ts), params)

    def _page(self, items: list[Posted], params: dict[str, Any]) -> dict[str, Any]:
        limit = int(params.get("limit") or 100)
        start = int(params.get("cursor") or 0)
        chunk = items[start : start + limit]
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        more = start + limit < len(items)
        return {"ok": True, "messages": [self._public(m, with_metadata) for m in chunk], "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _chat_getPermalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel")), str(params.get("message_ts"))
        if not any(m.channel == channel and m.ts == ts for m in self.messages):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": channel,
                "permalink": f"https://cloudtune-fans.slack.com/archives/{channel}/p{ts.replace('.', '')}"}


def _blocks_valid(blocks: list[dict[str, Any]]) -> bool:
    if len(blocks) > MAX_BLOCKS:
        return False
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            limit = HEADER_CHARS if block.get("type") == "header" else SECTION_CHARS
            if not text.get("text") or len(text["text"]) > limit:
                return False
    return True


def form_body(fields: dict[str, str]) -> str:
    """A slash command as Slack posts it over HTTP."""
    return urlencode(fields)
