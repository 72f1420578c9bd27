"""The composition root: loads the configuration and wires store, HTTP session, fetcher, outputs,
poller and deliverer together. Every command of the CLI runs through an App.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

import bot.chat.console  # noqa: F401 - registers the console output
import bot.chat.jsonl  # noqa: F401 - registers the JSONL output
from bot.chat.outputs import Output, build_output
from bot.core.config import Channel, Config, ConfigError, parse_config
from bot.pipeline.delivery import Deliverer, DeliveryReport
from bot.pipeline.poller import CycleReport, Poller, Progress, utc_now
from bot.sources.document_text import check_selector
from bot.sources.fetcher import Fetcher, build_session
from bot.store.database import Store, StoreError

log = logging.getLogger(__name__)
CONFIG_ENV = "CLAUSEWATCH_CONFIG"
DEFAULT_CONFIG = "feeds.yaml"
# Outputs that need a chat token; until their adapters are active, no event is routed to them.
TOKEN_ENV = {"slack": "SLACK_BOT_TOKEN", "discord": "DISCORD_TOKEN"}


def config_path(option: str | None) -> Path:
    """--config, else $CLAUSEWATCH_CONFIG, else ./feeds.yaml."""
    return Path(option or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_config(path: Path) -> Config:
    """Read and validate the configuration; selectors are checked too. Raises ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), [f"no such file (set --config or ${CONFIG_ENV})"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(str(path), [f"cannot read: {error}"]) from None
    config = parse_config(text, path.absolute())
    problems: list[str] = []
    for platform in config.platforms.values():
        for index, spec in enumerate(platform.documents):
            for selector in filter(None, (spec.select, *spec.remove)):
                error = check_selector(selector)
                if error:
                    problems.append(f"platforms.{platform.id}.documents[{index}]: {error}")
    if problems:
        raise ConfigError(str(path), problems)
    return config


@dataclass(frozen=True, slots=True)
class ChannelPlan:
    """Which configured channels this process can deliver to, and why not for the others."""

    active: tuple[Channel, ...]
    inactive: dict[str, str] = field(default_factory=dict)


def plan_channels(config: Config) -> ChannelPlan:
    active: list[Channel] = []
    inactive: dict[str, str] = {}
    for channel in config.channels:
        if channel.kind in TOKEN_ENV:
            env = TOKEN_ENV[channel.kind]
            reason = f"{env} is not set" if not os.environ.get(env) else f"{channel.kind} delivery is not available in this version"
            inactive[channel.id] = reason
        else:
            active.append(channel)
    return ChannelPlan(tuple(active), inactive)


class AlreadyRunning(RuntimeError):
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


class App:
    """A running Clausewatch: open with `async with App.open(config) as app`."""

    def __init__(self, config: Config, store: Store, poller: Poller, deliverer: Deliverer, plan: ChannelPlan) -> None:
        self.config = config
        self.store = store
        self.poller = poller
        self.deliverer = deliverer
        self.plan = plan

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls, config: Config, stdout: TextIO | None = None, clock: Callable[[], datetime] = utc_now,
        exclusive: bool = False,
    ) -> AsyncIterator[App]:
        """`exclusive`: this process polls, so it takes the storage's poller lock (see PollerLock)."""
        lock = PollerLock(config.storage) if exclusive else None
        if lock is not None:
            try:
                lock.acquire()
            except OSError as error:
                raise StoreError(f"cannot lock {lock.path}: {error}") from error
        try:
            store = await Store.open(config.storage)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        try:
            async with build_session(config.poll) as session:
                plan = plan_channels(config)
                for channel_id, reason in plan.inactive.items():
                    log.warning("channel %s: inactive, events are not routed to it (%s)", channel_id, reason,
                                extra={"channel": channel_id})
                outputs: dict[str, Output] = {}
                for channel in plan.active:
                    output = build_output(channel, stdout or sys.stdout)
                    if output is not None:
                        outputs[channel.id] = output
                poller = Poller(config, store, Fetcher(session, config.poll), plan.active, clock)
                deliverer = Deliverer(store, outputs, clock)
                await poller.prepare()
                app = cls(config, store, poller, deliverer, plan)
                try:
                    yield app
                finally:
                    await deliverer.close()
        finally:
            await store.close()
            if lock is not None:
                lock.release()

    async def poll_once(self, progress: Progress | None = None) -> tuple[CycleReport, DeliveryReport]:
        """One full cycle over every source: fetch → store → analyse → deliver."""
        delivered_before = await self.deliverer.deliver_pending()  # leftovers of an interrupted run first
        cycle = await self.poller.run_cycle(progress=progress)
        delivery = await self.deliverer.deliver_pending()
        delivery.delivered += delivered_before.delivered
        return cycle, delivery

    async def run(self, stop: asyncio.Event, progress: Progress | None = None) -> None:
        """Poll due sources until `stop` is set; the cycle in flight always finishes."""
        await self.deliverer.deliver_pending()
        while not stop.is_set():
            due = self.poller.due()
            if due:
                cycle = await self.poller.run_cycle(due, progress=progress)
                delivery = await self.deliverer.deliver_pending()
                log.info(
                    "cycle: %d sources, %d ok, %d not modified, %d unchanged, %d failed, %d events, %d delivered in %.1fs",
                    cycle.sources, cycle.ok, cycle.not_modified, cycle.unchanged, cycle.failed, cycle.events,
                    delivery.delivered, cycle.seconds,
                )
            else:
                await self.deliverer.deliver_pending()
            wait = min(60.0, max(1.0, self.poller.next_wakeup() - time.time()))
            with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)


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
