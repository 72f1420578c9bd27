"""Clauses of a terms document: segmentation by headings and numbers, clause-level alignment of two
versions (added, removed, modified with a word diff, moved), severities, and announced effective dates.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.topics import TOPICS, fold, label_topics

PATH_SEPARATOR = " > "
SIMILARITY = 0.5  # minimum word-set (Jaccard) similarity for pairing an old and a new clause as "modified"
SAME_PATH_SIMILARITY = 0.3  # lower bar when both clauses sit at the same path
FEW_WORDS = 3  # a modification touching at most this many words and no topic is a clarification
_MAX_POSTINGS = 64  # words in more unmatched clauses than this are too common to find candidates with
_RARE_WORDS = 8  # candidates of a clause come from this many of its rarest words

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_NUMBER = re.compile(r"^(?:(\d+(?:\.\d+)*\.?)|(\([A-Za-z0-9]{1,5}\))|([A-Za-z]\)|[ivxIVX]{1,5}\.))\s+(.*)$")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_NUMBER_ONLY = re.compile(r"\d+(?:\.\d+)*\.?|\([A-Za-z0-9]{1,5}\)|[A-Za-z]\)|[ivxIVX]{1,5}\.")
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"(\s*)(\w+|[^\w\s])")
_HIGH_GRANTS = frozenset({"ai_training", "content_licence", "data_sharing"})


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause: where it sits (`path`), its number as written (or None) and its text without the number."""

    path: str
    number: str | None
    text: str


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


# --- segmentation -------------------------------------------------------------------------------------


def _split_number(line: str) -> tuple[str | None, str]:
    match = _NUMBER.match(line)
    if match:
        number = match.group(1) or match.group(2) or match.group(3)
        return number, match.group(4).strip()
    bullet = _BULLET.match(line)
    if bullet:
        return None, bullet.group(1).strip()
    return None, line


def _depth(number: str) -> int:
    """Nesting depth of a clause number: "4" → 1, "4.2" → 2, "(a)" → sub-clause."""
    if number[0].isdigit():
        return number.rstrip(".").count(".") + 1
    return 0


def segment(text: str) -> list[Clause]:
    """Clauses of normalized text: headings open sections, other lines are clauses under the heading path."""
    headings: list[tuple[int, str]] = []  # (level, heading text as written)
    numbered: list[str] = []  # open numeric clause numbers under the current heading, for "(a)" and "4.2.1"
    clauses: list[Clause] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            while headings and headings[-1][0] >= level:
                headings.pop()
            title = heading.group(2).strip().rstrip("#").strip()
            if title:
                headings.append((level, title))
            numbered = []
            continue
        number, body = _split_number(line)
        if not body:
            continue
        parts = [title for _, title in headings]
        if number is not None:
            depth = _depth(number)
            if depth:
                key = number.rstrip(".")
                numbered = [n for n in numbered if key.startswith(n.rstrip(".") + ".")]
                parts.extend(numbered)
                numbered.append(number)
            else:
                parts.extend(numbered[-1:])
            parts.append(number)
        clauses.append(Clause(PATH_SEPARATOR.join(parts), number, body))
    return clauses


# --- alignment ----------------------------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(fold(text).split())


def _section(path: str, number: str | None) -> str:
    """The heading part of a path (without clause numbers)."""
    parts = path.split(PATH_SEPARATOR) if path else []
    while parts and number is not None and _NUMBER_ONLY.fullmatch(parts[-1]):
        parts.pop()
    return PATH_SEPARATOR.join(parts)


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


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(text)))


