"""Story grouping: articles, own-feed posts and terms changes about one event form one story (one thread),
across outlets and languages, with what each later item adds; in memory, serialisable to plain dicts.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from itertools import compress, filterfalse, repeat
from typing import Any

import yaml

from bot.core.messages import thread_key
from bot.core.news.language import STOP_WORDS, detect_language
from bot.core.news.statements import Statement
from bot.core.text import MONTHS, fold, word_set, words
from bot.core.topics import label_topics

DEFAULT_WINDOW = timedelta(days=14)
JOIN_THRESHOLD = 3.0  # score an item needs to join a story (see `StoryIndex._score`)
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
DUPLICATE_OVERLAP = 0.8  # share of sentences two texts must have in common to be one text syndicated
UPDATE_CHARS = 20_000  # how much of a text is compared with its next version (as the pipeline analyses)
ANALYSED_CHARS = 1200  # features come from the title and the lead of a text (where the facts are); a long
# or hostile body costs no more
MAX_SENTENCES = 12  # sentences of the lead whose hashes find syndicated copies
MAX_STORY_TOKENS = 400  # a story's profile stops growing past this many words / evidence tokens
MAX_CANDIDATES = 64  # stories of one platform looked at for one item (most recently active first)
MAX_STORY_ITEMS = 1000  # items a story remembers (to spot copies and updates of them); the oldest go first
FULL_WEIGHT_STORIES = 2  # a token found in at most this many stories always counts fully
IDF_FULL = math.log(20.0)  # a token in 1/20 of the stories or fewer counts fully

ITEM_KINDS = ("article", "post", "terms_change")
NEWS_KINDS = ("outlet", "article", "passage", "edit", "statement", "clause_change")

# --- language-independent evidence ---------------------------------------------------------------------

_MONTHS = MONTHS  # month names in the four languages (`bot.core.text`)
# The names by first letter ("(?:a(?:pril|...)|d(?:...)|...)"): a word that is no month fails at its first letter
# instead of once per name. (The \b after a name decides which name matches, whatever the order.)
_MONTH = "(?:" + "|".join(
    re.escape(letter) + "(?:" + "|".join(sorted((name[1:] for name in _MONTHS if name[0] == letter),
                                                key=len, reverse=True)) + ")"
    for letter in sorted({name[0] for name in _MONTHS})
) + ")"
_MONTH_ENDS = frozenset(name[-3:] for name in _MONTHS)  # (every name has three letters or more)
# A number: digits not glued to a word, a decimal or another number, with their separators and a percent sign.
# The digit comes before the look-behind (`\d(?<![\w.,:-]\d)` is `(?<![\w.,:-])\d`), so the regex engine skips
# to the next digit in C instead of trying the look-behind at every position (2x faster); in ASCII text, where
# `\d` is `[0-9]`, the ASCII spelling is tested faster still.
# What follows a number, read in the same regex pass (zero-width, so that the numbers found are the same): a clock
# time (group 1, as `_CLOCK_AFTER`), the rest of an ISO date (groups 2 and 3, as `_ISO_TAIL`), a month after a
# day (group 4, as `_DAY_THEN_MONTH`); each group is None when it does not follow.
_FOLLOWING = (r"(?:(?=(\s?[:h]\s?\d{2}\b|\s?[ap]\.?m\b))|)(?:(?=-(\d{2})-(\d{2})\b)|)"
              rf"(?:(?=(?:st|nd|rd|th|er|e)?\.?\s+(?:de\s+)?({_MONTH})\b)|)")
_NUMERIC = re.compile(
    r"\d(?<![\w.,:-]\d)\d*(?:[.,]\d+)*(?:[ \u00a0\u202f]\d{3}(?![\d.,]))*"
    r"(?:\s?(?:%|percent\b|pour cent\b|por ciento\b|prozent\b))?" + _FOLLOWING
)
_NUMERIC_ASCII = re.compile(
    r"[0-9](?<![\w.,:-][0-9])[0-9]*(?:[.,][0-9]+)*(?:[ \u00a0\u202f][0-9]{3}(?![0-9.,]))*"
    r"(?:\s?(?:%|percent\b|pour cent\b|por ciento\b|prozent\b))?" + _FOLLOWING
)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*(?:[ \u00a0\u202f]\d{3})*")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})+")
_SEPARATORS = re.compile(r"[.,\s\u00a0\u202f]")
_ISO_TAIL = re.compile(r"-(\d{2})-(\d{2})\b")
_DAY_THEN_MONTH = re.compile(rf"(?:st|nd|rd|th|er|e)?\.?\s+(?:de\s+)?({_MONTH})\b")
_MONTH_THEN_DAY = re.compile(rf"\b({_MONTH})\.?\s+$")
_CLOCK_AFTER = re.compile(r"\s?[:h]\s?\d{2}\b|\s?[ap]\.?m\b")
_CLOCK_BEFORE = re.compile(r"\d\s?[:h]\s?$")
_URL = re.compile(r"https?://[^\s<>\"“”«»)]+", re.IGNORECASE)
_QUOTED = re.compile(r"[“«\"„]\s?([^”»\"“\n]{2,60}?)\s?[”»\"“]")
# A capitalised word (and the capitalised words after it) preceded by a word or a comma: inside a sentence.
# (The group is the name: the pattern starts at the space before it, which the regex engine finds faster than
# a capital letter.)
_NAME = re.compile(
    r" (?<=[\w,;)’'] )([A-ZÀ-Ý][\w’'&-]*(?:[ \t]+(?:of |de |du |des |for |van |von )?[A-ZÀ-Ý][\w’'&-]*)*)"
)
_POSSESSIVE_END = re.compile(r"'s?$")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…]) |\n")  # where `_sentence_hashes` cuts, for display
# Phrases by which an article reports a change of terms (folded); plain substrings, tested with `in`.
_DOCUMENT_PHRASES = (
    "terms of service", "terms of use", "terms and conditions", "privacy policy", "user agreement",
    "community guidelines", "its terms", "new terms", "updated terms", "revised terms", "its policy", "new policy",
    "updated policy", "revised policy", "its policies", "clause", "conditions d'utilisation",
    "conditions generales", "cgu", "politique de confidentialite", "politique de vie privee",
    "conditions de service", "terminos de uso", "terminos y condiciones", "politica de privacidad",
    "nutzungsbedingungen", "datenschutzrichtlinie", "ai policy", "terminos de servicio", "terminos del servicio",
    "sus terminos", "nuevos terminos", "condiciones de uso", "condiciones del servicio", "condiciones de servicio",
    "ses conditions", "nouvelles conditions", " agb", "geschaftsbedingungen", "datenschutzbestimmungen",
    "datenschutzerklarung",
)
_SECTION_NUMBER = re.compile(r"\bsection \d")
# Every phrase above (and "section 4") contains one of these words: a set test first.
_DOCUMENT_WORDS = frozenset(("terms", "policy", "policies", "agreement", "guidelines", "clause", "conditions",
                             "cgu", "politique", "terminos", "politica", "nutzungsbedingungen",
                             "datenschutzrichtlinie", "section", "condiciones", "agb", "geschaftsbedingungen",
                             "datenschutzbestimmungen", "datenschutzerklarung"))
# The phrases by a shorter string each contains: a text without "terms" is not searched for "its terms" …
_PHRASE_ANCHORS = ("clause", "terms", "polic", "politi", "conditions", "agreement", "guidelines", "cgu", "terminos",
                   "nutzungsbedingungen", "datenschutzrichtlinie", "condiciones", "agb", "geschaftsbedingungen",
                   "datenschutzbestimmungen", "datenschutzerklarung")
_PHRASES_BY_ANCHOR = tuple(
    (anchor, tuple(phrase for phrase in _DOCUMENT_PHRASES
                   if anchor in phrase and not any(other in phrase for other in _PHRASE_ANCHORS[:k])))
    for k, anchor in enumerate(_PHRASE_ANCHORS)
)
assert sum(len(phrases) for _, phrases in _PHRASES_BY_ANCHOR) == len(_DOCUMENT_PHRASES)
_EXTRA_STOP = frozenset(
    "said says told would could also new one two three year years week weeks month months day days today "
    "according company platform users user people time first last just like get make made using use used "
    "monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi vendredi samedi dimanche "
    "update updated http https www com org html mise jour".split()
)
_STOP = frozenset().union(*STOP_WORDS.values(), _EXTRA_STOP)
_NAME_STOP = frozenset(
    "the a an this that these those it its in on at for of and but or as by to from with update updated "
    "le la les un une des du de l dans selon pour par mise el los las en con por und der die das ein eine".split()
)
_NAME_SKIP = _NAME_STOP | _STOP
_CACHE_SIZE = 100_000  # words (names, numbers) whose reading is remembered; a cache is emptied when full


class _Stems(dict):  # type: ignore[type-arg]
    """word → the stem it brings to an item's words: its first five letters, "" for none (a stop word, a word of
    one or two letters, a number, a platform's name). Filled as words are met, read in C (`map(stems, words)`)."""

    __slots__ = ("ignore",)

    def __init__(self, ignore: frozenset[str]) -> None:
        super().__init__()
        self.ignore = ignore

    def __missing__(self, word: str) -> str:
        stem = "" if len(word) <= 2 or word.isdigit() or word in _STOP or word in self.ignore else word[:5]
        if len(self) >= _CACHE_SIZE:
            self.clear()
        self[word] = stem
        return stem


