"""The clause-by-clause view of one terms change, for the change page: every clause of the new version in order,
removed ones where they stood, word-level highlights, moved and renumbered labels, unchanged runs collapsed,
stable anchors (`clause-4.3`) and pages of a bounded number of changed clauses."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.terms.clauses import ClauseChange, align_clauses
from bot.core.terms.segments import NUMBER_ONLY, PATH_SEPARATOR, Clause

ROWS_PER_PAGE = 200  # changed clauses on one page: a rewrite of thousands stays a few hundred KB per page
CONTEXT = 1  # unchanged clauses shown in full on each side of a change
PAGE_CHARS = 250_000  # text on one page (changed clauses, both sides, and their context): well under 1 MB of HTML
_TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")  # a word or a sign, with the blanks after it
_ANCHOR_UNSAFE = re.compile(r"[^0-9A-Za-z.]+")
KINDS = ("added", "removed", "modified", "moved", "renumbered")
_ALIGN_LIMIT = 250_000  # token pairs aligned word by word at most (about 20 ms); longer runs go sentence by sentence
_SENTENCE_ENDS = frozenset(".!?;:")


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
    renumbered: int = 0  # of them, clauses whose number or section number changed, nothing else


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
    added runs (a word carries the blanks after it). The words both sides start and end with are set aside
    before the rest is aligned, so a long clause with a local edit costs little."""
    old_tokens, new_tokens = _TOKEN.findall(old_text), _TOKEN.findall(new_text)
    head = 0
    limit = min(len(old_tokens), len(new_tokens))
    while head < limit and old_tokens[head] == new_tokens[head]:
        head += 1
    tail = 0
    while tail < limit - head and old_tokens[-1 - tail] == new_tokens[-1 - tail]:
        tail += 1
    old_side: list[Piece] = []
    new_side: list[Piece] = []
    _append(old_side, "same", old_tokens[:head])
    _append(new_side, "same", new_tokens[:head])
    old_middle, new_middle = old_tokens[head:len(old_tokens) - tail], new_tokens[head:len(new_tokens) - tail]
    _align(old_middle, new_middle, old_side, new_side)
    _append(old_side, "same", old_tokens[len(old_tokens) - tail:])
    _append(new_side, "same", new_tokens[len(new_tokens) - tail:])
    return tuple(old_side), tuple(new_side)


