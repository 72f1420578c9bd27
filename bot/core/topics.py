"""Topic vocabulary and a lexicon-based labeller shared by terms changes and news entries.

The lexicon lives in `topics.yaml` beside this module so that phrases are data, not code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from bot.core.text import fold, word_set

TOPICS: tuple[str, ...] = (
    "ai_training",
    "ai_content",
    "content_licence",
    "data_sharing",
    "privacy",
    "opt_out",
    "arbitration_venue",
    "age_verification",
    "moderation",
    "account_termination",
    "pricing",
)

# Each topic in words, for people (chat titles and texts); ids stay in data (JSONL `topics`, config filters).
TOPIC_NAMES: dict[str, str] = {
    "ai_training": "AI training",
    "ai_content": "AI-generated content",
    "content_licence": "content licence",
    "data_sharing": "data sharing",
    "privacy": "privacy",
    "opt_out": "opt-out",
    "arbitration_venue": "arbitration and venue",
    "age_verification": "age verification",
    "moderation": "moderation",
    "account_termination": "account termination",
    "pricing": "pricing",
}


def topic_name(topic: str) -> str:
    """A topic id in words ("ai_training" → "AI training"); an unknown id with blanks for underscores."""
    return TOPIC_NAMES.get(topic) or topic.replace("_", " ")


SEVERITIES: tuple[str, ...] = ("low", "medium", "high")
_HIGH_TOPICS = frozenset({"ai_training", "content_licence", "data_sharing", "opt_out"})


def load_lexicon(package: str, name: str) -> dict[str, tuple[str, ...]]:
    """topic → the patterns the lexicon file `name` of `package` gives it (every topic of TOPICS, perhaps with
    none); ValueError for a topic TOPICS lacks."""
    raw = yaml.safe_load(resources.files(package).joinpath(name).read_text(encoding="utf-8")) or {}
    unknown = set(raw) - set(TOPICS)
    if unknown:
        raise ValueError(f"{name} names unknown topics: {sorted(unknown)}")
    return {topic: tuple(raw.get(topic) or ()) for topic in TOPICS}


@lru_cache(maxsize=1)
def _sources() -> dict[str, tuple[str, ...]]:
    """topic → the patterns `topics.yaml` gives it (every topic of TOPICS, perhaps with none)."""
    return load_lexicon("bot.core", "topics.yaml")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, re.Pattern[str]]:
    """One compiled alternation per topic: a single scan of the text instead of one per pattern (2x faster)."""
    lexicon: dict[str, re.Pattern[str]] = {}
    for topic, patterns in _sources().items():
        for pattern in patterns:
            re.compile(pattern)  # a broken pattern is reported on its own, not inside the alternation
        # Patterns are written in lower case and matched on folded text, so no IGNORECASE (it is slower).
        lexicon[topic] = re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", re.DOTALL)
    return lexicon


# --- reading a pattern: the literal strings its matches need --------------------------------------------
#
# A topic pattern starts with `\b(...)`, which the regex engine tries at every position of the text: about
# 10 µs for a 400-character clause, per topic. Our own reading of the pattern text (literal characters,
# classes, groups, alternations, repeats, assertions: what the lexicon uses) tells which strings every match
# contains and which strings every match starts with. A text that contains none of a topic's strings cannot
# match it (an `in` test is much cheaper than a regex search), and a pattern whose matches all start with one
# of a few strings is only tried where one of them occurs. The answers are exactly those of the regex search.

# A pattern read as a tree of tuples: ("char", c), ("class", chars or None for any of many), ("empty",) for a
# zero-width assertion, ("seq", items), ("alt", branches), ("repeat", node, least, most or None).
_Node = tuple[Any, ...]
_EMPTY: _Node = ("empty",)
_SHORTEST_SCREEN = 3  # literal strings this short occur in nearly every text: they are not worth testing
_MAX_STARTS = 64  # at most this many strings a match can start with, spelled out
_ZERO_WIDTH_ESCAPES = frozenset("bBAZ")
_CLASS_ESCAPES = frozenset("wWdDsS")
_CHAR_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_BOUNDS = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_REPEATS = {"*": (0, None), "+": (1, None), "?": (0, 1)}


class _Unreadable(Exception):
    """A pattern that uses what our reading does not follow (back-references, inline flags, conditionals)."""


class _Reader:
    """Reads a pattern's text into a `_Node` tree (recursive descent over Python's regex syntax)."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0

    def read(self) -> _Node:
        node = self.alternation()
        if self.at < len(self.text):
            raise _Unreadable("unbalanced parenthesis")
        return node

    def alternation(self) -> _Node:
        branches = [self.sequence()]
        while self.text.startswith("|", self.at):
            self.at += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else ("alt", tuple(branches))

    def sequence(self) -> _Node:
        items: list[_Node] = []
        while self.at < len(self.text) and self.text[self.at] not in "|)":
            items.append(self.repeated(self.atom()))
        return ("seq", tuple(items))

    def atom(self) -> _Node:
        char = self.text[self.at]
        self.at += 1
        if char == "(":
            return self.group()
        if char == "[":
            return self.char_class()
        if char == "\\":
            escaped = self.escape()
            return _EMPTY if escaped == "" else ("class", None) if escaped is None else ("char", escaped)
        if char == ".":
            return ("class", None)
        if char in "^$":
            return _EMPTY
        return ("char", char)

    def repeated(self, node: _Node) -> _Node:
        """`node` with the repeat written after it, if any (lazy and possessive repeats read alike)."""
        text, at = self.text, self.at
        if at < len(text) and text[at] in _REPEATS:
            least, most = _REPEATS[text[at]]
            self.at += 1
        else:
            bounds = _BOUNDS.match(text, at)
            if bounds is None or (not bounds.group(1) and bounds.group(2) is None):  # "{}" is two characters
                return node
            least = int(bounds.group(1) or 0)
            most = least if bounds.group(2) is None else int(bounds.group(3)) if bounds.group(3) else None
            self.at = bounds.end()
        if self.text[self.at:self.at + 1] in ("?", "+"):
            self.at += 1
        return ("repeat", node, least, most)

    def group(self) -> _Node:
        text = self.text
        zero_width = False
        if text.startswith("?", self.at):
            self.at += 1
            if text.startswith(("=", "!"), self.at) or text.startswith(("<=", "<!"), self.at):
                zero_width = True  # a lookaround: read (it may hold what we do not follow), matches nothing
                self.at += 1 if text[self.at] != "<" else 2
            elif text.startswith("P<", self.at):
                self.at = text.index(">", self.at) + 1
            elif text.startswith((":", ">"), self.at):
                self.at += 1
            else:
                raise _Unreadable("inline flags, back-reference, conditional or comment")
        node = self.alternation()
        if not text.startswith(")", self.at):
            raise _Unreadable("unbalanced parenthesis")
        self.at += 1
        return _EMPTY if zero_width else node

    def escape(self) -> str | None:
        """The character an escape stands for, "" for a zero-width one (\\b), None for a class (\\w)."""
        char = self.text[self.at]
        self.at += 1
        if char in _ZERO_WIDTH_ESCAPES:
            return ""
        if char in _CLASS_ESCAPES:
            return None
        if char in _CHAR_ESCAPES:
            return _CHAR_ESCAPES[char]
        if char in _HEX_DIGITS:
            digits = self.text[self.at:self.at + _HEX_DIGITS[char]]
            self.at += len(digits)
            return chr(int(digits, 16))
        if char.isalnum():
            raise _Unreadable(f"escape \\{char}")  # back-references (\1), octal escapes, \N{…}
        return char

    def char_class(self) -> _Node:
        """A class: the characters it holds, None when it is negated or holds ranges or classes."""
        text = self.text
        chars: set[str] | None = set()
        if text.startswith("^", self.at):
            self.at += 1
            chars = None
        start = self.at
        while text[self.at] != "]" or self.at == start:
            char = self.class_char()
            if text[self.at] == "-" and text[self.at + 1] != "]":  # a range
                self.at += 1
                self.class_char()
                chars = None
            elif char is None or chars is None:
                chars = None
            else:
                chars.add(char)
        self.at += 1
        return ("class", None if chars is None else frozenset(chars))

    def class_char(self) -> str | None:
        char = self.text[self.at]
        self.at += 1
        if char != "\\":
            return char
        if self.text[self.at] == "b":  # a backspace, inside a class
            self.at += 1
            return "\b"
        escaped = self.escape()
        return None if not escaped else escaped