class _Names(dict):  # type: ignore[type-arg]
    """A capitalised phrase as written → the proper name it is (folded), "" for none (see `names_in`)."""

    __slots__ = ("ignore",)

    def __init__(self, ignore: frozenset[str]) -> None:
        super().__init__()
        self.ignore = ignore

    def __missing__(self, written: str) -> str:
        name = _name_form(written)
        if name and _names_a_platform(name, self.ignore):
            name = ""
        if len(self) >= _CACHE_SIZE:
            self.clear()
        self[written] = name
        return name


@lru_cache(maxsize=16)
def _readers_for(ignore: frozenset[str]) -> tuple[_Stems, _Names, frozenset[str]]:
    """The caches of stems and names for one set of platform names (bounded: the names of at most 16 sets of
    platforms are remembered), and the words that are never stems."""
    return _Stems(ignore), _Names(ignore), _STOP | ignore


def _load_concepts() -> tuple[dict[str, str], dict[str, str], tuple[int, ...],
                              dict[str, tuple[tuple[str, str], ...]]]:
    """`concepts.yaml` as whole words → concept, stems → concept (and their lengths, longest first), and
    phrases by their first word (→ (concept, folded phrase)): a text is searched for a phrase only when it has
    the phrase's first word."""
    text = resources.files("bot.core.news").joinpath("concepts.yaml").read_text(encoding="utf-8")
    whole: dict[str, str] = {}
    stems: dict[str, str] = {}
    phrases: list[tuple[str, str]] = []
    for concept, forms in (yaml.safe_load(text) or {}).items():
        for form in forms:
            form = fold(str(form)).strip()
            if not form:
                continue
            if form.endswith("*") and " " not in form and "-" not in form:
                stems.setdefault(form[:-1], concept)
            elif " " in form or "-" in form or "'" in form or not form.isalnum():
                phrases.append((concept, form.rstrip("*")))
                if "'" in form:  # (French text is as often written with the typographic apostrophe)
                    phrases.append((concept, form.rstrip("*").replace("'", "’")))
            else:
                whole.setdefault(form, concept)
    lengths = tuple(sorted({len(stem) for stem in stems}, reverse=True))
    by_first: dict[str, list[tuple[str, str]]] = {}
    for concept, phrase in phrases:
        by_first.setdefault(words(phrase)[0], []).append((concept, phrase))
    return whole, stems, lengths, {first: tuple(found) for first, found in by_first.items()}


