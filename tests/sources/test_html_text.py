"""HTML fragment → plain text: the rules of `bot.sources.html_text`, one case each, and no markup that raises."""

from __future__ import annotations

import random

import pytest

from bot.sources.html_text import html_to_text


@pytest.mark.parametrize("markup, text", [
    ("plain   words\n here", "plain words here"),
    ("AT&amp;T &mdash; Q&A", "AT&T \u2014 Q&A"),
    ("<p>one</p><p>two</p>", "one two"),
    ("<b>bold</b>face and <i>it</i><b>alic</b>", "boldface and italic"),
    ("<script>var x = '<p>no</p>';</script><STYLE>p{}</STYLE><p>yes</p>", "yes"),
    ("<svg><text>drawn</text></svg>seen<template>later</template>", "seen"),
    ("a<br>b<BR/>c", "a b c"),
    ("<ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>", "one two a b"),
    ("x&nbsp;&nbsp;y\u2009\u2009z", "x y z"),
    ("\ufeff<p>byte order mark</p>\ufeff", "byte order mark"),
    ("<p>unclosed <b>bold", "unclosed bold"),
    ("stray</p>end tag", "stray end tag"),
    ("<body>text</body></html>after the end", "text after the end"),
    ("<head><title>Heading</title></head>body", "Heading body"),
    ("5 < 6 > 4 & <", "5 < 6 > 4 & <"),
    ("<!-- hidden -->shown", "shown"),
    ("<!-- only a comment -->", ""),
    ("&lt;b&gt; is a tag", "<b> is a tag"),
    ("", ""),
])
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize("markup", [
    "<", "<<<>>>", "</", "<!--", "<![CDATA[", "<?xml version='1.0' encoding='latin-1'?><p>x</p>", "\x00<p>\x00</p>",
    "&#0;&#xD800;&#x110000;", "\ud800 lone surrogate <b>x</b>", "<a href=\"unclosed>text", "<p>" * 5000,
    "<svg><script>x</script></svg>", "<meta charset=\"koi8-r\"><p>\u00e9</p>", "\ufeff<p>bom</p>", "<html>",
    "</html></body></head>", "<!DOCTYPE html><html><body></body></html>",
])
def test_html_to_text_never_raises(markup: str) -> None:
    text = html_to_text(markup)
    assert text == " ".join(text.split())


def test_random_tag_soup_gives_single_spaced_text() -> None:
    pieces = ("<p>", "</p>", "<b>", "</b>", "<br>", "<li>", "text", " words ", "&amp;", "&nbsp;", "\u2019", "5 < 6",
              '<a href="/x">', "</a>", "<script>s</script>", "<!-- c -->", '<a href="open>', "<b", "</x<", "</html>",
              "<title>t", "<table><td>c", "\ufeff", "\u2009", "<body>", "<pre> p </pre>")
    rng = random.Random(7)
    for _ in range(400):
        markup = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        text = html_to_text(markup)
        assert text == " ".join(text.split()) and "\ufeff" not in text, markup
