"""The Discord adapter: one bot connection (discord.py, over its own connector: endpoints.py) that delivers
messages as threaded embeds to configured channels and carries the `/policy` tree (commands.py). It
translates only: what to answer and where threads live are decided elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import discord

from bot.chat.discord.commands import DiscordCommands, PolicyTree
from bot.chat.discord.endpoints import DEFAULT_API_URL, DEFAULT_GATEWAY_URL, EndpointError, Endpoints
from bot.chat.discord.render import NO_MENTIONS, Post, nonce, render_message, story_marker, thread_name
from bot.chat.outputs import ChatSetupError, DeliveryError, Output, ThreadBook
from bot.core.commands import COMMAND_NAME, CommandService
from bot.core.config import Channel
from bot.core.messages import Message

log = logging.getLogger(__name__)

# What the bot needs in a channel: see it, post, embed links, read history (to find a thread it
# started), create public threads and post in them. Forum posts need the same.
PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True,
                                  read_message_history=True, create_public_threads=True,
                                  send_messages_in_threads=True)
SCOPES: tuple[str, ...] = ("bot", "applications.commands")
# Errors Discord gives for a thread we can no longer post in.
_THREAD_CLOSED_CODES = frozenset({50083, 160005})  # archived, locked
_THREAD_ALREADY_STARTED = 160004
_REFUSALS: dict[int, str] = {
    50001: "Missing Access",
    50013: "Missing Permissions",
    10003: "Unknown Channel",
}
_ADVICE: dict[int, str] = {
    50001: "add the bot to that channel (it needs View Channel)",
    50013: "give the bot Send Messages, Embed Links, Create Public Threads and Send Messages in Threads",
    10003: "the channel was deleted or the bot is not in that server",
}
_UNCERTAIN = (discord.DiscordServerError, aiohttp.ClientError, OSError, asyncio.TimeoutError)
_CLOCK_SLACK = timedelta(minutes=1)  # how far Discord's clock may lag ours when an earlier try's post is looked for


class DiscordStartError(ChatSetupError):
    """The bot could not connect: bad token, unreachable Discord, or no READY in time."""


def invite_url(application_id: str) -> str:
    """The OAuth2 URL that adds the bot to a server with the scopes and permissions it needs."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


class _ThreadGone(Exception):
    """The stored thread cannot take posts any more (deleted, locked, archived for good)."""


class _Pacer:
    """At most one post per `pace` seconds per Discord channel (a thread counts with its parent)."""

    def __init__(self, pace: float) -> None:
        self.pace = pace
        self._next: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def wait(self, channel_id: int) -> None:
        if self.pace <= 0:
            return
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            loop = asyncio.get_running_loop()
            delay = self._next.get(channel_id, 0.0) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next[channel_id] = loop.time() + self.pace


class _Client(discord.Client):
    """discord.Client with the `/policy` tree, synced at login when asked."""

    def __init__(self, *, sync_commands: bool, **options: Any) -> None:
        super().__init__(**options)
        self.sync_commands = sync_commands
        self.tree = PolicyTree(self)

    async def setup_hook(self) -> None:
        if self.sync_commands:
            synced = await self.tree.sync()
            log.info("registered /%s with %d subcommands", COMMAND_NAME, len(synced))


class _ShardedClient(_Client, discord.AutoShardedClient):
    """The same client over several gateway shards (`discord.shards`), for bots in many servers."""


