"""The clause-by-clause view of one terms change, for the change page: every clause of the new version in order,
removed ones where they stood, word-level highlights, moved and renumbered labels, unchanged runs collapsed,
stable anchors (`clause-4.3`) and pages of a bounded number of changed clauses."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.terms.clauses import ClauseChange, diff_clauses
from bot.core.terms.segments import NUMBER_ONLY, PATH_SEPARATOR, Clause, segment

ROWS_PER_PAGE = 200  # changed clauses on one page: a rewrite of thousands stays a few hundred KB per page
CONTEXT = 1  # unchanged clauses shown in full on each side of a change
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
_ANCHOR_UNSAFE = re.compile(r"[^0-9A-Za-z.]+")
KINDS = ("added", "removed", "modified", "moved", "renumbered")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of words of a modified clause: `same`, `removed` (old side) or `added` (new side)."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class ClauseRow:
    """One changed clause, placed in the document: its anchor, both sides and the highlights of a modification."""

    kind: str  # one of KINDS, or "unchanged" for a clause shown as context next to a change
    anchor: str  # unique in the view ("" for context): "clause-4.3", "clause-4.3-a", "clause-12"
    path: str  # in the new version (the old one for a removed clause)
    old_path: str | None
    old_text: str | None
    new_text: str | None
    topics: tuple[str, ...] = ()
    severity: str = "low"
    substantive: bool = True  # False: cosmetic by the rules that decide what is posted
    old_pieces: tuple[Piece, ...] = ()  # `same` and `removed` runs (modified clauses only)
    new_pieces: tuple[Piece, ...] = ()  # `same` and `added` runs


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A run of clauses the change left alone, shown as a count."""

    count: int
    first_path: str
    last_path: str


@dataclass(frozen=True, slots=True)
class ChangeView:
    """The rows of one page of a change (ClauseRow or Unchanged, in document order) and what the whole change holds."""

    rows: tuple[ClauseRow | Unchanged, ...]
    counts: dict[str, int] = field(default_factory=dict)  # changed clauses by kind, over every page
    page: int = 1
    pages: int = 1
    clauses: int = 0  # in the new version


def pieces(old_text: str, new_text: str) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    """Word-level highlights of a modification: the old side's kept and removed runs, the new side's kept and
    added runs (whitespace sticks to the run before it)."""
    old_tokens, new_tokens = _TOKEN.findall(old_text), _TOKEN.findall(new_text)
    old_side: list[Piece] = []
    new_side: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(old_side, "same", old_tokens[i1:i2])
            _append(new_side, "same", new_tokens[j1:j2])
            continue
        _append(old_side, "removed", old_tokens[i1:i2])
        _append(new_side, "added", new_tokens[j1:j2])
    return tuple(old_side), tuple(new_side)


def _append(side: list[Piece], kind: str, tokens: Sequence[str]) -> None:
    text = "".join(tokens)
    if not text:
        return
    if kind != "same" and not text.strip():  # a changed space alone is no highlight
        kind = "same"
    if side and side[-1].kind == kind:
        side[-1] = Piece(kind, side[-1].text + text)
    else:
        side.append(Piece(kind, text))


def anchor_of(path: str, fallback: int) -> str:
    """`clause-4.3` for a clause numbered 4.3, `clause-4.3-a` for its (a); unnumbered clauses take the number of
    their section, else their position in the document."""
    parts = [part for part in path.split(PATH_SEPARATOR) if NUMBER_ONLY.fullmatch(part)]
    if not parts:
        heads = [m.group(0) for part in path.split(PATH_SEPARATOR) if (m := NUMBER_ONLY.match(part))]
        parts = heads[-1:]
    label = "-".join(_ANCHOR_UNSAFE.sub("", part).strip(".") for part in parts).strip("-")
    return f"clause-{label}" if label else f"clause-{fallback}"


def change_view(old_text: str, new_text: str, substantive: Iterable[ClauseChange] | None = None,
                page: int = 1, per_page: int = ROWS_PER_PAGE) -> ChangeView:
    """One page of the view of the change from `old_text` to `new_text` (see `lay_out`)."""
    return lay_out(old_text, new_text, substantive).page(page, per_page)


