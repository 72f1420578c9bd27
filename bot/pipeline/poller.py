"""The poll cycle: fetch due sources, turn what changed into events, commit them with their routes.

One source is processed start to finish by one task; all of its writes land in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core.config import Config, SourceSpec
from bot.core.events import health_message, outage_message, outage_recovered_message
from bot.core.health import Health, next_delay, record_failure, record_success
from bot.core.messages import Message
from bot.core.news.entries import FeedEntry, FeedParseError
from bot.core.routing import RouteTable
from bot.core.terms.availability import UNAVAILABLE
from bot.pipeline import document_versions
from bot.pipeline.document_versions import DocumentProblem, dated_again, document_verdict
from bot.pipeline.source_claims import SourceClaims
from bot.pipeline.statement_points import StatementPoints
from bot.pipeline.story_desk import EntryPlacement, StoryDesk
from bot.sources.feed_parser import parse_feed_async
from bot.sources.fetcher import Fetcher, FetchResult
from bot.store.database import (
    ChangeWrite,
    EntryWrite,
    FetchState,
    KnownEntry,
    Outcome,
    Routed,
    SnapshotWrite,
    Store,
    StoreError,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Progress = Callable[[int, int], None]
MAX_NEW_PER_POLL = 50  # new entries posted from one feed in one poll; the rest are recorded silently
STATE_BATCH = 256  # batched fetch-state writes per transaction
MAX_RETRY_AFTER = 86400.0  # a server's Retry-After is honoured up to a day
LEASE_SECONDS = 300.0  # a worker's hold on a source it fetches; a worker that died loses it after this
DUE_LIMIT = 10_000  # sources one worker's cycle lists at once (it claims them a chunk at a time)
STORE_RECHECK = 2.0  # seconds after which a worker looks for due sources again, whatever it last saw


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class CycleReport:
    """What one poll cycle did, by source outcome."""

    started_at: str = ""
    finished_at: str = ""
    sources: int = 0
    ok: int = 0
    not_modified: int = 0
    unchanged: int = 0
    failed: int = 0
    events: int = 0
    seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)


class Poller:
    """Fetches and analyses sources; knows nothing about how messages are shown."""

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        routes: RouteTable,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        untrusted: Fetcher | None = None,
        points: StatementPoints | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.untrusted = untrusted or fetcher  # for feeds added from chat (see bot.sources.network_guard)
        # Since the process started, for metrics: source results by outcome, failures by kind.
        self.outcomes: Counter[str] = Counter()
        self.error_kinds: Counter[str] = Counter()
        self.routes = routes
        self.clock = clock
        self.rng = rng or random.Random()
        self.states: dict[str, FetchState] = {}
        self._state_writes: list[tuple[str, dict[str, object]]] = []
        # Full batches handed to the writer thread while the cycle goes on (awaited by `flush_states`), and the
        # first refusal among them: once the storage refuses writes, no further source is started.
        self._flushing: list[asyncio.Future[None]] = []
        self._flush_refused: StoreError | None = None
        self._now_second = -1
        self._now_text = ""
        self.desk = StoryDesk(config, points)
        self._desk_loaded = False
        # Sources being processed now, by any cycle: `run` starts a new cycle for the sources that fall due
        # while a slow one is still in flight, so one source never delays another (a cycle reports, it does
        # not wait). `_slots` bounds the processing across overlapping cycles to `poll.concurrency`.
        self.in_flight: set[str] = set()
        self._slots: asyncio.Semaphore | None = None
        # Open outages (many sources failing together with one class of error, announced once): outage id
        # ("<kind> <announced at> <since>", kept in each member's fetch state) → members failing now.
        self._outages: dict[str, set[str]] = {}
        # Several workers on one database (PostgreSQL): this worker's name, under which it takes the lease of each
        # source it fetches (None: the only poller, under the storage lock), and when to look for due sources.
        self.owner: str | None = None
        self.lease_seconds = LEASE_SECONDS
        self._store_wakeup: float | None = None
        self._listed: set[str] = set()  # sources waiting in the queue of a cycle in flight (see SourceClaims)

    async def prepare(self) -> None:
        """Register the configured sources and load their fetch state (and, once, the story index)."""
        await self.flush_states()  # batched writes first, or the reload would forget them
        await self.store.sync_sources(self.config.sources(), self._now())
        self.states = await self.store.fetch_states()
        self._outages = {}
        for source_id, state in self.states.items():
            if state.outage and state.failing:
                self._outages.setdefault(state.outage, set()).add(source_id)
        if not self._desk_loaded:
            await self.desk.load(self.store)
            self._desk_loaded = True

    def due(self, now: float | None = None) -> list[SourceSpec]:
        """The sources whose next fetch time has come, except those being processed now."""
        moment = time.time() if now is None else now
        return [s for s in self.config.sources() if s.id not in self.in_flight
                and ((self.states.get(s.id) or FetchState(s.id)).next_due_at or 0.0) <= moment]

    async def due_in_store(self) -> list[SourceSpec]:
        """Several workers: the configured sources due now by the shared fetch state and held by no worker (this
        one's other cycles included); also notes when the next falls due or is freed (`next_wakeup`)."""
        ids, self._store_wakeup = await self.store.due_sources(time.time(), DUE_LIMIT)
        configured = {spec.id: spec for spec in self.config.sources()}
        return [configured[i] for i in ids if i in configured and i not in self._listed]

    def next_wakeup(self) -> float:
        """Epoch seconds of the earliest next fetch of a source not being processed now."""
        if self.owner is not None:  # what the store said, looked at again soon: the other workers change it
            return min(self._store_wakeup or float("inf"), time.time() + STORE_RECHECK)
        dues = [(self.states.get(s.id) or FetchState(s.id)).next_due_at for s in self.config.sources()
                if s.id not in self.in_flight]
        return min((d if d is not None else 0.0) for d in dues) if dues else time.time() + self.config.poll.interval

    async def run_cycle(self, sources: Sequence[SourceSpec] | None = None, progress: Progress | None = None) -> CycleReport:
        """Process `sources` (default: every configured source) concurrently; never raises for a source.

        Raises StoreError when the database refuses writes (disk full, read-only storage): nothing can be
        recorded then, so the sources not started yet are left for the next cycle."""
        chosen = list(self.config.sources() if sources is None else sources)
        report = CycleReport(started_at=self._now(), sources=len(chosen))
        started = time.monotonic()
        done = 0
        refused: list[StoreError] = []

        if self._slots is None:
            self._slots = asyncio.Semaphore(max(1, self.config.poll.concurrency))
        slots = self._slots

        async def one(spec: SourceSpec) -> None:
            nonlocal done
            self.in_flight.add(spec.id)
            try:
                async with slots:
                    outcome, events = await self.process(spec)
            except StoreError as error:  # the storage's fault, not the source's: one clear line, no traceback
                log.error("source %s: not recorded: %s", spec.id, error, extra={"source": spec.id})
                outcome, events = "error", 0
                report.failures[spec.id] = f"not recorded: {error}"
                refused.append(error)
            except Exception as error:  # a bug must not stop the other sources
                log.exception("source %s: unexpected error", spec.id, extra={"source": spec.id})
                outcome, events = "error", 0
                report.failures[spec.id] = f"internal error: {error}"
                self.error_kinds["internal"] += 1
            finally:
                self.in_flight.discard(spec.id)
            self.outcomes[outcome] += 1
            if outcome == "error":
                report.failed += 1
                if spec.id not in report.failures:
                    report.failures[spec.id] = (self.states.get(spec.id) or FetchState(spec.id)).last_error or "failed"
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
            report.events += events
            done += 1
            if progress is not None:
                progress(done, len(chosen))

        # A pool of `concurrency` workers bounds the whole processing of a source, not only its fetch
        # (otherwise fetched bodies pile up behind parsing and memory grows with the number of sources),
        # and costs one task per worker instead of one per source.
        # A pass over every source (`poll --once`) is shared with the other workers' passes in progress: none fetches
        # a source another fetched since the earliest of them began. A cycle of due sources needs no such pass.
        since = await self.store.begin_pass(self.owner, time.time()) if self.owner and sources is None else None
        claims = SourceClaims(chosen, self.store, self.owner, self.lease_seconds, self._adopt, self._listed,
                              chunk=self.config.poll.concurrency, since=since)

        async def worker() -> None:
            while not refused and self._flush_refused is None:
                try:
                    spec = await claims.next()
                except StoreError as error:  # the leases cannot be taken: as for any refused write
                    refused.append(error)
                    return
                if spec is None:
                    return
                await one(spec)

        try:
            async with asyncio.TaskGroup() as group:  # on cancellation every worker is cancelled and awaited
                for _ in range(min(self.config.poll.concurrency, len(chosen))):
                    group.create_task(worker())
        finally:
            claims.unlist()
            if since is not None and self.owner:
                await self.store.end_pass(self.owner)
            await self.flush_states()
        if refused:
            raise refused[0]
        if self.owner is not None:
            report.sources = claims.claimed  # the others went to other workers
        await self.desk.save(self.store, self.clock())
        report.seconds = time.monotonic() - started
        report.finished_at = self._now()
        await self.store.record_cycle(report.started_at, report.finished_at, report.sources,
                                      report.ok + report.not_modified + report.unchanged, report.failed, report.events)
        return report

    async def process(self, spec: SourceSpec) -> tuple[str, int]:
        """Fetch one source and commit what it brought. Returns (outcome, new events)."""
        state = self.states.get(spec.id) or FetchState(spec.id)
        fetcher = self.untrusted if spec.origin == "chat" else self.fetcher
        reread = document_versions.settings_changed(spec, state.extraction)  # (then the whole body, read anew)
        result = await fetcher.fetch(spec.location, *((None, None) if reread else (state.etag, state.last_modified)))
        if result.outcome == "error":
            return "error", await self._fail(spec, state, result.error or "failed", result)
        if result.outcome == "not_modified":
            return "not_modified", await self._succeed(spec, state, result, "not_modified")
        if result.body_hash == state.body_hash and not reread:
            return "unchanged", await self._succeed(spec, state, result, "unchanged")
        if spec.kind == "feed":
            return await self._process_feed(spec, state, result)
        return await self._process_document(spec, state, result)

    # --- feeds --------------------------------------------------------------------------------

    async def _process_feed(self, spec: SourceSpec, state: FetchState, result: FetchResult) -> tuple[str, int]:
        try:
            feed = await parse_feed_async(result.body, result.final_url or spec.location)
        except FeedParseError as error:
            return "error", await self._fail(spec, state, f"not a readable feed: {error}", result, kind="parse")
        entries = list({entry.identity: entry for entry in reversed(feed.entries)}.values())[::-1]
        known = await self.store.known_entries(spec.id, [e.identity for e in entries])
        at = self._now()
        now = self.clock()
        seen: list[str] = []
        placements: list[EntryPlacement] = []
        fresh: list[EntryPlacement] = []
        updates: list[EntryPlacement] = []
        announce: set[str] = set()
        # Entries no feed carried for `retention.entries` are deleted: in a feed watched since before then, one
        # published before then is an old article come back, recorded again but never posted again.
        kept = self.config.retention.entries
        forgotten = now - timedelta(seconds=kept) if kept is not None else None
        if forgotten is not None and not (state.primed_at and state.primed_at < forgotten.isoformat()):
            forgotten = None
        if not state.primed and spec.backfill:
            newest = sorted(entries, key=lambda e: e.published or e.updated or "", reverse=True)[: spec.backfill]
            announce = {e.identity for e in newest}
        matches = {e.identity: self.desk.matches(spec, e) for e in entries
                   if (known_entry := known.get(e.identity)) is None or known_entry.fingerprint != e.fingerprint}
        # Placing in stories (and committing what was placed) is one section: with several workers, under the
        # story lock and after the others' placements (see StoryDesk.placing); not needed when no new or changed
        # entry is about a watched platform (nothing goes into the story index).
        indexed = any(self.desk.indexed(found) for found in matches.values())
        async with self.desk.placing(self.store) if indexed else contextlib.nullcontext():
            for entry in entries:
                previous = known.get(entry.identity)
                if previous is not None and previous.fingerprint == entry.fingerprint:
                    seen.append(entry.identity)
                    continue
                post = previous is not None or ((state.primed or entry.identity in announce)
                                                 and not _published_before(entry, forgotten))
                placement = await self.desk.place_entry(spec, feed.title, entry, previous, post, at, now,
                                                        matches[entry.identity])
                placements.append(placement)
                (updates if previous is not None else fresh).append(placement)
            shown = _without_flood(spec, fresh)
            messages = [m for p in (*shown, *updates) for m in p.messages]
            messages += self.desk.coverage(spec, [*shown, *updates], at)
            # Opening posts before replies, so that a thread's first post precedes its replies in every output; a
            # statement after the "Also reported by" of the article that carries it.
            messages.sort(key=lambda m: (m.reply_to is not None, m.event == "statement", m.at))
            writes = [_entry_write(p, known.get(p.entry.identity)) for p in placements]
            outcome = Outcome(spec.id, self._success_state(spec, state, result, "ok", primed=True), writes, seen,
                              statements=[w for p in placements for w in p.statements],
                              story_items=[p.story_item for p in placements if p.story_item is not None])
            return "ok", await self._commit(spec, state, outcome, messages)

    # --- documents ----------------------------------------------------------------------------

    async def _process_document(self, spec: SourceSpec, state: FetchState, result: FetchResult) -> tuple[str, int]:
        latest = await self.store.latest_snapshot(spec.id)
        try:
            reading = await document_versions.read_version(spec, state.extraction, result, latest)
        except DocumentProblem as problem:
            return "error", await self._fail(spec, state, str(problem), result, kind=problem.kind)
        snapshot: SnapshotWrite | None = None
        change: ChangeWrite | None = None
        messages: list[Message] = []
        story_items: list[tuple[str, str | None]] = []
        # A new text, or the same text with another date line (a version for `history`, never an alert)
        document = reading.document
        if latest is None or latest.hash != document.hash or dated_again(latest, document):
            snapshot = SnapshotWrite(document.hash, result.body_hash, document.text, document.metadata, reading.note)
            seen_before = latest is not None and (
                latest.hash == document.hash or document.hash in await self.store.snapshot_hashes(spec.id))
            if latest is not None and not seen_before and reading.judged is not None:
                platform = self.config.platforms.get(spec.platform or "")
                verdict, found = await asyncio.to_thread(document_verdict, spec, platform, latest, reading.judged,
                                                         self._now(), reading.within)
                if verdict.kind == "not_document":  # a section gave way to a notice: the baseline is kept
                    return "error", await self._fail(spec, state, UNAVAILABLE + verdict.reason, result,
                                                     kind="not_document")
                if found is not None:
                    change, message = found
        async with self.desk.placing(self.store) if change is not None else contextlib.nullcontext():
            if change is not None:
                placed = self.desk.place_terms_change(spec, message, change.clauses, document.hash[:16], self.clock())
                if placed is not None:
                    message, story_item = placed
                    story_items.append(story_item)
                messages.append(message)
            outcome = Outcome(spec.id, self._success_state(spec, state, result, "ok", primed=True),
                              snapshot=snapshot, change=change, story_items=story_items)
            return "ok", await self._commit(spec, state, outcome, messages)

    # --- state, health and routing ------------------------------------------------------------

    async def _succeed(self, spec: SourceSpec, state: FetchState, result: FetchResult, outcome: str) -> int:
        """Nothing new: only the fetch state changes. Without a notice to post, that write is batched
        (losing it in a crash costs one more conditional GET, nothing else)."""
        values = self._success_state(spec, state, result, outcome)
        if state.failing:
            return await self._commit(spec, state, Outcome(spec.id, values), [])
        self._remember(state, values)
        self._state_writes.append((spec.id, values))
        if len(self._state_writes) >= STATE_BATCH:
            self._queue_states()  # the worker goes on: the writer thread writes the batch meanwhile
        return 0

    def _queue_states(self) -> None:
        batch, self._state_writes = self._state_writes, []
        future = self.store.queue_states(batch)
        future.add_done_callback(self._states_written)
        self._flushing.append(future)

    def _states_written(self, future: asyncio.Future[None]) -> None:
        error = None if future.cancelled() else future.exception()
        if isinstance(error, StoreError) and self._flush_refused is None:  # no further source is started
            self._flush_refused = error

    async def flush_states(self) -> None:
        """Write the batched fetch-state updates and wait for every batch queued before (the first refusal is
        raised as StoreError, after all of them have settled)."""
        if self._state_writes:
            self._queue_states()
        pending, self._flushing = self._flushing, []
        errors = [e for e in await asyncio.gather(*pending, return_exceptions=True) if isinstance(e, BaseException)]
        self._flush_refused = None
        if errors:
            raise errors[0]

    def _success_state(self, spec: SourceSpec, state: FetchState, result: FetchResult, outcome: str,
                       primed: bool | None = None) -> dict[str, object]:
        now = self._now()
        values: dict[str, object] = {
            "last_fetch_at": now,
            "last_success_at": now,
            "last_outcome": outcome,
            "http_status": result.status,
            "last_error": None,
            "consecutive_failures": 0,
            "failing": 0,
            "fetches": state.fetches + 1,
            "next_due_at": time.time() + next_delay(spec.interval, self.config.poll.jitter, 0, self.rng),
        }
        if result.outcome == "ok":
            values["body_hash"] = result.body_hash
            values["etag"] = result.etag
            values["last_modified"] = result.last_modified
        elif result.etag or result.last_modified:  # a 304 may carry fresh validators
            values["etag"] = result.etag or state.etag
            values["last_modified"] = result.last_modified or state.last_modified
        if primed:
            values["primed"] = 1
            if not state.primed:
                values["primed_at"] = now
        if spec.kind == "document" and state.extraction != spec.extraction and (outcome == "ok" or not state.extraction):
            values["extraction"] = spec.extraction  # (after a new reading, or where the settings were not known)
        return self._released(values)

    async def _commit(self, spec: SourceSpec, state: FetchState, outcome: Outcome, messages: list[Message]) -> int:
        """Add the recovery notice if due, route every message, commit, and remember the new state."""
        change = record_success(Health(state.consecutive_failures, state.failing, state.last_error))
        routed: list[Routed] = []
        if change.notice == "recovered" and state.outage:
            routed += self._leave_outage(spec, state.outage)
        elif change.notice == "recovered":
            messages = [*messages, health_message(spec, "recovered", state.last_error, 0, self._now(), state.failing_seq)]
        outcome.messages = [Routed(m, self._routes(spec, m)) for m in messages] + routed
        try:
            events = await self.store.commit(outcome, self._now())
        except StoreError:
            if outcome.story_items:  # placed in memory but not journaled: back to what the store holds
                await self.desk.load(self.store)
            raise
        self._remember(state, outcome.state)
        if change.notice == "recovered":
            log.info("source %s: recovered", spec.id, extra={"source": spec.id})
        return events

    async def _fail(self, spec: SourceSpec, state: FetchState, error: str, result: FetchResult | None = None,
                    kind: str | None = None) -> int:
        """Count a failure; the baseline (body hash, snapshots, entries) is left untouched."""
        error_kind = kind or (result.error_kind if result else None) or "other"
        self.error_kinds[error_kind] += 1
        change = record_failure(Health(state.consecutive_failures, state.failing, state.last_error), error,
                                self.config.poll.failure_threshold)
        seq = state.failing_seq + (1 if change.notice == "failing" else 0)
        values: dict[str, object] = {
            "last_fetch_at": self._now(),
            "last_outcome": "error",
            "http_status": result.status if result else None,
            "last_error": error,
            "consecutive_failures": change.health.consecutive_failures,
            "failing": int(change.health.failing),
            "failing_seq": seq,
            "fetches": state.fetches + 1,
            "error_kind": error_kind,
            "next_due_at": time.time() + max(
                min(result.retry_after or 0.0, MAX_RETRY_AFTER) if result else 0.0,
                next_delay(spec.interval, self.config.poll.jitter, change.health.consecutive_failures, self.rng),
            ),
        }
        self._released(values)
        messages: list[Message] = []
        routed: list[Routed] = []
        if change.notice == "failing":
            outage, announcement = self._join_outage(spec, error_kind)
            values["outage"] = outage
            if outage is None:  # failing on its own: its own notice
                messages.append(health_message(spec, "failing", error, change.health.consecutive_failures, self._now(), seq))
            routed += announcement
            log.warning("source %s: failing after %d consecutive failures: %s%s", spec.id,
                        change.health.consecutive_failures, error, f" (outage {outage})" if outage else "",
                        extra={"source": spec.id})
        else:
            log.warning("source %s: %s (%s)", spec.id, error, error_kind, extra={"source": spec.id})
        outcome = Outcome(spec.id, values, messages=[Routed(m, self._routes(spec, m)) for m in messages] + routed)
        events = await self.store.commit(outcome, self._now())
        self._remember(state, values)
        return events

    def _join_outage(self, spec: SourceSpec, kind: str) -> tuple[str | None, list[Routed]]:
        """A source just crossed the failure threshold. When `poll.outage_sources` configured sources (it included)
        are erroring with the same class of error, their failures are one outage: the first to cross announces
        it (one notice per channel), the others join it silently. Returns (outage id or None, the announcement)."""
        for outage, failing in self._outages.items():
            if failing and outage.split(" ", 1)[0] == kind:
                failing.add(spec.id)
                return outage, []
        configured = {s.id: s for s in self.config.sources()}
        together = [configured[sid] for sid, state in self.states.items() if sid in configured and sid != spec.id
                    and state.consecutive_failures > 0 and state.error_kind == kind]
        if len(together) + 1 < self.config.poll.outage_sources:
            return None, []
        members = [spec, *together]
        at = self._now()
        since = min([s.last_success_at for m in members if (s := self.states.get(m.id)) and s.last_success_at] or [at])
        outage = f"{kind} {at} {since}"
        self._outages[outage] = {spec.id}
        message = outage_message(outage, kind, sorted(m.id for m in members), len(configured), since, at)
        return outage, [Routed(message, self._routes_for(members))]

    def _leave_outage(self, spec: SourceSpec, outage: str) -> list[Routed]:
        """A member of an outage recovered; the last one to recover posts the outage's one recovery reply."""
        failing = self._outages.get(outage)
        if failing is None:
            return []
        failing.discard(spec.id)
        if failing:
            return []
        del self._outages[outage]
        kind, _at, since = (outage.split(" ", 2) + ["", ""])[:3]
        configured = {s.id: s for s in self.config.sources()}
        members = [configured[sid] for sid, state in self.states.items() if state.outage == outage and sid in configured]
        log.info("outage %s: every source is fetched again", outage)
        message = outage_recovered_message(outage, kind, since, len(members) or 1, self._now())
        return [Routed(message, self._routes_for(members or [spec]))]

    def _routes_for(self, sources: Sequence[SourceSpec]) -> tuple[str, ...]:
        """Every channel that takes health notices of at least one of `sources`, each once."""
        return tuple(dict.fromkeys(c for s in sources for c in self.routes.for_platform(s.platform)))

    async def reconfigure(self, config: Config) -> None:
        """Poll the sources of `config` from now on (feeds added or removed from chat)."""
        self.config = config
        self.desk.config = config
        await self.prepare()

    def _routes(self, spec: SourceSpec, message: Message) -> tuple[str, ...]:
        if message.event in ("source_failing", "source_recovered"):
            return self.routes.for_platform(spec.platform)
        return self.routes.for_event(message.platform, message.topics)

    def _adopt(self, state: FetchState) -> None:
        """A source this worker just claimed, with its fetch state as stored (copied into the one in memory: a new
        object for each of 100,000 sources each cycle would leave the old ones' memory fragmented)."""
        current = self.states.get(state.source_id)
        if current is None:
            self.states[state.source_id] = state
            return
        for name in FetchState.__slots__:
            setattr(current, name, getattr(state, name))

    def _released(self, values: dict[str, object]) -> dict[str, object]:
        """A fetch-state write that also gives up this worker's lease on the source, stamped with the time: a cycle
        of another worker that began before it does not fetch the source again (see `claim_sources`)."""
        if self.owner is not None:
            values["lease_owner"], values["lease_until"] = None, time.time()
        return values

    def _remember(self, state: FetchState, values: dict[str, object]) -> None:
        """Mirror a committed (or batched) fetch-state write in memory."""
        for name, value in values.items():
            setattr(state, name, value)
        state.failing, state.primed = bool(state.failing), bool(state.primed)  # (stored as 0/1)
        self.states[state.source_id] = state

    def _now(self) -> str:
        """The clock as ISO 8601 to the second (formatted once per second: it is called per source)."""
        moment = self.clock()
        second = int(moment.timestamp())
        if second != self._now_second:
            self._now_second, self._now_text = second, moment.isoformat(timespec="seconds")
        return self._now_text


# What is stored of an entry: enough for every later comparison (an update's added passage reads the first
# 100,000 characters; the fingerprint covers the whole entry), not a hostile feed's 10 MB title.
STORED_TITLE = 1_000
STORED_TEXT = 100_000


def _entry_write(placement: EntryPlacement, previous: KnownEntry | None) -> EntryWrite:
    entry = placement.entry
    return EntryWrite(entry.identity, placement.platform, entry.title[:STORED_TITLE], entry.link,
                      entry.text[:STORED_TEXT], entry.fingerprint,
                      entry.published or entry.updated, previous.thread if previous else placement.thread,
                      previous.version + 1 if previous else 1, placement.language, placement.attribution,
                      placement.note, placement.placement)


def _published_before(entry: FeedEntry, moment: datetime | None) -> bool:
    """Was the entry published (or, lacking that, updated) before `moment`? False when it has no date."""
    stamp = entry.published or entry.updated
    if moment is None or not stamp:
        return False
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return False
    return (when if when.tzinfo else when.replace(tzinfo=UTC)) < moment


def _without_flood(spec: SourceSpec, fresh: list[EntryPlacement]) -> list[EntryPlacement]:
    """At most MAX_NEW_PER_POLL new entries posted per feed and poll, the newest: a feed that suddenly grows
    by thousands of entries is recorded, not posted."""
    posting = [p for p in fresh if p.messages or p.coverage_of]
    if len(posting) <= MAX_NEW_PER_POLL:
        return fresh
    log.warning("source %s: %d new entries at once; posting the newest %d, recording the rest", spec.id,
                len(posting), MAX_NEW_PER_POLL, extra={"source": spec.id})
    newest = sorted(posting, key=lambda p: p.entry.published or p.entry.updated or "", reverse=True)
    return newest[:MAX_NEW_PER_POLL]