def _align(old: list[str], new: list[str], old_side: list[Piece], new_side: list[Piece], by_sentence: bool = True) -> None:
    """Align two runs of tokens word by word; runs too long for that (aligning costs up to the product of their
    lengths) are aligned sentence by sentence first, then word by word inside the sentences that changed, and
    what is still too long is shown as removed and added whole."""
    if len(old) * len(new) > _ALIGN_LIMIT:
        if by_sentence:
            old_sentences, new_sentences = _sentences(old), _sentences(new)
            matcher = difflib.SequenceMatcher(None, ["".join(t) for t in old_sentences],
                                              ["".join(t) for t in new_sentences], autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                olds = [token for sentence in old_sentences[i1:i2] for token in sentence]
                news = [token for sentence in new_sentences[j1:j2] for token in sentence]
                if tag == "equal":
                    _append(old_side, "same", olds)
                    _append(new_side, "same", news)
                else:
                    _align(olds, news, old_side, new_side, by_sentence=False)
            return
        _append(old_side, "removed", old)
        _append(new_side, "added", new)
        return
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        _append(old_side, "same" if tag == "equal" else "removed", old[i1:i2])
        _append(new_side, "same" if tag == "equal" else "added", new[j1:j2])


def _sentences(tokens: list[str]) -> list[list[str]]:
    """Tokens cut after each sentence's closing sign."""
    found: list[list[str]] = [[]]
    for token in tokens:
        found[-1].append(token)
        if token.rstrip()[-1:] in _SENTENCE_ENDS:
            found.append([])
    return [sentence for sentence in found if sentence]


def _append(side: list[Piece], kind: str, tokens: Sequence[str]) -> None:
    """Add a run to one side; a changed run's trailing blanks are not highlighted (nor is a changed blank alone)."""
    text = "".join(tokens)
    if kind != "same":
        core = text.rstrip()
        if core != text:
            _append(side, kind, [core])
            _append(side, "same", [text[len(core):]])
            return
    if not text:
        return
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
        bounds = self._bounds(per_page)
        pages = len(bounds)
        page = min(max(1, page), pages)
        first, last = bounds[page - 1]  # positions in `changed`
        start = 0 if page == 1 else changed[first - 1] + 1  # right after the previous page
        end = len(rows) if page == pages else changed[last - 1] + 1
        shown: list[ClauseRow | Unchanged] = []
        run: list[Clause | ClauseRow] = []
        for row in rows[start:end]:
            if isinstance(row, ClauseRow) and row.kind != "renumbered":
                _flush(run, shown, following=True)
                shown.append(_highlighted(row))
            else:  # unchanged, or only renumbered: shown next to a change, else counted
                run.append(row)
        _flush(run, shown, following=False)
        return ChangeView(tuple(shown), self.counts, page, pages, self.clauses)

    def _bounds(self, per_page: int) -> list[tuple[int, int]]:
        """The changed clauses of each page: at most `per_page`, and about PAGE_CHARS of text with the context
        shown beside them (a page of long clauses holds fewer)."""
        bounds: list[tuple[int, int]] = []
        start, size = 0, 0
        for n, index in enumerate(self.changed):
            weight = sum(_size(self.rows[k]) for k in (index - 1, index, index + 1) if 0 <= k < len(self.rows))
            if n > start and (n - start >= per_page or size + weight > PAGE_CHARS):
                bounds.append((start, n))
                start, size = n, 0
            size += weight
        bounds.append((start, len(self.changed)))
        return bounds


def lay_out(old_text: str, new_text: str, substantive: Iterable[ClauseChange] | None = None) -> ChangeLayout:
    """The change from `old_text` to `new_text` (normalized texts, as stored) clause by clause, placed as the diff
    aligned them. `substantive` are the clause changes that were posted (the others are shown as cosmetic);
    None: all are substantive."""
    # With the posted changes at hand (their topics and severity recorded), the diff need not label again.
    posted = None if substantive is None else {_identity(c): c for c in substantive}
    alignment = align_clauses(old_text, new_text, labelled=posted is None)
    old, new = alignment.old, alignment.new
    at: dict[int, ClauseChange] = {}
    removed_after: dict[int, list[ClauseChange]] = defaultdict(list)  # new index → clauses removed right after it
    for (place, removed, _), found in alignment.changes:
        if removed:
            removed_after[place].append(found)
        else:
            at[place] = found
    rows: list[ClauseRow | Clause] = [_row(change, posted) for change in removed_after.get(-1, ())]
    for index in range(len(new)):
        change = at.get(index)
        if change is not None:
            rows.append(_row(change, posted))
        else:
            clause = new.clause(index)
            paired = alignment.pairs.get(index)
            old_path = clause.path if paired is None else old.path(paired)
            rows.append(clause if old_path == clause.path else
                        ClauseRow("renumbered", "", clause.path, old_path, clause.text, clause.text, substantive=False))
        rows.extend(_row(removed, posted) for removed in removed_after.get(index, ()))
    return _anchored(rows, len(new))


def _size(row: ClauseRow | Clause) -> int:
    """Characters a row puts on a page (both sides of a changed clause, or an unchanged clause shown twice)."""
    if isinstance(row, ClauseRow):
        return len(row.old_text or "") + len(row.new_text or "")
    return 2 * len(row.text)


def recorded_only(changes: Iterable[ClauseChange]) -> ChangeLayout:
    """The layout of the recorded clause changes alone, for a change whose earlier version is no longer stored."""
    return _anchored([_row(change, None) for change in changes], 0)


def _identity(change: ClauseChange) -> tuple[str, str, str | None, str | None]:
    return change.kind, change.path, change.old_text, change.new_text


def _row(change: ClauseChange, posted: dict[tuple[str, str, str | None, str | None], ClauseChange] | None) -> ClauseRow:
    """A changed clause's row: topics and severity as posted (a change that was not posted is cosmetic)."""
    if posted is None:
        return ClauseRow(change.kind, "", change.path, change.old_path, change.old_text, change.new_text,
                         change.topics, change.severity)
    record = posted.get(_identity(change))
    return ClauseRow(change.kind, "", change.path, change.old_path, change.old_text, change.new_text,
                     record.topics if record else (), record.severity if record else "low", record is not None)


def _highlighted(row: ClauseRow) -> ClauseRow:
    """`row` with the word highlights of a modification (worked out for the rows shown only)."""
    if row.kind not in ("modified", "moved") or row.old_text is None or row.new_text is None \
            or row.old_text == row.new_text:
        return row
    old_pieces, new_pieces = pieces(row.old_text, row.new_text)
    return ClauseRow(row.kind, row.anchor, row.path, row.old_path, row.old_text, row.new_text, row.topics,
                     row.severity, row.substantive, old_pieces, new_pieces)


def _anchored(rows: list[ClauseRow | Clause], clauses: int) -> ChangeLayout:
    """The layout of `rows`: each changed clause gets its anchor (unique: a taken one takes "-2", "-3" …)."""
    counts = {kind: 0 for kind in KINDS}
    issued: set[str] = set()
    laid: list[ClauseRow | Clause] = []
    changed: list[int] = []
    for k, row in enumerate(rows):
        if isinstance(row, ClauseRow):
            counts[row.kind] += 1
            if row.kind == "renumbered":  # paged and collapsed with the unchanged clauses
                laid.append(row)
                continue
            anchor = wanted = anchor_of(row.path, k + 1)
            suffix = 1
            while anchor in issued:
                suffix += 1
                anchor = f"{wanted}-{suffix}"
            issued.add(anchor)
            row = ClauseRow(row.kind, anchor, row.path, row.old_path, row.old_text, row.new_text, row.topics,
                            row.severity, row.substantive)
            changed.append(k)
        laid.append(row)
    return ChangeLayout(tuple(laid), tuple(changed), counts, clauses)


def _flush(run: list[Clause | ClauseRow], shown: list[ClauseRow | Unchanged], following: bool,
           context: int = CONTEXT) -> None:
    """Show a run of clauses the change left alone (or only renumbered): the `context` clauses next to a change
    in full, the rest as a count."""
    if not run:
        return
    before = context if shown and isinstance(shown[-1], ClauseRow) and shown[-1].kind != "unchanged" else 0
    after = context if following else 0
    if len(run) <= before + after + 1:
        before, after = len(run), 0
    shown.extend(_context(clause) for clause in run[:before])
    middle = run[before:len(run) - after]
    if middle:
        renumbered = sum(1 for clause in middle if isinstance(clause, ClauseRow))
        shown.append(Unchanged(len(middle), middle[0].path, middle[-1].path, renumbered))
    shown.extend(_context(clause) for clause in run[len(run) - after:])
    run.clear()


def _context(clause: Clause | ClauseRow) -> ClauseRow:
    if isinstance(clause, ClauseRow):  # renumbered: shown with what it was
        return clause
    return ClauseRow("unchanged", "", clause.path, clause.path, clause.text, clause.text, substantive=False)