_CONCEPT_WORDS, _CONCEPT_STEMS, _STEM_LENGTHS, _CONCEPT_PHRASES = _load_concepts()


class _Concepts(dict):  # type: ignore[type-arg]
    """word (folded) → the concept it names ("" for none), filled as words are met."""

    __slots__ = ()

    def __missing__(self, word: str) -> str:
        concept = _CONCEPT_WORDS.get(word, "")
        if not concept:
            for length in _STEM_LENGTHS:
                if len(word) >= length:
                    concept = _CONCEPT_STEMS.get(word[:length], "")
                    if concept:
                        break
        if len(self) >= _CACHE_SIZE:
            self.clear()
        self[word] = concept
        return concept


_CONCEPT_OF = _Concepts()
_CONCEPT_TOKENS = frozenset(f"c:{concept}" for concept in (*_CONCEPT_WORDS.values(), *_CONCEPT_STEMS.values(),
                                                          *(c for found in _CONCEPT_PHRASES.values() for c, _ in found)))


def concepts_in(folded: str, distinct: Iterable[str] | None = None) -> set[str]:
    """The concepts (`concepts.yaml`) folded text names, whatever its language: "Blockier-Funktion",
    "bloquear" and "blocking" are all "block"."""
    if distinct is None:
        distinct = word_set(folded)
    found = set(map(_CONCEPT_OF.__getitem__, distinct))
    found.discard("")
    for first in _CONCEPT_PHRASES.keys() & distinct:
        for concept, phrase in _CONCEPT_PHRASES[first]:
            if concept not in found and phrase in folded:
                found.add(concept)
    return found


