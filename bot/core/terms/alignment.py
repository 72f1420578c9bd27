"""Two versions of a document read as one run of words each, line numbers and markup aside: whether they say the
same although their paragraphs, headings or numbering were laid out anew, which the clause diff (paragraph by
paragraph) cannot see."""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher

from bot.core.terms.segments import MARKED, clause_text
from bot.core.terms.wording import Vocabulary, noise_key, same_meaning

_LOOSE_WORDS_MAX = 40  # words one version has and the other lacks (as multisets) beyond which they plainly differ
_REGIONS_MAX = 12  # places where the words differ that only `same_meaning` can forgive


def _words(text: str) -> tuple[list[str], list[int], list[str], list[str]]:
    """The words of a document's lines (each line's leading clause number, bullet and markup left out; e-mail
    addresses as written, so that a new address is a difference), the index of the line each word comes from,
    the lines, and the lines without their clause numbers or bullets."""
    lines = [line for line in text.split("\n") if line.strip()]
    bare = [clause_text(line.strip()) for line in lines]
    words: list[str] = []
    line_of: list[int] = []
    for k, line in enumerate(lines):
        found = noise_key(line, emails=False).split()
        words.extend(found)
        line_of.extend([k] * len(found))
    return words, line_of, lines, bare


def same_words(old_text: str, new_text: str, context: Vocabulary | None = None) -> bool:
    """Whether two normalized versions say the same once read as runs of words: the same words in the same order
    (paragraphs split or joined, headings restyled or glued to a clause, clauses numbered or renumbered), and where
    they differ, only words glued together or split, section titles added or dropped, or lines that say the same
    (`wording.same_meaning`: a date in a dating line, a renumbered cross-reference, a spelling fix)."""
    a, a_line, a_lines, a_bare = _words(old_text)
    b, b_line, b_lines, b_bare = _words(new_text)
    if a == b or "".join(a) == "".join(b):
        return True
    loose = Counter(a)
    loose.subtract(b)
    if sum(map(abs, loose.values())) > _LOOSE_WORDS_MAX:
        return False
    # The words both versions start and end with are set aside before aligning the rest: aligning two whole long
    # documents word by word costs a third of a second, the stretch between their first and last difference
    # little. (Past a few hundred words the aligner skips very common words: a stretch it aligns badly counts
    # as different, and the clause diff decides.)
    shorter = min(len(a), len(b))
    head = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), shorter)
    tail = next((k for k, (x, y) in enumerate(zip(reversed(a[head:]), reversed(b[head:]), strict=False)) if x != y),
                shorter - head)
    regions = 0
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a[head:len(a) - tail], b[head:len(b) - tail]).get_opcodes():
        if op == "equal":
            continue
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if "".join(a[i1:i2]) == "".join(b[j1:j2]):
            continue  # words glued together or split apart ("wecollect")
        if op in ("insert", "delete") and _numbering(*((a[i1:i2], a_line, i1, b_line, b_lines, j1) if op == "delete"
                                                       else (b[j1:j2], b_line, j1, a_line, a_lines, i1))):
            continue  # a clause number put at a line's start, or glued where the other version starts a line
        if op in ("insert", "delete"):
            line_of, lines, start, end = (a_line, a_lines, i1, i2) if op == "delete" else (b_line, b_lines, j1, j2)
            if _whole_lines(line_of, start, end):
                if all(lines[k].lstrip().startswith("#") for k in range(line_of[start], line_of[end - 1] + 1)):
                    continue  # a section title shown or dropped, nothing else
                return False  # lines added or removed: the clause diff says what they are
        regions += 1
        if regions > _REGIONS_MAX:
            return False
        old = _lines_around(a_line, a_bare, i1, i2)
        new = _lines_around(b_line, b_bare, j1, j2)
        if not (old and new and same_meaning(old, new, context)):
            return False
    return True


def _numbering(words: list[str], line_of: list[int], start: int, other_line_of: list[int], other_lines: list[str],
               at: int) -> bool:
    """Whether `words` (from word `start` of their version), missing from the other version at word `at`, are a
    clause number: figures only, where the other version starts a line, and either at the start of a line of
    their own with words after them (numbering added: "1.1) By using …" against "By using …") or the very number
    the other version's line starts with (glued: "Who we are 1.1 Tunely …" against "1.1 Tunely …"). Not a figure
    put into a sentence ("within 30 days") nor a line of figures alone (a price in a table)."""
    if not words or not all(word.isdigit() for word in words) or at >= len(other_line_of):
        return False
    if at and other_line_of[at - 1] == other_line_of[at]:
        return False
    end = start + len(words)
    if start == 0 or line_of[start - 1] != line_of[start]:
        return end < len(line_of) and line_of[end] == line_of[end - 1]  # words follow it: a number, not a figure
    marked = MARKED.match(other_lines[other_line_of[at]].lstrip("#*_ \t"))
    return marked is not None and marked.group(1) is not None and marked.group(1).rstrip(".").split(".") == words


def _whole_lines(line_of: list[int], start: int, end: int) -> bool:
    """Whether words `start`:`end` are whole lines."""
    first, last = line_of[start], line_of[end - 1]
    return (start == 0 or line_of[start - 1] != first) and (end == len(line_of) or line_of[end] != last)


def _lines_around(line_of: list[int], bare: list[str], start: int, end: int) -> str:
    """The lines from the word before `start` to the word at `end` (the region and a word of context on each side,
    so that both versions of a region are read over the same stretch), without their clause numbers."""
    if not line_of:
        return ""
    first = line_of[max(start - 1, 0)]
    last = line_of[min(end, len(line_of) - 1)]
    return " ".join(bare[first:last + 1])
