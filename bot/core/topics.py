"""Topic vocabulary and a lexicon-based labeller shared by terms changes and news entries.

The lexicon lives in `topics.yaml` beside this module so that phrases are data, not code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

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


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, re.Pattern[str]]:
    """One compiled alternation per topic: a single scan of the text instead of one per pattern (2x faster)."""
    raw = yaml.safe_load(resources.files("bot.core").joinpath("topics.yaml").read_text(encoding="utf-8"))
    unknown = set(raw) - set(TOPICS)
    if unknown:
        raise ValueError(f"topics.yaml names unknown topics: {sorted(unknown)}")
    lexicon: dict[str, re.Pattern[str]] = {}
    for topic in TOPICS:
        patterns = raw.get(topic) or []
        for pattern in patterns:
            re.compile(pattern)  # a broken pattern is reported on its own, not inside the alternation
        # Patterns are written in lower case and matched on folded text, so no IGNORECASE (it is slower).
        lexicon[topic] = re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", re.DOTALL)
    return lexicon


# --- screening: literal strings that a match needs, so that most regex searches are never run -----------
#
# A topic pattern starts with `\b(...)`, which the regex engine tries at every position of the text: about
# 10 µs for a 400-character clause, per topic. Literal strings that every match must contain are read off
# the parsed patterns once; a text that contains none of a topic's strings cannot match it (an `in` test is
# much cheaper than a regex search), and a pattern whose matches all start with one of a few strings is
# only tried where one of them occurs. The answers are exactly those of searching the topic's pattern.

# Literal strings this short occur in nearly every text: they are not worth testing.
_SHORTEST_SCREEN = 3
_MAX_STARTS = 64  # at most this many strings a match can start with, spelled out


@dataclass(frozen=True, slots=True)
class _Matcher:
    """One lexicon pattern: the text must contain a string of each tuple of `screen` for it to match, and
    every match starts with one of `starts` (None: anywhere)."""

    regex: re.Pattern[str]
    screen: tuple[tuple[str, ...], ...]
    starts: tuple[str, ...] | None


_ScreenedTopic = tuple[str, re.Pattern[str], tuple[str, ...] | None, tuple[_Matcher, ...] | None]


@lru_cache(maxsize=1)
def _screened_lexicon() -> tuple[_ScreenedTopic, ...]:
    """Each topic as (name, combined pattern, first, matchers): a text that contains none of the `first`
    strings matches none of the topic's patterns; `matchers` are the patterns one by one (None: search the
    combined pattern, a pattern could not be analysed)."""
    raw = yaml.safe_load(resources.files("bot.core").joinpath("topics.yaml").read_text(encoding="utf-8"))
    topics: list[_ScreenedTopic] = []
    for name, pattern in _lexicon().items():
        matchers: list[_Matcher] | None = []
        first: set[str] | None = set()
        for source in raw.get(name) or []:
            analysis = _analyse(source, re.DOTALL)
            if analysis is None or matchers is None:
                matchers = first = None
                continue
            needs, starts = analysis
            sets = sorted({_essential(s) for s in needs if min(map(len, s)) >= _SHORTEST_SCREEN},
                          key=lambda s: (len(s), -min(map(len, s)), s))  # fewest strings (fewest tests) first
            if starts is not None and min(map(len, starts)) < _SHORTEST_SCREEN:
                starts = None
            candidates = list(sets)
            if starts is not None:  # looking for where a match could start tests these strings anyway
                candidates.append(_essential(starts))
                sets = [s for s in sets if s != candidates[-1]]
            if first is not None:
                if candidates:
                    first.update(min(candidates, key=lambda s: (len(s), -min(map(len, s)))))
                else:
                    first = None
            matchers.append(_Matcher(re.compile(source, re.DOTALL), tuple(sets), _leading(starts)))
        topics.append((name, pattern, None if first is None else _essential(frozenset(first)),
                       None if matchers is None else tuple(matchers)))
    return tuple(topics)


def _essential(literals: frozenset[str]) -> tuple[str, ...]:
    """The strings without those that contain another one ("model" in a text is tested once, not again for
    "modele" and "modell"), shortest first."""
    ordered = sorted(literals, key=lambda literal: (len(literal), literal))
    return tuple(literal for k, literal in enumerate(ordered)
                 if not any(shorter in literal for shorter in ordered[:k]))


def _leading(starts: frozenset[str] | None) -> tuple[str, ...] | None:
    """The strings without those that start with another one (a match at "fees" is tried at "fee")."""
    if starts is None:
        return None
    ordered = sorted(starts)
    return tuple(literal for literal in ordered
                 if not any(literal.startswith(other) for other in ordered if other != literal))


def _matches(matcher: _Matcher, folded: str) -> bool:
    for literals in matcher.screen:
        for literal in literals:
            if literal in folded:
                break
        else:
            return False
    if matcher.starts is None:
        return matcher.regex.search(folded) is not None
    match = matcher.regex.match
    for start in matcher.starts:  # `match(text, i)` sees the text before i, so \b and lookbehinds hold
        index = folded.find(start)
        while index >= 0:
            if match(folded, index):
                return True
            index = folded.find(start, index + 1)
    return False


def label_topics(text: str, folded: str | None = None) -> tuple[str, ...]:
    """Topics whose lexicon matches `text` (pass `folded` when `fold(text)` is already known)."""
    folded = fold(text) if folded is None else folded
    present = _pieces_in(folded)
    labels: list[str] = []
    for name, pattern, first, matchers in _word_screened_lexicon():
        if first is not None and first.words.isdisjoint(present):  # (most topics, in most texts)
            if not first.others or not first.others_in(folded, present):
                continue
        if matchers is None:
            if pattern.search(folded):
                labels.append(name)
            continue
        for matcher in matchers:
            if matcher.matches(folded, present):
                labels.append(name)
                break
    return tuple(labels)


# --- screening by words: the screening strings of a text in one look-up per distinct word ---------------
#
# An `in` test scans the whole text: the lexicon's ~120 screening strings cost ~50 µs on a 700-character
# article. A string of ASCII letters and digits is in a folded text exactly when it is inside one of the
# text's words (`bot.core.text.words` cuts at other characters only), and which of those strings a word
# contains is remembered: a text costs one look-up per distinct word. A string with other characters
# ("personal data") is looked for with `in` only when its longest run of letters and digits is there. The
# answers are exactly those of the `in` tests.

_WORD_PIECE = re.compile(r"[0-9a-z]+")
_CACHE_SIZE = 100_000  # words whose pieces are remembered; the cache is emptied when full


def _piece(literal: str) -> str:
    """The longest run of ASCII letters and digits of `literal` ("" for none): a text that contains `literal`
    has it inside one of its words."""
    return max(_WORD_PIECE.findall(literal), key=len, default="")


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

    def passes(self, folded: str, present: set[str]) -> bool:
        """Does `folded` contain one of the strings (`present`: the pieces of its words)?"""
        return not self.words.isdisjoint(present) or self.others_in(folded, present)

    def others_in(self, folded: str, present: set[str]) -> bool:
        """Does `folded` contain one of the `others`?"""
        for piece, literal in self.others:
            if (not piece or piece in present) and literal in folded:
                return True
        return False


@dataclass(frozen=True, slots=True)
class _WordScreenedMatcher:
    """A `_Matcher` screened by the pieces of the text's words; `starts` as (piece, string)."""

    regex: re.Pattern[str]
    screen: tuple[_Screen, ...]
    starts: tuple[tuple[str, str], ...] | None

    def matches(self, folded: str, present: set[str]) -> bool:
        """`_matches(matcher, folded)`, with `present` the pieces of the words of `folded`."""
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


