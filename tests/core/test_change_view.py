"""The change page's view of a terms change: clauses in document order, removed ones where they stood, word-level
highlights, renumbered and moved clauses, anchors that a permalink can name, pages of bounded size."""

from __future__ import annotations

from bot.core.terms.change_view import ClauseRow, Piece, Unchanged, anchor_of, change_view, lay_out, pieces
from bot.core.terms.clauses import diff_clauses

OLD = """# Terms
## 1. Intro
We provide a music hosting service to you.
## 2. Content
2.1 You own your content and keep every right to it.
2.2 We may use it to run the service.
2.3 We never sell your listening data.
## 3. Law
The law of France applies to these terms."""

NEW = """# Terms
## 1. Intro
We provide a music hosting service to you.
## 2. Your data
2.1 We collect your e-mail address to send you product updates.
## 3. Content
3.1 You own your content and keep every right to it.
3.2 We may use it to run and improve the service.
## 4. Law
The law of France applies to these terms."""


def kinds(rows: tuple[ClauseRow | Unchanged, ...]) -> list[str]:
    return [row.kind if isinstance(row, ClauseRow) else f"…{row.count}" for row in rows]


def test_clauses_come_in_document_order_with_removed_ones_where_they_stood() -> None:
    view = change_view(OLD, NEW)
    assert kinds(view.rows) == ["unchanged", "added", "renumbered", "modified", "removed", "renumbered"]
    removed = next(r for r in view.rows if isinstance(r, ClauseRow) and r.kind == "removed")
    assert removed.old_text == "We never sell your listening data." and removed.new_text is None
    assert view.counts == {"added": 1, "removed": 1, "modified": 1, "moved": 0, "renumbered": 2}
    assert view.clauses == 5 and view.pages == 1


def test_renumbered_clauses_keep_their_text_and_say_what_they_were() -> None:
    rows = [r for r in change_view(OLD, NEW).rows if isinstance(r, ClauseRow) and r.kind == "renumbered"]
    assert [(r.old_path, r.path) for r in rows] == [("Terms > 2. Content > 2.1", "Terms > 3. Content > 3.1"),
                                                   ("Terms > 3. Law", "Terms > 4. Law")]
    assert all(not r.substantive and r.old_text == r.new_text for r in rows)


def test_a_modification_is_highlighted_word_by_word_on_both_sides() -> None:
    old_side, new_side = pieces("We may share your e-mail with partners.", "We will share your e-mail and phone with partners.")
    assert [p for p in old_side if p.kind != "same"] == [Piece("removed", "may")]
    assert [p.text for p in new_side if p.kind == "added"] == ["will", "and phone"]
    assert "".join(p.text for p in old_side) == "We may share your e-mail with partners."
    assert "".join(p.text for p in new_side) == "We will share your e-mail and phone with partners."


def test_anchors_name_the_clause_number_and_stay_unique() -> None:
    assert anchor_of("Terms > 4. Content > 4.3", 9) == "clause-4.3"
    assert anchor_of("Terms > 4. Content > 4.3 > (a)", 9) == "clause-4.3-a"
    assert anchor_of("Terms > 4. Law", 9) == "clause-4"
    assert anchor_of("Terms > Contact", 9) == "clause-9"
    old = "# T\n- We may keep logs.\n- We may keep cookies."
    new = "# T\n- We will keep logs.\n- We will keep cookies."
    anchors = [r.anchor for r in change_view(old, new).rows if isinstance(r, ClauseRow) and r.anchor]
    assert len(anchors) == len(set(anchors)) == 2


def test_changes_that_were_not_posted_are_marked_cosmetic() -> None:
    posted = [c for c in diff_clauses(OLD, NEW) if c.kind == "added"]
    rows = {r.kind: r for r in change_view(OLD, NEW, posted).rows if isinstance(r, ClauseRow)}
    assert rows["added"].substantive and not rows["modified"].substantive and not rows["removed"].substantive


def test_long_runs_of_unchanged_clauses_collapse_to_a_count_with_one_clause_of_context_each_side() -> None:
    body = "\n".join(f"{n}. Clause number {n} says something different from every other clause {n * 7}." for n in range(1, 41))
    new = body.replace("20. Clause number 20 says", "20. Clause number 20 now says")
    view = change_view("# Terms\n" + body, "# Terms\n" + new)
    assert kinds(view.rows) == ["…18", "unchanged", "modified", "unchanged", "…19"]


