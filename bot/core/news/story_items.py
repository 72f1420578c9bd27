"""What can belong to a story (an article, an own-feed post, a terms change) and what it brings to story grouping:
its word stems, evidence, sentence fingerprints (syndicated copies share them) and whether it reports a terms change.
"""

from __future__ import annotations

import dataclasses
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress, repeat
from typing import Any

from bot.core.language import detect_language
from bot.core.news.concepts import concepts_in
from bot.core.news.evidence import (
    DAYS,
    DOCUMENT_WORDS,
    QUOTED,
    dates_and_numbers,
    names_in,
    outlet_of,
    readers_for,
    reports_terms,
    urls_in,
)
from bot.core.news.statements import Statement
from bot.core.text import fold, word_set, words
from bot.core.topics import label_topics

UPDATE_CHARS = 20_000  # how much of a text is compared with its next version (as the pipeline analyses)
ANALYSED_CHARS = 1200  # features come from the title and the lead of a text (where the facts are); a long

# or hostile body costs no more
MAX_SENTENCES = 12  # sentences of the lead whose hashes find syndicated copies
ITEM_KINDS = ("article", "post", "terms_change")


@dataclass(frozen=True, slots=True)
class StoryItem:
    """Something that can belong to a story: an article, a post from a platform's own feed, or a terms change.

    `key` identifies the item across polls (an entry's identity, a terms change's source and version); the same
    key with another text is an updated article. `platforms` are the platforms it is about, main one first.
    """

    key: str
    kind: str
    platforms: tuple[str, ...]
    published: datetime
    title: str = ""
    text: str = ""
    link: str | None = None
    language: str = "und"
    topics: tuple[str, ...] = ()
    source: str = ""
    outlet: str = ""
    statements: tuple[Statement, ...] = ()
    document: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ITEM_KINDS:
            raise ValueError(f"unknown item kind {self.kind!r} (expected one of {ITEM_KINDS})")
        if self.published.tzinfo is None:
            object.__setattr__(self, "published", self.published.replace(tzinfo=UTC))


def item_to_dict(item: StoryItem) -> dict[str, Any]:
    """Plain data (JSON-compatible) of an item, so that placing it can be replayed after a restart."""
    data = dataclasses.asdict(item)
    data["published"] = item.published.isoformat()
    return data


def item_from_dict(data: Mapping[str, Any]) -> StoryItem:
    values = dict(data)
    values["published"] = datetime.fromisoformat(values["published"])
    for name in ("platforms", "topics"):
        values[name] = tuple(values.get(name) or ())
    values["statements"] = tuple(
        Statement(**{**raw, "parts": tuple(raw.get("parts") or ())}) for raw in values.get("statements") or ()
    )
    return StoryItem(**values)


def article_item(
    key: str,
    title: str,
    text: str,
    published: datetime,
    platforms: Sequence[str],
    *,
    link: str | None = None,
    source: str = "",
    outlet: str = "",
    language: str | None = None,
    topics: Sequence[str] | None = None,
    statements: Sequence[Statement] = (),
    own_feed: bool = False,
) -> StoryItem:
    """A news entry as a story item; language and topics are computed when not given."""
    head = f"{title}\n{text[:UPDATE_CHARS]}" if not language or topics is None else ""
    return StoryItem(
        key=key,
        kind="post" if own_feed else "article",
        platforms=tuple(platforms),
        published=published,
        title=title,
        text=text,
        link=link,
        language=language or detect_language(head),
        topics=tuple(topics) if topics is not None else label_topics(head, fold(head)),
        source=source,
        outlet=outlet_of(link, outlet),
        statements=tuple(statements),
    )


def terms_item(
    key: str,
    platform: str,
    document: str,
    clauses: Sequence[str],
    published: datetime,
    *,
    topics: Sequence[str] | None = None,
    source: str = "",
    link: str | None = None,
    title: str = "",
) -> StoryItem:
    """A substantive terms change (its added or modified clause texts) as a story item."""
    text = "\n".join(clauses)
    return StoryItem(
        key=key,
        kind="terms_change",
        platforms=(platform,),
        published=published,
        title=title or f"{document} changed",
        text=text,
        link=link,
        language=detect_language(text),
        topics=tuple(topics) if topics is not None else label_topics(text, fold(text)),
        source=source,
        outlet=document,
        document=document,
    )


_SENTENCE_BREAK = re.compile(r"(?<=[.!?…]) |\n")  # where `_sentence_hashes` cuts, for display


@dataclass(slots=True, eq=False)  # (not frozen: built for every item, faster so)
class Features:
    words: tuple[str, ...]  # word stems (folded, stop words out)
    evidence: frozenset[str]  # "d:02-07", "n:6.4", "p:jane doe", "q:collaborators", "u:host/path"
    sentences: tuple[int, ...]  # hashes of normalised sentences
    text_hash: int  # hash of every word of title and text: the same text from two feeds
    reports_terms: bool


