"""The composition root: loads the configuration and wires store, HTTP session, fetcher, outputs,
poller and deliverer together. Every command of the CLI runs through an App. Also the process's
setup: the poller lock, stop signals and logging (chat secrets redacted).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import json
import logging
import os
import pickle
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from aiohttp import web

import bot.chat.atom  # noqa: F401 - registers the Atom output
import bot.chat.console  # noqa: F401 - registers the console output
import bot.chat.jsonl  # noqa: F401 - registers the JSONL output
from bot.chat.environment import ChannelPlan, ChatEnv, plan_channels
from bot.chat.outputs import ChatSetupError, Output, build_output
from bot.core.config import Channel, Config, ConfigError, SourceSpec, WebSection, parse_config
from bot.core.overrides import apply_feed_changes
from bot.core.routing import RouteTable
from bot.pipeline.commands import PolicyCommands
from bot.pipeline.delivery import Deliverer, DeliveryReport
from bot.pipeline.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.pipeline.metrics import Metrics
from bot.pipeline.poller import CycleReport, Poller, Progress, utc_now
from bot.pipeline.statement_points import StatementPoints
from bot.sources.fetcher import Fetcher, build_session
from bot.sources.network_guard import NetworkGuard
from bot.store.database import DATABASE_NAME, Store, StoreError
from bot.store.sql import redact
from bot.web.site import web_application

log = logging.getLogger(__name__)
CONFIG_ENV = "CLAUSEWATCH_CONFIG"
DATABASE_URL_ENV = "CLAUSEWATCH_DATABASE_URL"  # a PostgreSQL URL (password included) over `storage`
WEB_HOST_ENV = "CLAUSEWATCH_WEB_HOST"  # where the web view listens, over `web.host` (the image sets 0.0.0.0)
DEFAULT_CONFIG = "feeds.yaml"
PRUNE_EVERY = 600.0  # seconds between two retention passes of a running bot
SHARED_REFRESH = 5.0  # seconds between two looks at what other workers changed (chat settings, chat connections)
LARGE_CONFIG = 2 * 1024 * 1024  # bytes of feeds.yaml (some 20,000 sources) from which it is parsed in a child process
_PARSE_IN_CHILD = ("import pickle, sys; from pathlib import Path; from bot.core.config import parse_config_or_problems; "
                   "sys.stdout.buffer.write(pickle.dumps(parse_config_or_problems(sys.stdin.buffer.read().decode(), "
                   "Path(sys.argv[1]))))")


def config_path(option: str | None) -> Path:
    """--config, else $CLAUSEWATCH_CONFIG, else ./feeds.yaml."""
    return Path(option or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_config(path: Path, child_above: int = LARGE_CONFIG) -> Config:
    """Read and validate the configuration. Raises ConfigError.

    A file of `child_above` bytes or more is parsed in a child process: parsing 100,000 sources (the YAML a slice
    at a time, the dicts, the validated models) peaks some 120 MB above what the result keeps, memory a
    long-running worker would keep (freed, but fragmented); the child sends back only the result."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), [f"no such file (set --config or ${CONFIG_ENV})"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(str(path), [f"cannot read: {error}"]) from None
    if len(text) < child_above:
        return parse_config(text, path.absolute())  # the schema checks CSS selectors too
    child = subprocess.run([sys.executable, "-c", _PARSE_IN_CHILD, str(path.absolute())], input=text.encode(),
                           capture_output=True, check=False)
    if child.returncode != 0:  # the child could not run: parse here, with the peak
        log.warning("parsing %s in a child process failed (%s); parsing it here", path, child.stderr[-500:])
        return parse_config(text, path.absolute())
    parsed = pickle.loads(child.stdout)  # noqa: S301 - our own child process's answer
    if isinstance(parsed, Config):
        return parsed
    raise ConfigError(*parsed)


