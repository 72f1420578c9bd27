"""Drains the outbox: each pending delivery goes to its channel's output, in event order, and is marked
done only after the output accepted it (at-least-once; outputs de-duplicate by message key).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.chat.outputs import DeliveryError, Output
from bot.store.database import Store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


@dataclass(slots=True)
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    deferred: int = 0
    disabled: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


class Deliverer:
    """Sends pending outbox rows to the active outputs."""

    def __init__(self, store: Store, outputs: Mapping[str, Output], clock: Callable[[], datetime],
                 route_disabled: Callable[[str, str], Awaitable[None]] | None = None) -> None:
        self.store = store
        self.outputs = dict(outputs)
        self.clock = clock
        self.route_disabled = route_disabled

    async def deliver_pending(self, batch: int = 500) -> DeliveryReport:
        """Deliver everything pending for the active channels; a failing channel waits for the next round."""
        report = DeliveryReport()
        blocked: set[str] = set()
        while True:
            channels = [c for c in self.outputs if c not in blocked]
            if not channels:
                break
            pending = await self.store.pending_deliveries(batch, channels)
            if not pending:
                break
            progressed = False
            for item in pending:
                if item.channel_id in blocked:
                    continue
                output = self.outputs[item.channel_id]
                try:
                    await output.deliver(item.message)
                except DeliveryError as error:
                    if error.disable_route:
                        await self._disable(item.channel_id, str(error), report)
                        blocked.add(item.channel_id)
                        continue
                    give_up = not error.retryable or item.attempts + 1 >= MAX_ATTEMPTS
                    await self.store.mark_attempt_failed(item.event_id, item.channel_id, str(error), give_up)
                    self._note_failure(report, item.channel_id, str(error), give_up)
                    blocked.add(item.channel_id)
                    continue
                except Exception as error:  # an output bug must not stop other channels
                    log.exception("channel %s: delivery crashed", item.channel_id, extra={"channel": item.channel_id})
                    give_up = item.attempts + 1 >= MAX_ATTEMPTS
                    await self.store.mark_attempt_failed(item.event_id, item.channel_id, f"{type(error).__name__}: {error}", give_up)
                    self._note_failure(report, item.channel_id, str(error), give_up)
                    blocked.add(item.channel_id)
                    continue
                await self.store.mark_delivered(item.event_id, item.channel_id, self.clock().isoformat(timespec="seconds"))
                report.delivered += 1
                progressed = True
            if not progressed:
                break
        return report

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
