"""The sources of one poll cycle, handed to its tasks one at a time: with several workers on one database each
source is first claimed (its lease taken, a chunk at a time), so that exactly one worker fetches it."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence

from bot.core.config import SourceSpec
from bot.store.database import FetchState, Store

CLAIM_CHUNK = 64  # sources claimed per round trip, at most (no more than the cycle can start at once)


class SourceClaims:
    """Hands out `chosen` in order; with an `owner`, only the sources whose lease it could take, each with its
    fetch state as stored (given to `adopt`, since another worker may have fetched it since).

    `listed` is shared by the cycles in flight: the sources waiting in one of their queues, so that a new cycle
    does not list them again (a source leaves it when handed out, or found taken by another worker)."""

    def __init__(self, chosen: Sequence[SourceSpec], store: Store, owner: str | None, lease_seconds: float,
                 adopt: Callable[[FetchState], None], listed: set[str] | None = None, chunk: int = CLAIM_CHUNK,
                 since: float | None = None) -> None:
        # Claiming more than the cycle can start at once would hold sources idle that another worker could fetch.
        self.chunk = max(1, min(chunk, CLAIM_CHUNK))
        self.listed = set() if listed is None else listed
        chosen = [spec for spec in chosen if spec.id not in self.listed]
        self.listed.update(spec.id for spec in chosen)
        self.pending = deque(chosen)
        # A source another worker fetched after this is not fetched again (see `since` in `Poller.run_cycle`).
        self.since = time.time() if since is None else since
        self.store = store
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.adopt = adopt
        self.ready: deque[SourceSpec] = deque()
        self.claimed = 0
        self._lock = asyncio.Lock()
        self._claiming: asyncio.Future[None] | None = None  # the next chunk's claim, made while others are fetched

    async def next(self) -> SourceSpec | None:
        """The next source to process, or None when the cycle has no more."""
        if self.owner is None:
            return self._hand_out(self.pending.popleft()) if self.pending else None
        async with self._lock:
            while not self.ready and (self.pending or self._claiming is not None):
                if self._claiming is None:
                    self._claiming = asyncio.ensure_future(self._claim())
                claiming = self._claiming
                try:
                    await claiming
                finally:
                    if self._claiming is claiming:
                        self._claiming = None
            if self.ready and len(self.ready) <= self.chunk // 2 and self.pending and self._claiming is None:
                self._claiming = asyncio.ensure_future(self._claim())  # ahead: no task waits for a round trip
            return self._hand_out(self.ready.popleft()) if self.ready else None

    async def _claim(self) -> None:
        """Claim the next chunk of the pending sources; those claimed are ready, the others listed no more."""
        assert self.owner is not None
        chunk = [self.pending.popleft() for _ in range(min(self.chunk, len(self.pending)))]
        now = time.time()
        states: dict[str, FetchState] = {}
        try:
            states = await self.store.claim_sources([spec.id for spec in chunk], self.owner, now,
                                                    now + self.lease_seconds, since=self.since)
        finally:
            self.listed.difference_update(spec.id for spec in chunk if spec.id not in states)
        for spec in chunk:
            if spec.id in states:
                self.adopt(states[spec.id])
                self.ready.append(spec)
        self.claimed += len(states)

    def _hand_out(self, spec: SourceSpec) -> SourceSpec:
        self.listed.discard(spec.id)  # from now on `in_flight` covers it
        return spec

    def unlist(self) -> None:
        """The cycle is over: what it did not hand out is listed no more (a claim still ahead is dropped: the cycle
        stopped early, and its leases lapse)."""
        if self._claiming is not None:
            self._claiming.cancel()
        self.listed.difference_update(spec.id for spec in (*self.pending, *self.ready))