def database_url(config: Config) -> str | None:
    """The PostgreSQL database to use: $CLAUSEWATCH_DATABASE_URL, else `storage: postgresql://…`; None: SQLite
    under the storage folder."""
    return os.environ.get(DATABASE_URL_ENV) or config.database_url


def database_label(config: Config) -> str:
    """Which backend is used and where, for `check` and logs (never the password)."""
    url = database_url(config)
    if url is None:
        return f"SQLite, {config.storage / DATABASE_NAME}"
    return f"PostgreSQL, {redact(url)}"


def sqlite_only(config: Config, what: str) -> None:
    """Refuse `what` (a command that copies the SQLite file) when the store is PostgreSQL."""
    if database_url(config) is not None:
        raise StoreError(f"{what} copies the SQLite database file, and this store is PostgreSQL: use pg_dump and "
                         f"pg_restore (`clausewatch store copy` moves a SQLite store into PostgreSQL)")


def discord_invite(application_id: str | None, env: ChatEnv) -> str:
    """The OAuth2 URL that adds the bot to a server with exactly the scopes and permissions it uses.
    Without `application_id`, the bot's id is read from DISCORD_TOKEN (its first part is the id in
    base64). Raises StartupError when neither gives one."""
    if application_id is None and env.discord_token:
        head = env.discord_token.split(".", 1)[0]
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            decoded = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode("ascii")
            application_id = decoded if decoded.isdigit() else None
    if not application_id or not application_id.isdigit():
        raise StartupError("give --application-id (Discord developer portal → your app → General Information), "
                           "or set DISCORD_TOKEN")
    from bot.chat.discord.bridge import invite_url

    return invite_url(application_id)


class StartupError(RuntimeError):
    """Something the process needs at start is not there: a port, a chat connection."""


class AlreadyRunning(StartupError):
    """Another Clausewatch process is polling the same storage folder."""


