"""The story desk: attributes each new or changed news entry to a platform, finds the platform's
statements in it, places it (and each terms change) in a story, and writes what the story's thread
should say — an opening post, or a reply with only what is new. Keeps the story index in the store; with
several workers on one database, each placement is made under a shared lock after catching up on the others'.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core.config import Config, Platform, SourceSpec
from bot.core.events import (
    ANALYSIS_CHARS,
    MAX_TITLE,
    coverage_message,
    entry_message,
    entry_update_message,
    in_story,
    statement_message,
    story_thread,
)
from bot.core.messages import Message
from bot.core.news.entries import FeedEntry
from bot.core.news.platforms import PlatformMatch, attribute
from bot.core.news.statements import Statement, extract_statements
from bot.core.news.stories import (
    Assignment,
    StoryIndex,
    article_item,
    item_from_dict,
    item_to_dict,
    names_by_platform,
    terms_item,
)
from bot.core.news.summaries import summarize
from bot.pipeline.statement_points import StatementPoints
from bot.store.database import KnownEntry, StatementWrite, Store, StoreError

log = logging.getLogger(__name__)
STORY_LOCK = "clausewatch:stories"  # held by the worker placing items, so that two never open one story twice
HOLD_TURN = 0.5  # seconds a worker keeps the story lock while its sections keep coming, before letting others in
HOLD_LINGER = 0.05  # seconds the lock is kept after this worker's last section, for the next one (within the turn)
HOLD_GAP = 0.02  # seconds a worker whose turn ended waits before asking again (the others ask every 5 ms)


@dataclass(slots=True)
class EntryPlacement:
    """What one entry becomes: its thread, why it has its platform, and the posts it brings (if any)."""

    entry: FeedEntry
    platform: str | None
    thread: str
    attribution: str | None
    note: str | None
    language: str | None
    messages: list[Message] = field(default_factory=list)
    statements: list[StatementWrite] = field(default_factory=list)
    story_item: tuple[str, str | None] | None = None
    coverage_of: str | None = None  # the story this entry is "also reported" in (batched per poll)
    outlet: str = ""
    placement: str | None = None  # why it opened or joined its thread (`why URL`)


def _published(entry: FeedEntry, fallback: datetime) -> datetime:
    for value in (entry.published, entry.updated):
        if value:
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return fallback


class StoryDesk:
    """Owns the StoryIndex of a running poller. Not thread-safe: call it from the event loop."""

    def __init__(self, config: Config, points: StatementPoints | None = None, shared: bool = False) -> None:
        self.config = config
        self.points = points
        self.index = self._fresh_index()
        self.dirty = False
        # `shared`: other workers place items in the same stored index (PostgreSQL): placements are made in
        # `placing`, which takes the story lock and first applies what the others journaled since `seen`. This
        # worker's sections run side by side under one hold of the lock (as on a single worker), for a turn.
        self.shared = shared
        self.seen = 0  # the last journal row reflected in `index`
        self._store: Store | None = None  # where opening posts are recorded (set by `load`)
        self._gate = asyncio.Lock()  # taking and giving back the story lock
        self._inside = 0  # sections in progress under this worker's hold
        self._held_at: float | None = None  # loop time the hold began (None: not held)
        self._idle = asyncio.Event()
        self._idle.set()
        self._release: asyncio.TimerHandle | None = None  # the lingering hold's end
        self._lingering: asyncio.Future[None] | None = None
        self._turn_over_at = 0.0  # loop time this worker's last turn ended (it lets the others in first)
        # Stories whose opening post exists: an item joining any other story (one that began with entries
        # recorded on a feed's first poll) opens its thread instead of replying into nothing.
        self.announced: set[str] = set()

    def _fresh_index(self) -> StoryIndex:
        return StoryIndex(window=timedelta(seconds=self.config.story_window),
                          platform_names=names_by_platform(self.config.platforms.values()))

    # --- persistence ------------------------------------------------------------------------------

    async def load(self, store: Store) -> None:
        """The index as saved after the last cycle, then the items journaled since replayed in order: the
        same stories as before a crash or restart."""
        self._store = store
        state = await store.story_state()
        index = StoryIndex.from_dict(json.loads(state.snapshot)) if state.snapshot else self._fresh_index()
        index.window = timedelta(seconds=self.config.story_window)
        for _seq, raw, new_story in state.journal:
            index.assign(item_from_dict(json.loads(raw)), new_story_id=new_story)
        self.index = index
        self.dirty = bool(state.journal)
        self.seen = max([state.upto, *(seq for seq, _, _ in state.journal)])
        self.announced = await store.opened_threads(list(index.stories))

    async def catch_up(self, store: Store) -> None:
        """Apply the items other workers journaled since `seen` (or reload the index one of them saved)."""
        state = await store.story_state(self.seen)
        if state.snapshot is not None:
            await self.load(store)
            return
        touched: set[str] = set()
        for seq, raw, new_story in state.journal:
            touched.add(self.index.assign(item_from_dict(json.loads(raw)), new_story_id=new_story).story)
            self.seen = seq
        if touched:  # not `dirty`: the worker that placed them saves the index they are in
            self.announced |= await store.opened_threads(sorted(touched))

    @contextlib.asynccontextmanager
    async def placing(self, store: Store) -> AsyncIterator[None]:
        """Around placing items and committing them (shared): under the story lock, up to date with the others'
        placements. On a single worker, nothing to do."""
        if not self.shared:
            yield
            return
        await self._enter(store)
        try:
            yield
        finally:
            await self._leave(store)

    async def _enter(self, store: Store) -> None:
        """Join this worker's hold of the story lock, taking it (and catching up) when it is not held. A hold that
        has lasted its turn admits no new section: they wait until it is given back, so other workers get theirs."""
        loop = asyncio.get_running_loop()
        while True:
            async with self._gate:
                if self._held_at is not None and self._inside == 0 and loop.time() - self._held_at >= HOLD_TURN:
                    await self._give_back(store, turn_over=True)  # a lingering hold whose turn is over
                if self._held_at is None:
                    gap = self._turn_over_at + HOLD_GAP - loop.time()
                    if gap > 0:  # the others' turn first
                        await asyncio.sleep(gap)
                    await store.lock(STORY_LOCK)
                    try:
                        await self.catch_up(store)
                    except BaseException:
                        await store.unlock(STORY_LOCK)
                        raise
                    self._held_at = loop.time()
                if self._inside == 0 or loop.time() - self._held_at < HOLD_TURN:
                    self._inside += 1
                    self._idle.clear()
                    return
            await self._idle.wait()

    async def _leave(self, store: Store) -> None:
        """After the last section of a hold, the story lock is given back: at once when the turn is over (others
        wait), else after lingering a moment for this worker's next section (each hold costs four round trips)."""
        async with self._gate:
            self._inside -= 1
            if self._inside:
                return
            self._idle.set()
            loop = asyncio.get_running_loop()
            assert self._held_at is not None
            if loop.time() - self._held_at >= HOLD_TURN:
                await self._give_back(store, turn_over=True)
                return
        if self._release is not None:
            self._release.cancel()
        self._release = asyncio.get_running_loop().call_later(HOLD_LINGER, self._end_linger, store)

    def _end_linger(self, store: Store) -> None:
        self._lingering = asyncio.ensure_future(self._linger_over(store))  # kept: a task nobody holds may vanish

    async def _linger_over(self, store: Store) -> None:
        try:
            async with self._gate:
                if self._inside == 0 and self._held_at is not None:
                    await self._give_back(store)
        except StoreError as error:  # the store went away meanwhile: its session, and so the lock, with it
            log.debug("story lock not given back: %s", error)

    async def _give_back(self, store: Store, turn_over: bool = False) -> None:
        """Release the story lock (with the gate held), having noted the journal rows written under it."""
        if turn_over:
            self._turn_over_at = asyncio.get_running_loop().time()
        try:
            self.seen = await store.journal_tip()  # everything up to it is in `index`: ours, or caught up
        finally:
            self._held_at = None
            await store.unlock(STORY_LOCK)

    async def save(self, store: Store, now: datetime) -> None:
        """Save the index and empty the journal. Stories idle for two windows are forgotten first, on the
        index's own timeline (the newest item's date), so that old or backfilled news is not dropped."""
        if not self.dirty:  # nothing placed here since the last save: nothing to save, no lock to take
            return
        async with self.placing(store):
            if not self.dirty:
                return
            newest = max((story.last_at for story in self.index.stories.values()), default=None)
            if newest is not None:
                self.index.forget_before(newest - 2 * self.index.window)
            upto = await store.journal_tip()
            await store.save_story_snapshot(json.dumps(self.index.to_dict(), ensure_ascii=False),
                                            now.isoformat(timespec="seconds"), upto)
            self.seen = upto
            self.dirty = False

    # --- news entries -----------------------------------------------------------------------------

    async def place_entry(self, spec: SourceSpec, feed_title: str, entry: FeedEntry, previous: KnownEntry | None,
                          post: bool, at: str, now: datetime,
                          matches: list[PlatformMatch] | None = None) -> EntryPlacement:
        """Attribute (unless `matches` says already), extract statements, place in a story; `post` False records
        without posting (the first poll of a feed)."""
        matches = self.matches(spec, entry) if matches is None else matches
        match = matches[0] if matches else None
        base_key = f"entry:{spec.id}:{entry.identity}:{entry.fingerprint[:16]}"
        if match is None or not self.indexed(matches):
            # Not about a watched platform: kept, posted only where a channel asks for unmatched news.
            thread = previous.thread if previous else story_thread(spec, entry)
            note = (f"mentions {self._name(match.platform)} only in passing ({match.why})" if match
                    else "names no watched platform")
            placement = EntryPlacement(entry, None, thread, match.why if match else None, note, None)
            if post:
                message = (entry_update_message(spec, None, entry, previous.title, previous.text, thread, at)
                           if previous else entry_message(spec, None, entry, at))
                placement.messages.append(message)
            return placement
        platform = self.config.platforms.get(match.platform)
        statements = self._statements(spec, entry, match.platform, platform)
        # Other platforms the article is about too ("Tumblr and WordPress to sell data"): their stories are
        # candidates as well, whichever of them the attribution put first.
        others = [m.platform for m in matches[1:] if m.salient and m.platform != match.platform][:2]
        item = article_item(
            key=f"{spec.id}:{entry.identity}", title=entry.title[:MAX_TITLE], text=entry.text[:ANALYSIS_CHARS],
            published=_published(entry, now), platforms=[match.platform, *others], link=entry.link, source=spec.id,
            outlet=feed_title, statements=statements, own_feed=spec.is_statement_feed,
        )
        new_story = previous.thread if previous else story_thread(spec, entry)
        assignment = self.index.assign(item, new_story_id=new_story)
        self.dirty = True
        placement = EntryPlacement(entry, match.platform, assignment.story, match.why, None, item.language,
                                   story_item=(json.dumps(item_to_dict(item), ensure_ascii=False), new_story),
                                   placement=assignment.placement or None)
        if assignment.duplicate_of is not None:
            placement.note = f"a copy of {assignment.duplicate_of.split(':', 1)[-1]} (recorded, not posted again)"
            return placement
        if not post:
            return placement
        if previous is not None and assignment.opened and assignment.story == previous.thread \
                and await self._posted(previous.thread):
            # Its story was forgotten (idle for two windows) and began again with it, in the thread it had:
            # that thread has its opening post already, so the changed article is an update in it.
            assignment = dataclasses.replace(assignment, opened=False, news=(*assignment.news, "edit"))
        if not assignment.opened and assignment.story not in self.announced:
            assignment = dataclasses.replace(assignment, opened=True)
        if assignment.opened:
            self.announced.add(assignment.story)
        placement.messages = await self._messages(spec, platform, match.platform, entry, previous, assignment,
                                            base_key, at, placement)
        return placement

    def coverage(self, spec: SourceSpec, placements: Sequence[EntryPlacement], at: str) -> list[Message]:
        """One "Also reported by …" reply per story for the entries of one poll that another outlet brought."""
        by_story: dict[str, list[EntryPlacement]] = {}
        for placement in placements:
            if placement.coverage_of is not None:
                by_story.setdefault(placement.coverage_of, []).append(placement)
        messages = []
        for story, group in by_story.items():
            outlets = list(dict.fromkeys(p.outlet for p in group))
            first = group[0]
            seed = "\x00".join(f"{p.entry.identity}:{p.entry.fingerprint}" for p in group)
            digest = hashlib.sha256(seed.encode()).hexdigest()[:16]
            message = coverage_message(spec, first.platform, first.entry, story, outlets, at,
                                       f"coverage:{spec.id}:{story}:{digest}")
            if len(group) > 1:
                lines = [f"{p.outlet}: {p.entry.title[:MAX_TITLE]} {p.entry.link or ''}".strip() for p in group]
                message = dataclasses.replace(message, text="\n".join(lines))
            messages.append(message)
        return messages

    async def _summary(self, statement: Statement) -> list[str]:
        return await self.points.points(statement) if self.points is not None else summarize(statement)

    async def _messages(self, spec: SourceSpec, platform: Platform | None, platform_id: str, entry: FeedEntry,
                  previous: KnownEntry | None, assignment: Assignment, base_key: str, at: str,
                  placement: EntryPlacement) -> list[Message]:
        story = assignment.story
        messages: list[Message] = []
        if spec.is_statement_feed:  # the platform's own post is its statement, opening a thread or replying
            statement = assignment.statements[0] if assignment.statements else None
            if statement is not None:
                points = await self._summary(statement)
                messages.append(statement_message(spec, platform, statement, points, story, assignment.opened,
                                                  entry.link, at, base_key))
                placement.statements.append(self._statement_write(base_key, platform_id, story, statement, points, entry, at))
                return messages
            message = entry_message(spec, platform_id, entry, at)
            return [in_story(message, story, assignment.opened)]
        if assignment.opened:
            messages.append(in_story(entry_message(spec, platform_id, entry, at), story, True))
        elif "passage" in assignment.news or "edit" in assignment.news:
            # The added passage as it was written, even when it is a statement: that goes out as its own reply
            # too (points, speaker, quote), so that readers see both what the article now says and who said what.
            if previous is not None:
                update = entry_update_message(spec, platform_id, entry, previous.title, previous.text, story, at)
            else:
                update = entry_update_message(spec, platform_id, entry, entry.title, "", story, at)
            messages.append(in_story(update, story, False))
        elif "outlet" in assignment.news:
            placement.coverage_of = story
            placement.outlet = assignment.outlet or spec.id
        elif "article" in assignment.news:
            messages.append(coverage_message(spec, platform_id, entry, story, [assignment.outlet or spec.id], at,
                                             base_key, more_from_outlet=True))
        for number, statement in enumerate(assignment.statements):
            points = await self._summary(statement)
            key = f"{base_key}:statement:{number}"
            messages.append(statement_message(spec, platform, statement, points, story, False, entry.link, at, key))
            placement.statements.append(self._statement_write(key, platform_id, story, statement, points, entry, at))
        return messages

    async def _posted(self, thread: str) -> bool:
        """Has `thread` had its opening post (known since load, or recorded in the store)?"""
        if thread in self.announced:
            return True
        if self._store is not None and await self._store.opened_threads([thread]):
            self.announced.add(thread)
            return True
        return False

    @staticmethod
    def indexed(matches: Sequence[PlatformMatch]) -> bool:
        """Does an entry attributed so go into the story index (about a watched platform, not in passing)?"""
        return bool(matches) and (matches[0].salient or matches[0].own_feed)

    def matches(self, spec: SourceSpec, entry: FeedEntry) -> list[PlatformMatch]:
        """The platforms the entry names, the one it is attributed to first (its own feed's platform, if any)."""
        matches = list(attribute(entry.text[:ANALYSIS_CHARS], self.config.platforms, title=entry.title[:MAX_TITLE],
                                 own_platform=spec.platform if spec.is_statement_feed or spec.platform else None))
        if spec.platform:
            own = next((m for m in matches if m.platform == spec.platform), None)
            own = own or PlatformMatch(spec.platform, 0, spec.platform, own_feed=True, salient=True)
            return [own, *(m for m in matches if m is not own)]
        return matches

    def _statements(self, spec: SourceSpec, entry: FeedEntry, platform_id: str, platform: Platform | None) -> list[Statement]:
        names = (platform.name, *platform.aliases) if platform else (platform_id,)
        return extract_statements(entry.text[:ANALYSIS_CHARS], names, title=entry.title[:MAX_TITLE],
                                  own_feed=spec.is_statement_feed, platform=platform_id,
                                  published=entry.published or entry.updated)

    def _statement_write(self, key: str, platform: str, story: str, statement: Statement, points: Sequence[str],
                         entry: FeedEntry, at: str) -> StatementWrite:
        return StatementWrite(key, platform, story, statement.speaker, statement.channel, statement.quote,
                              tuple(points), statement.language, entry.link, statement.when or at)

    def _name(self, platform_id: str) -> str:
        platform = self.config.platforms.get(platform_id)
        return platform.name if platform else platform_id

    # --- terms changes ----------------------------------------------------------------------------

    def place_terms_change(self, spec: SourceSpec, message: Message, clauses: Sequence[Mapping[str, object]],
                           version: str, now: datetime) -> tuple[Message, tuple[str, str | None]] | None:
        """A terms change joins the story of the articles about it, or opens one they will join."""
        if not spec.platform:
            return None
        # The clause's path carries its number ("3.4"), which articles quote: evidence for joining them.
        texts = [f"{c.get('path') or ''}: {c.get('new_text')}" for c in clauses
                 if c.get("kind") in ("added", "modified") and c.get("new_text")]
        # Grouping reads the clauses' own topics: those a post adds for routing (its document type's, the clause
        # vocabulary's: `bot.core.terms.clause_topics`) are not news topics.
        listed = [c.get("topics") for c in clauses]
        topics = tuple(dict.fromkeys(str(t) for ts in listed if isinstance(ts, (list, tuple)) for t in ts))
        item = terms_item(f"{spec.id}:{version}", spec.platform, spec.doc_type or "terms", texts or [message.text], now,
                          topics=topics, source=spec.id, link=spec.url, title=message.title)
        assignment = self.index.assign(item, new_story_id=message.thread)
        self.dirty = True
        opened = assignment.opened or assignment.story not in self.announced
        self.announced.add(assignment.story)
        return (in_story(message, assignment.story, opened),
                (json.dumps(item_to_dict(item), ensure_ascii=False), message.thread))