def _union(sets: list[frozenset[str] | None]) -> frozenset[str] | None:
    """The union of the sets, None when one of them is None (not known)."""
    known = [s for s in sets if s is not None]
    return frozenset().union(*known) if len(known) == len(sets) else None


def _needs(node: _Node) -> list[frozenset[str]]:
    """Sets of strings of which every match contains one string each: a run of characters in a sequence is
    needed, and so is what a group or a repeat of at least one needs; an alternation needs, of each branch, its
    most selective set (longest shortest string, then fewest strings), united. Anything else (classes, optional
    parts, lookarounds) needs nothing, which keeps the answer conservative: a missing set only costs a search."""
    kind = node[0]
    if kind == "char":
        return [frozenset((node[1],))]
    if kind == "repeat":
        return _needs(node[1]) if node[2] >= 1 else []
    if kind == "alt":
        union = _union([max(_needs(branch), key=lambda s: (min(map(len, s)), -len(s)), default=None)
                        for branch in node[1]])
        return [] if union is None else [union]
    sets: list[frozenset[str]] = []
    run: list[str] = []
    for item in node[1] if kind == "seq" else ():
        if item[0] == "char":
            run.append(item[1])
            continue
        if run:
            sets.append(frozenset(("".join(run),)))
            run = []
        sets.extend(_needs(item))
    if run:
        sets.append(frozenset(("".join(run),)))
    return [s for s in sets if s and all(s)]


