"""HTML fragment → plain text: the one conversion of the HTML found in feeds (entry titles, summaries and
content marked as HTML) into the plain text the pipeline stores, compares and posts.

The rules, all of `html_to_text`:

- tags are removed and entities decoded (by lxml's HTML parser, which never expands a DTD entity);
- what a reader never sees is dropped with its content: script, style, template, iframe, object, svg, math ...;
  comments and processing instructions too;
- a block element (p, div, li, br, td, h1 ...) separates words: "<p>a</p><p>b</p>" reads "a b", while inline
  markup does not: "<b>bold</b>face" reads "boldface";
- every run of whitespace (no-break and other Unicode spaces included) becomes one space, zero-width no-break
  spaces (U+FEFF, byte-order marks) are dropped, and the result is stripped.

Whole terms pages are not fragments: `bot.sources.document_text` renders those as Markdown-like lines.
"""

from __future__ import annotations

import html
import re
from typing import Final

import lxml.etree
import lxml.html

__all__ = ["html_to_text"]

# Elements whose content a reader never sees.
_INVISIBLE_ELEMENTS: Final = frozenset({
    "script", "style", "applet", "noscript", "template", "iframe", "noembed", "noframes", "object", "svg", "math",
})
# Elements that separate the words before, inside and after them.
_BLOCK_ELEMENTS: Final = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "legend", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul",
})

# UTF-8 in and out of libxml2 (a fragment's own <meta charset> or XML declaration is not obeyed); no network.
_PARSER: Final = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
# A space before every start and end tag of a block element, so that even a stray "</p>" (which the parser drops)
# separates the words around it.
_BLOCK_TAG: Final = re.compile(rf"<(?=/?(?:{'|'.join(sorted(_BLOCK_ELEMENTS))})[\s/>])", re.IGNORECASE)
# A fragment is read as the content of a <body> (as a browser reads innerHTML): document structure tags are
# ignored, so that text after a stray "</html>" is not lost.
_STRUCTURE_TAG: Final = re.compile(r"</?(?:html|head|body)(?=[\s/>])[^>]*>?", re.IGNORECASE)
_TAG: Final = re.compile(r"<[^>]*>")
_INVISIBLE_CONTENT: Final = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment by the rules of this module. Never raises on odd markup."""
    if "<" not in markup:  # no element: only entities and whitespace to deal with
        return _single_spaced(html.unescape(markup) if "&" in markup else markup)
    markup = _BLOCK_TAG.sub(" <", _STRUCTURE_TAG.sub(" ", markup))
    try:
        root = lxml.html.document_fromstring(markup.encode("utf-8", "replace"), parser=_PARSER)
    except (lxml.etree.LxmlError, ValueError):  # nothing left to parse (a lone comment), or markup libxml2 refuses
        return _crude_text(markup)
    for element in list(root.iter(*_INVISIBLE_ELEMENTS)):
        element.drop_tree()  # keeps the text that follows the element
    return _single_spaced(root.text_content())


def _single_spaced(text: str) -> str:
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    return " ".join(text.split())


def _crude_text(markup: str) -> str:
    """Regex fallback for markup libxml2 gives no document for."""
    return _single_spaced(html.unescape(_TAG.sub(" ", _INVISIBLE_CONTENT.sub(" ", markup))))