class PollerLock:
    """An exclusive lock on `<storage>/clausewatch.lock` for the process that polls: two pollers on one
    storage would fetch everything twice and race on delivery. The kernel releases it when the process
    dies, even by SIGKILL, so a crash never leaves a stale lock behind."""

    def __init__(self, storage: Path) -> None:
        self.path = storage / "clausewatch.lock"
        self._handle: TextIO | None = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create storage folder {self.path.parent}: {error}") from error
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise AlreadyRunning(
                f"another Clausewatch ({holder}) is already polling {self.path.parent}; stop it first, "
                f"or give this one its own `storage`"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class ChatBridge(Protocol):
    """A running connection to one chat platform (bot.chat.slack.bridge / bot.chat.discord.bridge)."""

    def output_for(self, channel: Channel) -> Output: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class App:
    """A running Clausewatch: open with `async with App.open(config) as app`.

    `seed` is feeds.yaml; `config` is the seed with the feeds added or removed from chat laid over it,
    and `routes` the seed's channels with chat subscriptions and switched-off routes applied."""

    def __init__(self, seed: Config, store: Store, fetcher: Fetcher, untrusted: Fetcher, plan: ChannelPlan,
                 stdout: TextIO, clock: Callable[[], datetime]) -> None:
        self.seed = seed
        self.config = seed
        self.store = store
        self.fetcher = fetcher
        self.plan = plan
        self.stdout = stdout
        self.clock = clock
        self.routes = RouteTable.build(plan.active)
        points = StatementPoints(store, seed.summarizer, fetcher.session, clock)
        self.poller = Poller(seed, store, fetcher, self.routes, clock, untrusted=untrusted, points=points)
        self.deliverer = Deliverer(store, {}, clock, route_disabled=self._route_disabled,
                                   base_url=seed.web.base_url if seed.web else None)
        self.commands = PolicyCommands(store, untrusted, lambda: self.config, lambda: self.routes, self.refresh, clock)
        self.bridges: dict[str, ChatBridge] = {}
        self.metrics = Metrics(self.poller, store)
        self._runners: list[web.AppRunner] = []  # the metrics endpoint and the web view, when served
        self._pending_config: Config | None = None
        self.wake = asyncio.Event()
        self._pruned_at: float | None = None  # monotonic time of the last retention pass
        # Several workers on one database (PostgreSQL): this worker's name on its leases, the chat platforms
        # whose connection another worker holds, and how the chats were started (to take one over).
        self.worker: str | None = None
        self._chats_waiting: set[str] = set()
        self._chat_start: tuple[ChatEnv, bool] | None = None
        self._shared_seen_at = float("-inf")  # monotonic time the shared chat settings were last read
        if store.backend == "postgresql":
            self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
            self.poller.owner = self.deliverer.owner = self.worker
            self.poller.desk.shared = True

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls, config: Config, stdout: TextIO | None = None, clock: Callable[[], datetime] = utc_now,
        exclusive: bool = False, chat_env: ChatEnv | None = None, listen: bool = False, read_only: bool = False,
    ) -> AsyncIterator[App]:
        """`exclusive`: this process polls, so it takes the storage's poller lock (see PollerLock).
        `listen`: also answer slash commands (Slack HTTP endpoint or Socket Mode, Discord gateway).
        `read_only`: only read the store (reports): it works on storage that cannot be written, and no chat
        connection is made."""
        env = ChatEnv.from_env() if chat_env is None else chat_env
        url = database_url(config)
        lock = PollerLock(config.storage) if exclusive and url is None else None
        if lock is not None:
            try:
                lock.acquire()
            except OSError as error:
                raise StoreError(f"cannot lock {lock.path}: {error}") from error
        try:
            store = await Store.connect(config.storage, url, read_only=read_only)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        try:
            guard = None if config.allow_private_networks else NetworkGuard()
            async with build_session(config.poll) as session, build_session(config.poll, guard) as guarded:
                plan = plan_channels(config, env.chats())
                for channel_id, reason in plan.inactive.items():
                    log.warning("channel %s: inactive, events are not routed to it (%s)", channel_id, reason,
                                extra={"channel": channel_id})
                untrusted = Fetcher(guarded, config.poll, guard)  # URLs typed in chat
                app = cls(config, store, Fetcher(session, config.poll), untrusted, plan, stdout or sys.stdout, clock)
                try:
                    if listen and config.metrics_port is not None:
                        await app._serve_metrics(config.metrics_host, config.metrics_port)
                    if listen and config.web is not None:
                        await app.serve_web(*web_address(config))
                    if not read_only:
                        await app._start_chats(env, listen)
                    await app.refresh()
                    if app._apply_pending_config():
                        app.poller.config = app.config
                    if not store.read_only:
                        await app.poller.prepare()
                    yield app
                finally:
                    if app.worker is not None and not store.read_only:
                        with contextlib.suppress(StoreError):  # the others take over at once, not at expiry
                            await store.release_leases(app.worker)
                    await app.deliverer.close()
                    for bridge in app.bridges.values():
                        await bridge.close()
                    for runner in app._runners:
                        await runner.cleanup()
        finally:
            await store.close()
            if lock is not None:
                lock.release()

    async def _serve_metrics(self, host: str, port: int) -> None:
        async def scrape(request: web.Request) -> web.Response:
            return web.Response(body=await self.metrics.render(), headers={"Content-Type": METRICS_CONTENT_TYPE})

        server = web.Application()
        server.router.add_get("/metrics", scrape)
        self._runners.append(await _listen(server, host, port, "metrics"))
        log.info("metrics: http://%s:%d/metrics", host, port)

    async def serve_web(self, host: str, port: int) -> str:
        """Serve the read-only web view (`bot.web.site`) on host:port until the app closes; returns its address
        (port 0 picks a free one)."""
        runner = await _listen(web_application(self.store, lambda: self.config), host, port, "the web view")
        self._runners.append(runner)
        bound = runner.addresses[0][1] if runner.addresses else port
        address = f"http://{host if ':' not in host else f'[{host}]'}:{bound}"
        log.info("web view: %s", address)
        return address

    async def _hold_chat(self, kind: str) -> bool:
        """Several workers: the connection to `kind` is made by one of them, the holder of its lock; the others
        try again now and then (`_take_over_chats`) and take over when it dies. The only poller always holds it."""
        if kind in self.bridges:
            return True
        if await self.store.try_lock(f"clausewatch:chat:{kind}"):
            self._chats_waiting.discard(kind)
            return True
        if kind not in self._chats_waiting:
            log.info("%s: another worker holds the connection; this one takes over if it stops", kind)
        self._chats_waiting.add(kind)
        return False

    async def _keep_locks(self) -> None:
        """Several workers: the database session holding this worker's locks ended (the server restarted or dropped
        it), so others may hold them now. The liveness lock is taken again; a chat connection whose lock is held
        elsewhere is closed, so that one worker alone answers there (this one may take it over again later)."""
        lost = await self.store.lost_locks()
        if not lost or self.worker is None:
            return
        log.error("the database session holding this worker's locks ended (%s): taking them again", ", ".join(sorted(lost)))
        with contextlib.suppress(StoreError):  # (still unreachable: taken again before the next lease)
            await self.store.live_as(self.worker)
        for kind in [kind for kind in self.bridges if f"clausewatch:chat:{kind}" in lost]:
            kept = False
            with contextlib.suppress(StoreError):
                kept = await self.store.try_lock(f"clausewatch:chat:{kind}")
            if not kept:
                log.warning("%s: the connection's lock is held elsewhere now; closing this worker's connection", kind)
                await self.bridges.pop(kind).close()
                self._chats_waiting.add(kind)

    async def _take_over_chats(self) -> None:
        """Connect to the chat platforms whose holder stopped (several workers)."""
        if self._chats_waiting and self._chat_start is not None:
            before = set(self.bridges)
            await self._start_chats(*self._chat_start)
            if set(self.bridges) != before:
                await self.refresh()

    async def _start_chats(self, env: ChatEnv, listen: bool) -> None:
        """Connect to Slack and Discord when their tokens are set (the libraries load only then)."""
        self._chat_start = (env, listen)
        chat = self.seed.chat
        started = set(self.bridges)
        if env.slack_token and "slack" not in started and await self._hold_chat("slack"):
            from bot.chat.slack.bridge import SlackBridge

            self.bridges["slack"] = SlackBridge(
                env.slack_token, commands=self.commands, threads=self.store, api_url=env.slack_api_url,
                app_token=env.slack_app_token, signing_secret=env.slack_signing_secret,
                host=chat.slack_host, port=chat.slack_port, pace=chat.pace,
            )
        if env.discord_token and "discord" not in started and await self._hold_chat("discord"):
            from bot.chat.discord.bridge import DiscordBridge

            try:
                self.bridges["discord"] = DiscordBridge(
                    env.discord_token, commands=self.commands, threads=self.store, api_url=env.discord_api_url,
                    gateway_url=env.discord_gateway_url, ca_file=env.discord_ca_file, pace=chat.pace,
                    sync_commands=listen, shards=self.seed.discord_shards,
                )
            except ChatSetupError as error:  # an endpoint discord.py cannot be pointed at
                raise StartupError(str(error)) from error
        for kind, bridge in self.bridges.items():
            if kind in started:
                continue
            if listen or kind == "discord":  # Discord posts through its logged-in client, Slack needs no session
                try:
                    await bridge.start()
                except ChatSetupError as error:
                    raise StartupError(str(error)) from error
                log.info("%s: connected%s", kind, " and answering /policy" if listen else "")

    async def refresh(self) -> None:
        """Re-read what chat changed (subscriptions, switched-off routes, feeds) and apply it: routes at
        once, the feed list between two poll cycles."""
        subscriptions = await self.store.subscriptions()
        problems = await self.store.route_problems()
        kinds = {"console", "jsonl", *self.bridges}
        routes = RouteTable.build(
            self.plan.active,
            [s for s in subscriptions if s.channel_id in {c.id for c in self.plan.active} or s.channel_id.split("-")[0] in kinds],
            {channel_id: reason for channel_id, (reason, _since) in problems.items()},
        )
        self.routes = routes
        self.poller.routes = routes
        for channel in routes.active():
            if channel.id not in self.deliverer.outputs:
                output = self._output_for(channel)
                if output is not None:
                    self.deliverer.outputs[channel.id] = output
        for channel_id in list(self.deliverer.outputs):
            if channel_id in routes.disabled or channel_id not in {c.id for c in routes.channels}:
                await self.deliverer.outputs.pop(channel_id).close()
        config = apply_feed_changes(self.seed, await self.store.feed_changes())
        if config != self.config:
            self._pending_config = config
            self.wake.set()

    def _output_for(self, channel: Channel) -> Output | None:
        bridge = self.bridges.get(channel.kind)
        if bridge is not None:
            return bridge.output_for(channel)
        return build_output(channel, self.stdout)

    def _apply_pending_config(self) -> bool:
        if self._pending_config is None:
            return False
        self.config, self._pending_config = self._pending_config, None
        return True

    async def _reconfigure_between_cycles(self) -> None:
        if self._apply_pending_config():
            await self.poller.reconfigure(self.config)

    async def _route_disabled(self, channel_id: str, reason: str) -> None:
        await self.refresh()

    async def poll_once(self, progress: Progress | None = None) -> tuple[CycleReport, DeliveryReport]:
        """One full cycle over every source: fetch → store → analyse → deliver."""
        await self._reconfigure_between_cycles()
        delivered_before = await self.deliverer.deliver_pending()  # leftovers of an interrupted run first
        cycle = await self.poller.run_cycle(progress=progress)
        self.metrics.observe_cycle(cycle.seconds)
        delivery = await self.deliverer.deliver_pending()
        delivery.delivered += delivered_before.delivered
        await self.prune()
        return cycle, delivery

    async def prune(self, every: float = 0.0) -> dict[str, int]:
        """Apply `retention` (old outbox rows, entry texts, cycle records), unless it ran less than `every`
        seconds ago. Small batches: polling never waits long on it."""
        now = time.monotonic()
        if self._pruned_at is not None and now - self._pruned_at < every:
            return {}
        self._pruned_at = now
        pruned = await self.store.prune(self.config.retention, self.clock())
        if any(pruned.values()):
            log.info("retention: pruned %s", ", ".join(f"{count} {name}" for name, count in pruned.items() if count))
        return pruned

    async def run(self, stop: asyncio.Event, progress: Progress | None = None) -> None:
        """Poll due sources until `stop` is set; the cycles in flight always finish.

        Sources are fetched on their own schedules: the sources that fall due while others are still in flight
        start a cycle of their own at once, so a slow source delays no other (a cycle is a unit of reporting,
        not a barrier). Delivery runs beside polling in one lane per channel (see `Deliverer.serve`)."""
        cycles: set[asyncio.Task[None]] = set()
        failures: list[BaseException] = []
        lanes_stop = asyncio.Event()
        lanes = asyncio.ensure_future(self.deliverer.serve(lanes_stop))

        def finished(task: asyncio.Task[None]) -> None:
            cycles.discard(task)
            if not task.cancelled() and task.exception() is not None:
                failures.append(task.exception())  # type: ignore[arg-type]
            self.wake.set()

        try:
            while not stop.is_set() and not failures:
                self.wake.clear()
                if self.worker is not None and time.monotonic() >= self._shared_seen_at + SHARED_REFRESH:
                    self._shared_seen_at = time.monotonic()  # what the other workers changed: chat settings, a chat
                    await self.refresh()  # connection to take over (the loop itself turns every 2 s or sooner)
                    await self._keep_locks()
                    await self._take_over_chats()
                await self._reconfigure_between_cycles()  # cycles in flight finish with the sources they took
                due = self.poller.due() if self.worker is None else await self.poller.due_in_store()
                if due:
                    task = asyncio.ensure_future(self._cycle(due, progress))
                    cycles.add(task)
                    task.add_done_callback(finished)
                wait = min(60.0, max(1.0, self.poller.next_wakeup() - time.time()))
                await _first_of(stop, self.wake, timeout=wait)
        finally:
            if cycles:
                await asyncio.gather(*cycles, return_exceptions=True)
            lanes_stop.set()
            self.deliverer.kick()
            await lanes
        if failures:
            raise failures[0]

    async def _cycle(self, due: list[SourceSpec], progress: Progress | None) -> None:
        cycle = await self.poller.run_cycle(due, progress=progress)
        self.metrics.observe_cycle(cycle.seconds)
        self.deliverer.kick()
        await self.prune(every=PRUNE_EVERY)
        log.info(
            "cycle: %d sources, %d ok, %d not modified, %d unchanged, %d failed, %d events in %.1fs",
            cycle.sources, cycle.ok, cycle.not_modified, cycle.unchanged, cycle.failed, cycle.events, cycle.seconds,
        )


