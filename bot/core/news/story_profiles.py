"""A story's profile (its words, evidence, topics, outlets and time span) and how an item scores against it:
shared evidence, word similarity weighted by how rare words are, topics in common and closeness in time.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import compress, repeat
from typing import Any

from bot.core.news.concepts import CONCEPT_TOKENS
from bot.core.news.story_items import Features, StoryItem

STRONG_EVIDENCE = 4.0  # shared language-independent evidence that joins even without a shared topic
WORD_WEIGHT = 6.0  # weight of same-language word similarity (0..1)
TOPIC_WEIGHT = 2.0  # weight of topic overlap: the share of the story's items carrying a topic of the item (0..1)

# With topics in common, the closeness bonus depends on how alike the item's topics are to the story's (a
# weighted Jaccard: each story topic weighs the share of its items carrying it, `Story.topic_likeness`): full
# from MAIN_SHARE up, none at SIDE_SHARE or below — "privacy" as an aside of a story about AI training is not
# what a privacy fine has in common with it.
MAIN_SHARE = 0.35
SIDE_SHARE = 0.1
UNKNOWN_TOPIC = 0.25  # topic overlap counted when the item or the story has no topic at all
UNKNOWN_TOPIC_NEAR = 0.5  # share of the closeness bonus (NEAR_WEIGHT) left when a topic is missing on one side
WORDS_ALONE = 0.45  # word similarity an item needs to join a story with which it shares no evidence
TERMS_BONUS = 1.5  # a terms change meets articles that report a terms change, with a shared topic

# Real coverage of one event rarely shares a fact the evidence can read (a French article paraphrases what an
# English one quoted; an article names the month, the terms change has no date at all). What it does share: the
# platform, what the event is about and when — and a backlash runs for one to three weeks (discovery, coverage,
# the company's answer, a revision). An item whose main platform is the story's gains up to NEAR_WEIGHT for
# closeness in time: the full weight within NEAR of the story's activity (which grows with each item), then less
# and less until none at the window's end. It does not apply when item and story both have topics and share
# none (another subject of the same platform); an item without a topic (the labeller found none) is not held
# against the story, nor is a story without one.
NEAR = timedelta(days=2)
NEAR_WEIGHT = 2.0
CLOSE_ENOUGH = 0.5  # closeness (0..1) that lets an item without shared facts or close wording be scored at all

# date, number, proper name, quoted, URL, concept (what the item is about, named in any language: `concepts.yaml`;
# weak: counted only when two or more are shared, and a concept many stories carry weighs less still)
EVIDENCE_WEIGHTS = {"d": 2.0, "n": 1.5, "p": 1.0, "q": 1.5, "u": 3.0, "c": 0.75}
EVIDENCE_CAPS = {"d": 2, "n": 3, "p": 3, "q": 2, "u": 1, "c": 3}
EVIDENCE_NAMES = {"d": "date", "n": "number", "p": "name", "q": "quoted term", "u": "link", "c": "concept"}
FACT_KINDS = frozenset("dnpqu")  # the kinds of evidence that are facts (a concept is not one)

# An item and a story close in time that share CONCEPTS_NEAR concepts or more are known to be about the same
# subject even when the topic labeller found no topic on one side: the closeness bonus counts fully.
CONCEPTS_NEAR = 2

# An item and a story that both name calendar days, none in common and none even in the same month, lose
# CONFLICT_PENALTY: two events rarely share wording and topic but not their dates. Days of one month do not
# conflict (one article names the day the clause was found, another the day the company answered), nor do
# figures (one article counts users, another quotes a percentage), nor the day an article was published (left
# out of its evidence).
CONFLICT_PENALTY = 1.0

# An item and a story that each name CONCEPTS_APART concepts or more but have at most one in common (a broad one
# such as "AI") and no fact either are about different things of one platform — training on users' content, a
# tool pulled for copying — however close in time: the closeness bonus does not apply.
CONCEPTS_APART = 3

# An item and a story whose topics differ (both have some, none in common) are still compared when they name
# CONCEPTS_RELATE concepts or more in common: the labeller read one event as "privacy" here, "moderation" there.
CONCEPTS_RELATE = 3
FULL_WEIGHT_STORIES = 2  # a token found in at most this many stories always counts fully
IDF_FULL = math.log(20.0)  # a token in 1/20 of the stories or fewer counts fully

_FIRST = operator.itemgetter(0)


@dataclass(slots=True)
class Story:
    """One event: its items, where it was reported, what it is about, and the profile items are compared with."""

    id: str
    platform: str
    first_at: datetime
    last_at: datetime
    title: str
    platforms: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    words: dict[str, int] = field(default_factory=dict)
    evidence: set[str] = field(default_factory=set)
    outlets: set[str] = field(default_factory=set)
    items: dict[str, None] = field(default_factory=dict)  # item keys in arrival order (an ordered set)
    statements: set[int] = field(default_factory=set)
    has_terms_change: bool = False
    reports_terms: bool = False
    kinds: set[str] = field(default_factory=set)  # kinds of evidence held ("d" dates, "n" numbers, …)
    topic_counts: dict[str, int] = field(default_factory=dict)  # topic → items that carry it …
    topical: int = 0  # … out of this many items with a topic (a story's main subject is in most of its items)

    def topic_likeness(self, topics: frozenset[str]) -> float:
        """Weighted Jaccard of an item's topics (1 each) and the story's (the share of its items carrying each):
        1 when the item has exactly the topics all the story's items have, low when it shares only an aside."""
        if not self.topical:
            union = topics | self.topics
            return len(topics & self.topics) / len(union) if union else 0.0
        counts, items = self.topic_counts, self.topical
        common = sum(counts.get(topic, 0) for topic in topics) / items
        rest = sum(count for topic, count in counts.items() if topic not in topics) / items
        return common / (len(topics) + rest)

    def topic_share(self, topics: frozenset[str]) -> float:
        """The largest share of the story's items with a topic that carry one of `topics` (0..1)."""
        counts = self.topic_counts
        if not self.topical:
            return 1.0 if topics & self.topics else 0.0
        most = max(map(counts.get, topics, repeat(0)), default=0)
        return most / self.topical if most < self.topical else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "platform": self.platform, "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(), "title": self.title, "platforms": sorted(self.platforms),
            "topics": sorted(self.topics), "words": self.words, "evidence": sorted(self.evidence),
            "outlets": sorted(self.outlets), "items": list(self.items), "statements": sorted(self.statements),
            "has_terms_change": self.has_terms_change, "reports_terms": self.reports_terms,
            "topic_counts": self.topic_counts, "topical": self.topical,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Story:
        return cls(
            id=data["id"], platform=data["platform"], first_at=datetime.fromisoformat(data["first_at"]),
            last_at=datetime.fromisoformat(data["last_at"]), title=data.get("title", ""),
            platforms=set(data.get("platforms", ())), topics=set(data.get("topics", ())),
            words={str(k): int(v) for k, v in (data.get("words") or {}).items()},
            evidence=set(data.get("evidence", ())), outlets=set(data.get("outlets", ())),
            items=dict.fromkeys(data.get("items", ())), statements={int(s) for s in data.get("statements", ())},
            has_terms_change=bool(data.get("has_terms_change")), reports_terms=bool(data.get("reports_terms")),
            kinds={token[0] for token in data.get("evidence", ())},
            topic_counts={str(k): int(v) for k, v in (data.get("topic_counts") or {}).items()},
            topical=int(data.get("topical") or 0),  # (0 in older snapshots: every topic counts as a main one)
        )


