"""Story grouping: articles, own-feed posts and terms changes about one event form one story (one thread),
across outlets and languages, with what each later item adds; in memory, serialisable to plain dicts.
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import compress, filterfalse, repeat
from typing import Any

from bot.core.messages import thread_key
from bot.core.news.concepts import concepts_in
from bot.core.news.evidence import dates_and_numbers, dates_in, names_in, normalise_link, numbers_in, outlet_of, urls_in
from bot.core.news.statements import Statement
from bot.core.news.story_items import (
    ANALYSED_CHARS,
    ITEM_KINDS,
    UPDATE_CHARS,
    Features,
    StoryItem,
    article_item,
    features_of,
    item_from_dict,
    item_to_dict,
    sentences_of,
    statement_key,
    terms_item,
)
from bot.core.news.story_profiles import (
    Idf,
    Match,
    Query,
    Story,
    build_query,
    compare,
    explain_new,
)
from bot.core.text import fold

__all__ = [  # the story grouping API, and what an item brings (from the modules that own it)
    "DEFAULT_WINDOW", "ITEM_KINDS", "JOIN_THRESHOLD", "MAX_STORY_ITEMS", "NEWS_KINDS", "Assignment", "Story", "StoryIndex",
    "StoryItem", "article_item", "concepts_in", "dates_and_numbers", "dates_in", "item_from_dict", "item_to_dict",
    "names_by_platform", "names_in", "normalise_link", "numbers_in", "outlet_of", "terms_item", "urls_in",
]

DEFAULT_WINDOW = timedelta(days=14)
JOIN_THRESHOLD = 3.0  # score an item needs to join a story (see `story_profiles.compare`)
DUPLICATE_OVERLAP = 0.8  # share of sentences two texts must have in common to be one text syndicated
MAX_STORY_TOKENS = 400  # a story's profile stops growing past this many words / evidence tokens
MAX_CANDIDATES = 64  # stories of one platform looked at for one item (most recently active first)
MAX_STORY_ITEMS = 1000  # items a story remembers (to spot copies and updates of them); the oldest go first
NEWS_KINDS = ("outlet", "article", "passage", "edit", "statement", "clause_change")


@dataclass(slots=True)
class _ItemRecord:
    story: str
    sentences: tuple[int, ...]  # hashes of the lead's sentences (syndicated copies share them)
    title: str
    outlet: str
    published: datetime
    length: int  # characters of the text seen (at most UPDATE_CHARS) …
    digest: int  # … and their hash: a later version that starts with them was appended to


_PLUS_ONE = (1).__add__
_FIRST = operator.itemgetter(0)


def _most_shared(pair: tuple[str, int]) -> int:  # sort key: most sentences in common first
    return -pair[1]


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where an item went and what to post about it.

    `opened`: it opens story `story` (post a thread). Otherwise it joined it, and `news` lists what the reply
    says: "outlet" (another outlet reports it: "Also reported by `outlet`", with `link`), "article" (a new
    article from an outlet already in the story), "passage" (an updated article: `passage` is the added text),
    "edit" (an article changed without a new passage),
    "statement" (`statements` new to the story), "clause_change" (a terms change). `duplicate_of` names the item
    this one repeats (syndicated copy, same text in two feeds, unchanged re-poll): record it, do not post it.
    `score` and `evidence` say why it joined; `placement` says it in words, and for an item that opened a story,
    which stories were nearest and what evidence was missing to join them.
    """

    story: str
    opened: bool
    duplicate_of: str | None = None
    news: tuple[str, ...] = ()
    outlet: str = ""
    link: str | None = None
    passage: str = ""
    statements: tuple[Statement, ...] = ()
    score: float = 0.0
    evidence: tuple[str, ...] = ()
    placement: str = ""  # why it opened or joined its story, in words (`clausewatch why URL`)

    @property
    def post(self) -> bool:
        """Whether anything should be posted for this item."""
        return self.duplicate_of is None and (self.opened or bool(self.news))