def _similar_pairs(old: list[Clause], new: list[Clause], old_free: list[int], new_free: list[int]) -> list[tuple[int, int]]:
    """Pair unmatched clauses by word-set similarity, finding candidates through an index of rare words."""
    if not old_free or not new_free:
        return []
    old_words = {i: _words(old[i].text) for i in old_free}
    new_words = {j: _words(new[j].text) for j in new_free}
    postings: dict[str, list[int]] = defaultdict(list)
    for i in old_free:
        for word in old_words[i]:
            postings[word].append(i)
    by_path: dict[str, list[int]] = defaultdict(list)
    for i in old_free:
        by_path[old[i].path].append(i)
    scored: list[tuple[float, int, int]] = []
    for j in new_free:
        words = new_words[j]
        usable = sorted((w for w in words if 0 < len(postings.get(w, ())) <= _MAX_POSTINGS), key=lambda w: len(postings[w]))
        same_path = by_path.get(new[j].path, ())
        candidates: set[int] = set(same_path) if len(same_path) <= _MAX_POSTINGS else set()
        for word in usable[:_RARE_WORDS]:
            candidates.update(postings[word])
        for i in candidates:
            union = len(words | old_words[i])
            score = len(words & old_words[i]) / union if union else 1.0
            same_path = old[i].path == new[j].path
            if score >= SIMILARITY or (same_path and score >= SAME_PATH_SIMILARITY):
                # prefer same path, then nearby position, on equal similarity
                scored.append((score + (0.05 if same_path else 0.0) - abs(i / len(old) - j / len(new)) * 0.01, i, j))
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
    return [(m.group(1), m.group(2)) for m in _TOKEN.finditer(text)]


def _run(tokens: list[tuple[str, str]]) -> str:
    return tokens[0][1] + "".join(space + word for space, word in tokens[1:])