def gap(moment: datetime, story: Story) -> timedelta:
    """How far `moment` lies outside the story's activity (zero inside it)."""
    if moment < story.first_at:
        return story.first_at - moment
    if moment > story.last_at:
        return moment - story.last_at
    return timedelta(0)


def months_differ(query: Query, story: Story) -> bool:
    """Whether none of the months of the days the item names ("d:MM-DD") is a month of the story's days."""
    months = {token[2:4] for token in query.evidence if token[0] == "d"}
    return not any(token[0] == "d" and token[2:4] in months for token in story.evidence)


def days_apart(gap: timedelta) -> str:
    """"within a day", "1 day apart", "10 days apart" (how far an item lies from a story's activity)."""
    days = gap.total_seconds() / 86400.0
    if days < 1.0:
        return "within a day"
    return "1 day apart" if days < 1.5 else f"{days:.0f} days apart"


class Idf(dict[int, float]):
    """Number of stories holding a word → log(1 + stories / (number + 1)), computed once per number; `evidence`
    the same for evidence tokens (1 when few stories hold it, else that weight over IDF_FULL, at most 1)."""

    __slots__ = ("stories", "evidence")

    def __init__(self, stories: int) -> None:
        super().__init__()
        self.stories = stories
        self.evidence = _EvidenceIdf(self)

    def __missing__(self, count: int) -> float:
        weight = self[count] = math.log(1.0 + self.stories / (count + 1.0))
        return weight


class _EvidenceIdf(dict[int, float]):
    __slots__ = ("idf",)

    def __init__(self, idf: Idf) -> None:
        super().__init__()
        self.idf = idf

    def __missing__(self, count: int) -> float:
        weight = self[count] = 1.0 if count <= FULL_WEIGHT_STORIES else min(1.0, self.idf[count] / IDF_FULL)
        return weight