_SENTENCE_TAIL = ".!?…”»\"')’' \n"  # stripped from a sentence's end before it is hashed
_FOUR_OR_MORE = (3).__lt__  # a number of words → whether a sentence that long is hashed
_THREE_OR_MORE = (2).__lt__  # a number of spaces between words → the same


def _sentence_hash(folded_sentence: str) -> int | None:
    words = folded_sentence.rstrip(_SENTENCE_TAIL).split()
    return zlib.crc32(" ".join(words).encode("utf-8")) if len(words) >= 4 else None


def _sentence_hashes(folded: str) -> Iterator[int]:
    """`_sentence_hash` of the first MAX_SENTENCES sentences of folded text (None left out), the loops in C.
    Sentences are cut at ". ", "! ", "? ", "… " and line breaks, with string methods (no regex scan)."""
    for mark in ("! ", "? ", "… ", "\n"):
        if mark in folded:
            folded = folded.replace(mark, ". ")
    pieces = map(str.rstrip, folded.split(". ", MAX_SENTENCES)[:MAX_SENTENCES], repeat(_SENTENCE_TAIL))
    if folded.isascii() and folded.isprintable() and "  " not in folded and folded[:1] != " ":
        # Words are parted by single spaces, and no piece starts or (stripped) ends with one: a piece is its
        # words joined, and has one word more than spaces.
        listed = list(pieces)
        spaces = map(str.count, listed, repeat(" "))
        return map(zlib.crc32, map(str.encode, compress(listed, map(_THREE_OR_MORE, spaces))))
    words = list(map(str.split, pieces))
    return map(zlib.crc32, map(str.encode, map(" ".join, compress(words, map(_FOUR_OR_MORE, map(len, words))))))


def sentences_of(text: str) -> Iterator[tuple[str, int]]:
    """The first MAX_SENTENCES sentences of `text` as written, with the hash `features_of` gives them (those
    under four words skipped); it cuts where `_sentence_hashes` cuts."""
    for sentence in _SENTENCE_BREAK.split(text)[:MAX_SENTENCES]:
        digest = _sentence_hash(fold(sentence))
        if digest is not None:
            yield sentence.strip(), digest


def features_of(item: StoryItem, platform_names: frozenset[str]) -> Features:
    title = item.title
    body = item.text[:ANALYSED_CHARS]
    whole = f"{title}\n{body}"
    # Folding goes character by character: the folded whole is the folded title, "\n" and the folded body.
    ascii = whole.isascii()
    if ascii:
        folded = whole.lower()
        folded_body = folded[len(title) + 1:]
    else:
        folded = fold(whole)  # (just folded by the caller, when the text is short: `fold` remembers it)
        folded_body = folded[len(fold(title)) + 1:]
    all_words, distinct = words(folded), word_set(folded)  # (just split by `attribute`: remembered)
    stems_of, _, skip = readers_for(platform_names)
    stems = set(map(stems_of.__getitem__, distinct - skip))  # (stop words and platforms' names left out first)
    stems.discard("")
    evidence: set[str] = set()
    dates, numbers = dates_and_numbers(folded)
    if dates:
        dates.discard(DAYS[item.published.month, item.published.day])  # the day it was published
        evidence.update(map("d:".__add__, dates))
    evidence.update(map("n:".__add__, numbers))
    names = names_in(whole, platform_names)
    if item.language == "de":  # every German noun is capitalised: only names of two words or more are names
        names = {name for name in names if " " in name}
    evidence.update(map("p:".__add__, names))
    if '"' in whole or (not ascii and ("“" in whole or "«" in whole or "„" in whole)):
        evidence.update(f"q:{fold(m.group(1)).strip()}" for m in QUOTED.finditer(whole)
                        if 1 <= len(m.group(1).split()) <= 6)
    if "://" in body:
        evidence.update(f"u:{url}" for url in urls_in(body))
    evidence.update(map("c:".__add__, concepts_in(folded, distinct)))
    hashes = _sentence_hashes(folded_body or folded)
    reports = item.kind == "terms_change" or (not DOCUMENT_WORDS.isdisjoint(distinct) and reports_terms(folded))
    text_hash = zlib.crc32(" ".join(all_words).encode("utf-8"))
    return Features(tuple(sorted(stems)), frozenset(evidence), tuple(dict.fromkeys(hashes)), text_hash, reports)


def statement_key(statement: Statement) -> int:
    quoted = words(fold(statement.quote))
    return zlib.crc32(" ".join(quoted[:24]).encode("utf-8"))
