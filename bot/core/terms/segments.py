"""Segmentation of a terms document into clauses: headings open sections, numbered and bulleted lines are
clauses under the heading path ("4. Your Content > 4.2"), read lazily so that a diff reads only what changed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

from bot.core.terms.documents import NormalizedDocument

PATH_SEPARATOR = " > "

# A line of a document, stripped: a heading is 1 to 6 "#", blanks and a title; a clause may start with a number
# (arabic "4.2.", lettered "(a)" "(12)" "b)", or roman "iv.") or a bullet ("-", "*", "+") and blanks.
NUMBER = r"\d+(?:\.\d+)*\.?|\([A-Za-z0-9]{1,5}\)|[A-Za-z]\)|[ivxIVX]{1,5}\."
# (two to six "#" glued to the title are a heading too: "####1. Privacy", as some extractions write it)
HEADING = re.compile(r"(#{1,6})\s+(.*)|(#{2,6})(?=[^\s#])(.*)", re.DOTALL)
# A line that starts with a bare figure of four digits or more ("2024 update", "1501 Main Street") or with a street
# number ("12 rue de Rivoli", "350 Fifth Avenue") is no numbered clause: read as one, a changed figure there would
# be taken for renumbering. (Case-blind, so that folded texts are read alike: `wording.noise_key`.)
NOT_NUMBERED = (r"(?!\d{4,}\s|\d+[a-zA-Z]?,?\s+(?:\S+\s+){0,3}?(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|"
                r"drive|suite|floor|plaza|parkway|highway|rue|avenida|calle|via|strasse|stra\u00dfe|platz)(?!\w))")
MARKED = re.compile(rf"{NOT_NUMBERED}({NUMBER})\s+(.*)|[-*+]\s+(.*)", re.DOTALL)  # number and text, or a bullet's text
_NUMBER_AT = re.compile(rf"{NOT_NUMBERED}({NUMBER})\s")  # the number alone, as `MARKED` reads it
NUMBER_ONLY = re.compile(NUMBER)


def clause_text(line: str) -> str:
    """A line without its clause number or bullet (as `MARKED` reads them); the line itself when it has neither."""
    marked = MARKED.match(line)
    return line if marked is None else marked.group(3) if marked.group(3) is not None else marked.group(2)


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause: where it sits (`path`), its number as written (or None) and its text without the number."""

    path: str
    number: str | None
    text: str


