"""Clauses of a terms document: segmentation by headings and numbers, clause-level alignment of two
versions (added, removed, modified with a word diff, moved), severities, and announced effective dates.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import repeat

from bot.core.topics import TOPICS, fold, label_topics, screened_search

PATH_SEPARATOR = " > "
SIMILARITY = 0.5  # minimum word-set (Jaccard) similarity for pairing an old and a new clause as "modified"
SAME_PATH_SIMILARITY = 0.3  # lower bar when both clauses sit at the same path
FEW_WORDS = 3  # a modification touching at most this many words and no topic is a clarification
_MAX_POSTINGS = 64  # words in more unmatched clauses than this are too common to find candidates with
_RARE_WORDS = 8  # candidates of a clause come from this many of its rarest words

# One line of a document (and its newline), all lines in one `findall`: after leading blanks ("[^\S\n]" is
# `\s` within a line), either a heading: 1 to 6 "#", blanks, the title; or a clause number (arabic "4.2.",
# lettered "(a)" "(12)" "b)", or roman "iv."), blanks, the clause; or a bullet "-", "*", "+", blanks, the
# clause; or else plain text. Trailing blanks are captured and stripped afterwards: a mark with nothing after
# it is plain text, as it is on the stripped line.
_LINE = re.compile(
    r"[^\S\n]*(?:(#{1,6})[^\S\n]+([^\n]*)"
    r"|(?:(\d+(?:\.\d+)*\.?)|(\([A-Za-z0-9]{1,5}\))|([A-Za-z]\)|[ivxIVX]{1,5}\.))[^\S\n]+([^\n]*)"
    r"|([-*+])[^\S\n]+([^\n]*)|([^\n]*))\n?"
)
_NUMBER_ONLY = re.compile(r"\d+(?:\.\d+)*\.?|\([A-Za-z0-9]{1,5}\)|[A-Za-z]\)|[ivxIVX]{1,5}\.")
_WORD = re.compile(r"\w+")
# ASCII text with these made blanks splits into its \w+ runs
_ASCII_NON_WORD = {code: " " for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")}
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


class _Segments:
    """The clauses of a text as parallel lists, with the section of each clause: the heading part of its
    path, what `_section(path, number)` returns. Paths (which depend on the open clause numbers before a
    clause) are only worked out for the clauses that are asked for, as are `Clause` objects."""

    __slots__ = ("numbers", "texts", "sections", "_group_starts", "_group_heads", "_paths")

    def __init__(self, text: str) -> None:
        self.numbers: list[str | None] = []
        self.texts: list[str] = []
        self.sections: list[str] = []
        # The clauses under one heading: the index of their first clause, and the heading path.
        self._group_starts: list[int] = [0]
        self._group_heads: list[str] = [""]
        self._paths: dict[int, str] = {}
        numbers, texts, sections = self.numbers, self.texts, self.sections
        separator = PATH_SEPARATOR
        headings: list[tuple[int, str]] = []  # (level, heading text as written)
        head = ""  # the heading titles joined: the path of unnumbered clauses
        head_section = ""  # the section of numbered clauses under `head`
        odd = False  # a title contains ">", so sections are worked out from paths as `_section` does
        odd_sections: list[int] = []
        for marks, title, arabic, lettered, roman, body, bullet, bullet_body, plain in _LINE.findall(text):
            if marks:
                if title.strip():
                    level = len(marks)
                    while headings and headings[-1][0] >= level:
                        headings.pop()
                    title = title.strip().rstrip("#").strip()
                    if title:
                        headings.append((level, title))
                    titles = [title for _, title in headings]
                    head = separator.join(titles)
                    odd = head.count(">") > len(titles) - 1  # not only the separators
                    if not odd:  # what `_section` leaves of "<head> > 4.1": trailing number-like titles go too
                        kept = len(titles)
                        while kept and _NUMBER_ONLY.fullmatch(titles[kept - 1]):
                            kept -= 1
                        head_section = head if kept == len(titles) else separator.join(titles[:kept])
                    self._group_starts.append(len(texts))
                    self._group_heads.append(head)
                    continue
                plain = marks  # "##" and blanks: the stripped line is "##", not a heading
            elif arabic or lettered or roman:
                body = body.strip()
                if body:
                    number = arabic or lettered or roman
                    numbers.append(number)
                    texts.append(body)
                    if odd:
                        odd_sections.append(len(texts) - 1)
                    sections.append(head_section)
                    continue
                plain = arabic or lettered or roman  # "4.2" alone: not a number followed by a clause
            elif bullet:
                plain = bullet_body.strip() or bullet
            else:
                plain = plain.strip()
                if not plain:
                    continue
            numbers.append(None)
            texts.append(plain)
            sections.append(head)
        for index in odd_sections:  # once all paths can be worked out, a heading group at a time
            sections[index] = _section(self.path(index), numbers[index])

    def path(self, index: int) -> str:
        """The path of clause `index`: its heading path, then the open clause numbers it sits under and its own
        number. Worked out for all the clauses under the same heading at once (the numbers are replayed from
        the first of them)."""
        path = self._paths.get(index)
        if path is not None:
            return path
        group = bisect.bisect_right(self._group_starts, index) - 1  # the last heading before the clause
        end = self._group_starts[group + 1] if group + 1 < len(self._group_starts) else len(self.texts)
        head, separator, paths, numbers = self._group_heads[group], PATH_SEPARATOR, self._paths, self.numbers
        numbered: list[tuple[str, str, str]] = []  # open numeric clause numbers: ("4.2", "4.2.", "4 > 4.2")
        for k in range(self._group_starts[group], max(end, index + 1)):
            number = numbers[k]
            if number is None:
                paths[k] = head
                continue
            if number[0].isdigit():  # depth >= 1: closes the open numbers that are not its parents
                key = number.rstrip(".")
                # Each open number is a parent of the next, so its parents are a leading run of the list.
                kept = len(numbered)
                while kept and not key.startswith(numbered[kept - 1][1]):
                    kept -= 1
                del numbered[kept:]
                tail = numbered[-1][2] + separator + number if numbered else number
                numbered.append((number, key + ".", tail))
            elif numbered:
                tail = numbered[-1][0] + separator + number
            else:
                tail = number
            paths[k] = head + separator + tail if head else tail
        return paths[index]

    def clause(self, index: int) -> Clause:
        return Clause(self.path(index), self.numbers[index], self.texts[index])


def segment(text: str) -> list[Clause]:
    """Clauses of normalized text: headings open sections, other lines are clauses under the heading path."""
    segments = _Segments(text)
    return [segments.clause(index) for index in range(len(segments.texts))]


# --- alignment ----------------------------------------------------------------------------------------


def _key(text: str) -> str:
    folded = fold(text)
    # " ".join(folded.split()) is the identity when the only whitespace is single inner spaces (a space is
    # the only printable whitespace character), which is what normalized text has: skip the word split.
    if folded.isprintable() and "  " not in folded and folded[:1] != " " and folded[-1:] != " ":
        return folded
    return " ".join(folded.split())


def _keys(text: str, bodies: list[str]) -> list[str]:
    """`_key` of each clause body of `text`, lower-casing only when the text is ASCII with no whitespace but
    spaces and newlines (normalized English text): the bodies are stripped, so only a run of spaces would
    make the key differ from the lower-cased body."""
    if text.isascii() and not any(char in text for char in "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"):
        if "  " not in text:  # one scan of the text (normalized text never has two spaces in a row)
            return list(map(str.lower, bodies))
        return [body.lower() if "  " not in body else " ".join(body.lower().split()) for body in bodies]
    return [_key(body) for body in bodies]


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
    folded = fold(text)
    if folded.isascii():  # the same words, without a regex match object per word (2-3x faster)
        return frozenset(folded.translate(_ASCII_NON_WORD).split())
    return frozenset(_WORD.findall(folded))


def _similar_pairs(old: _Segments, new: _Segments, old_free: list[int], new_free: list[int]) -> list[tuple[int, int]]:
    """Pair unmatched clauses by word-set similarity, finding candidates through an index of rare words."""
    if not old_free or not new_free:
        return []
    old_words = {i: _words(old.texts[i]) for i in old_free}
    new_words = {j: _words(new.texts[j]) for j in new_free}
    postings: dict[str, list[int]] = defaultdict(list)
    for i in old_free:
        for word in old_words[i]:
            postings[word].append(i)
    old_paths = {i: old.path(i) for i in old_free}
    new_paths = {j: new.path(j) for j in new_free}
    by_path: dict[str, list[int]] = defaultdict(list)
    for i in old_free:
        by_path[old_paths[i]].append(i)
    old_count, new_count = len(old.texts), len(new.texts)
    scored: list[tuple[float, int, int]] = []
    counts = {word: len(indices) for word, indices in postings.items()}
    for j in new_free:
        words = new_words[j]
        usable = sorted([w for w in words if w in counts and counts[w] <= _MAX_POSTINGS], key=counts.__getitem__)
        same_path = by_path.get(new_paths[j], ())
        candidates: set[int] = set(same_path) if len(same_path) <= _MAX_POSTINGS else set()
        for word in usable[:_RARE_WORDS]:
            candidates.update(postings[word])
        for i in candidates:
            other = old_words[i]
            common = len(words & other)
            union = len(words) + len(other) - common
            score = common / union if union else 1.0
            same_path = old_paths[i] == new_paths[j]
            if score >= SIMILARITY or (same_path and score >= SAME_PATH_SIMILARITY):
                # prefer same path, then nearby position, on equal similarity
                scored.append((score + (0.05 if same_path else 0.0) - abs(i / old_count - j / new_count) * 0.01, i, j))
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
    old = _Segments(old_text)
    new = _Segments(new_text)
    # 1. exact matches on number-stripped, whitespace-folded text: each new clause takes the first unmatched
    # old clause with its key (a dict lookup each, never a comparison of every old clause with every new one)
    old_keys = _keys(old_text, old.texts)
    first = dict(zip(reversed(old_keys), range(len(old_keys) - 1, -1, -1)))  # key → its first old index
    match_new: dict[int, int] = {}
    if len(first) == len(old_keys):  # no two old clauses alike (the usual case)
        taken = map(first.pop, _keys(new_text, new.texts), repeat(None))  # the old index, or None
        match_new = {j: i for j, i in enumerate(taken) if i is not None}
    else:
        by_key: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(old_keys):
            by_key[key].append(i)
        for indices in by_key.values():
            indices.reverse()  # pop() hands out the first occurrence first
        for j, key in enumerate(_keys(new_text, new.texts)):
            indices = by_key.get(key)
            if indices:
                match_new[j] = indices.pop()
    match_old = dict(zip(match_new.values(), match_new.keys()))
    # 2. moved: relative order among exact matches changed, or section heading changed
    # A renamed or renumbered heading is not a move: each old section maps to the new section that most of
    # its clauses went to, and only clauses that left for another section are moved. (Votes are only counted
    # for the old sections that some clause left: the others map to themselves.)
    ordered = list(match_new.items())  # in new order
    old_sections, new_sections = old.sections, new.sections
    shifted = {old_sections[i] for j, i in ordered if old_sections[i] != new_sections[j]}
    left: set[int] = set()
    if shifted:
        votes: dict[str, dict[str, int]] = {}
        for j, i in ordered:
            old_section = old_sections[i]
            if old_section in shifted:
                counts = votes.setdefault(old_section, {})  # in first-seen order: max() keeps the first of equals
                counts[new_sections[j]] = counts.get(new_sections[j], 0) + 1
        target = {old_section: max(counts.items(), key=lambda item: (item[1], item[0] == old_section))[0]
                  for old_section, counts in votes.items()}
        left = {j for j, i in ordered if old_sections[i] in target and target[old_sections[i]] != new_sections[j]}
    staying = [(j, i) for j, i in ordered if j not in left] if left else ordered
    in_order = {staying[k][0] for k in _longest_increasing([i for _, i in staying])}
    changes: list[tuple[tuple[int, int, int], ClauseChange]] = []
    for j in match_new.keys() - in_order:  # those that left their section, and those out of order
        changes.append(((j, 0, 0), _change("moved", old.clause(match_new[j]), new.clause(j))))
    # 3. similar pairs among the rest → modified
    old_free = sorted(set(range(len(old.texts))).difference(match_old))
    new_free = sorted(set(range(len(new.texts))).difference(match_new))
    for i, j in _similar_pairs(old, new, old_free, new_free):
        match_new[j] = i
        match_old[i] = j
        changes.append(((j, 0, 0), _change("modified", old.clause(i), new.clause(j))))
    # 4. leftovers
    for j in new_free:
        if j not in match_new:
            changes.append(((j, 0, 0), _change("added", None, new.clause(j))))
    matched_old = sorted(match_old)
    for i in old_free:
        if i not in match_old:
            before = bisect.bisect_left(matched_old, i)  # the closest preceding matched old clause
            anchor = match_old[matched_old[before - 1]] if before else -1  # (its new position)
            changes.append(((anchor, 1, i), _change("removed", old.clause(i), None)))
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
_WINDOW = _FILLER_MAX + 20  # the text after a trigger that is searched for a date
_SETTLE = 200  # how far back from a year a place is looked for where no trigger can be under way
_FOUR_DIGITS = re.compile(r"\d(?=\d{3})")  # where 4 digits start (overlapping: "12024" holds "2024")
_DIGIT_MARKS = bytes(0x31 if 0x30 <= code <= 0x39 else 0x20 for code in range(256))  # digits → "1", else " "


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
    "entrent en vigueur le 7 février 2024", "as of 2024-02-07" …), None when none is announced.

    The first trigger (in the order of `_TRIGGER.finditer`) whose window holds a valid date. A valid date has
    a year from 1900 to 2200, so only the triggers ending shortly before such a year are looked for: the
    scan starts, for each stretch of years, where no trigger can be under way (after a character that is
    neither a letter nor a blank; a trigger is made of nothing else), and is then in step with a scan of the
    whole page, without its cost (about 3 ms for a 120 KB page)."""
    folded = fold(text)
    triggers: Iterator[re.Match[str]] | None = None  # a scan in step with one from the start of the text
    pending: re.Match[str] | None = None  # the next trigger of that scan
    for low, high in _year_stretches(folded):
        start = max(low, 0)
        limit = max(pending.start() if pending is not None else 0, start - _SETTLE)
        while start > limit and ("a" <= folded[start - 1] <= "z" or folded[start - 1].isspace()):
            start -= 1
        if start > limit:  # no trigger can be under way here
            triggers, pending = _TRIGGER.finditer(folded, start), None
        elif triggers is None:  # none such nearby: scan from the start of the text
            triggers = _TRIGGER.finditer(folded)
        while True:
            trigger = pending if pending is not None else next(triggers, None)
            pending = None
            if trigger is None:
                return None  # no trigger further on
            if trigger.end() > high:
                pending = trigger
                break
            window = folded[trigger.end(): trigger.end() + _WINDOW]
            date = _DATE.search(window)
            if date and date.start() <= _FILLER_MAX and "\n" not in window[: date.start()].strip(" :\n"):
                iso = _iso(date)
                if iso:
                    return iso
    return None