class StoryIndex:
    """Groups items into stories. Candidates are the recently active stories of the item's platforms inside the
    time window, never every story; each is scored on shared language-independent evidence (dates, numbers,
    names, quoted terms, links), word similarity weighted by how specific words are, and topic overlap.

    `platform_names` maps platform ids to their names and aliases, which are left out of the evidence (every
    story of a platform names it). The index is deterministic and holds no clock: times come with the items.
    """

    def __init__(
        self,
        window: timedelta = DEFAULT_WINDOW,
        platform_names: Mapping[str, Sequence[str]] | None = None,
        threshold: float = JOIN_THRESHOLD,
    ) -> None:
        self.window = window
        self.threshold = threshold
        self.stories: dict[str, Story] = {}
        folded_names = {fold(name).strip() for names in (platform_names or {}).values() for name in names}
        self._ignore = frozenset(name for name in folded_names if name)
        self._by_platform: dict[str, dict[str, None]] = {}  # platform → story ids, least recently active first
        self._items: dict[str, _ItemRecord] = {}
        self._by_text: dict[int, str] = {}  # hash of a whole normalised text → item key
        self._by_link: dict[str, str] = {}  # normalised link → item key
        self._df: dict[str, int] = {}  # token → number of stories whose profile holds it
        self._sentence_owner: dict[int, str] = {}  # sentence hash → the first item that had it
        self._idf = Idf(0)  # weights of the stories' tokens by how many stories hold them
        self._forgotten = 0  # items forgotten since the text and link lookups were last cleaned

    # --- assignment ------------------------------------------------------------------------------------

    def assign(self, item: StoryItem, new_story_id: str | None = None) -> Assignment:
        """Place `item` in a story; `new_story_id` names the story if the item opens one (default: derived from
        the item's source and key, like the pipeline's thread keys)."""
        features = features_of(item, self._ignore)
        link = normalise_link(item.link) if item.link else None
        known_key = item.key if item.key in self._items else None
        if known_key is None and link:
            known_key = self._by_link.get(link)
        if known_key is not None and known_key in self._items:  # (the link's item may have been forgotten)
            return self._revisit(known_key, item, features, new_story_id)
        copied = self._by_text.get(features.text_hash)
        if copied is None or copied not in self._items:
            copied = self._duplicate(item, features)
        if copied is not None and copied in self._items:
            record = self._items[copied]
            self._remember(item, features, record.story, link)
            return Assignment(record.story, False, copied, outlet=item.outlet, link=item.link)
        considered: list[tuple[Story, Match | None]] = []
        match, query = self._best_story(item, features, considered)
        if match is None:
            story_id = new_story_id or thread_key("story", item.source or item.outlet, item.key)
            while story_id in self.stories:  # a thread key already taken (the same entry in a forgotten story)
                story_id = thread_key("story", story_id, item.key)
            story = Story(story_id, item.platforms[0] if item.platforms else "", item.published, item.published,
                          item.title)
            self.stories[story_id] = story
            self._absorb(story, item, features, None, query.counts if query is not None else None)
            self._remember(item, features, story_id, link)
            return Assignment(story_id, True, outlet=item.outlet, link=item.link,
                              statements=item.statements, placement=explain_new(item, considered, self.window, self.threshold))
        best, score, evidence = match.story, match.score, match.evidence
        news: list[str] = []
        if item.kind == "terms_change":
            news.append("clause_change")
        elif item.kind == "article":
            news.append("outlet" if item.outlet not in best.outlets else "article")
        fresh = tuple(s for s in item.statements if statement_key(s) not in best.statements) if item.statements else ()
        if fresh:
            news.append("statement")
        self._absorb(best, item, features, match.held, query.counts if query is not None else None)
        self._remember(item, features, best.id, link)
        placement = (f"joined story {best.id} ({best.title[:80]!r}): score {score:.2f} ≥ {self.threshold:.2f}; "
                     + "; ".join(evidence))
        return Assignment(best.id, False, None, tuple(news), item.outlet, item.link, "", fresh, score, evidence,
                          placement)

    def _revisit(self, key: str, item: StoryItem, features: Features, new_story_id: str | None) -> Assignment:
        """An item seen before (same key or link): an update says only what was added (the text appended to the
        version seen, else the lead's new sentences); an unchanged one is a duplicate."""
        record = self._items[key]
        story = self.stories.get(record.story)
        if story is None:  # its story was forgotten: the item is new again
            del self._items[key]
            return self.assign(item, new_story_id)
        text = item.text[:UPDATE_CHARS]
        digest = zlib.crc32(text.encode("utf-8"))
        appended = len(text) >= record.length and zlib.crc32(text[:record.length].encode("utf-8")) == record.digest
        if appended:
            passage = text[record.length:].strip()
        else:
            old = set(record.sentences)
            passage = " ".join(sentence for sentence, hashed in sentences_of(text[:ANALYSED_CHARS]) if hashed not in old)
        retitled = bool(item.title) and item.title != record.title
        fresh = tuple(s for s in item.statements if statement_key(s) not in story.statements)
        if digest == record.digest and not retitled and not fresh:
            return Assignment(story.id, False, key, outlet=item.outlet, link=item.link)
        record.sentences = tuple(dict.fromkeys((*record.sentences, *features.sentences)))
        record.title = item.title or record.title
        record.length, record.digest = len(text), digest
        self._items[item.key] = record
        self._absorb(story, item, features)
        news: tuple[str, ...] = ("passage",) if passage else ("edit",)
        news += ("statement",) if fresh else ()
        return Assignment(story.id, False, None, news, item.outlet, item.link, passage, fresh)

    def _best_story(self, item: StoryItem, features: Features,
                    considered: list[tuple[Story, Match | None]] | None = None) -> tuple[Match | None, Query | None]:
        """The best-scoring candidate story, if it reaches the threshold (and what the candidates were compared
        with, None without candidates). Candidates: the most recently active stories of the item's platforms
        (at most MAX_CANDIDATES each) active within the window."""
        query: Query | None = None
        best: Match | None = None
        earliest = item.published - self.window
        latest = item.published + self.window
        stories = self.stories
        platforms = item.platforms or ("",)
        seen: set[str] = set()
        for platform in platforms:
            ids = self._by_platform.get(platform)
            if not ids:
                continue
            looked = 0
            for story_id in reversed(ids):
                story = stories[story_id]
                if story.last_at < earliest or story.first_at > latest:
                    continue
                if len(platforms) > 1:  # (a story of several platforms is looked at once)
                    if story_id in seen:
                        continue
                    seen.add(story_id)
                if query is None:  # built only when there is a candidate
                    query = self._query(item, features)
                found = compare(story, query, self.window)
                if considered is not None:
                    considered.append((story, found))
                if found is not None and (best is None or found.score > best.score):
                    best = found
                looked += 1
                if looked >= MAX_CANDIDATES:
                    break
        return (best if best is not None and best.score >= self.threshold else None), query

    def _query(self, item: StoryItem, features: Features) -> Query:
        """What every candidate is compared with (`build_query`); the weights of the stories' tokens are computed
        once per number of stories (few distinct counts: one logarithm each, until a story is added)."""
        stories = len(self.stories) + 1
        if self._idf.stories != stories:
            self._idf = Idf(stories)
        return build_query(item, features, self._idf, self._df)

    def _duplicate(self, item: StoryItem, features: Features) -> str | None:
        """The key of an item whose text this one repeats (a syndicated copy: most of its sentences), if any.
        Found through the index of sentences, not by comparing texts."""
        mine = features.sentences
        if not mine:
            return None
        shared: dict[str, int] = {}
        for digest in mine:
            owner = self._sentence_owner.get(digest)
            if owner is not None:
                shared[owner] = shared.get(owner, 0) + 1
        title: str | None = None
        for key, common in sorted(shared.items(), key=_most_shared):
            record = self._items.get(key)
            if record is None or not record.sentences:
                continue
            smaller = len(mine) if len(mine) < len(record.sentences) else len(record.sentences)
            if common >= (2 if smaller > 2 else smaller) and common / smaller >= DUPLICATE_OVERLAP:
                return key
            if title is None:
                title = fold(item.title).strip()
            if len(title) >= 20 and common / smaller >= 0.5 and fold(record.title).strip() == title:
                return key
        return None

    # --- bookkeeping -----------------------------------------------------------------------------------

    def _absorb(self, story: Story, item: StoryItem, features: Features, held: list[bool] | None = None,
                counts: list[int] | None = None) -> None:
        """Add an item to a story's profile; `held` (which of the item's words the story has) and `counts` (how
        many stories hold each) spare looking them up again, when scoring the item just found them."""
        if item.topics and item.key not in story.items:  # (an updated article is not counted twice)
            carried = story.topic_counts
            for topic in set(item.topics):
                carried[topic] = carried.get(topic, 0) + 1
            story.topical += 1
        story.items[item.key] = None
        if item.published < story.first_at:  # (min and max, without their calls)
            story.first_at = item.published
        if item.published > story.last_at:
            story.last_at = item.published
        story.platforms.update(item.platforms)
        story.topics.update(item.topics)
        if item.outlet and item.kind != "terms_change":
            story.outlets.add(item.outlet)
        story.has_terms_change = story.has_terms_change or item.kind == "terms_change"
        story.reports_terms = story.reports_terms or features.reports_terms
        if item.statements:
            story.statements.update(statement_key(s) for s in item.statements)
        # Words the story has count once more; new ones join (in order) while there is room, as a loop over
        # the words would do it, with the loops in C.
        words = story.words
        item_words = features.words
        if held is None:
            held = list(map(words.__contains__, item_words)) if words else [False] * len(item_words)
        old = list(compress(item_words, held))
        if old:
            words.update(zip(old, map(_PLUS_ONE, map(words.__getitem__, old)), strict=False))
        room = MAX_STORY_TOKENS - len(words)
        if room > 0 and len(old) < len(item_words):
            fresh = list(map(operator.not_, held))
            new = list(compress(item_words, fresh))[:room]
            words.update(dict.fromkeys(new, 1))
            df = self._df
            if counts is None:
                df.update(zip(new, map(_PLUS_ONE, map(df.get, new, repeat(0))), strict=False))
            else:
                df.update(zip(new, map(_PLUS_ONE, compress(counts, fresh)), strict=False))
        tokens = story.evidence  # new tokens join while there is room (as a loop would add them)
        room = MAX_STORY_TOKENS - len(tokens)
        if room > 0 and features.evidence:
            new = list(filterfalse(tokens.__contains__, features.evidence))[:room]
            if new:
                tokens.update(new)
                story.kinds.update(map(_FIRST, new))
                df = self._df
                df.update(zip(new, map(_PLUS_ONE, map(df.get, new, repeat(0))), strict=False))
        for platform in item.platforms or ("",):
            ids = self._by_platform.setdefault(platform, {})
            ids.pop(story.id, None)
            ids[story.id] = None  # most recently active last

    def _remember(self, item: StoryItem, features: Features, story_id: str, link: str | None) -> None:
        text = item.text[:UPDATE_CHARS]
        self._items[item.key] = _ItemRecord(story_id, features.sentences, item.title, item.outlet, item.published,
                                            len(text), zlib.crc32(text.encode("utf-8")))
        for digest in features.sentences:
            self._sentence_owner.setdefault(digest, item.key)
        self._by_text.setdefault(features.text_hash, item.key)
        if link:
            self._by_link.setdefault(link, item.key)
        story = self.stories[story_id]
        story.items[item.key] = None
        while len(story.items) > MAX_STORY_ITEMS:
            self._forget_item(story, next(iter(story.items)))

    def _forget_item(self, story: Story, key: str) -> None:
        """Forget one item of a story (its oldest, when the story holds too many): a story that keeps receiving
        coverage would otherwise grow without bound. Its sentences are forgotten at once; the text and link
        lookups are cleaned when a quarter of their entries point to forgotten items."""
        del story.items[key]
        record = self._items.pop(key, None)
        if record is not None:
            owners = self._sentence_owner
            for digest in record.sentences:
                if owners.get(digest) == key:
                    del owners[digest]
        self._forgotten += 1
        if self._forgotten > max(MAX_STORY_ITEMS, len(self._items) // 4):
            live = self._items
            self._by_text = {h: k for h, k in self._by_text.items() if k in live}
            self._by_link = {link: k for link, k in self._by_link.items() if k in live}
            self._forgotten = 0

    def story_of(self, key: str) -> str | None:
        """The story an item key was placed in, if it is still indexed."""
        record = self._items.get(key)
        return record.story if record else None

    def forget_before(self, moment: datetime) -> int:
        """Drop stories inactive since before `moment` (and their items); returns how many were dropped."""
        stale = [story for story in self.stories.values() if story.last_at < moment]
        for story in stale:
            del self.stories[story.id]
            for token in (*story.words, *story.evidence):
                left = self._df.get(token, 0) - 1
                if left > 0:
                    self._df[token] = left
                else:
                    self._df.pop(token, None)
            for ids in self._by_platform.values():
                ids.pop(story.id, None)
            for key in story.items:
                self._items.pop(key, None)
        if stale:
            live = set(self._items)
            self._by_text = {h: k for h, k in self._by_text.items() if k in live}
            self._by_link = {link: k for link, k in self._by_link.items() if k in live}
            self._sentence_owner = {h: k for h, k in self._sentence_owner.items() if k in live}
        return len(stale)

    # --- persistence -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-compatible) from which `from_dict` rebuilds an equivalent index."""
        return {
            "version": 1,
            "window_seconds": self.window.total_seconds(),
            "threshold": self.threshold,
            "ignore": sorted(self._ignore),
            "stories": [story.to_dict() for story in self.stories.values()],
            "order": {platform: list(ids) for platform, ids in self._by_platform.items()},
            "items": {key: [r.story, list(r.sentences), r.title, r.outlet, r.published.isoformat(), r.length,
                            r.digest] for key, r in self._items.items()},
            "texts": {str(h): key for h, key in self._by_text.items()},
            "links": dict(self._by_link),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoryIndex:
        index = cls(timedelta(seconds=float(data.get("window_seconds", DEFAULT_WINDOW.total_seconds()))),
                    threshold=float(data.get("threshold", JOIN_THRESHOLD)))
        index._ignore = frozenset(data.get("ignore", ()))
        for raw in data.get("stories", ()):
            story = Story.from_dict(raw)
            index.stories[story.id] = story
            for token in (*story.words, *story.evidence):
                index._df[token] = index._df.get(token, 0) + 1
        for platform, ids in (data.get("order") or {}).items():
            index._by_platform[platform] = {story_id: None for story_id in ids if story_id in index.stories}
        for key, (story, sentences, title, outlet, published, length, digest) in (data.get("items") or {}).items():
            index._items[key] = _ItemRecord(story, tuple(int(h) for h in sentences), title, outlet,
                                            datetime.fromisoformat(published), int(length), int(digest))
        for key, record in index._items.items():
            for digest in record.sentences:
                index._sentence_owner.setdefault(digest, key)
        index._by_text = {int(h): key for h, key in (data.get("texts") or {}).items()}
        index._by_link = dict(data.get("links") or {})
        return index


def names_by_platform(platforms: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """{id: (name, *aliases)} of configured platforms (objects with `id`, `name`, `aliases`), for StoryIndex."""
    return {p.id: (p.name, *p.aliases) for p in platforms}