class Segments:
    """The clauses of a text: its stripped, non-empty lines that are not headings, in groups (the clauses under
    one heading, with the heading path). A clause's number and text, its path and its section (the heading
    part of its path, what `section_of(path, number)` returns) are read only when asked for: a diff reads the
    lines that changed, not the whole document."""

    __slots__ = ("lines", "group_of", "titles", "_group_starts", "_group_heads", "_parsed", "_paths")

    def __init__(self, text: str | NormalizedDocument) -> None:
        if isinstance(text, NormalizedDocument) and text.lines is not None:
            lines: Sequence[str] = text.lines  # (stripped, none empty)
        else:
            lines = list(filter(None, map(str.strip, (text if isinstance(text, str) else text.text).split("\n"))))
        self.lines: list[str] = []  # the clauses' lines, numbers and bullets included
        self.group_of: list[int] = []  # the group of each clause
        # Per group: the titles of the headings it sits under, and the index of its first clause; the heading
        # path and sections are worked out when asked for (`heads`).
        self.titles: list[tuple[str, ...]] = [()]
        self._group_starts: list[int] = [0]
        self._group_heads: dict[int, tuple[str, str | None]] = {}
        self._parsed: dict[int, tuple[str | None, str]] = {}
        self._paths: dict[int, str] = {}
        clauses, group_of = self.lines, self.group_of
        levels: list[int] = []  # of the open headings, whose titles are …
        titles: list[str] = []  # … these
        done = 0  # the lines before this one are placed
        for k in [k for k, line in enumerate(lines) if line[0] == "#"]:
            heading = HEADING.match(lines[k])
            if heading is None:  # "#x", "#######": a clause
                continue
            clauses.extend(lines[done:k])
            group_of.extend(repeat(len(self.titles) - 1, k - done))
            done = k + 1
            hashes, title = heading.group(1, 2) if heading.group(1) else heading.group(3, 4)
            level = len(hashes)
            while levels and levels[-1] >= level:
                levels.pop()
                titles.pop()
            title = title.rstrip("#").strip()
            if title:
                levels.append(level)
                titles.append(title)
            self.titles.append(tuple(titles))
            self._group_starts.append(len(clauses))
        clauses.extend(lines[done:])
        group_of.extend(repeat(len(self.titles) - 1, len(lines) - done))

    def __len__(self) -> int:
        return len(self.lines)

    def parsed(self, index: int) -> tuple[str | None, str]:
        """(number as written or None, text without the number or bullet) of clause `index`."""
        found = self._parsed.get(index)
        if found is None:
            line = self.lines[index]
            marked = MARKED.match(line)
            if marked is None:
                found = (None, line)
            elif marked.group(3) is not None:  # a bullet
                found = (None, marked.group(3))
            else:
                found = (marked.group(1), marked.group(2))
            self._parsed[index] = found
        return found

    def text(self, index: int) -> str:
        return self.parsed(index)[1]

    def heads(self, group: int) -> tuple[str, str | None]:
        """The heading path of a group and the section of its numbered clauses: the path without its trailing
        number-like titles (None when a title contains ">": sections are then worked out from each clause's
        path, as `section_of` does)."""
        found = self._group_heads.get(group)
        if found is None:
            titles = self.titles[group]
            head = PATH_SEPARATOR.join(titles)
            section: str | None = None
            if head.count(">") == max(len(titles) - 1, 0):  # only the separators
                kept = len(titles)
                while kept and NUMBER_ONLY.fullmatch(titles[kept - 1]):
                    kept -= 1
                section = head if kept == len(titles) else PATH_SEPARATOR.join(titles[:kept])
            found = self._group_heads[group] = (head, section)
        return found

    def sections(self, empty: bool = False) -> set[str]:
        """Every section that holds clauses (heading paths, with and without trailing number-like titles), and
        with `empty` those of headings with no clause under them too."""
        found: set[str] = set()
        for group in range(len(self.titles)):
            end = self._group_starts[group + 1] if group + 1 < len(self._group_starts) else len(self.lines)
            if end == self._group_starts[group] and not (empty and group):  # (group 0 has no heading)
                continue
            head, section = self.heads(group)
            found.add(head)
            if section is not None:
                found.add(section)
            else:  # a title holds ">": sections come from the paths of the group's clauses
                found.update(self.section(index) for index in range(self._group_starts[group], end))
        return found

    def section(self, index: int) -> str:
        head, section = self.heads(self.group_of[index])
        if section == head:  # no number-like titles to leave out: numbered or not, the same section
            return head
        number = self.parsed(index)[0]
        if section is None:
            return section_of(self.path(index), number)
        return head if number is None else section

    def path(self, index: int) -> str:
        """The path of clause `index`: its heading path, then the open clause numbers it sits under and its own
        number. Worked out for all the clauses under the same heading at once (the numbers are replayed from
        the first of them)."""
        path = self._paths.get(index)
        if path is not None:
            return path
        group = self.group_of[index]
        head, separator, paths = self.heads(group)[0], PATH_SEPARATOR, self._paths
        numbered: list[tuple[str, str, str]] = []  # open numeric clause numbers: ("4.2", "4.2.", "4 > 4.2")
        lines, parsed = self.lines, self._parsed
        # To the group's end, not to `index`: asking for each clause in turn (as `segment` does) must not replay
        # the group from its start every time.
        end = self._group_starts[group + 1] if group + 1 < len(self._group_starts) else len(lines)
        for k in range(self._group_starts[group], end):
            known = parsed.get(k)
            if known is not None:
                number = known[0]
            else:  # (only the number is needed: not read with the text)
                marked = _NUMBER_AT.match(lines[k])
                number = marked.group(1) if marked else None
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
        number, text = self.parsed(index)
        return Clause(self.path(index), number, text)


def segment(text: str) -> list[Clause]:
    """Clauses of normalized text: headings open sections, other lines are clauses under the heading path."""
    segments = Segments(text)
    return [segments.clause(index) for index in range(len(segments))]


def section_of(path: str, number: str | None) -> str:
    """The heading part of a path (without clause numbers)."""
    parts = path.split(PATH_SEPARATOR) if path else []
    while parts and number is not None and NUMBER_ONLY.fullmatch(parts[-1]):
        parts.pop()
    return PATH_SEPARATOR.join(parts)
