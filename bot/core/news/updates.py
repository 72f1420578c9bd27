"""Updates appended to an article ("Update, 2:22 p.m.: …", "Mise à jour :", "Nachtrag:"), and the time a statement
in one was given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.text import MONTHS_SHORT_EN, names_a_date

_UPDATE = re.compile(
    r"(?:(?<=\n)|(?<=^)|(?<=[.!?»”\"]\s)|(?<=[.!?»”\"]))\s*[\[(*]*\s*"
    r"(?P<marker>(?:(?:News|NEWS|Editor['’]s|EDITOR['’]S) (?:update|UPDATE|Update)|UPDATE|Update[sd]?|EDIT|Correction|"
    r"CORRECTION|Mise à jour|MISE À JOUR|MàJ|Actualización|"
    r"Aktualisierung|Nachtrag)\b(?P<when>(?:[^:\n]|:(?=\d\d)){0,60}?)\s?)[:—–](?!\d)\s*",
)

_UPDATE_CUES = ("update", "edit", "correction", "mise à jour", "màj", "actualización", "aktualisierung", "nachtrag")


@dataclass(frozen=True, slots=True)
class Update:
    """An "Update, 2:22 p.m.: …" passage appended to an article: the marker and where its text starts."""

    marker: str
    when: str
    marker_start: int
    start: int
    end: int


def find_updates(text: str) -> list[Update]:
    """Appended update passages, in order; each runs to the next marker or the end of the text."""
    lowered = text.lower()
    if not any(cue in lowered for cue in _UPDATE_CUES):
        return []
    found = list(_UPDATE.finditer(text))
    updates: list[Update] = []
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        when = match.group("when").strip(" ,()[]") or ""
        updates.append(Update(match.group("marker").strip(" ,"), when, match.start("marker"), match.end(), end))
    return updates


_HAS_ZONE = re.compile(r"\b(?:[ECMP][SD]?T|UTC|GMT|CES?T|BST|MES?Z|Pacific|Eastern|Central|Mountain|heure de Paris|"
                       r"hora peninsular|Uhr MES?Z)\b|[+-]\d\d:?\d\d\b")

_HAS_CLOCK = re.compile(r"\d{1,2}(?::|\s?h\s?)\d\d|\d{1,2}\s?(?:[ap]\.?m\.?|Uhr)", re.IGNORECASE)


def update_time(when: str, published: str | None) -> str | None:
    """The time a statement in an appended update was given: the update's own when it says the date and the
    zone ("Feb 16, 2024, 4:30 PM PT"); its clock and zone on the article's date ("at 10:12 Pacific"); else the
    article's publication time (a bare "2:22 p.m." says neither)."""
    when = when.strip(" ,()[]").removeprefix("at ").strip()
    if not when or not _HAS_ZONE.search(when):
        return published
    if names_a_date(when):
        return when
    if published and _HAS_CLOCK.search(when) and re.match(r"\d{4}-\d\d-\d\d", published):
        year, month, day = published[:10].split("-")
        return f"{int(day)} {MONTHS_SHORT_EN[int(month) - 1]} {year}, {when}"
    return published