def _strings(node: _Node) -> frozenset[str] | None:
    """The strings a node can match, when it only matches a few fixed ones (zero-width assertions match "")."""
    kind = node[0]
    if kind == "char":
        return frozenset((node[1],))
    if kind == "empty":
        return frozenset(("",))
    if kind == "class":
        return node[1]
    if kind == "seq":
        found = frozenset(("",))
        for item in node[1]:
            more = _strings(item)
            if more is None or len(found) * len(more) > _MAX_STARTS:
                return None
            found = frozenset(a + b for a in found for b in more)
        return found
    if kind == "alt":
        union = _union([_strings(branch) for branch in node[1]])
        return union if union is not None and len(union) <= _MAX_STARTS else None
    if kind == "repeat" and node[3] is not None and node[3] <= 1:  # "s?"
        child = _strings(node[1])
        return None if child is None else child | {""} if node[2] == 0 else child
    return None


def _starts(node: _Node) -> frozenset[str] | None:
    """Strings one of which every match starts with: the fixed strings its leading items match (zero-width
    assertions such as \\b skipped, "licen[cs]e" read as "licence", "license"), then what the first other item
    starts with (through groups, alternations, repeats of at least one); None when not known."""
    found = frozenset(("",))
    for item in node[1] if node[0] == "seq" else (node,):
        more = _strings(item)
        if more is None:
            if item[0] == "seq":
                more = _starts(item)
            elif item[0] == "alt":
                more = _union([_starts(branch) for branch in item[1]])
            elif item[0] == "repeat" and item[2] >= 1:
                more = _starts(item[1])
            if more is not None and len(found) * len(more) <= _MAX_STARTS:
                found = frozenset(a + b for a in found for b in more)
            break
        if len(found) * len(more) > _MAX_STARTS:
            break
        found = frozenset(a + b for a in found for b in more)
    return found if found and all(found) else None


def _analyse(pattern: str, flags: int) -> tuple[list[frozenset[str]], frozenset[str] | None] | None:
    """(needs, starts) of a pattern (`_needs`, `_starts`), None for a pattern our reading does not follow
    (back-references, case-insensitivity, verbose patterns): it is then searched as written, unscreened."""
    if flags & (re.IGNORECASE | re.LOCALE | re.VERBOSE):
        return None
    try:
        node = _Reader(pattern).read()
    except (_Unreadable, IndexError, ValueError):
        return None
    return _needs(node), _starts(node)


