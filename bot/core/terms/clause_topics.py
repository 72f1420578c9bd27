"""What a posted terms change is about: the topics of its clauses, those the legal vocabulary of terms clauses
(`clause_topics.yaml`: sub-processors, refunds, appeals…) finds in the changed clauses and their headings, and the
topic of its document's type. Severity, the verdict and story grouping read only the clauses' own topics."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from bot.core.terms.clauses import ClauseChange
from bot.core.text import fold
from bot.core.topics import load_lexicon

# What every substantive change of a document of these types is about, whatever its clauses say (Open Terms Archive
# types; a type with a suffix, "Community Guidelines - Harassment", counts as its start): a channel that follows
# `privacy` hears of every change of a privacy policy, not only of those whose clauses name personal data.
DOCUMENT_TOPICS: dict[str, str] = {
    "Privacy Policy": "privacy",
    "Business Privacy Policy": "privacy",
    "Professional Privacy Policy": "privacy",
    "Contributor Privacy Policy": "privacy",
    "Trackers Policy": "privacy",
    "Cookies Policy": "privacy",
    "Data Retention Policy": "privacy",
    "Community Guidelines": "moderation",
    "Acceptable Use Policy": "moderation",
    "Restricted Use Policy": "moderation",
    "Terms of Sale": "pricing",
    "General Conditions of Sale": "pricing",
    "In-App Purchases Policy": "pricing",
}


def with_document_topic(topics: Sequence[str], doc_type: str | None) -> tuple[str, ...]:
    """`topics`, then the topic every change of a `doc_type` document is about (`DOCUMENT_TOPICS`) if missing."""
    topic = next((t for name, t in DOCUMENT_TOPICS.items() if doc_type and doc_type.startswith(name)), None)
    return tuple(topics) if topic is None or topic in topics else (*topics, topic)


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, re.Pattern[str]]:
    """topic → one compiled alternation of the patterns `clause_topics.yaml` gives it."""
    lexicon = load_lexicon("bot.core.terms", "clause_topics.yaml")
    return {topic: re.compile("|".join(f"(?:{p})" for p in patterns), re.DOTALL)
            for topic, patterns in lexicon.items() if patterns}


def vocabulary_topics(text: str) -> tuple[str, ...]:
    """Topics whose clause vocabulary occurs in `text`."""
    folded = fold(text)
    return tuple(topic for topic, pattern in _vocabulary().items() if pattern.search(folded))


# A topic of the clause vocabulary counts for a change when at least this share of its changed clauses carry it
# (each read with its headings): a rewrite of 80 clauses that names a fee once is no pricing change.
VOCABULARY_SHARE = 0.25


def change_topics(changes: Sequence[ClauseChange], doc_type: str | None) -> tuple[str, ...]:
    """The topics of a change made of `changes` to a `doc_type` document: its clauses' topics first, in their
    order, then those of the clause vocabulary in the words each clause gained or lost (and its headings), then
    the type's."""
    found = dict.fromkeys(topic for change in changes for topic in change.topics)
    read = [change for change in changes if change.kind != "moved"]
    counts: Counter[str] = Counter()
    for change in read:
        counts.update(vocabulary_topics(f"{change.path}\n{_changed_words(change)}"))
    found.update(dict.fromkeys(t for t, n in counts.items() if n >= max(1.0, VOCABULARY_SHARE * len(read))))
    return with_document_topic(tuple(found), doc_type)


_EDITS = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.DOTALL)  # a word diff's removed and added runs


def _changed_words(change: ClauseChange) -> str:
    """What a change added or removed: a modified clause's edited runs, an added or removed clause whole."""
    if change.kind == "modified" and change.inline:
        return " ".join(removed or added for removed, added in _EDITS.findall(change.inline))
    return (change.new_text if change.new_text is not None else change.old_text) or ""