async def _first_of(*events: asyncio.Event, timeout: float) -> None:
    """Wait until one of `events` is set, or `timeout` seconds."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def install_stop_signals(stop: asyncio.Event) -> None:
    """SIGINT/SIGTERM ask the running loop to finish its cycle and exit."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, _request_stop, stop, signum)


def _request_stop(stop: asyncio.Event, signum: int) -> None:
    if not stop.is_set():
        log.info("received %s: finishing the current cycle, then exiting", signal.Signals(signum).name)
    stop.set()


# --- logging ------------------------------------------------------------------------------------

SECRET_ENV = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN", DATABASE_URL_ENV)
# Slack tokens by shape, and the password of a URL with credentials (https://user:password@host).
SECRET_SHAPES = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]{8,}|(?<=://)([^/\s:@]+):([^/\s@]+)@")


def setup_logging(level: str, fmt: str) -> None:
    """Log to stderr at `level`, as text or (`fmt` "json") one JSON object a line, with every secret redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_SourceFields())
    inner = _JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S")
    handler.setFormatter(_Redacting(inner))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


class _SourceFields(logging.Filter):
    """Every record carries `source` and `channel` (empty when not about one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name in ("source", "channel"):
            if not hasattr(record, name):
                setattr(record, name, "")
        return True


class _JsonFormatter(logging.Formatter):
    """One JSON object a record: time, level, logger, message, and source, channel and error when present."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("source", "channel"):
            if getattr(record, name, ""):
                data[name] = getattr(record, name)
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class _Redacting(logging.Formatter):
    """Formats with `inner`, then blanks out every secret: the chat tokens from the environment (their
    exact values, wherever a library put them) and anything shaped like a token."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = [value for name in SECRET_ENV if len(value := os.environ.get(name, "")) >= 6]

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return SECRET_SHAPES.sub(lambda m: f"{m.group(2)}:[redacted]@" if m.group(2) else "[redacted]", text)


def web_address(config: Config) -> tuple[str, int]:
    """Host and port of the web view: `web.host` (or $CLAUSEWATCH_WEB_HOST) and `web.port`, by default 127.0.0.1:8088."""
    settings = config.web or WebSection()
    return os.environ.get(WEB_HOST_ENV) or settings.host, settings.port


async def _listen(server: web.Application, host: str, port: int, what: str) -> web.AppRunner:
    """Start serving `server` on host:port; a port that cannot be bound is a StartupError naming `what`."""
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        raise StartupError(f"cannot serve {what} on {host}:{port}: {error}") from error
    return runner