def _year_stretches(folded: str) -> list[tuple[int, int]]:
    """Where a trigger must end for its window to hold a year from 1900 to 2200 (4 digits, perhaps inside a
    longer run), as (low, high) ranges of positions in text order, merged when they overlap."""
    if folded.isascii():  # digits marked in a byte copy, then found with `find` (3x faster than a regex)
        marked = folded.encode("ascii").translate(_DIGIT_MARKS)
        found: list[int] = []
        index = marked.find(b"1111")
        while index >= 0:
            found.append(index)
            index = marked.find(b"1111", index + 1)
    else:
        found = [match.start() for match in _FOUR_DIGITS.finditer(folded)]
    stretches: list[tuple[int, int]] = []
    for year in found:
        if 1900 <= int(folded[year: year + 4]) <= 2200:
            low, high = year - _WINDOW - 1, year
            if stretches and low <= stretches[-1][1]:
                stretches[-1] = (stretches[-1][0], high)
            else:
                stretches.append((low, high))
    return stretches


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


_UPCOMING_FOUND = screened_search(_UPCOMING)
_CURRENT_FOUND = screened_search(_CURRENT)


def has_upcoming_and_current(text: str) -> bool:
    """True when the page shows both an upcoming version and the current (or previous) one."""
    folded = fold(text)
    return _UPCOMING_FOUND(folded) and _CURRENT_FOUND(folded)