def required_literals(pattern: str, flags: int = 0) -> list[frozenset[str]] | None:
    """Sets of strings such that every match of `pattern` contains a string of each set (case-sensitive);
    None when the pattern uses what the analysis does not follow (back-references, case-insensitivity)."""
    analysis = _analyse(pattern, flags)
    return None if analysis is None else analysis[0]


# --- screening: a pattern tried only on texts that hold its strings, only where a match could start -----
#
# A string of ASCII letters and digits is in a folded text exactly when it is inside one of the text's words
# (`bot.core.text.words` cuts at other characters only). For topic labels, which of the lexicon's strings a
# word contains is remembered: a text costs one look-up per distinct word, not an `in` test per string (about
# 50 µs on a 700-character article). A string with other characters ("personal data") is looked for with
# `in` only when its longest run of letters and digits (its "piece") is there.

_WORD_PIECE = re.compile(r"[0-9a-z]+")


def _piece(literal: str) -> str:
    """The longest run of ASCII letters and digits of `literal` ("" for none): a text that contains `literal`
    has it inside one of its words."""
    return max(_WORD_PIECE.findall(literal), key=len, default="")


def _essential(literals: frozenset[str]) -> tuple[str, ...]:
    """The strings without those that contain another one ("model" in a text is tested once, not again for
    "modele" and "modell"), shortest first."""
    ordered = sorted(literals, key=lambda literal: (len(literal), literal))
    return tuple(literal for k, literal in enumerate(ordered)
                 if not any(shorter in literal for shorter in ordered[:k]))


@dataclass(frozen=True, slots=True)
class _Screen:
    """Strings one of which a text must contain: `words` (letters and digits only) are in it when they are
    among the pieces of its words; `others` are (piece, string), looked for when their piece is there."""

    words: frozenset[str]
    others: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, literals: tuple[str, ...]) -> _Screen:
        words = frozenset(literal for literal in literals if _piece(literal) == literal)
        return cls(words, tuple((_piece(literal), literal) for literal in literals if literal not in words))

    def pieces(self) -> set[str]:
        return {*self.words, *(piece for piece, _ in self.others if piece)}

    def passes(self, folded: str, present: Set[str]) -> bool:
        """Does `folded` contain one of the strings (`present`: the pieces of its words)?"""
        return not self.words.isdisjoint(present) or self.others_in(folded, present)

    def others_in(self, folded: str, present: Set[str]) -> bool:
        """Does `folded` contain one of the `others`?"""
        for piece, literal in self.others:
            if (not piece or piece in present) and literal in folded:
                return True
        return False


@dataclass(frozen=True, slots=True)
class _Matcher:
    """One pattern: the text must pass each of `screen` for it to match, and every match starts with one of
    `starts` as (piece, string) (None: anywhere). `key`: the most selective strings one of which every match
    contains (None: none known)."""

    regex: re.Pattern[str]
    screen: tuple[_Screen, ...]
    starts: tuple[tuple[str, str], ...] | None
    key: tuple[str, ...] | None

    @classmethod
    def of(cls, regex: re.Pattern[str]) -> _Matcher | None:
        """The screened matcher of a pattern, None when its reading is not followed (`_analyse`)."""
        analysis = _analyse(regex.pattern, regex.flags)
        if analysis is None:
            return None
        needs, starts = analysis
        sets = sorted({_essential(s) for s in needs if min(map(len, s)) >= _SHORTEST_SCREEN},
                      key=lambda s: (len(s), -min(map(len, s)), s))  # fewest strings (fewest tests) first
        if starts is not None and min(map(len, starts)) < _SHORTEST_SCREEN:
            starts = None
        candidates = list(sets)
        leading: tuple[tuple[str, str], ...] | None = None
        if starts is not None:  # looking for where a match could start tests these strings anyway
            candidates.append(_essential(starts))
            sets = [s for s in sets if s != candidates[-1]]
            ordered = sorted(starts)  # without the strings that start with another one ("fees" is tried at "fee")
            leading = tuple((_piece(s), s) for s in ordered if not any(s.startswith(o) for o in ordered if o != s))
        key = min(candidates, key=lambda s: (len(s), -min(map(len, s))), default=None)
        return cls(regex, tuple(map(_Screen.of, sets)), leading, key)

    def pieces(self) -> set[str]:
        """The pieces (`_piece`) the screening looks for."""
        return {*(piece for screen in self.screen for piece in screen.pieces()),
                *(piece for piece, _ in self.starts or () if piece)}

    def matches(self, folded: str, present: Set[str]) -> bool:
        """`regex.search(folded) is not None`, with `present` the pieces of the words of `folded`."""
        for screen in self.screen:
            if not screen.passes(folded, present):
                return False
        if self.starts is None:
            return self.regex.search(folded) is not None
        match = self.regex.match
        for piece, start in self.starts:  # `match(text, i)` sees the text before i, so \b and lookbehinds hold
            if piece and piece not in present:
                continue  # (not in the text: `find` would find nothing)
            index = folded.find(start)
            while index >= 0:
                if match(folded, index):
                    return True
                index = folded.find(start, index + 1)
        return False


