"""Drains the outbox in one lane per channel: each pending delivery goes to its channel's output, in event
order, and is marked done only after the output accepted it (at-least-once; outputs de-duplicate by message key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.chat.outputs import DeliveryError, Output
from bot.core.messages import Message, page_link
from bot.store.database import Store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
MAX_BACKOFF = 300.0  # seconds a lane waits at most after repeated failures without a Retry-After
MAX_RETRY_AFTER = 3600.0  # a chat platform's Retry-After is honoured up to an hour
LANE_SECONDS = 30.0  # a worker's hold on a channel's lane; after a worker died, another delivers once it lapsed


@dataclass(slots=True)
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    deferred: int = 0
    disabled: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


class Deliverer:
    """Sends pending outbox rows to the active outputs, one lane per channel.

    Each lane delivers its channel's rows in event order (so a thread's order is kept) with its own backoff:
    after a failure the lane waits (the chat platform's Retry-After when it gave one, else a growing delay)
    while the other lanes go on. `deliver_pending` runs every lane once to the end of its rows; `serve` keeps
    the lanes running in the background, woken by `kick` when new rows are committed.

    `base_url` is the web view's public address (`web.base_url`): when set, terms changes and stories reach
    their output with `link` to their page (the stored message is left as it is). Set it again when the
    configuration is reloaded; the next delivery uses the new value.
    """

    def __init__(self, store: Store, outputs: Mapping[str, Output], clock: Callable[[], datetime],
                 route_disabled: Callable[[str, str], Awaitable[None]] | None = None,
                 base_url: str | None = None) -> None:
        self.store = store
        self.outputs = dict(outputs)
        self.clock = clock
        self.route_disabled = route_disabled
        self.base_url = base_url
        self._not_before: dict[str, float] = {}  # channel → loop time before which its lane does not try again
        self._failures: dict[str, int] = {}  # channel → consecutive failed rounds (for the backoff)
        self._busy: dict[str, asyncio.Task[None]] = {}  # lanes running now (one per channel at most)
        self._kicked = asyncio.Event()
        self._generation = 0  # counts kicks: a lane that ends after a kick it may have missed starts again
        # Several workers on one database: this worker's name, under which it holds the lanes it delivers (None:
        # the only process), and until when it holds each (loop-independent epoch seconds).
        self.owner: str | None = None
        self._held: dict[str, float] = {}
        self.totals = DeliveryReport()  # what `serve` delivered since the process started

    def kick(self) -> None:
        """New rows were committed: wake the lanes that `serve` runs."""
        self._generation += 1
        self._kicked.set()

    async def deliver_pending(self, batch: int = 500) -> DeliveryReport:
        """Run every lane that is not backing off until its channel has nothing pending (or fails)."""
        report = DeliveryReport()
        await asyncio.gather(*(self._start_lane(channel, report, batch) for channel in self._ready()))
        return report

    async def serve(self, stop: asyncio.Event) -> None:
        """Keep the lanes running until `stop` (set it, then `kick`): a lane starts when it is kicked or its backoff
        ends; a slow or rate-limited channel holds up nobody else. Returns once the running lanes have finished."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            self._kicked.clear()
            for channel in self._ready():
                self._start_lane(channel, self.totals)
            now = loop.time()
            backoffs = [at - now for c, at in self._not_before.items() if c in self.outputs and at > now]
            # Other workers commit rows without kicking this one: with them, look again every second.
            longest = 60.0 if self.owner is None else 1.0
            with contextlib.suppress(TimeoutError):  # `stop` comes with a kick
                await asyncio.wait_for(self._kicked.wait(), timeout=max(0.05, min([longest, *backoffs])))
        if self._busy:
            await asyncio.gather(*self._busy.values(), return_exceptions=True)

    def _ready(self) -> list[str]:
        """Channels whose lane is idle and not backing off."""
        now = asyncio.get_running_loop().time()
        return [c for c in self.outputs if c not in self._busy and self._not_before.get(c, 0.0) <= now]

    def _start_lane(self, channel: str, report: DeliveryReport, batch: int = 500) -> asyncio.Task[None]:
        generation = self._generation
        task = asyncio.ensure_future(self._lane(channel, report, batch))
        self._busy[channel] = task

        def finished(done: asyncio.Task[None]) -> None:
            self._busy.pop(channel, None)
            if not done.cancelled() and done.exception() is not None:  # e.g. the store refused a write
                log.error("channel %s: delivery lane stopped: %s", channel, done.exception(),
                          extra={"channel": channel})
                self._back_off(channel, None)
            if self._generation != generation:  # rows may have been committed after its last look
                self._kicked.set()

        task.add_done_callback(finished)
        return task

    async def _lane(self, channel: str, report: DeliveryReport, batch: int = 500) -> None:
        """Deliver `channel`'s pending rows in order until none is left or one fails."""
        while channel in self.outputs:
            if not await self._hold(channel):
                return
            pending = await self.store.pending_deliveries(batch, [channel])
            if not pending:
                return
            for item in pending:
                output = self.outputs.get(channel)
                if output is None or not await self._hold(channel):
                    return
                if getattr(output, "records_attempts", False) and not item.tried:
                    await self.store.mark_trying(item.event_id, channel, self.clock().isoformat(timespec="seconds"))
                try:
                    await output.deliver(self._linked(item.message), unsure=item.tried)
                except DeliveryError as error:
                    if error.disable_route:
                        await self._disable(channel, str(error), report)
                        return
                    give_up = not error.retryable or item.attempts + 1 >= MAX_ATTEMPTS
                    await self.store.mark_attempt_failed(item.event_id, channel, str(error), give_up)
                    self._note_failure(report, channel, str(error), give_up)
                    self._back_off(channel, error.retry_after)
                    return
                except Exception as error:  # an output bug must not stop other channels
                    log.exception("channel %s: delivery crashed", channel, extra={"channel": channel})
                    give_up = item.attempts + 1 >= MAX_ATTEMPTS
                    await self.store.mark_attempt_failed(item.event_id, channel, f"{type(error).__name__}: {error}", give_up)
                    self._note_failure(report, channel, str(error), give_up)
                    self._back_off(channel, None)
                    return
                await self.store.mark_delivered(item.event_id, channel, self.clock().isoformat(timespec="seconds"))
                self._failures.pop(channel, None)
                self._not_before.pop(channel, None)
                report.delivered += 1

    async def _hold(self, channel: str) -> bool:
        """Several workers: take or renew this worker's lane of `channel` (renewed when half its lease is gone);
        False while another worker holds it. A lane taken over is told so (`reopen`): a file another worker
        appended to is read again before the next line is written."""
        if self.owner is None:
            return True
        now = time.time()
        until = self._held.get(channel)
        if until is not None and until - now > LANE_SECONDS / 2:
            return True
        if not await self.store.claim_lane(channel, self.owner, now, now + LANE_SECONDS):
            self._held.pop(channel, None)
            return False
        if until is None or until < now:  # newly taken, or held again after lapsing
            reopen = getattr(self.outputs.get(channel), "reopen", None)
            if reopen is not None:
                reopen()
        self._held[channel] = now + LANE_SECONDS
        return True

    def _linked(self, message: Message) -> Message:
        """`message` as the output gets it: with the link to its web page when `base_url` is set and it has one."""
        link = page_link(message, self.base_url)
        return message if link is None else replace(message, link=link)

    def _back_off(self, channel: str, retry_after: float | None) -> None:
        """The lane waits before its next try: Retry-After when given, else 2, 4, 8 … seconds up to 5 minutes."""
        failures = self._failures.get(channel, 0) + 1
        self._failures[channel] = failures
        delay = retry_after if retry_after is not None else min(MAX_BACKOFF, 2.0 ** failures)
        self._not_before[channel] = asyncio.get_running_loop().time() + min(max(delay, 0.0), MAX_RETRY_AFTER)

    async def _disable(self, channel_id: str, reason: str, report: DeliveryReport) -> None:
        """The chat platform refused us the channel: switch the route off (its rows stay pending, so they go
        out if an admin fixes the permission and re-enables it) and let the other routes go on."""
        log.error("channel %s: route switched off: %s", channel_id, reason, extra={"channel": channel_id})
        await self.store.disable_route(channel_id, reason, self.clock().isoformat(timespec="seconds"))
        output = self.outputs.pop(channel_id, None)
        if output is not None:
            await output.close()
        report.errors[channel_id] = reason
        report.disabled.append(channel_id)
        if self.route_disabled is not None:
            await self.route_disabled(channel_id, reason)

    @staticmethod
    def _note_failure(report: DeliveryReport, channel_id: str, error: str, give_up: bool) -> None:
        if give_up:
            report.failed += 1
        else:
            report.deferred += 1
        report.errors[channel_id] = error
        log.warning("channel %s: delivery %s: %s", channel_id, "abandoned" if give_up else "deferred", error,
                    extra={"channel": channel_id})

    async def close(self) -> None:
        for output in self.outputs.values():
            await output.close()