_NUMBER_FORMS: dict[str, str] = {}  # a number as written ("10,000", "20 %") → as named ("10000", "20%"; "" for none)


def dates_and_numbers(folded: str) -> tuple[set[str], set[str]]:
    """Calendar days ("MM-DD") and identifying numbers named in folded text, whatever the language:
    "7 fevrier 2024" and "February 7, 2024" are both "02-07"; "6,4" and "6.4" are "6.4", "10 000" and
    "10,000" are "10000", "20 %" is "20%". Single digits, years and clock times are left out."""
    dates: set[str] = set()
    numbers: set[str] = set()
    finditer = (_NUMERIC_ASCII if folded.isascii() else _NUMERIC).finditer
    for match in finditer(folded):
        start, end = match.span()
        clock, iso_month, iso_day, month = match.groups()
        token = folded[start:end]
        plain = token.isdigit()
        if plain and end - start == 4:
            if iso_month is not None:
                _add_date(dates, int(iso_month), int(iso_day))
                continue
            if 1900 <= int(token) <= 2099:
                continue  # a year
        if clock is not None:
            continue
        if start > 1:
            previous = folded[start - 1]
            # (`\d\s?[:h]\s?$` ends with ":" or "h", or with one of them and a space: only then is it tried)
            if (previous in ":h" or (previous == " " and folded[start - 2] in ":h")) and _CLOCK_BEFORE.search(
                    folded, start - 4 if start > 4 else 0, start):
                continue
        if plain:
            if end - start > 2:
                numbers.add(token)
                continue
            if month is not None and folded[end:end + 1] in (" ", ".", "s", "n", "r", "t", "e"):  # (no other space)
                _add_date(dates, _MONTHS[month], int(token))
                continue
            before = None
            if start and folded[start - 1].isspace():  # (`\s+$`: a space right before the day …
                month_end = start - 1
                while month_end and folded[month_end - 1].isspace():
                    month_end -= 1
                if month_end and folded[month_end - 1] == ".":
                    month_end -= 1
                if folded[month_end - 3 if month_end > 3 else 0:month_end] in _MONTH_ENDS:  # … after a month)
                    before = _MONTH_THEN_DAY.search(folded, start - 14 if start > 14 else 0, start)
            if before:
                _add_date(dates, _MONTHS[before.group(1)], int(token))
                continue
            if end - start == 2:
                numbers.add(token)
            continue
        number = _NUMBER_FORMS.get(token)
        if number is None:
            number = _number_form(token)
            if len(_NUMBER_FORMS) >= _CACHE_SIZE:
                _NUMBER_FORMS.clear()
            _NUMBER_FORMS[token] = number
        if number:
            numbers.add(number)
    return dates, numbers


def _number_form(token: str) -> str:
    """A number written with separators or a percent sign as `dates_and_numbers` names it ("" for none)."""
    percent = not token[-1].isdigit()
    digits = _DIGITS.match(token)
    if digits is None:
        return ""
    number = digits.group(0)
    if _THOUSANDS.fullmatch(number):
        number = _SEPARATORS.sub("", number)  # 10,000 / 10.000 / 10 000
    else:
        number = number.replace(",", ".")
    if "." not in number and (len(number) < 2 or (len(number) == 4 and 1900 <= int(number) <= 2099)):
        return ""
    return number + ("%" if percent else "")


def _add_date(dates: set[str], month: int, day: int) -> None:
    key = _DAYS.get((month, day))
    if key is not None:
        dates.add(key)


_DAYS = {(month, day): f"{month:02d}-{day:02d}" for month in range(1, 13) for day in range(1, 32)}  # "MM-DD"


def dates_in(folded: str) -> set[str]:
    """Calendar days named in folded text as "MM-DD" (see `dates_and_numbers`)."""
    return dates_and_numbers(folded)[0]