def test_a_rewrite_of_a_thousand_clauses_is_cut_into_pages_that_cover_every_change_once() -> None:
    old = "# Terms\n" + "\n".join(f"{n}. The member shall keep rule {n} of the club at all times." for n in range(1, 1001))
    new = "# Terms\n" + "\n".join(f"{n}. The member must keep rule {n} of the club at all times." for n in range(1, 1001))
    layout = lay_out(old, new)
    first = layout.page(1, per_page=250)
    assert first.pages == 4 and first.counts["modified"] == 1000
    seen: list[str] = []
    for page in range(1, 5):
        view = layout.page(page, per_page=250)
        shown = [r for r in view.rows if isinstance(r, ClauseRow)]
        assert all(r.new_pieces for r in shown)  # each modification shown with its highlights
        seen += [r.anchor for r in shown]
    assert len(seen) == len(set(seen)) == 1000
    assert layout.page(99, per_page=250).page == 4  # out of range: the last page


def test_a_page_of_long_clauses_holds_fewer_of_them() -> None:
    long = " ".join(f"word{n}" for n in range(700))  # ~5,600 characters a clause
    old = "# Terms\n" + "\n".join(f"{n}. Rule {n} keeps {long}." for n in range(1, 121))
    new = "# Terms\n" + "\n".join(f"{n}. Rule {n} now keeps {long}." for n in range(1, 121))
    layout = lay_out(old, new)
    views = [layout.page(n) for n in range(1, layout.page(1).pages + 1)]
    assert len(views) > 1  # 120 changed clauses, fewer than the 200 of a page, but too much text for one
    assert sum(1 for v in views for r in v.rows if isinstance(r, ClauseRow)) == 120
    for view in views:
        text = sum(len(r.old_text or "") + len(r.new_text or "") for r in view.rows if isinstance(r, ClauseRow))
        assert text <= 250_000


def test_repeated_clauses_keep_each_change_in_its_place() -> None:
    rows = [r for r in lay_out("- bullet y", "- bullet x\n- bullet x").rows if isinstance(r, ClauseRow)]
    assert [(r.kind, r.old_text, r.new_text) for r in rows] == [("modified", "bullet y", "bullet x"),
                                                                ("added", None, "bullet x")]


def test_an_anchor_made_unique_never_takes_another_clause_s_anchor() -> None:
    anchors = [r.anchor for r in lay_out("", "5. y\n5. z\n(2) q").rows if isinstance(r, ClauseRow)]
    assert len(anchors) == len(set(anchors)) == 3


def test_a_very_long_clause_is_highlighted_sentence_by_sentence_and_joins_back_exactly() -> None:
    words = [f"term{n % 2999}" for n in range(8000)]
    edited = ["changed" if n % 50 == 0 else word for n, word in enumerate(words)]
    text = lambda ws: " ".join(w + ("." if n % 17 == 16 else "") for n, w in enumerate(ws))  # noqa: E731
    old_side, new_side = pieces(text(words), text(edited))
    assert "".join(p.text for p in old_side) == text(words) and "".join(p.text for p in new_side) == text(edited)
    assert [p.text for p in new_side if p.kind == "added"] == ["changed"] * 160


def test_long_unchanged_neighbours_count_toward_a_page_s_size() -> None:
    filler = " ".join(f"filler{n}" for n in range(500))  # ~4,400 characters
    old = "# Terms\n" + "\n".join(f"{n}. Rule {n} says {'x' if n % 2 else filler}." for n in range(1, 401))
    new = "# Terms\n" + "\n".join(f"{n}. Rule {n} says {'y' if n % 2 else filler}." for n in range(1, 401))
    layout = lay_out(old, new)
    for number in range(1, layout.page(1).pages + 1):
        view = layout.page(number)
        assert sum(len(r.old_text or "") + len(r.new_text or "") for r in view.rows if isinstance(r, ClauseRow)) <= 250_000
    assert layout.page(1).pages > 1  # 200 short changes, but each next to a long unchanged clause
