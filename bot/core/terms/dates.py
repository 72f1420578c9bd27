"""Dates a terms page announces: the effective date of a version ("effective 7 February 2024"), the date line
("Last updated: …"), and whether the page shows an upcoming version beside the current one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.core.text import DATE, date_of, fold
from bot.core.topics import screened_search

_TRIGGER = re.compile(
    r"\b(effective(?:\s+date)?|(?:takes?|taking|will\s+take|comes?|will\s+come|coming)\s+(?:into\s+)?(?:effect|force)|"
    r"in\s+effect|as\s+of|starting|beginning|"
    r"(?:entre(?:nt|ra|ront)?|entrera|entreront)\s+en\s+vigueur|en\s+vigueur|applicables?|a\s+compter\s+du|"
    r"a\s+partir\s+du|des\s+le|"
    r"gultig\s+(?:ab|seit)|in\s+kraft\s+(?:ab|seit|am)|(?:tritt|treten)\s+am|wirksam\s+(?:ab|zum)|"
    r"(?:entra|entraran?|entran)\s+en\s+vigor(?:\s+el)?|(?:en\s+vigor|vigente|efectiv[oa]s?|con\s+efecto)\s+"
    r"(?:desde|a\s+partir\s+del?))\b"
)
_FILLER_MAX = 40
_WINDOW = _FILLER_MAX + 20  # the text after a trigger that is searched for a date
_SETTLE = 200  # how far back from a year a place is looked for where no trigger can be under way
_FOUR_DIGITS = re.compile(r"\d(?=\d{3})")  # where 4 digits start (overlapping: "12024" holds "2024")
_DIGIT_MARKS = bytes(0x31 if 0x30 <= code <= 0x39 else 0x20 for code in range(256))  # digits → "1", else " "


def _iso(match: re.Match[str]) -> str | None:
    moment = date_of(match)
    return moment.isoformat() if moment is not None else None


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
            date = DATE.search(window)
            if date and date.start() <= _FILLER_MAX and "\n" not in window[: date.start()].strip(" :\n"):
                iso = _iso(date)
                if iso:
                    return iso
    return None


def last_updated(metadata: Iterable[str]) -> str | None:
    """ISO date of the page's date line ("Last Amended: 7 February 2024", "Stand: 01.02.2024" …: the lines
    `normalize` keeps as metadata), None when there is none or it holds no readable date."""
    for line in metadata:
        date = DATE.search(fold(line))
        if date:
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
    # (the current version is named on few pages, and its search is the cheaper one: it goes first)
    return _CURRENT_FOUND(folded) and _UPCOMING_FOUND(folded)