_WordScreenedTopic = tuple[str, re.Pattern[str], _Screen | None, tuple[_WordScreenedMatcher, ...] | None]


@lru_cache(maxsize=1)
def _word_screened_lexicon() -> tuple[_WordScreenedTopic, ...]:
    """`_screened_lexicon` with its strings split for screening by words (see above)."""
    return tuple((name, pattern, None if first is None else _Screen.of(first),
                  None if matchers is None else tuple(
                      _WordScreenedMatcher(m.regex, tuple(map(_Screen.of, m.screen)),
                                           None if m.starts is None else tuple((_piece(s), s) for s in m.starts))
                      for m in matchers))
                 for name, pattern, first, matchers in _screened_lexicon())


class _PiecesOf(dict):  # type: ignore[type-arg]
    """word → the lexicon's screening pieces inside it (empty for most words), filled as words are met."""

    __slots__ = ("pieces",)

    def __init__(self) -> None:
        super().__init__()
        pieces: set[str] = set()
        for _, _, first, matchers in _word_screened_lexicon():
            if first is not None:
                pieces |= first.pieces()
            for matcher in matchers or ():
                for screen in matcher.screen:
                    pieces |= screen.pieces()
                pieces.update(piece for piece, _ in matcher.starts or () if piece)
        self.pieces = tuple(sorted(pieces))

    def __missing__(self, word: str) -> frozenset[str]:
        found = frozenset(filter(word.__contains__, self.pieces))
        if len(self) >= _CACHE_SIZE:
            self.clear()
        self[word] = found
        return found


