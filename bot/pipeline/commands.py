"""The one implementation of `/policy`: answers every subcommand from the store and the configuration,
checks who may change the configuration, and applies feed and subscription changes. Slack and Discord
adapters only translate to and from it: Discord's typed options arrive as they are, Slack's text is parsed
here, once.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import quote, urlsplit

from bot.core.commands import (
    COMMAND_NAME,
    Choice,
    CommandReply,
    CommandRequest,
    CommandSyntaxError,
    ParsedCommand,
    write_help,
)
from bot.core.config import Config
from bot.core.news.entries import FeedParseError
from bot.core.overrides import FeedChange
from bot.core.routing import RouteTable, Subscription, chat_channel_id
from bot.core.text import fold
from bot.core.topics import TOPICS
from bot.pipeline.reports import diff_report, history_report, status_report, stories_report, why_report
from bot.sources.feed_parser import parse_feed_async
from bot.sources.fetcher import Fetcher
from bot.store.database import Store

log = logging.getLogger(__name__)
MAX_LINES = 15
# Commands that make the bot fetch or search (`feeds add`, `why`) wait this long between two uses by one
# user, and by anyone in one channel: anyone in a community can type them.
USER_COOLDOWN = 30.0
CHANNEL_COOLDOWN = 5.0


class PolicyCommands:
    """CommandService over the live App state. `config` and `routes` are read through callables because
    commands change them; `changed` is awaited after a change so the App rebuilds routes and sources."""

    def __init__(self, store: Store, fetcher: Fetcher, config: Callable[[], Config], routes: Callable[[], RouteTable],
                 changed: Callable[[], Awaitable[None]], clock: Callable[[], datetime]) -> None:
        self.store = store
        self.fetcher = fetcher
        self.config = config
        self.routes = routes
        self.changed = changed
        self.clock = clock
        self._last_use: dict[tuple[str, str], float] = {}

    # --- CommandService ---------------------------------------------------------------------

    def complete_platform(self, prefix: str) -> list[Choice]:
        wanted = fold(prefix.strip())
        choices = []
        for platform in self.config().platforms.values():
            names = (platform.id, platform.name, *platform.aliases)
            if not wanted or any(fold(n).startswith(wanted) or wanted in fold(n) for n in names):
                choices.append(Choice(platform.name, platform.id))
        return sorted(choices, key=lambda c: (not fold(c.name).startswith(wanted), c.name.lower()))[:25]

    async def handle(self, request: CommandRequest) -> CommandReply:
        try:
            command = request.parsed()
        except CommandSyntaxError as error:
            return CommandReply("That command did not parse", (str(error),), ephemeral=True, ok=False)
        if command.changes_config and not self._may_change(request):
            return CommandReply(
                "Only admins can change what this bot watches",
                (f"`/{COMMAND_NAME} {command.name}` changes the configuration: it needs Manage Server on Discord, "
                 "a workspace admin on Slack, or a user or role listed under `chat` in feeds.yaml.",),
                ephemeral=True, ok=False,
            )
        wait = self._cooldown(request, command)
        if wait:
            return CommandReply("Not so fast", (f"`/{COMMAND_NAME} {command.name}` can be used again in {wait:.0f}s.",),
                                ephemeral=True, ok=False)
        try:
            return await getattr(self, f"_{command.name}")(request, command)
        except Exception:  # a command must never take the bot down; the user gets a clear answer
            log.exception("/%s %s failed", COMMAND_NAME, request.text, extra={"chat": request.chat})
            return CommandReply("Something went wrong answering that", ("The error is in the bot's log.",),
                                ephemeral=True, ok=False)

    def _cooldown(self, request: CommandRequest, command: ParsedCommand) -> float:
        """Seconds to wait before this user (or channel) may run a fetching command again; 0 to go."""
        if not (command.name == "why" or (command.name, command.action) == ("feeds", "add")):
            return 0.0
        now = self.clock().timestamp()
        keys = ((f"user:{request.chat}:{request.user}", USER_COOLDOWN),
                (f"channel:{request.chat}:{request.channel}", CHANNEL_COOLDOWN))
        waits = [last + pause - now for key, pause in keys if (last := self._last_use.get((key, command.name))) is not None]
        wait = max(waits, default=0.0)
        if wait > 0:
            return wait
        for key, _ in keys:
            self._last_use[(key, command.name)] = now
        return 0.0

    def _may_change(self, request: CommandRequest) -> bool:
        chat = self.config().chat
        return request.is_admin or request.user in chat.admin_users or bool(chat.admin_roles.intersection(request.roles))

    # --- read-only ------------------------------------------------------------------------------

    def _platform(self, name: str) -> tuple[str | None, CommandReply | None]:
        """Resolve a platform by id, name or alias; else a helpful reply listing close names."""
        config = self.config()
        wanted = fold(name)
        for platform in config.platforms.values():
            if wanted in {fold(platform.id), fold(platform.name), *(fold(a) for a in platform.aliases)}:
                return platform.id, None
        names = {fold(p.name): p.id for p in config.platforms.values()} | {p.id: p.id for p in config.platforms.values()}
        close = sorted({names[n] for n in difflib.get_close_matches(wanted, list(names), n=5, cutoff=0.5)})
        hint = f"Did you mean: {', '.join(close)}?" if close else f"Watched: {', '.join(sorted(config.platforms)[:30])}"
        return None, CommandReply(f"No watched platform is called {name!r}", (hint,), ephemeral=True, ok=False)

    async def _help(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        return CommandReply(f"/{COMMAND_NAME} commands", write_help(), ephemeral=True)

    async def _platforms(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        config = self.config()
        lines = tuple(
            f"{p.name} ({p.id}): {len(p.documents)} documents, {len(p.feeds)} feeds"
            for p in sorted(config.platforms.values(), key=lambda p: p.name.lower())
        )
        return CommandReply(f"Watching {len(lines)} platforms", _capped(lines))

    async def _status(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        platform_id, problem = self._platform(command.arg("platform"))
        if problem:
            return problem
        assert platform_id is not None
        report = await status_report(self.config(), self.store, platform_id)
        lines: list[str] = []
        severity = "low"
        for doc in report["documents"]:
            ai = doc.get("ai_training")
            stance = ("not fetched yet" if ai is None else
                      "grants AI-training use of user content" if ai["granted"] else "no AI-training clause")
            lines.append(f"{doc['type']}: {stance}; last change {doc['last_change'] or 'none seen'}"
                         + (f"; effective {doc['effective_date']}" if doc.get("effective_date") else ""))
            if ai and ai["granted"]:
                severity = "high"
                lines.append(f"  “{_clip(ai['clause'] or '', 280)}”")
                lines.append("  opt-out mentioned" if ai["opt_out"] else "  no opt-out mentioned")
        stories = await stories_report(self.config(), self.store, platform_id, limit=3)
        for story in stories["stories"]:
            lines.append(f"Story: {story['title']} ({story['items']} items, last {story['last_at']})")
        statement = report.get("statement")
        if statement:
            lines.append(f"Latest statement: {statement['speaker']} ({statement['channel']}), {statement['at']}")
            lines.extend(f"  • {point}" for point in statement["points"])
        return CommandReply(f"{report['name']}: terms status", _capped(tuple(lines)) or ("Nothing recorded yet.",),
                            url=self._page(f"platforms/{quote(platform_id, safe='')}"), severity=severity)

    async def _diff(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        platform_id, problem = self._platform(command.arg("platform"))
        if problem:
            return problem
        assert platform_id is not None
        report = await diff_report(self.config(), self.store, platform_id, command.text("document"))
        if not report["changes"]:
            return CommandReply(f"No clause changes recorded for {platform_id} yet", ())
        change = report["changes"][0]
        lines = [f"{c['kind']}: {c.get('path') or c.get('old_path') or ''}"
                 + f" — {_clip(c.get('new_text') or c.get('old_text') or '', 200)}"
                 for c in change["clauses"]]
        fields = (("Severity", change["severity"]), ("Topics", ", ".join(change["topics"]) or "-"))
        page = self._page(f"changes/{quote(change['key'] or '', safe='')}") if change.get("key") else None
        return CommandReply(f"{change['document']} changed on {change['new_version_at']}", _capped(tuple(lines)),
                            fields=(*fields, ("Full diff", page)) if page else fields,
                            url=change["url"] if str(change["url"]).startswith(("http://", "https://")) else None,
                            severity=change["severity"])

    def _page(self, path: str) -> str | None:
        """The address of a page of the web view, when `web.base_url` is set."""
        web = self.config().web
        return f"{web.base_url}/{path}" if web is not None and web.base_url else None

    async def _history(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        platform_id, problem = self._platform(command.arg("platform"))
        if problem:
            return problem
        assert platform_id is not None
        report = await history_report(self.config(), self.store, platform_id, command.text("document"))
        lines: list[str] = []
        for doc in report["documents"]:
            lines.append(f"{doc['type']}: {len(doc['versions'])} versions, {len(doc['changes'])} substantive changes")
            for change in doc["changes"][:3]:
                lines.append(f"  {change['new_version_at']}: {', '.join(change['kinds'])} ({change['severity']})")
        return CommandReply(f"{platform_id}: history", _capped(tuple(lines)) or ("Nothing recorded yet.",))

    async def _stories(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        platform_id = None
        if command.text("platform") is not None:
            platform_id, problem = self._platform(command.arg("platform"))
            if problem:
                return problem
        report = await stories_report(self.config(), self.store, platform_id, limit=10)
        lines = tuple(f"{s['title']} ({s['platform'] or 'no platform'}; {s['items']} items; last {s['last_at']})"
                      for s in report["stories"])
        return CommandReply("Recent stories", lines or ("No stories yet.",))

    async def _why(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        report = await why_report(self.config(), self.store, command.arg("url").strip("<>"))
        if not report["seen"]:
            return CommandReply("Never seen", (report["reason"],), ephemeral=True)
        lines: list[str] = []
        for entry in report["entries"]:
            lines.append(f"Seen in {entry['source']} on {entry['first_seen_at']}, platform {entry['platform'] or 'none'}"
                         + (f": {entry['attribution']}" if entry.get("attribution") else ""))
            for post in entry["posts"]:
                where = ", ".join(f"{d['channel_id']}: {d['status']}" for d in post["deliveries"]) or post["reason"]
                lines.append(f"  {post['event']} → {where}")
            if entry["reason"]:
                lines.append(f"  not posted: {entry['reason']}")
        return CommandReply("What happened to this link", _capped(tuple(lines)), ephemeral=True)

    # --- configuration -------------------------------------------------------------------------

    def _route_id(self, request: CommandRequest) -> str:
        existing = self.routes().find(request.chat, request.channel)
        return existing.id if existing else chat_channel_id(request.chat, request.channel)

    async def _subscriptions(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        routes = self.routes()
        channel = routes.find(request.chat, request.channel)
        if channel is None:
            return CommandReply("This channel has no subscriptions",
                                (f"Add one with /{COMMAND_NAME} subscribe <platform|topic>.",), ephemeral=True)
        lines: list[str] = []
        if channel.id in routes.seeded:
            platforms = "all platforms" if channel.platforms is None else ", ".join(sorted(channel.platforms)) or "none"
            topics = "all topics" if channel.topics is None else ", ".join(sorted(channel.topics))
            lines.append(f"From feeds.yaml ({channel.id}): {platforms}; {topics}")
        lines.extend(f"{s.kind}: {s.value}" for s in routes.subscriptions.get(channel.id, ()))
        if channel.id in routes.disabled:
            lines.append(f"Delivery is switched off: {routes.disabled[channel.id]}")
            lines.append(f"Once that is fixed, an admin can run /{COMMAND_NAME} resume here.")
        return CommandReply("This channel's subscriptions", tuple(lines) or ("None.",))

    async def _resume(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        channel = self.routes().find(request.chat, request.channel)
        if channel is None or not await self.store.enable_route(channel.id):
            return CommandReply("Delivery to this channel is not switched off", (), ephemeral=True)
        await self.changed()
        return CommandReply("Delivery resumed", ("Posts held back meanwhile go out with the next delivery round.",))

    def _subscription(self, request: CommandRequest, value: str) -> tuple[Subscription | None, CommandReply | None]:
        if fold(value) in TOPICS or value in TOPICS:
            return Subscription(self._route_id(request), "topic", fold(value)), None
        platform_id, problem = self._platform(value)
        if problem:
            return None, CommandReply(problem.title, (*problem.lines, f"Topics: {', '.join(TOPICS)}"), ephemeral=True, ok=False)
        assert platform_id is not None
        return Subscription(self._route_id(request), "platform", platform_id), None

    async def _subscribe(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        subscription, problem = self._subscription(request, command.arg("target"))
        if problem:
            return problem
        assert subscription is not None
        added = await self.store.add_subscription(subscription, request.user, self._now())
        if added:
            await self.changed()
        return CommandReply(
            f"Subscribed to {subscription.kind} {subscription.value}" if added else f"Already subscribed to {subscription.value}",
            ("New stories, statements and clause changes about it will be posted here.",),
        )

    async def _unsubscribe(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        subscription, problem = self._subscription(request, command.arg("target"))
        if problem:
            return problem
        assert subscription is not None
        removed = await self.store.remove_subscription(subscription)
        if removed:
            await self.changed()
            return CommandReply(f"Unsubscribed from {subscription.kind} {subscription.value}", ())
        lines = ["This channel had no such subscription."]
        if subscription.channel_id in self.routes().seeded:
            lines.append("Routes written in feeds.yaml are changed there.")
        return CommandReply(f"Not subscribed to {subscription.value}", tuple(lines), ephemeral=True, ok=False)

    async def _feeds(self, request: CommandRequest, command: ParsedCommand) -> CommandReply:
        if command.action == "list":
            return await self._feeds_list()
        if command.action == "remove":
            return await self._feeds_remove(request, command.arg("feed"))
        return await self._feeds_add(request, command.arg("url").strip("<>"), command.text("platform"))

    async def _feeds_list(self) -> CommandReply:
        config = self.config()
        lines = [f"{spec.id}: {spec.location}" + (f" ({spec.platform})" if spec.platform else "")
                 for spec in config.sources() if spec.kind == "feed"]
        return CommandReply(f"{len(lines)} news feeds", _capped(tuple(lines)))

    async def _feeds_add(self, request: CommandRequest, url: str, platform: str | None) -> CommandReply:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            return CommandReply("Only http(s) feed URLs can be added", (f"Got {url!r}.",), ephemeral=True, ok=False)
        platform_id = None
        if platform is not None:
            platform_id, problem = self._platform(platform)
            if problem:
                return problem
        config = self.config()
        if any(spec.url == url for spec in config.sources()):
            return CommandReply("That feed is already watched", (url,), ephemeral=True, ok=False)
        result = await self.fetcher.fetch(url)
        if result.outcome != "ok":
            return CommandReply("Could not add the feed", (f"Fetching it failed: {result.error}",), ephemeral=True, ok=False)
        try:
            feed = await parse_feed_async(result.body, url)
        except FeedParseError as error:
            return CommandReply("Could not add the feed", (f"It is not an RSS or Atom feed: {error}",), ephemeral=True, ok=False)
        feed_id = "chat-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:10]
        await self.store.record_feed_change(FeedChange(feed_id, "add", url, platform_id, feed.title or None,
                                                       request.user, self._now()))
        await self.changed()
        return CommandReply(
            f"Now watching {feed.title or url}",
            (f"{len(feed.entries)} entries found; new ones from the next poll on.", f"Feed id: {feed_id}"),
            fields=(("Platform", platform_id or "matched per article"),),
        )

    async def _feeds_remove(self, request: CommandRequest, feed_id: str) -> CommandReply:
        config = self.config()
        spec = next((s for s in config.sources() if s.id == feed_id and s.kind == "feed"), None)
        if spec is None:
            return CommandReply(f"No feed has the id {feed_id!r}", (f"See /{COMMAND_NAME} feeds list.",),
                                ephemeral=True, ok=False)
        await self.store.record_feed_change(FeedChange(feed_id, "remove", spec.url, spec.platform, None, request.user,
                                                       self._now()))
        await self.changed()
        return CommandReply(f"Stopped watching {feed_id}", (spec.location,))

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _capped(lines: tuple[str, ...]) -> tuple[str, ...]:
    if len(lines) <= MAX_LINES:
        return lines
    return (*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES} more")