def word_diff(old_text: str, new_text: str) -> tuple[str, list[str], list[str]]:
    """git --word-diff style rendering ("keep [-old-]{+new+} keep"), removed words and added words."""
    a, b = _tokens(old_text), _tokens(new_text)
    out: list[str] = []
    removed: list[str] = []
    added: list[str] = []
    matcher = difflib.SequenceMatcher(a=[w for _, w in a], b=[w for _, w in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            run = [(space or a[i1 + k][0], word) for k, (space, word) in enumerate(b[j1:j2])]
            out.extend(space + word for space, word in run)
            continue
        space = a[i1][0] if i2 > i1 else b[j1][0]
        piece = space
        if i2 > i1:
            piece += "[-" + _run(a[i1:i2]) + "-]"
            removed.extend(word for _, word in a[i1:i2])
        if j2 > j1:
            piece += "{+" + _run(b[j1:j2]) + "+}"
            added.extend(word for _, word in b[j1:j2])
        out.append(piece)
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
    added_real = bool(_WORD.search(added_words))
    if added_real and (_HIGH_GRANTS & topic_set) and (_HIGH_GRANTS & set(new_topics) or _HIGH_GRANTS & set(label_topics(added_words))):
        return "high"
    if "opt_out" in set(old_topics) and ("opt_out" not in set(new_topics) or "opt_out" in label_topics(removed_words)):
        return "high"
    changed = len(added_words.split()) + len(removed_words.split())
    if not topic_set and changed <= FEW_WORDS:
        return "low"
    return "medium"


def _change(kind: str, old: Clause | None, new: Clause | None) -> ClauseChange:
    old_text = old.text if old else None
    new_text = new.text if new else None
    path = new.path if new else old.path if old else ""
    inline: str | None = None
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


def diff_clauses(old_text: str, new_text: str) -> list[ClauseChange]:
    """Clause-level changes from `old_text` to `new_text` (normalized texts), in new-document order."""
    old = segment(old_text)
    new = segment(new_text)
    # 1. exact matches on number-stripped, whitespace-folded text
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, clause in enumerate(old):
        by_key[_key(clause.text)].append(i)
    for indices in by_key.values():
        indices.reverse()  # pop() hands out the first occurrence first
    match_new: dict[int, int] = {}
    match_old: dict[int, int] = {}
    for j, clause in enumerate(new):
        indices = by_key.get(_key(clause.text))
        if indices:
            i = indices.pop()
            match_new[j] = i
            match_old[i] = j
    # 2. moved: relative order among exact matches changed, or section heading changed
    # A renamed or renumbered heading is not a move: each old section maps to the new section that most of
    # its clauses went to, and only clauses that left for another section are moved.
    ordered = sorted(match_new.items())
    sections = {j: (_section(old[i].path, old[i].number), _section(new[j].path, new[j].number)) for j, i in ordered}
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for old_section, new_section in sections.values():
        votes[old_section][new_section] += 1
    target = {old_section: max(counts.items(), key=lambda item: (item[1], item[0] == old_section))[0]
              for old_section, counts in votes.items()}
    left = {j for j, (old_section, new_section) in sections.items() if target[old_section] != new_section}
    staying = [(j, i) for j, i in ordered if j not in left]
    in_order = {staying[k][0] for k in _longest_increasing([i for _, i in staying])}
    changes: list[tuple[tuple[int, int, int], ClauseChange]] = []
    for j, i in ordered:
        if j in left or j not in in_order:
            changes.append(((j, 0, 0), _change("moved", old[i], new[j])))
    # 3. similar pairs among the rest → modified
    old_free = [i for i in range(len(old)) if i not in match_old]
    new_free = [j for j in range(len(new)) if j not in match_new]
    for i, j in _similar_pairs(old, new, old_free, new_free):
        match_new[j] = i
        match_old[i] = j
        changes.append(((j, 0, 0), _change("modified", old[i], new[j])))
    # 4. leftovers
    for j in range(len(new)):
        if j not in match_new:
            changes.append(((j, 0, 0), _change("added", None, new[j])))
    anchor = -1  # new position of the closest preceding matched old clause
    for i in range(len(old)):
        if i in match_old:
            anchor = match_old[i]
        else:
            changes.append(((anchor, 1, i), _change("removed", old[i], None)))
    changes.sort(key=lambda item: item[0])
    return [change for _, change in changes]


# --- effective dates and upcoming versions ------------------------------------------------------------

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th|er|e)?"
_DATE = re.compile(
    rf"(?P<iso>(?P<y1>\d{{4}})-(?P<m1>\d{{1,2}})-(?P<d1>\d{{1,2}}))"
    rf"|(?P<dmy>{_DAY.replace('(', '(?P<d2>', 1)}\s+{_MONTH.replace('(', '(?P<m2>', 1)}\s+(?P<y2>\d{{4}}))"
    rf"|(?P<mdy>{_MONTH.replace('(', '(?P<m3>', 1)}\s+{_DAY.replace('(', '(?P<d3>', 1)},?\s+(?P<y3>\d{{4}}))"
)
_TRIGGER = re.compile(
    r"\b(effective(?:\s+date)?|(?:takes?|taking|will\s+take|comes?|will\s+come|coming)\s+(?:into\s+)?(?:effect|force)|"
    r"in\s+effect|as\s+of|starting|beginning|"
    r"(?:entre(?:nt|ra|ront)?|entrera|entreront)\s+en\s+vigueur|en\s+vigueur|applicables?|a\s+compter\s+du|"
    r"a\s+partir\s+du|des\s+le)\b"
)
_FILLER_MAX = 40


def _iso(match: re.Match[str]) -> str | None:
    if match.group("iso"):
        year, month, day = int(match.group("y1")), int(match.group("m1")), int(match.group("d1"))
    elif match.group("dmy"):
        year, month, day = int(match.group("y2")), _MONTHS[match.group("m2")], int(match.group("d2"))
    else:
        year, month, day = int(match.group("y3")), _MONTHS[match.group("m3")], int(match.group("d3"))
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2200):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def effective_date(text: str) -> str | None:
    """ISO date (YYYY-MM-DD) of the first announced effective date ("effective 7 February 2024",
    "entrent en vigueur le 7 février 2024", "as of 2024-02-07" …), None when none is announced."""
    folded = fold(text)
    for trigger in _TRIGGER.finditer(folded):
        window = folded[trigger.end(): trigger.end() + _FILLER_MAX + 20]
        date = _DATE.search(window)
        if date and date.start() <= _FILLER_MAX and "\n" not in window[: date.start()].strip(" :\n"):
            iso = _iso(date)
            if iso:
                return iso
    return None


_UPCOMING = re.compile(
    r"\b(upcoming (changes?|terms|version|updates?)|(new|updated|revised) (terms|version)\b.{0,80}\b(will|effective|take effect)|"
    r"will (take|come into) (effect|force)|future version|coming soon|"
    r"nouvelles? (conditions|version)|prochaine version|(entreront|entrera) en vigueur|conditions a venir)"
)
_CURRENT = re.compile(
    r"\b(current (terms|version)|previous (terms|version)|terms currently in effect|currently in effect|"
    r"existing terms|prior version|version (actuelle|precedente|en vigueur)|conditions (actuelles|en vigueur|precedentes)|"
    r"ancienne version|actuellement en vigueur)\b"
)


def has_upcoming_and_current(text: str) -> bool:
    """True when the page shows both an upcoming version and the current (or previous) one."""
    folded = fold(text)
    return bool(_UPCOMING.search(folded)) and bool(_CURRENT.search(folded))