def numbers_in(folded: str) -> set[str]:
    """Identifying numbers named in folded text (see `dates_and_numbers`)."""
    return dates_and_numbers(folded)[1]


def names_in(text: str, ignore: frozenset[str]) -> set[str]:
    """Proper names (folded) written inside a sentence: "Eliza Marsh", "Open Ears", "DreamUp" — the capital of a
    sentence's first word says nothing, so a name that opens a sentence counts from its second word."""
    found = set(map(_readers_for(ignore)[1].__getitem__, _NAME.findall(text)))
    found.discard("")
    return found


def _name_form(written: str) -> str:
    """The folded name a capitalised phrase stands for ("" when it is not one: a month, a stop word …)."""
    words = written.split()
    while words and words[0].lower() in _NAME_STOP:
        words = words[1:]
    if not words:
        return ""
    name = _POSSESSIVE_END.sub("", fold(" ".join(words)).replace("’", "'")).strip(" -'")
    if len(name) < 3 or name in _MONTHS or name in _STOP:
        return ""
    return name


def _names_a_platform(name: str, platform_names: frozenset[str]) -> bool:
    """"spotify", "spotify for artists", "soundcloud ceo", "spotify's ai" (a platform's name, possessive or not,
    and what follows it: every story of the platform may name it so) → True."""
    if name in platform_names:
        return True
    if " " not in name:
        return False
    words = name.split()
    first, second = (_POSSESSIVE_END.sub("", word) if "'" in word else word for word in words[:2])
    return first in platform_names or (len(words) > 2 and f"{words[0]} {second}" in platform_names)


def urls_in(text: str) -> set[str]:
    """Links in a text, normalised to host and path (scheme, "www.", query and trailing slash dropped)."""
    found: set[str] = set()
    for match in _URL.finditer(text):
        found.add(normalise_link(match.group(0).rstrip(".,;:!?")))
    return found


def normalise_link(link: str) -> str:
    """"https://www.Example.org/a/b/?utm=1#x" → "example.org/a/b"."""
    value = link.strip()
    scheme = value.find("://")
    if 0 < scheme < 12:
        value = value[scheme + 3:]
    value = value.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    host, _, path = value.partition("/")
    host = host.lower().removeprefix("www.")
    return f"{host}/{path}" if path else host


def outlet_of(link: str | None, feed_title: str = "") -> str:
    """Who published an item, for "Also reported by …": the feed's title, else the link's domain."""
    if feed_title.strip():
        return feed_title.strip()
    if link:
        return normalise_link(link).split("/", 1)[0]
    return ""


# --- items ---------------------------------------------------------------------------------------------


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


# --- what an item brings -------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)  # (not frozen: built for every item, faster so)
class _Features:
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
        pieces = list(pieces)
        spaces = map(str.count, pieces, repeat(" "))
        return map(zlib.crc32, map(str.encode, compress(pieces, map(_THREE_OR_MORE, spaces))))
    words = list(map(str.split, pieces))
    return map(zlib.crc32, map(str.encode, map(" ".join, compress(words, map(_FOUR_OR_MORE, map(len, words))))))


def _sentences(text: str) -> Iterator[tuple[str, int]]:
    """The first MAX_SENTENCES sentences of `text` as written, with the hash `_features` gives them (those
    under four words skipped); it cuts where `_sentence_hashes` cuts."""
    for sentence in _SENTENCE_BREAK.split(text)[:MAX_SENTENCES]:
        digest = _sentence_hash(fold(sentence))
        if digest is not None:
            yield sentence.strip(), digest


