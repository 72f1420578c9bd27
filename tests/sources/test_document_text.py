"""Terms pages to text: structure kept, selectors applied, charsets honoured, and pathological pages
(deep nesting, a 10 MB single line) handled without blowing up."""

from __future__ import annotations

import tracemalloc

import pytest

from bot.core.terms.documents import looks_like_error_page
from bot.sources.document_text import ExtractionError, extract_text

PAGE = """<html><head><meta charset="windows-1252"><script>track()</script></head><body>
<nav>Menu</nav><main><h1>Terms</h1><h2>4. Content</h2><p>4.1 You grant us a licence.</p>
<ol><li>first</li><li>second</li></ol><div class="ad">Buy now</div><p>Caf\xe9 \u201cquoted\u201d</p></main></body></html>"""


def test_structure_selectors_and_charset() -> None:
    text = extract_text(PAGE.encode("cp1252"), content_type="text/html", select="main", remove=(".ad",))
    assert text.splitlines() == ["# Terms", "## 4. Content", "4.1 You grant us a licence.", "1. first", "2. second",
                                 "Caf\u00e9 \u201cquoted\u201d"]
    assert extract_text(PAGE.encode("cp1252"), content_type="text/html", select="article") == ""
    with pytest.raises(ExtractionError, match="invalid CSS selector"):
        extract_text(PAGE.encode("cp1252"), content_type="text/html", select="main[")


@pytest.mark.parametrize("page", [
    "<html><body>" + "<div>" * 200_000 + "Deep text" + "</div>" * 200_000 + "</body></html>",
    "<html><body><p>" + "clause " * 1_500_000 + "</p></body></html>",
], ids=["200k-nested-divs", "10MB-single-line"])
def test_pathological_pages_stay_bounded_and_never_pass_for_a_terms_change(page: str) -> None:
    body = page.encode("utf-8")
    tracemalloc.start()
    try:
        text = extract_text(body, content_type="text/html")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * len(body), f"peak {peak / 1e6:.0f} MB for a {len(body) / 1e6:.0f} MB page"
    # Either the text comes out whole, or nothing does and the poller treats it as an error page
    # (a fetch problem that keeps the baseline), never as a truncated new version.
    assert text == "" and looks_like_error_page(text) or text.count("clause") == 1_500_000 or text == "Deep text"


def test_whitespace_of_a_page_is_folded_as_a_split_and_join_of_each_line_would() -> None:
    # Extraction folds whitespace of the whole page at once when it can (ASCII, spaces and newlines only);
    # the lines must be those of `" ".join(line.split())`, whatever the spacing, tabs or odd spaces.
    import random

    from bot.sources.document_text import _single_spaced

    pieces = ["a", "bc", " ", "  ", "\n", "\t", "\r", "é", "\xa0", "\u2003", "x y", "\x1f", ""]
    rng = random.Random(3)
    for _ in range(5000):
        parts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(rng.randint(0, 6))]
        expected = "\n".join(line for line in (" ".join(part.split()) for part in parts) if line)
        assert _single_spaced(parts) == expected, parts
    page = b"<html><body><h2>4.  Content</h2><p>4.1  You\n   grant us\ta licence.</p><p> </p></body></html>"
    assert extract_text(page, content_type="text/html").splitlines() == ["## 4. Content",
                                                                          "4.1 You grant us a licence."]


def test_a_text_with_a_few_stray_nul_bytes_is_read_and_a_binary_body_refused() -> None:
    """A PDF converted to text may keep a NUL here and there: the text is read without them. A body with many
    NULs (a file, not a text) is still refused."""
    body = ("# General conditions of sale\n\n1. Prices include VAT.\x00\n\n2. Delivery takes 3 days.\x00\n"
            + "3. Returns are free within 30 days.\n" * 40).encode()
    text = extract_text(body, content_type="text/markdown", name="terms.md")
    assert "\x00" not in text and "2. Delivery takes 3 days." in text
    with pytest.raises(ExtractionError, match="binary"):
        extract_text(b"\x89PNG\r\n\x1a\n" + bytes(4000), content_type="text/html")