@lru_cache(maxsize=1)
def _pieces_of() -> _PiecesOf:
    return _PiecesOf()


def _pieces_in(folded: str) -> set[str]:
    """The screening pieces inside the words of folded text."""
    return set().union(*map(_pieces_of().__getitem__, word_set(folded)))


def screened_search(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """A function telling whether `pattern` matches somewhere in a text, exactly as `pattern.search` would,
    screened by the literal strings its matches need (see above): on a 120 KB page, a few `find`s and
    matches where a match could start instead of a regex attempt at every position (10x faster)."""
    analysis = _analyse(pattern.pattern, pattern.flags)
    if analysis is None:
        return lambda text: pattern.search(text) is not None
    needs, starts = analysis
    sets = sorted({_essential(s) for s in needs if min(map(len, s)) >= _SHORTEST_SCREEN},
                  key=lambda s: (len(s), -min(map(len, s)), s))
    if starts is not None and min(map(len, starts)) < _SHORTEST_SCREEN:
        starts = None
    if starts is not None:
        sets = [s for s in sets if s != _essential(starts)]
    matcher = _Matcher(pattern, tuple(sets), _leading(starts))
    return lambda text: _matches(matcher, text)


def required_literals(pattern: str, flags: int = 0) -> list[frozenset[str]] | None:
    """Sets of strings such that every match of `pattern` contains a string of each set (case-sensitive);
    None when the pattern uses what the analysis does not follow (back-references, case-insensitivity)."""
    analysis = _analyse(pattern, flags)
    return None if analysis is None else analysis[0]


def _analyse(pattern: str, flags: int) -> tuple[list[frozenset[str]], frozenset[str] | None] | None:
    """(needs, starts) of a pattern: sets of strings of which every match contains one string each, and the
    strings one of which every match starts with (None: not known). None for a pattern that uses
    back-references or case-insensitivity (it is then searched as written, unscreened).

    Read off the parsed pattern: a run of literal characters in a sequence is needed, and so is whatever a
    group or a repeat with a minimum of at least one needs; an alternation needs, of each branch, its most
    selective set (longest shortest string, then fewest strings), united. Anything else (classes, optional
    parts, lookarounds) needs nothing, which keeps the answer conservative: a missing set only costs a
    regex search."""
    try:
        from re import _constants as sre_constants
        from re import _parser as sre_parse
    except ImportError:  # pragma: no cover - the private parser moved (it was sre_parse before Python 3.11)
        return None
    try:
        parsed = sre_parse.parse(pattern, flags)
    except re.error:
        return None
    c = sre_constants
    if parsed.state.flags & (re.IGNORECASE | re.LOCALE):
        return None
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
    atomic = getattr(c, "ATOMIC_GROUP", None)
    unsupported = False

    def best(sets: list[frozenset[str]]) -> frozenset[str] | None:
        return max(sets, key=lambda s: (min(map(len, s)), -len(s)), default=None)

    def walk(items: list) -> None:  # type: ignore[type-arg]
        nonlocal unsupported
        for op, av in items:
            if op in (c.GROUPREF, c.GROUPREF_EXISTS) or (op is c.SUBPATTERN and av[1] & (re.IGNORECASE | re.LOCALE)):
                unsupported = True
            elif op is c.SUBPATTERN:
                walk(av[3])
            elif op is c.BRANCH:
                for branch in av[1]:
                    walk(branch)
            elif op in repeats:
                walk(av[2])
            elif op in (c.ASSERT, c.ASSERT_NOT):
                walk(av[1])
            elif op is atomic:
                walk(av)

    def needs(items: list) -> list[frozenset[str]]:  # type: ignore[type-arg]
        sets: list[frozenset[str]] = []
        run: list[str] = []
        for op, av in items:
            if op is c.LITERAL:
                run.append(chr(av))
                continue
            if run:
                sets.append(frozenset(("".join(run),)))
                run = []
            if op is c.SUBPATTERN:
                sets.extend(needs(av[3]))
            elif op is c.BRANCH:
                alternatives = [best(needs(branch)) for branch in av[1]]
                if alternatives and all(alternatives):
                    sets.append(frozenset().union(*alternatives))  # type: ignore[arg-type]
            elif op in repeats and av[0] >= 1:
                sets.extend(needs(av[2]))
            elif op is atomic:
                sets.extend(needs(av))
        if run:
            sets.append(frozenset(("".join(run),)))
        return [s for s in sets if s and all(s)]

    def strings(item: tuple) -> frozenset[str] | None:  # type: ignore[type-arg]
        """The strings one element of a pattern can match, when it only matches a few fixed ones."""
        op, av = item
        if op is c.LITERAL:
            return frozenset((chr(av),))
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero-width
            return frozenset(("",))
        if op is c.IN and av and all(kind is c.LITERAL for kind, _ in av):
            return frozenset(chr(code) for _, code in av)
        if op is c.SUBPATTERN:
            return sequence(list(av[3]))
        if op is c.BRANCH:
            alternatives = [sequence(list(branch)) for branch in av[1]]
            if all(a is not None for a in alternatives):
                union = frozenset().union(*alternatives)  # type: ignore[arg-type]
                return union if len(union) <= _MAX_STARTS else None
            return None
        if op in repeats and av[1] <= 1:  # "s?"
            child = sequence(list(av[2]))
            if child is None:
                return None
            return child | {""} if av[0] == 0 else child
        return None

    def sequence(items: list) -> frozenset[str] | None:  # type: ignore[type-arg]
        found = frozenset(("",))
        for item in items:
            more = strings(item)
            if more is None or len(found) * len(more) > _MAX_STARTS:
                return None
            found = frozenset(a + b for a in found for b in more)
        return found

    def starts(items: list) -> frozenset[str] | None:  # type: ignore[type-arg]
        """Strings one of which every match of `items` starts with: the fixed strings its leading elements
        match (zero-width assertions such as \\b skipped, "licen[cs]e" read as "licence", "license"), then
        what the first other element starts with (through groups, alternations, repeats of at least one)."""
        found = frozenset(("",))
        for item in items:
            more = strings(item)
            if more is None:
                op, av = item
                if op is c.SUBPATTERN:
                    more = starts(list(av[3]))
                elif op is c.BRANCH:
                    alternatives = [starts(list(branch)) for branch in av[1]]
                    if all(a is not None for a in alternatives):
                        more = frozenset().union(*alternatives)  # type: ignore[arg-type]
                elif op in repeats and av[0] >= 1:
                    more = starts(list(av[2]))
                elif op is atomic:
                    more = starts(list(av))
                if more is not None and len(found) * len(more) <= _MAX_STARTS:
                    found = frozenset(a + b for a in found for b in more)
                break
            if len(found) * len(more) > _MAX_STARTS:
                break
            found = frozenset(a + b for a in found for b in more)
        return found if found and all(found) else None

    walk(list(parsed))
    if unsupported:
        return None
    return needs(list(parsed)), starts(list(parsed))


def severity_for(topics: tuple[str, ...] | list[str], substantive: bool = True) -> str:
    """`high` when a sensitive topic is touched, `medium` for other substantive items, else `low`."""
    if not substantive:
        return "low"
    return "high" if _HIGH_TOPICS.intersection(topics) else "medium"
