"""The sources of one poll cycle, handed to its tasks one at a time: with several workers on one database each
source is first claimed (its lease taken, a chunk at a time), so that exactly one worker fetches it."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence

from bot.core.config import SourceSpec
from bot.store.database import FetchState, Store

CLAIM_CHUNK = 64  # sources claimed per round trip


class SourceClaims:
    """Hands out `chosen` in order; with an `owner`, only the sources whose lease it could take, each with its
    fetch state as stored (given to `adopt`, since another worker may have fetched it since)."""

    def __init__(self, chosen: Sequence[SourceSpec], store: Store, owner: str | None, lease_seconds: float,
                 adopt: Callable[[FetchState], None]) -> None:
        self.pending = deque(chosen)
        self.store = store
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.adopt = adopt
        self.ready: deque[SourceSpec] = deque()
        self.claimed = 0
        self._lock = asyncio.Lock()

    async def next(self) -> SourceSpec | None:
        """The next source to process, or None when the cycle has no more."""
        if self.owner is None:
            return self.pending.popleft() if self.pending else None
        async with self._lock:
            while not self.ready and self.pending:
                chunk = [self.pending.popleft() for _ in range(min(CLAIM_CHUNK, len(self.pending)))]
                now = time.time()
                states = await self.store.claim_sources([spec.id for spec in chunk], self.owner, now,
                                                        now + self.lease_seconds)
                for spec in chunk:
                    if spec.id in states:
                        self.adopt(states[spec.id])
                        self.ready.append(spec)
                self.claimed += len(states)
            return self.ready.popleft() if self.ready else None