def _features(item: StoryItem, platform_names: frozenset[str]) -> _Features:
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
    stems_of, _, skip = _readers_for(platform_names)
    stems = set(map(stems_of.__getitem__, distinct - skip))  # (stop words and platforms' names left out first)
    stems.discard("")
    evidence: set[str] = set()
    dates, numbers = dates_and_numbers(folded)
    if dates:
        dates.discard(_DAYS[item.published.month, item.published.day])  # the day it was published
        evidence.update(map("d:".__add__, dates))
    evidence.update(map("n:".__add__, numbers))
    names = names_in(whole, platform_names)
    if item.language == "de":  # every German noun is capitalised: only names of two words or more are names
        names = {name for name in names if " " in name}
    evidence.update(map("p:".__add__, names))
    if '"' in whole or (not ascii and ("“" in whole or "«" in whole or "„" in whole)):
        evidence.update(f"q:{fold(m.group(1)).strip()}" for m in _QUOTED.finditer(whole)
                        if 1 <= len(m.group(1).split()) <= 6)
    if "://" in body:
        evidence.update(f"u:{url}" for url in urls_in(body))
    evidence.update(map("c:".__add__, concepts_in(folded, distinct)))
    hashes = _sentence_hashes(folded_body or folded)
    reports = item.kind == "terms_change" or (not _DOCUMENT_WORDS.isdisjoint(distinct) and _reports_terms(folded))
    text_hash = zlib.crc32(" ".join(all_words).encode("utf-8"))
    return _Features(tuple(sorted(stems)), frozenset(evidence), tuple(dict.fromkeys(hashes)), text_hash, reports)


def _reports_terms(folded: str) -> bool:
    """Does folded text name one of `_DOCUMENT_PHRASES` (or "section 4")?"""
    # (`\bsection \d` is tried only where "section " occurs: a search would try it at every position)
    start = folded.find("section ")
    while start >= 0:
        if _SECTION_NUMBER.match(folded, start) is not None:  # (`match` at `start` sees the text before it)
            return True
        start = folded.find("section ", start + 1)
    for anchor, phrases in _PHRASES_BY_ANCHOR:
        if anchor in folded:
            for phrase in phrases:
                if phrase in folded:
                    return True
    return False


def _gap(moment: datetime, story: Story) -> timedelta:
    """How far `moment` lies outside the story's activity (zero inside it)."""
    if moment < story.first_at:
        return story.first_at - moment
    if moment > story.last_at:
        return moment - story.last_at
    return timedelta(0)


def _months_differ(query: _Query, story: Story) -> bool:
    """Whether none of the months of the days the item names ("d:MM-DD") is a month of the story's days."""
    months = {token[2:4] for token in query.evidence if token[0] == "d"}
    return not any(token[0] == "d" and token[2:4] in months for token in story.evidence)


def _days(gap: timedelta) -> str:
    """"within a day", "1 day apart", "10 days apart" (how far an item lies from a story's activity)."""
    days = gap.total_seconds() / 86400.0
    if days < 1.0:
        return "within a day"
    return "1 day apart" if days < 1.5 else f"{days:.0f} days apart"


def _statement_key(statement: Statement) -> int:
    quoted = words(fold(statement.quote))
    return zlib.crc32(" ".join(quoted[:24]).encode("utf-8"))


# --- stories -------------------------------------------------------------------------------------------


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


def _nearest_first(pair: tuple[Story, _Match | None]) -> float:  # sort key: best-scoring candidate first
    return -pair[1].score if pair[1] is not None else float("inf")


def _most_shared(pair: tuple[str, int]) -> int:  # sort key: most sentences in common first
    return -pair[1]


class _Idf(dict):  # type: ignore[type-arg]
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


class _EvidenceIdf(dict):  # type: ignore[type-arg]
    __slots__ = ("idf",)

    def __init__(self, idf: _Idf) -> None:
        super().__init__()
        self.idf = idf

    def __missing__(self, count: int) -> float:
        weight = self[count] = 1.0 if count <= FULL_WEIGHT_STORIES else min(1.0, self.idf[count] / IDF_FULL)
        return weight


@dataclass(slots=True, eq=False)  # (not frozen: built for every item, faster so)
class _Query:
    item: StoryItem
    features: _Features
    words: tuple[str, ...]  # the item's words …
    counts: list[int]  # … how many stories hold each (until the item is absorbed) …
    weights: tuple[float, ...]  # … and their weights
    mass: float  # the sum of those weights
    evidence: dict[str, float]  # token → its weight
    topics: frozenset[str]
    kinds: frozenset[str]  # kinds of evidence the item has ("d", "n", …)


