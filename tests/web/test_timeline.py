"""The platform timeline's SVG: one lane per document, versions as ticks, changes as dots by severity with their
labels and links, every text escaped, round dates on the axis."""

from __future__ import annotations

from typing import Any

from lxml import etree

from bot.web.timeline import Lane, Mark, timeline_svg


def parse(svg: str) -> Any:  # an lxml element
    return etree.fromstring(svg.encode("utf-8"))


def test_versions_are_ticks_and_changes_are_linked_dots_coloured_by_severity() -> None:
    lanes = [Lane("Terms of Service", (Mark("2024-01-10T09:00:00+00:00"), Mark("2024-02-14T17:00:00+00:00"),
                                        Mark("2024-02-14T17:00:00+00:00", "high", "AI training", "14 Feb: high",
                                             "/changes/k%3A1"))),
             Lane("Privacy Policy", (Mark("2023-11-02"), Mark("2024-04-01", "low", "privacy", "", None)))]
    svg = parse(timeline_svg(lanes))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert [t.text for t in svg.findall("s:text[@class='lane']", ns)] == ["Terms of Service", "Privacy Policy"]
    assert len(svg.findall("s:line[@class='version']", ns)) == 3
    linked = svg.findall("s:a", ns)
    assert len(linked) == 1 and linked[0].get("href") == "/changes/k%3A1"
    assert linked[0].find("s:circle", ns).get("class") == "change severity-high"
    assert linked[0].find("s:text", ns).text == "AI training"
    assert svg.find("s:circle[@class='change severity-low']", ns) is not None  # no page: a dot without a link
    axis = [t.text for t in svg.findall("s:text[@class='axis']", ns)]
    assert axis and all(label.endswith(("2023", "2024")) for label in axis)


def test_names_and_labels_are_escaped_and_cut_short() -> None:
    hostile = '<script>alert(1)</script>"&'
    svg_text = timeline_svg([Lane(hostile, (Mark("2024-02-14", "high", hostile * 3, hostile, '/x"onclick="y'),))])
    assert "<script" not in svg_text and 'onclick="' not in svg_text
    svg = parse(svg_text)  # still well-formed
    label = svg.find("{http://www.w3.org/2000/svg}a/{http://www.w3.org/2000/svg}text")
    assert label is not None and label.text is not None and len(label.text) <= 28 and label.text.endswith("…")


def test_nothing_dated_draws_nothing() -> None:
    assert timeline_svg([Lane("Terms", ())]) == ""
    assert timeline_svg([Lane("Terms", (Mark("not a date"),))]) == ""


def test_labels_of_changes_close_together_alternate_sides_then_leave_the_rest_to_the_tooltip() -> None:
    marks = tuple(Mark(f"2024-03-{day:02d}", "medium", f"change {day}", f"title {day}", f"/changes/{day}")
                  for day in (1, 2, 3, 4))
    svg = parse(timeline_svg([Lane("Terms", (Mark("2023-01-01"), *marks))]))
    ns = {"s": "http://www.w3.org/2000/svg"}
    labels = [t.text for t in svg.findall(".//s:text[@class='label']", ns)]
    assert labels == ["change 1", "change 2"]  # one above, one below; the next two would overlap them
    assert len(svg.findall(".//s:circle", ns)) == 4 and len(svg.findall(".//s:title", ns)) == 5