@dataclass(slots=True, eq=False)  # (not frozen: built for every item, faster so)
class Query:
    item: StoryItem
    features: Features
    words: tuple[str, ...]  # the item's words …
    counts: list[int]  # … how many stories hold each (until the item is absorbed) …
    weights: tuple[float, ...]  # … and their weights
    mass: float  # the sum of those weights
    evidence: dict[str, float]  # token → its weight
    topics: frozenset[str]
    kinds: frozenset[str]  # kinds of evidence the item has ("d", "n", …)


@dataclass(slots=True, eq=False)  # (not frozen: built for every item, faster so)
class Match:
    story: Story
    score: float
    similarity: float
    reasons: list[str]  # the evidence counted (and missed), without the words' and topics' parts …
    overlap: frozenset[str]  # … written by `evidence` for the best match only
    held: list[bool]  # which of the item's words the story has (until the item is absorbed)

    @property
    def evidence(self) -> tuple[str, ...]:
        """Why the item joins: the evidence, the word similarity and the topics in common."""
        reasons = [*self.reasons, f"words {self.similarity:.2f}"]
        if self.overlap:
            reasons.append("topics " + ",".join(sorted(self.overlap)))
        return tuple(reasons)


def nearest_first(pair: tuple[Story, Match | None]) -> float:  # sort key: best-scoring candidate first
    return -pair[1].score if pair[1] is not None else float("inf")


def explain_new(item: StoryItem, considered: list[tuple[Story, Match | None]], window: timedelta, threshold: float) -> str:
    """Why `item` opened a story: no candidate in the window, or the nearest candidates with their scores and
    what was missing to join them."""
    platforms = ", ".join(item.platforms) or "no platform"
    if not considered:
        return (f"opened a new thread: no story of {platforms} active within {window.days} days of "
                f"{item.published.date().isoformat()}")
    ranked = sorted(considered, key=nearest_first)[:3]
    parts = []
    for story, found in ranked:
        if found is None:
            theirs = ", ".join(sorted(story.topics)) or "none"
            mine = ", ".join(item.topics) or "none"
            if story.topics.isdisjoint(item.topics) and story.topics and item.topics:
                parts.append(f"{story.id} ({story.title[:60]!r}): not compared — missing: a topic in common "
                             f"(story: {theirs}; this item: {mine}), {CONCEPTS_RELATE} concepts in common or a "
                             "shared date, figure, name, quoted term or link")
            else:
                parts.append(f"{story.id} ({story.title[:60]!r}): not compared — missing: a shared date, figure, "
                             f"name, quoted term or link, close wording, or the story's platform within "
                             f"{window.days} days")
            continue
        missing = []
        if not any(not reason.startswith(("no common", "words", "topics", "c:")) for reason in found.reasons):
            missing.append("no shared date, figure, name, quoted term or link")
        if found.similarity < WORDS_ALONE:
            missing.append(f"wording similarity {found.similarity:.2f} < {WORDS_ALONE}")
        if not found.overlap:
            missing.append("no topic in common")
        missing.extend(reason for reason in found.reasons if reason.startswith("no common"))
        parts.append(f"{story.id} ({story.title[:60]!r}): score {found.score:.2f} < {threshold:.2f}"
                     + (f" — missing: {', '.join(missing)}" if missing else ""))
    return "opened a new thread; nearest stories: " + "; ".join(parts)

def build_query(item: StoryItem, features: Features, idf: Idf, df: dict[str, int]) -> Query:
    """What every candidate is compared with: the item's words and evidence, each weighted by how few stories
    hold it (a word every story has says little)."""
    words = features.words
    counts = list(map(df.get, words, repeat(0)))
    weights = tuple(map(idf.__getitem__, counts))
    tokens = tuple(features.evidence)  # token → weight of its kind × how few stories hold it (capped at 1)
    factors = map(idf.evidence.__getitem__, map(df.get, tokens, repeat(0)))
    evidence = dict(zip(tokens, map(operator.mul, map(EVIDENCE_WEIGHTS.__getitem__, map(_FIRST, tokens)), factors), strict=False))
    return Query(item, features, words, counts, weights, sum(weights), evidence, frozenset(item.topics),
                 frozenset(map(_FIRST, features.evidence)))