@dataclass(frozen=True, slots=True)
class _Topic:
    """A topic's patterns, screened: a text that passes none of `first` matches none of them; `matchers` are
    the patterns one by one (None: search the combined `pattern`, a pattern could not be read)."""

    name: str
    pattern: re.Pattern[str]
    first: _Screen | None
    matchers: tuple[_Matcher, ...] | None


@lru_cache(maxsize=1)
def _screened_lexicon() -> tuple[_Topic, ...]:
    """Each topic of the lexicon, screened (`_Topic`): `first` holds the most selective strings of each pattern."""
    topics: list[_Topic] = []
    for name, pattern in _lexicon().items():
        matchers = [_Matcher.of(re.compile(source, re.DOTALL)) for source in _sources()[name]]
        readable = [m for m in matchers if m is not None]
        keys = [m.key for m in readable if m.key is not None]
        first = _Screen.of(_essential(frozenset().union(*keys))) if len(keys) == len(matchers) else None
        topics.append(_Topic(name, pattern, first, tuple(readable) if len(readable) == len(matchers) else None))
    return tuple(topics)


@lru_cache(maxsize=1)
def _lexicon_pieces() -> tuple[str, ...]:
    """Every piece the screening of the lexicon looks for."""
    pieces: set[str] = set()
    for topic in _screened_lexicon():
        pieces |= topic.first.pieces() if topic.first is not None else set()
        for matcher in topic.matchers or ():
            pieces |= matcher.pieces()
    return tuple(sorted(pieces))


@lru_cache(maxsize=100_000)
def _pieces_of(word: str) -> frozenset[str]:
    """The lexicon's pieces inside one word (empty for most words)."""
    return frozenset(filter(word.__contains__, _lexicon_pieces()))


def label_topics(text: str, folded: str | None = None) -> tuple[str, ...]:
    """Topics whose lexicon matches `text` (pass `folded` when `fold(text)` is already known)."""
    folded = fold(text) if folded is None else folded
    present: set[str] = set().union(*map(_pieces_of, word_set(folded)))
    labels: list[str] = []
    for topic in _screened_lexicon():  # (the loop spelled out: it runs for every clause of every version)
        first = topic.first
        if first is not None and first.words.isdisjoint(present) and not first.others_in(folded, present):
            continue  # (most topics, in most texts)
        if topic.matchers is None:
            if topic.pattern.search(folded):
                labels.append(topic.name)
            continue
        for matcher in topic.matchers:
            if matcher.matches(folded, present):
                labels.append(topic.name)
                break
    return tuple(labels)


def screened_search(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """A function telling whether `pattern` matches somewhere in a text, exactly as `pattern.search` would,
    screened by the literal strings its matches need (see above): on a 120 KB page, a few `find`s and
    matches where a match could start instead of a regex attempt at every position (10x faster)."""
    matcher = _Matcher.of(pattern)
    if matcher is None:
        return lambda text: pattern.search(text) is not None
    pieces = tuple(sorted(matcher.pieces()))
    return lambda text: matcher.matches(text, {piece for piece in pieces if piece in text})


def severity_for(topics: tuple[str, ...] | list[str], substantive: bool = True) -> str:
    """`high` when a sensitive topic is touched, `medium` for other substantive items, else `low`."""
    if not substantive:
        return "low"
    return "high" if _HIGH_TOPICS.intersection(topics) else "medium"