@dataclass(frozen=True, slots=True)
class ChangeLayout:
    """Every clause of a change in document order (changed ones as anchored rows, unchanged ones as clauses): what
    a page is cut from. Word highlights are worked out only for the rows of the page shown."""

    rows: tuple[ClauseRow | Clause, ...]
    changed: tuple[int, ...]  # indices of the ClauseRows in `rows`
    counts: dict[str, int]
    clauses: int

    def page(self, page: int = 1, per_page: int = ROWS_PER_PAGE) -> ChangeView:
        """Page `page` (clamped to the pages there are) of at most `per_page` changed clauses, with the unchanged
        clauses between them collapsed."""
        changed, rows = self.changed, self.rows
        pages = max(1, -(-len(changed) // per_page))
        page = min(max(1, page), pages)
        start = 0 if page == 1 else changed[(page - 1) * per_page - 1] + 1  # right after the previous page
        end = len(rows) if page == pages else changed[page * per_page - 1] + 1
        shown: list[ClauseRow | Unchanged] = []
        run: list[Clause] = []
        for row in rows[start:end]:
            if isinstance(row, ClauseRow):
                _flush(run, shown, following=True)
                shown.append(_highlighted(row))
            else:
                run.append(row)
        _flush(run, shown, following=False)
        return ChangeView(tuple(shown), self.counts, page, pages, self.clauses)


def lay_out(old_text: str, new_text: str, substantive: Iterable[ClauseChange] | None = None) -> ChangeLayout:
    """The change from `old_text` to `new_text` (normalized texts, as stored) clause by clause. `substantive` are
    the clause changes that were posted (the others are shown as cosmetic); None: all are substantive."""
    changes = diff_clauses(old_text, new_text)
    posted = None if substantive is None else {_identity(c) for c in substantive}
    old_clauses, new_clauses = segment(old_text), segment(new_text)
    old_at: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    old_by_text: dict[str, deque[int]] = defaultdict(deque)
    for index, clause in enumerate(old_clauses):
        old_at[(clause.path, clause.text)].append(index)
        old_by_text[clause.text].append(index)
    changed_new = {(c.path, c.new_text): c for c in changes if c.kind != "removed"}
    claimed: set[int] = set()

    def claim(queue: deque[int]) -> int | None:
        while queue and queue[0] in claimed:
            queue.popleft()
        if not queue:
            return None
        index = queue.popleft()
        claimed.add(index)
        return index

    old_of: dict[int, int] = {}  # change (by position in `changes`) → the old clause it accounts for
    for k, change in enumerate(changes):  # old clauses that a change accounts for are not "unchanged" ones
        if change.old_path is not None and change.old_text is not None:
            found = claim(old_at[(change.old_path, change.old_text)])
            if found is not None:
                old_of[k] = found
    change_index = {id(change): k for k, change in enumerate(changes)}
    positions = [-1] * len(old_clauses)  # old clause → the new clause it became
    placed: list[tuple[float, ClauseRow | Clause]] = []  # (position in the new version, row or unchanged clause)
    for index, clause in enumerate(new_clauses):
        changed = changed_new.get((clause.path, clause.text))
        if changed is not None:
            placed.append((index, _row(changed, posted)))
            if change_index[id(changed)] in old_of:
                positions[old_of[change_index[id(changed)]]] = index
            continue
        old_index = claim(old_at[(clause.path, clause.text)])
        if old_index is None:
            old_index = claim(old_by_text[clause.text])
        if old_index is None:
            placed.append((index, clause))
            continue
        positions[old_index] = index
        old_path = old_clauses[old_index].path
        if old_path != clause.path:
            placed.append((index, ClauseRow("renumbered", "", clause.path, old_path, clause.text, clause.text,
                                            substantive=False)))
        else:
            placed.append((index, clause))
    for k, change in enumerate(changes):
        if change.kind == "removed":
            placed.append((_after_survivor(old_of.get(k, -1), positions) + 0.5, _row(change, posted)))
    placed.sort(key=lambda item: item[0])
    return _anchored([row for _, row in placed], len(new_clauses))


def _identity(change: ClauseChange) -> tuple[str, str, str | None, str | None]:
    return change.kind, change.path, change.old_text, change.new_text


def _row(change: ClauseChange, posted: set[tuple[str, str, str | None, str | None]] | None) -> ClauseRow:
    return ClauseRow(change.kind, "", change.path, change.old_path, change.old_text, change.new_text, change.topics,
                     change.severity, posted is None or _identity(change) in posted)


def _highlighted(row: ClauseRow) -> ClauseRow:
    """`row` with the word highlights of a modification (worked out for the rows shown only)."""
    if row.kind not in ("modified", "moved") or row.old_text is None or row.new_text is None \
            or row.old_text == row.new_text:
        return row
    old_pieces, new_pieces = pieces(row.old_text, row.new_text)
    return ClauseRow(row.kind, row.anchor, row.path, row.old_path, row.old_text, row.new_text, row.topics,
                     row.severity, row.substantive, old_pieces, new_pieces)


def _after_survivor(old_index: int, positions: Sequence[int]) -> int:
    """The new-version index after which a removed clause is shown: after the nearest old clause before it that
    is still in the document (or at the top)."""
    for k in range(old_index - 1, -1, -1):
        if positions[k] >= 0:
            return positions[k]
    return -1


def _anchored(rows: list[ClauseRow | Clause], clauses: int) -> ChangeLayout:
    """The layout of `rows`: each changed clause gets its anchor (unique: a repeated one takes "-2", "-3" …)."""
    counts = {kind: 0 for kind in KINDS}
    seen: dict[str, int] = {}
    laid: list[ClauseRow | Clause] = []
    changed: list[int] = []
    for k, row in enumerate(rows):
        if isinstance(row, ClauseRow):
            counts[row.kind] += 1
            anchor = anchor_of(row.path, k + 1)
            seen[anchor] = seen.get(anchor, 0) + 1
            if seen[anchor] > 1:
                anchor = f"{anchor}-{seen[anchor]}"
            row = ClauseRow(row.kind, anchor, row.path, row.old_path, row.old_text, row.new_text, row.topics,
                            row.severity, row.substantive)
            changed.append(k)
        laid.append(row)
    return ChangeLayout(tuple(laid), tuple(changed), counts, clauses)


def _flush(run: list[Clause], shown: list[ClauseRow | Unchanged], following: bool, context: int = CONTEXT) -> None:
    """Show a run of unchanged clauses: the `context` clauses next to a change in full, the rest as a count."""
    if not run:
        return
    before = context if shown and isinstance(shown[-1], ClauseRow) else 0
    after = context if following else 0
    if len(run) <= before + after + 1:
        before, after = len(run), 0
    shown.extend(_context(clause) for clause in run[:before])
    middle = run[before:len(run) - after]
    if middle:
        shown.append(Unchanged(len(middle), middle[0].path, middle[-1].path))
    shown.extend(_context(clause) for clause in run[len(run) - after:])
    run.clear()


def _context(clause: Clause) -> ClauseRow:
    return ClauseRow("unchanged", "", clause.path, clause.path, clause.text, clause.text, substantive=False)