def compare(story: Story, query: Query, window: timedelta) -> Match | None:
    """Evidence + WORD_WEIGHT × word similarity + TOPIC_WEIGHT × topic overlap (+ TERMS_BONUS); None when the
    item shares no topic with the story and has neither strong evidence, similar wording nor CONCEPTS_RELATE
    concepts in common."""
    weights = query.evidence
    shared = weights.keys() & story.evidence
    evidence_score = 0.0
    reasons: list[str] = []
    counted: dict[str, int] = {}  # kinds of the shared tokens (the first of each kind always counts)
    facts = False  # whether a shared token is a fact (not a concept)
    if shared:
        for token in sorted(shared):
            kind = token[0]
            done = counted.get(kind, 0)
            if done >= EVIDENCE_CAPS[kind]:
                continue
            counted[kind] = done + 1
            facts = facts or kind != "c"
            evidence_score += weights[token]
            reasons.append(token)
    if counted.get("c") == 1:  # (one concept in common says little: two events of a platform often share one)
        lone = next(reason for reason in reasons if reason[0] == "c")
        evidence_score -= weights[lone]
        reasons.remove(lone)
        del counted["c"]
    if "d" in query.kinds and "d" in story.kinds and "d" not in counted and months_differ(query, story):
        evidence_score -= CONFLICT_PENALTY  # both name days, none in the same month: another event
        reasons.append("no common date")
    # the weights of the words the story has, added in the item's order (as a loop would)
    held = list(map(story.words.__contains__, query.words))
    common = sum(compress(query.weights, held))
    similarity = common / query.mass if query.mass else 0.0
    overlap = query.topics & story.topics
    if overlap:  # (how many of the story's items carry a topic the item has: its main subject, or a side one)
        topic_score = story.topic_share(overlap)
    elif not query.topics or not story.topics:
        topic_score = UNKNOWN_TOPIC  # (the labeller found none: the subject may be the same)
    else:
        topic_score = 0.0
    # (topics that differ may be two readings of one event by the labeller: CONCEPTS_RELATE concepts or more
    # named in both relate them still)
    related = bool(overlap) or not query.topics or not story.topics or counted.get("c", 0) >= CONCEPTS_RELATE
    if not related and evidence_score < STRONG_EVIDENCE and similarity < 0.5:
        return None
    item = query.item
    terms_meet = bool(overlap) and ((item.kind == "terms_change" and story.reports_terms)
                                    or (query.features.reports_terms and story.has_terms_change))
    closeness = 0.0
    if related and story.platform in item.platforms:  # (the platforms it is about, not passing mentions)
        closeness = closeness_of(gap(item.published, story), window)
    if not facts and similarity < WORDS_ALONE and closeness < CLOSE_ENOUGH and not terms_meet:
        return None  # with no fact in common, only close wording (or the same platform and days) joins
    if (closeness and not facts and "c" not in counted and len(CONCEPT_TOKENS & weights.keys()) >= CONCEPTS_APART
            and len(CONCEPT_TOKENS & story.evidence) >= CONCEPTS_APART):
        closeness = 0.0  # (both name several concepts, at most one in common: another subject)
        reasons.append(f"no common concept (same platform, {days_apart(gap(item.published, story))}, not counted)")
    bonus = 0.0
    if terms_meet:
        bonus = TERMS_BONUS
        reasons.append("terms change reported")
    if closeness:
        # (a topic missing on one side: the subject is known to be the same only when both report a change
        # of terms or policy — what this watch is about — else the bonus is reduced)
        if overlap:  # (topics in common that are only the story's asides: less bonus, or none)
            likeness = story.topic_likeness(query.topics)
            subject = min(1.0, max(0.0, (likeness - SIDE_SHARE) / (MAIN_SHARE - SIDE_SHARE)))
        elif counted.get("c", 0) >= CONCEPTS_NEAR:  # (what it is about, named in both: the same subject)
            subject = 1.0
        else:
            subject = 1.0 if query.features.reports_terms and story.reports_terms else UNKNOWN_TOPIC_NEAR
        bonus += NEAR_WEIGHT * closeness * subject
        reasons.append(f"same platform, {days_apart(gap(item.published, story))}" + (
            "" if overlap else " (no topic in common, but concepts)" if subject == 1.0 and counted.get("c", 0)
            >= CONCEPTS_NEAR else " (a topic missing on one side)"))
    score = evidence_score + WORD_WEIGHT * similarity + TOPIC_WEIGHT * topic_score + bonus
    return Match(story, round(score, 3), similarity, reasons, overlap, held)

def closeness_of(apart: timedelta, window: timedelta) -> float:
    """1 within NEAR of a story's activity, then falling smoothly to 0 at the window's end."""
    if apart <= NEAR:
        return 1.0
    span = window - NEAR
    if apart >= window or span <= timedelta(0):
        return 0.0
    rest = 1.0 - (apart - NEAR) / span
    return rest * rest * (3.0 - 2.0 * rest)  # (smoothstep: flat near both ends)