class DiscordBridge:
    """One Discord bot session: delivery outputs for `discord` channels and the `/policy` command."""

    def __init__(self, token: str, *, commands: CommandService, threads: ThreadBook, api_url: str | None = None,
                 gateway_url: str | None = None, ca_file: str | None = None, pace: float = 1.0,
                 sync_commands: bool = False, guild_ready_timeout: float = 2.0, shards: int | str | None = None) -> None:
        """`api_url`, `gateway_url` and `ca_file` point this client (only) at another Discord (endpoints.py);
        with any of them set, construct the bridge inside the running event loop. Raises DiscordStartError
        for an endpoint discord.py cannot be pointed at."""
        self.token = token
        self.commands = commands
        self.threads = threads
        self.api_url = api_url
        self.gateway_url = gateway_url
        try:
            self.endpoints = Endpoints.from_urls(api_url, gateway_url, ca_file)
        except EndpointError as error:
            raise DiscordStartError(str(error)) from None
        self.pacer = _Pacer(pace)
        # The bot never joins voice: silence discord.py's start-up warnings about voice libraries.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        self.connector = self.endpoints.build_connector()
        sharding: dict[str, Any] = {}
        if shards is not None:  # "auto": as many as Discord recommends (GET /gateway/bot)
            sharding["shard_count"] = None if shards == "auto" else int(shards)
        self.client = (_ShardedClient if shards is not None else _Client)(
            **sharding,
            sync_commands=sync_commands,
            connector=self.connector,
            intents=discord.Intents(guilds=True),  # no privileged intents
            allowed_mentions=NO_MENTIONS,
            guild_ready_timeout=guild_ready_timeout,
            max_ratelimit_timeout=30.0,  # a longer 429 wait fails the delivery (retried later) instead of blocking
        )
        self.client.tree.add_command(DiscordCommands(commands).build_group())
        self._connection: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self, ready_timeout: float = 30.0) -> None:
        """Log in and connect in a background task; return once Discord says READY.

        Raises DiscordStartError on a rejected token, an unreachable Discord or no READY in time."""
        if self._connection is not None:
            raise RuntimeError("the Discord bridge is already started")
        await self._log_in(ready_timeout)
        self._connection = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait({self._connection, ready}, timeout=ready_timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            self._connection.add_done_callback(_log_connection_end)
            return
        ready.cancel()
        if self._connection in done:
            failure = self._connection.exception()
            self._connection = None
            await self.close()
            gateway = self.gateway_url or DEFAULT_GATEWAY_URL
            raise DiscordStartError(f"cannot connect to the Discord gateway at {gateway}: "
                                    f"{_describe(_root_cause(failure))}") from failure
        self._connection.cancel()  # it may be waiting to reconnect; nothing to finish
        await self.close()
        raise DiscordStartError(f"Discord gateway did not become ready within {ready_timeout:g}s")

    async def _log_in(self, timeout: float) -> None:
        where = self.api_url or DEFAULT_API_URL
        try:
            await asyncio.wait_for(self.client.login(self.token), timeout)
        except discord.LoginFailure as error:
            await self.close()
            raise DiscordStartError("Discord rejected the bot token (401 Unauthorized): check DISCORD_TOKEN") from error
        except (discord.HTTPException, *_UNCERTAIN) as error:
            await self.close()
            raise DiscordStartError(f"cannot log in to Discord at {where}: {_describe(error)}") from error

    async def close(self) -> None:
        """Close the gateway and the HTTP session; a reconnect loop still waiting is cancelled."""
        await self.client.close()
        if self.connector is not None:  # closed with the session, unless login never opened one
            await self.connector.close()
        if self._connection is not None:
            connection, self._connection = self._connection, None
            done, _ = await asyncio.wait({connection}, timeout=1.0)
            if not done:
                connection.cancel()
            await asyncio.gather(connection, return_exceptions=True)

    @property
    def ready(self) -> bool:
        return self.client.is_ready()

    def output_for(self, channel: Channel) -> Output:
        """The output that delivers to the Discord channel `channel.target` (a text or forum channel id)."""
        if channel.kind != "discord":
            raise ValueError(f"channel {channel.id} is a {channel.kind} channel, not a discord one")
        return DiscordOutput(self, channel)


class DiscordOutput:
    """Delivers messages to one Discord channel: a message opens a thread, replies go into it."""

    records_attempts = True

    def __init__(self, bridge: DiscordBridge, channel: Channel) -> None:
        self.channel = channel
        self.bridge = bridge
        self._lock = asyncio.Lock()
        self._unconfirmed: set[str] = set()  # events whose forum post Discord may have made without saying so
        try:
            self.target_id = int(channel.target)
        except ValueError:
            self.target_id = 0

    async def deliver(self, message: Message, unsure: bool = False) -> None:
        async with self._lock:
            if self.target_id <= 0:
                raise DeliveryError(f"Discord channel id {self.channel.target!r} is not a number", disable_route=True)
            if self.bridge.client.user is None:
                raise DeliveryError("the Discord bot is not logged in yet")
            try:
                await self._deliver(message, unsure)
            except DeliveryError:
                raise
            except discord.RateLimited as error:
                raise DeliveryError(f"Discord rate limit: retry in {error.retry_after:.0f}s",
                                    retry_after=error.retry_after) from error
            except discord.HTTPException as error:
                raise self._failure(error) from error
            except _UNCERTAIN as error:
                raise DeliveryError(f"Discord did not answer: {_describe(error)}") from error

    async def close(self) -> None:
        """Nothing per channel: the bridge owns the connection."""

    # ------------------------------------------------------------------ delivery steps

    async def _deliver(self, message: Message, unsure: bool = False) -> None:
        posts = render_message(message)
        ref = await self.bridge.threads.find_thread(self.channel.id, message.thread)
        if ref is not None and ref.isdigit():
            # A retried opener whose thread exists already only lacks its continuation posts.
            first = 0 if message.reply_to is not None else 1
            try:
                await self._post(int(ref), posts[first:], message.key, first)
                return
            except _ThreadGone:
                log.info("channel %s: thread %s of %s is gone; opening a new one", self.channel.id, ref, message.thread,
                         extra={"channel": self.channel.id})
        previous = int(ref) if ref is not None and ref.isdigit() else None
        if previous is not None:
            posts = render_message(message, content=f"Earlier in this story: <#{previous}>")
        thread_id = await self._open(message, posts[0], unsure)
        await self.bridge.threads.remember_thread(self.channel.id, message.thread, str(thread_id))
        try:
            await self._post(thread_id, posts[1:], message.key, 1)
        except _ThreadGone as error:
            raise DeliveryError(f"the new Discord thread {thread_id} closed at once") from error

    async def _target(self) -> discord.abc.GuildChannel:
        client = self.bridge.client
        channel = client.get_channel(self.target_id)
        if channel is None:
            channel = await client.fetch_channel(self.target_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            raise DeliveryError(f"Discord channel {self.target_id} is not a server channel", disable_route=True)
        return channel

    async def _open(self, message: Message, post: Post, unsure: bool = False) -> int:
        """Start the story's thread with its first post; returns the thread's channel id."""
        target = await self._target()
        name = thread_name(message.title)
        await self.bridge.pacer.wait(self.target_id)
        if isinstance(target, discord.ForumChannel):
            # A forum post takes no nonce: one that an earlier try made (its answer lost, or the process killed
            # before the thread was recorded) is looked for, when one may exist, among the forum's active threads.
            if unsure or message.key in self._unconfirmed:
                found = await self._find_post(target, name, message.key, since=_moment(message.at) - _CLOCK_SLACK)
                if found is not None:
                    self._unconfirmed.discard(message.key)
                    return found
            self._unconfirmed.add(message.key)  # until Discord answers: a lost answer leaves a post behind
            created = await target.create_thread(name=name, content=post.content, embed=post.embed,
                                                 allowed_mentions=NO_MENTIONS)
            self._unconfirmed.discard(message.key)
            return created.thread.id
        if isinstance(target, discord.TextChannel):  # text and announcement channels
            sent = await target.send(content=post.content, embed=post.embed, nonce=nonce(message.key),
                                     allowed_mentions=NO_MENTIONS)
            if sent.thread is not None:  # a re-sent opener (same nonce) that had its thread already
                return sent.thread.id
            try:
                thread = await sent.create_thread(name=name)
            except discord.HTTPException as error:
                if error.code == _THREAD_ALREADY_STARTED:
                    return sent.id  # a thread started from a message has the message's id
                raise
            return thread.id
        raise DeliveryError(f"Discord channel {self.target_id} is a {target.type} channel; use a text or forum channel",
                            disable_route=True)

    async def _find_post(self, forum: discord.ForumChannel, name: str, key: str, since: datetime) -> int | None:
        """The active post of ours in `forum` for the event `key`: named `name`, created since `since` (when the
        event was recorded), and its first message carrying the event's marker in its footer — another story
        with the same title, even one posted the same minute, keeps its own post."""
        me = self.bridge.client.user
        if me is None:
            return None
        marker = story_marker(key)
        for thread in await forum.guild.active_threads():
            if thread.parent_id != forum.id or thread.name != name or thread.owner_id != me.id:
                continue
            if (thread.created_at or discord.utils.snowflake_time(thread.id)) < since:
                continue
            try:
                starter = await thread.fetch_message(thread.id)  # a forum post's first message has the post's id
            except discord.HTTPException:
                continue
            if any(marker and marker in ((embed.footer.text if embed.footer else None) or "")
                   for embed in starter.embeds):
                return thread.id
        return None

    async def _post(self, thread_id: int, posts: list[Post], key: str, first: int) -> None:
        """Send posts into a thread, each with its own nonce; revive an archived thread once."""
        target = self.bridge.client.get_partial_messageable(thread_id, type=discord.ChannelType.public_thread)
        for part, post in enumerate(posts, first):
            for attempt in (1, 2):
                await self.bridge.pacer.wait(self.target_id)
                try:
                    await target.send(content=post.content, embed=post.embed, nonce=nonce(key, part),
                                      allowed_mentions=NO_MENTIONS)
                    break
                except discord.HTTPException as error:
                    if not _thread_refused(error):
                        raise
                    if attempt == 2:
                        raise _ThreadGone(thread_id) from error
                    await self._revive(thread_id, error)

    async def _revive(self, thread_id: int, error: discord.HTTPException) -> None:
        """Unarchive a thread that is archived but not locked; otherwise it is gone."""
        if isinstance(error, discord.NotFound):
            raise _ThreadGone(thread_id) from error
        try:
            thread = await self.bridge.client.fetch_channel(thread_id)
        except (discord.NotFound, discord.Forbidden) as lookup:
            raise _ThreadGone(thread_id) from lookup
        if not isinstance(thread, discord.Thread) or thread.locked or not thread.archived:
            raise _ThreadGone(thread_id) from error
        try:
            await thread.edit(archived=False)
        except discord.Forbidden as refused:
            raise _ThreadGone(thread_id) from refused

    def _failure(self, error: discord.HTTPException) -> DeliveryError:
        where = f"channel {self.target_id} (route {self.channel.id})"
        if error.status in (403, 404) and error.code in _REFUSALS:
            reason = f"Discord says {_REFUSALS[error.code]} ({error.code}) in {where}: {_ADVICE[error.code]}"
            return DeliveryError(reason, disable_route=True)
        if error.status == 403:
            return DeliveryError(f"Discord refused access ({error.code}: {error.text}) in {where}", disable_route=True)
        if error.status == 429 or error.status >= 500:
            return DeliveryError(f"Discord is busy ({error.status}) for {where}; will retry")
        # 400 Invalid Form Body and 413 are about the message itself: sending it again cannot help.
        return DeliveryError(f"Discord rejected the message for {where} ({error.status}, code {error.code}: "
                             f"{error.text})", retryable=error.status not in (400, 413))


def _thread_refused(error: discord.HTTPException) -> bool:
    return isinstance(error, (discord.NotFound, discord.Forbidden)) or error.code in _THREAD_CLOSED_CODES


def _root_cause(error: BaseException | None) -> BaseException | None:
    """The network or Discord error behind `error` (discord.py can fail on its own state after one)."""
    seen = error
    while seen is not None:
        if isinstance(seen, (discord.DiscordException, aiohttp.ClientError, OSError, asyncio.TimeoutError)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return error


def _moment(at: str) -> datetime:
    """An event's ISO time (naive times are UTC); now when it cannot be read (rather a second post than a post
    in another story's thread)."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _describe(error: BaseException | None) -> str:
    if isinstance(error, discord.ConnectionClosed):
        return f"gateway closed with code {error.code} ({error.reason or 'no reason'})"
    if isinstance(error, discord.HTTPException):
        return f"{error.status} {error.text or error.response.reason}"
    return f"{type(error).__name__}: {error}" if error else "unknown error"


def _log_connection_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("Discord gateway connection ended: %s", _describe(task.exception()))