@dataclass(slots=True, eq=False)  # (not frozen: built for every item, faster so)
class _Match:
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
        self._idf = _Idf(0)  # weights of the stories' tokens by how many stories hold them
        self._forgotten = 0  # items forgotten since the text and link lookups were last cleaned

    # --- assignment ------------------------------------------------------------------------------------

    def assign(self, item: StoryItem, new_story_id: str | None = None) -> Assignment:
        """Place `item` in a story; `new_story_id` names the story if the item opens one (default: derived from
        the item's source and key, like the pipeline's thread keys)."""
        features = _features(item, self._ignore)
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
        considered: list[tuple[Story, _Match | None]] = []
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
                              statements=item.statements, placement=self._why_new(item, considered))
        best, score, evidence = match.story, match.score, match.evidence
        news: list[str] = []
        if item.kind == "terms_change":
            news.append("clause_change")
        elif item.kind == "article":
            news.append("outlet" if item.outlet not in best.outlets else "article")
        fresh = tuple(s for s in item.statements if _statement_key(s) not in best.statements) if item.statements else ()
        if fresh:
            news.append("statement")
        self._absorb(best, item, features, match.held, query.counts if query is not None else None)
        self._remember(item, features, best.id, link)
        placement = f"joined story {best.id} ({best.title[:80]!r}): score {score:.2f} ≥ {self.threshold:.2f}; " + "; ".join(evidence)
        return Assignment(best.id, False, None, tuple(news), item.outlet, item.link, "", fresh, score, evidence,
                          placement)

    def _revisit(self, key: str, item: StoryItem, features: _Features, new_story_id: str | None) -> Assignment:
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
            passage = " ".join(sentence for sentence, hashed in _sentences(text[:ANALYSED_CHARS]) if hashed not in old)
        retitled = bool(item.title) and item.title != record.title
        fresh = tuple(s for s in item.statements if _statement_key(s) not in story.statements)
        if digest == record.digest and not retitled and not fresh:
            return Assignment(story.id, False, key, outlet=item.outlet, link=item.link)
        record.sentences = tuple(dict.fromkeys((*record.sentences, *features.sentences)))
        record.title = item.title or record.title
        record.length, record.digest = len(text), digest
        self._items[item.key] = record
        self._absorb(story, item, features)
        news = ("passage",) if passage else ("edit",)
        news += ("statement",) if fresh else ()
        return Assignment(story.id, False, None, news, item.outlet, item.link, passage, fresh)

    def _best_story(self, item: StoryItem, features: _Features,
                    considered: list[tuple[Story, _Match | None]] | None = None) -> tuple[_Match | None, _Query | None]:
        """The best-scoring candidate story, if it reaches the threshold (and what the candidates were compared
        with, None without candidates). Candidates: the most recently active stories of the item's platforms
        (at most MAX_CANDIDATES each) active within the window."""
        query: _Query | None = None
        best: _Match | None = None
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
                found = self._score(story, query)
                if considered is not None:
                    considered.append((story, found))
                if found is not None and (best is None or found.score > best.score):
                    best = found
                looked += 1
                if looked >= MAX_CANDIDATES:
                    break
        return (best if best is not None and best.score >= self.threshold else None), query

    def _why_new(self, item: StoryItem, considered: list[tuple[Story, _Match | None]]) -> str:
        """Why `item` opened a story: no candidate in the window, or the nearest candidates with their scores and
        what was missing to join them."""
        platforms = ", ".join(item.platforms) or "no platform"
        if not considered:
            return (f"opened a new thread: no story of {platforms} active within {self.window.days} days of "
                    f"{item.published.date().isoformat()}")
        ranked = sorted(considered, key=_nearest_first)[:3]
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
                                 f"{self.window.days} days")
                continue
            missing = []
            if not any(not reason.startswith(("no common", "words", "topics", "c:")) for reason in found.reasons):
                missing.append("no shared date, figure, name, quoted term or link")
            if found.similarity < WORDS_ALONE:
                missing.append(f"wording similarity {found.similarity:.2f} < {WORDS_ALONE}")
            if not found.overlap:
                missing.append("no topic in common")
            missing.extend(reason for reason in found.reasons if reason.startswith("no common"))
            parts.append(f"{story.id} ({story.title[:60]!r}): score {found.score:.2f} < {self.threshold:.2f}"
                         + (f" — missing: {', '.join(missing)}" if missing else ""))
        return "opened a new thread; nearest stories: " + "; ".join(parts)

    def _query(self, item: StoryItem, features: _Features) -> _Query:
        """What every candidate is compared with: the item's words and evidence, each weighted by how few stories
        hold it (a word every story has says little)."""
        stories = len(self.stories) + 1
        idf = self._idf
        if idf.stories != stories:  # few distinct counts: one logarithm each, until a story is added
            idf = self._idf = _Idf(stories)
        df = self._df
        words = features.words
        counts = list(map(df.get, words, repeat(0)))
        weights = tuple(map(idf.__getitem__, counts))
        tokens = tuple(features.evidence)  # token → weight of its kind × how few stories hold it (capped at 1)
        factors = map(idf.evidence.__getitem__, map(df.get, tokens, repeat(0)))
        evidence = dict(zip(tokens, map(operator.mul, map(EVIDENCE_WEIGHTS.__getitem__, map(_FIRST, tokens)), factors)))
        return _Query(item, features, words, counts, weights, sum(weights), evidence, frozenset(item.topics),
                      frozenset(map(_FIRST, features.evidence)))

    def _score(self, story: Story, query: _Query) -> _Match | None:
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
        if "d" in query.kinds and "d" in story.kinds and "d" not in counted and _months_differ(query, story):
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
            closeness = self._closeness(_gap(item.published, story))
        if not facts and similarity < WORDS_ALONE and closeness < CLOSE_ENOUGH and not terms_meet:
            return None  # with no fact in common, only close wording (or the same platform and days) joins
        if (closeness and not facts and "c" not in counted and len(_CONCEPT_TOKENS & weights.keys()) >= CONCEPTS_APART
                and len(_CONCEPT_TOKENS & story.evidence) >= CONCEPTS_APART):
            closeness = 0.0  # (both name several concepts, at most one in common: another subject)
            reasons.append(f"no common concept (same platform, {_days(_gap(item.published, story))}, not counted)")
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
            reasons.append(f"same platform, {_days(_gap(item.published, story))}" + (
                "" if overlap else " (no topic in common, but concepts)" if subject == 1.0 and counted.get("c", 0)
                >= CONCEPTS_NEAR else " (a topic missing on one side)"))
        score = evidence_score + WORD_WEIGHT * similarity + TOPIC_WEIGHT * topic_score + bonus
        return _Match(story, round(score, 3), similarity, reasons, overlap, held)

    def _closeness(self, gap: timedelta) -> float:
        """1 within NEAR of a story's activity, then falling smoothly to 0 at the window's end."""
        if gap <= NEAR:
            return 1.0
        span = self.window - NEAR
        if gap >= self.window or span <= timedelta(0):
            return 0.0
        rest = 1.0 - (gap - NEAR) / span
        return rest * rest * (3.0 - 2.0 * rest)  # (smoothstep: flat near both ends)

    def _duplicate(self, item: StoryItem, features: _Features) -> str | None:
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

    def _absorb(self, story: Story, item: StoryItem, features: _Features, held: list[bool] | None = None,
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
            story.statements.update(_statement_key(s) for s in item.statements)
        # Words the story has count once more; new ones join (in order) while there is room, as a loop over
        # the words would do it, with the loops in C.
        words = story.words
        item_words = features.words
        if held is None:
            held = list(map(words.__contains__, item_words)) if words else [False] * len(item_words)
        old = list(compress(item_words, held))
        if old:
            words.update(zip(old, map(_PLUS_ONE, map(words.__getitem__, old))))
        room = MAX_STORY_TOKENS - len(words)
        if room > 0 and len(old) < len(item_words):
            fresh = list(map(operator.not_, held))
            new = list(compress(item_words, fresh))[:room]
            words.update(dict.fromkeys(new, 1))
            df = self._df
            if counts is None:
                df.update(zip(new, map(_PLUS_ONE, map(df.get, new, repeat(0)))))
            else:
                df.update(zip(new, map(_PLUS_ONE, compress(counts, fresh))))
        tokens = story.evidence  # new tokens join while there is room (as a loop would add them)
        room = MAX_STORY_TOKENS - len(tokens)
        if room > 0 and features.evidence:
            new = list(filterfalse(tokens.__contains__, features.evidence))[:room]
            if new:
                tokens.update(new)
                story.kinds.update(map(_FIRST, new))
                df = self._df
                df.update(zip(new, map(_PLUS_ONE, map(df.get, new, repeat(0)))))
        for platform in item.platforms or ("",):
            ids = self._by_platform.setdefault(platform, {})
            ids.pop(story.id, None)
            ids[story.id] = None  # most recently active last

    def _remember(self, item: StoryItem, features: _Features, story_id: str, link: str | None) -> None:
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
