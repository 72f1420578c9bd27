"""Clause-level alignment of two versions of a terms document: added, removed, modified (with a word diff) and
moved clauses, with their topics and severities (the clauses come from `bot.core.terms.segments`).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress
from operator import ne

from bot.core.terms.documents import NormalizedDocument
from bot.core.terms.segments import PATH_SEPARATOR, Clause, Segments
from bot.core.text import WORDS, fold, word_runs
from bot.core.topics import TOPICS, label_topics

SIMILARITY = 0.5  # minimum word-set (Jaccard) similarity for pairing an old and a new clause as "modified"
SAME_PATH_SIMILARITY = 0.3  # lower bar when both clauses sit at the same path
FEW_WORDS = 3  # a modification touching at most this many words and no topic is a clarification
_MAX_POSTINGS = 64  # words in more unmatched clauses than this are too common to find candidates with
_RARE_WORDS = 8  # candidates of a clause come from this many of its rarest words …
_ALL_PAIRS = 400  # … unless there are at most this many pairs of unmatched clauses: then all are compared

_TOKEN = re.compile(r"(\s*)(\w+|[^\w\s])")
_HIGH_GRANTS = frozenset({"ai_training", "content_licence", "data_sharing"})


@dataclass(frozen=True, slots=True)
class ClauseChange:
    """One clause-level change between two versions of a document."""

    kind: str  # "added" | "removed" | "modified" | "moved"
    path: str  # path in the new version (old path for "removed")
    old_path: str | None
    old_text: str | None
    new_text: str | None
    inline: str | None  # word diff for "modified": "keep [-old-]{+new+} keep"
    topics: tuple[str, ...]
    severity: str  # "low" | "medium" | "high"


# --- alignment ----------------------------------------------------------------------------------------


def _key(text: str) -> str:
    folded = fold(text)
    # " ".join(folded.split()) is the identity when the only whitespace is single inner spaces (a space is
    # the only printable whitespace character), which is what normalized text has: skip the word split.
    if folded.isprintable() and "  " not in folded and folded[:1] != " " and folded[-1:] != " ":
        return folded
    return " ".join(folded.split())


def _longest_increasing(values: list[int]) -> set[int]:
    """Indices (into `values`) of one longest strictly increasing subsequence, O(n log n)."""
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for index, value in enumerate(values):
        position = bisect.bisect_left(tails, value)
        if position == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[position] = value
            tail_index[position] = index
        previous[index] = tail_index[position - 1] if position else -1
    keep: set[int] = set()
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        keep.add(index)
        index = previous[index]
    return keep


def _similar_pairs(old: Segments, new: Segments, old_free: list[int], new_free: list[int]) -> list[tuple[int, int]]:
    """Pair unmatched clauses by word-set similarity. When few are left on both sides, every pair of them is
    compared; otherwise candidates are found through an index of rare words."""
    if not old_free or not new_free:
        return []
    old_words = {i: frozenset(word_runs(fold(old.text(i)))) for i in old_free}
    new_words = {j: frozenset(word_runs(fold(new.text(j)))) for j in new_free}
    old_paths = {i: old.path(i) for i in old_free}
    new_paths = {j: new.path(j) for j in new_free}
    old_count, new_count = len(old), len(new)
    scored: list[tuple[float, int, int]] = []
    few = len(old_free) * len(new_free) <= _ALL_PAIRS
    postings: dict[str, list[int]] = defaultdict(list)
    by_path: dict[str, list[int]] = defaultdict(list)
    if not few:
        for i in old_free:
            for word in old_words[i]:
                postings[word].append(i)
            by_path[old_paths[i]].append(i)
    counts = {word: len(indices) for word, indices in postings.items()}
    for j in new_free:
        words = new_words[j]
        if few:
            candidates: Iterable[int] = old_free
        else:
            usable = sorted([w for w in words if w in counts and counts[w] <= _MAX_POSTINGS], key=counts.__getitem__)
            same_path = by_path.get(new_paths[j], ())
            candidates = set(same_path) if len(same_path) <= _MAX_POSTINGS else set()
            for word in usable[:_RARE_WORDS]:
                candidates.update(postings[word])
        for i in candidates:
            other = old_words[i]
            common = len(words & other)
            union = len(words) + len(other) - common
            score = common / union if union else 1.0
            at_same_path = old_paths[i] == new_paths[j]
            if score >= SIMILARITY or (at_same_path and score >= SAME_PATH_SIMILARITY):
                # prefer same path, then nearby position, on equal similarity
                scored.append((score + (0.05 if at_same_path else 0.0) - abs(i / old_count - j / new_count) * 0.01, i, j))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, i, j in scored:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((i, j))
    return pairs


def _tokens(text: str) -> list[tuple[str, str]]:
    """(leading whitespace, word or punctuation mark) pairs; the words are what is compared."""
    return _TOKEN.findall(text)


def _run(tokens: list[tuple[str, str]]) -> str:
    return tokens[0][1] + "".join(space + word for space, word in tokens[1:])


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix (bisection on C-level comparisons, not a loop per character)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a.startswith(b[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, min(len(a), len(b), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if a.endswith(b[len(b) - middle:]):
            low = middle
        else:
            high = middle - 1
    return low


def word_diff(old_text: str, new_text: str) -> tuple[str, list[str], list[str]]:
    """git --word-diff style rendering ("keep [-old-]{+new+} keep"), removed words and added words.

    Like git, the common beginning and end are set aside first (cut where a blank starts, so that they hold
    whole words); only the words in between are tokenized and aligned (with difflib): a modified clause
    usually differs in a few words."""
    start = _common_prefix(old_text, new_text)
    while start and not old_text[start - 1].isspace():  # back to the blank before the word cut in two
        start -= 1
    while start and old_text[start - 1].isspace():
        start -= 1
    end_old = len(old_text) - _common_suffix(old_text, new_text, min(len(old_text), len(new_text)) - start)
    while end_old < len(old_text) and not old_text[end_old].isspace():  # forward to a blank before a word
        end_old += 1
    end_new = end_old + len(new_text) - len(old_text)
    while end_old > start and old_text[end_old - 1].isspace():  # and back to where each blank run starts
        end_old -= 1
    while end_new > start and new_text[end_new - 1].isspace():
        end_new -= 1
    a, b = _tokens(old_text[start:end_old]), _tokens(new_text[start:end_new])
    out: list[str] = [new_text[:start]]
    removed: list[str] = []
    added: list[str] = []
    if a or b:
        a_words = [w for _, w in a]
        b_words = [w for _, w in b]
        if a and b:
            opcodes = difflib.SequenceMatcher(a=a_words, b=b_words, autojunk=False).get_opcodes()
        else:
            opcodes = [("replace", 0, len(a), 0, len(b))]
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                out.extend((space or a[i1 + k][0]) + word for k, (space, word) in enumerate(b[j1:j2]))
                continue
            space = a[i1][0] if i2 > i1 else b[j1][0]
            piece = space
            if i2 > i1:
                piece += "[-" + _run(a[i1:i2]) + "-]"
                removed.extend(a_words[i1:i2])
            if j2 > j1:
                piece += "{+" + _run(b[j1:j2]) + "+}"
                added.extend(b_words[j1:j2])
            out.append(piece)
    out.append(new_text[end_new:])
    return "".join(out).strip(), removed, added


def change_severity(kind: str, topics: Iterable[str], added_words: str = "", removed_words: str = "",
                    old_topics: Iterable[str] = (), new_topics: Iterable[str] = ()) -> str:
    """Severity of one clause change (see the module's rules: grants and removed opt-outs are high)."""
    topic_set = set(topics)
    if kind == "moved":
        return "low"
    if kind == "added":
        return "high" if topic_set & _HIGH_GRANTS else "medium"
    if kind == "removed":
        return "high" if "opt_out" in topic_set else "medium"
    # modified
    added_real = bool(WORDS.search(added_words))
    if added_real and (_HIGH_GRANTS & topic_set) and (
            _HIGH_GRANTS & set(new_topics) or _HIGH_GRANTS & set(label_topics(added_words))):
        return "high"
    if "opt_out" in set(old_topics) and ("opt_out" not in set(new_topics) or "opt_out" in label_topics(removed_words)):
        return "high"
    changed = len(added_words.split()) + len(removed_words.split())
    if not topic_set and changed <= FEW_WORDS:
        return "low"
    return "medium"


def _change(kind: str, old: Clause | None, new: Clause | None, labelled: bool = True) -> ClauseChange:
    old_text = old.text if old else None
    new_text = new.text if new else None
    path = new.path if new else old.path if old else ""
    inline: str | None = None
    if not labelled:
        return ClauseChange(kind, path, old.path if old else None, old_text, new_text, None, (), "low")
    if kind == "modified" and old and new:
        inline, removed, added = word_diff(old.text, new.text)
        added_words, removed_words = " ".join(added), " ".join(removed)
        changed_topics = label_topics(added_words + "\n" + removed_words) if added or removed else ()
        old_topics = label_topics(old.text)
        new_topics = label_topics(new.text)
        topics = tuple(t for t in TOPICS if t in old_topics or t in new_topics or t in changed_topics)
        severity = change_severity(kind, topics, added_words, removed_words, old_topics, new_topics)
    else:
        topics = label_topics((new_text if new_text is not None else old_text) or "")
        severity = change_severity(kind, topics)
    return ClauseChange(kind, path, old.path if old else None, old_text, new_text, inline, topics, severity)


@dataclass(frozen=True, slots=True)
class Alignment:
    """How two versions line up clause by clause: every pair of clauses present in both (new index → old index,
    the modified ones included), and the changes with their place in the new version (a removed clause sits
    right after the new clause at `place`; -1: at the top)."""

    old: Segments
    new: Segments
    pairs: dict[int, int]
    changes: list[tuple[tuple[int, int, int], ClauseChange]]  # (place, 0 or 1 for removed, old index), change


def diff_clauses(old_text: str | NormalizedDocument, new_text: str | NormalizedDocument) -> list[ClauseChange]:
    """Clause-level changes from `old_text` to `new_text` (normalized texts, or what `normalize` returned), in
    new-document order. See `align_clauses` for how."""
    return [change for _, change in align_clauses(old_text, new_text).changes]


def align_clauses(old_text: str | NormalizedDocument, new_text: str | NormalizedDocument,
                  labelled: bool = True) -> Alignment:
    """The alignment of `old_text` and `new_text` and the clause-level changes between them, in new-document
    order; without `labelled`, changes say only where they are (no word diff, topics or severity: for a reader
    that has those already).

    Never compares every old clause with every new one: lines that occur once in each version are paired by a
    dict lookup; only the lines left over are read (numbers, text), paired by their number-stripped text, and
    then by word similarity (each leftover pair when there are few, else through an index of rare words)."""
    old = Segments(old_text)
    new = Segments(new_text)
    match_new = _same_lines(old.lines, new.lines)
    # 1. the clauses left over, paired on number-stripped, whitespace-folded text (renumbered clauses, repeated
    # lines): each new clause takes the first unmatched old clause with its key in the same section, else the
    # first one anywhere
    if len(match_new) < len(new):
        _pair_by_key(old, new, match_new)
    match_old = dict(zip(match_new.values(), match_new.keys(), strict=True))
    ordered = sorted(match_new.items())  # in new order
    # 2. moved: relative order among matches changed, or section heading changed
    left = _left_their_section(old, new, ordered)
    staying = [(j, i) for j, i in ordered if j not in left] if left else ordered
    olds = [i for _, i in staying]
    if olds == sorted(olds):  # nothing out of order (the usual case)
        in_order = set(match_new) - left
    else:
        in_order = {staying[k][0] for k in _longest_increasing(olds)}
    changes: list[tuple[tuple[int, int, int], ClauseChange]] = []
    for j in match_new.keys() - in_order:  # those that left their section, and those out of order
        changes.append(((j, 0, 0), _change("moved", old.clause(match_new[j]), new.clause(j), labelled)))
    # 3. similar pairs among the rest → modified
    old_free = sorted(set(range(len(old))).difference(match_old))
    new_free = sorted(set(range(len(new))).difference(match_new))
    for i, j in _similar_pairs(old, new, old_free, new_free):
        match_new[j] = i
        match_old[i] = j
        changes.append(((j, 0, 0), _change("modified", old.clause(i), new.clause(j), labelled)))
    # 4. leftovers
    for j in new_free:
        if j not in match_new:
            changes.append(((j, 0, 0), _change("added", None, new.clause(j), labelled)))
    matched_old = sorted(match_old)
    for i in old_free:
        if i not in match_old:
            before = bisect.bisect_left(matched_old, i)  # the closest preceding matched old clause
            anchor = match_old[matched_old[before - 1]] if before else -1  # (its new position)
            changes.append(((anchor, 1, i), _change("removed", old.clause(i), None, labelled)))
    changes.sort(key=lambda item: item[0])
    return Alignment(old, new, match_new, changes)


def _pair_by_key(old: Segments, new: Segments, match_new: dict[int, int]) -> None:
    """Pair the clauses left out of `match_new` (new index → old index) on their number-stripped, folded text:
    each new clause takes the first free old clause with its key in the same section, else the first free one
    anywhere. Each old clause is handed out once, from lists consumed from the front: linear, even when many
    clauses repeat one line."""
    by_key: dict[str, list[int]] = defaultdict(list)  # key → free old indices, last first (pop() = the first)
    for i in sorted(set(range(len(old))).difference(match_new.values()), reverse=True):
        by_key[_key(old.text(i))].append(i)
    repeated = {key for key, indices in by_key.items() if len(indices) > 1}
    by_place: dict[tuple[str, str], list[int]] = defaultdict(list)  # the same for repeated keys, by section
    for key in repeated:
        for i in by_key[key]:
            by_place[key, old.section(i)].append(i)
    taken: set[int] = set()
    for j in sorted(set(range(len(new))).difference(match_new)):
        key = _key(new.text(j))
        indices = by_key.get(key)
        if not indices:
            continue
        candidates = by_place.get((key, new.section(j))) if key in repeated else None
        for pool in (candidates, indices):
            while pool and pool[-1] in taken:
                pool.pop()
            if pool:
                found = pool.pop()
                taken.add(found)
                match_new[j] = found
                break


def _same_lines(old_lines: list[str], new_lines: list[str]) -> dict[int, int]:
    """new index → old index of the clause lines that occur exactly once in each version (dict lookups)."""
    old_at = dict(zip(old_lines, range(len(old_lines)), strict=True))
    if len(old_at) == len(old_lines) and len(set(new_lines)) == len(new_lines):
        return {j: i for j, i in enumerate(map(old_at.get, new_lines)) if i is not None}
    twice = {line for counts in (Counter(old_lines), Counter(new_lines)) for line, count in counts.items() if count > 1}
    return {j: old_at[line] for j, line in enumerate(new_lines) if line in old_at and line not in twice}


def _left_their_section(old: Segments, new: Segments, ordered: list[tuple[int, int]]) -> set[int]:
    """The new indices of matched clauses (`ordered`: (new, old) pairs) that moved to another section.

    A renamed or renumbered heading is not a move: each old section maps to the new section that most of its
    clauses went to, and only clauses that left for another section are moved. Sections are read only where
    the two groups' headings differ (the same headings give the same sections); votes are only counted for
    the old sections that some clause left (the others map to themselves)."""
    old_groups = list(map(old.group_of.__getitem__, [i for _, i in ordered]))
    new_groups = list(map(new.group_of.__getitem__, [j for j, _ in ordered]))
    odd = any(">" in title for titles in old.titles for title in titles)  # sections are then read off paths
    if old.titles == new.titles:  # the same headings (the usual case): a clause under another one may have moved
        apart = range(len(ordered)) if odd else list(compress(range(len(ordered)), map(ne, old_groups, new_groups)))
    else:
        differing = {(a, b) for a, b in set(zip(old_groups, new_groups, strict=True))
                     if old.titles[a] != new.titles[b] or any(">" in title for title in old.titles[a])}
        apart = [k for k, pair in enumerate(zip(old_groups, new_groups, strict=True)) if pair in differing]
    shifted: set[str] = set()
    prefixes: set[tuple[str, ...]] = set()  # the titles that the shifted sections are made of
    for k in apart:
        j, i = ordered[k]
        section = old.section(i)
        if section != new.section(j):
            shifted.add(section)
            prefixes.add(old.titles[old_groups[k]][:len(section.split(PATH_SEPARATOR)) if section else 0])
    if not shifted:
        return set()
    # The pairs whose old section could be a shifted one: their old headings start with its titles (a section
    # is its titles joined, unless a title holds ">": then every pair counts).
    lengths = {len(prefix) for prefix in prefixes}
    if odd:
        relevant = set(old_groups)
    else:
        relevant = {group for group, titles in enumerate(old.titles)
                    if any(titles[:length] in prefixes for length in lengths)}
    counted = [(ordered[k][0], old.section(ordered[k][1]), new.section(ordered[k][0]))
               for k, group in enumerate(old_groups) if group in relevant]
    votes: dict[str, dict[str, int]] = {}
    for _, old_section, new_section in counted:
        if old_section in shifted:
            counts = votes.setdefault(old_section, {})  # in first-seen order: max() keeps the first of equals
            counts[new_section] = counts.get(new_section, 0) + 1
    # One clause is no majority: when it was the only one of its section to stay matched (the others were
    # modified or removed), its section's heading is still there and it went to a section that held clauses
    # before, the clause moved; no heading was renamed or inserted.
    lone = {old_section: next(iter(counts)) for old_section, counts in votes.items() if sum(counts.values()) == 1}
    if lone:
        before, after = old.sections(), new.sections(empty=True)
        lone = {section: to for section, to in lone.items() if section in after and to in before}
    target = {old_section: old_section if old_section in lone
              else max(counts.items(), key=lambda item: (item[1], item[0] == old_section))[0]
              for old_section, counts in votes.items()}
    return {j for j, old_section, new_section in counted
            if old_section in target and target[old_section] != new_section}
