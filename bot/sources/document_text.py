"""Terms pages to text: apply the `select`/`remove` CSS selectors, keep headings, numbered clauses and
lists as Markdown-like lines. Plain-text and Markdown snapshots pass through unchanged.
"""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath

import lxml.etree
import lxml.html
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "head", "nav", "form", "button"}
_BLOCK = {"p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre", "table", "tr",
          "dl", "dt", "dd", "ul", "ol", "figure", "figcaption", "address", "details", "summary", "body", "html"}
_HEADINGS = {"h1": "#", "h2": "##", "h3": "###", "h4": "####", "h5": "#####", "h6": "######"}


class ExtractionError(ValueError):
    """The document cannot be turned into text (bad selector, unreadable markup)."""


def check_selector(selector: str) -> str | None:
    """An error message when `selector` is not valid CSS, else None (used by `clausewatch check`)."""
    try:
        CSSSelector(selector)
    except (SelectorError, lxml.etree.XPathError) as error:
        return f"invalid CSS selector {selector!r}: {error}"
    return None


def looks_like_html(body: bytes, content_type: str | None, name: str) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    suffix = PurePath(name.split("?")[0]).suffix.lower()
    if suffix in (".md", ".markdown", ".txt", ".text"):
        return False
    if suffix in (".html", ".htm", ".xhtml"):
        return True
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(body: bytes, content_type: str | None) -> str | None:
    """The charset from the Content-Type header, else from a <meta> tag near the top of the page."""
    if content_type and "charset=" in content_type.lower():
        return content_type.lower().split("charset=", 1)[1].split(";")[0].strip().strip('"\'') or None
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def encoding_of(body: bytes, content_type: str | None = None) -> str:
    """A UTF-16 byte-order mark, else the declared charset when it decodes the body, else UTF-8 when valid,
    else Windows-1252."""
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in filter(None, (declared_charset(body, content_type), "utf-8")):
        try:
            body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return "utf-8" if encoding in ("utf8", "utf-8") else encoding
    return "cp1252"


def decode(body: bytes, content_type: str | None = None) -> str:
    """Bytes to text by `encoding_of` (a UTF-8 byte-order mark is dropped)."""
    encoding = encoding_of(body, content_type)
    text = body.decode(encoding, errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


# Served types that are never terms text: an image, a download or an API error where the page used to be.
_NOT_TEXT_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/json", "application/zip",
                   "application/gzip", "application/x-gzip", "application/wasm")


def text_body(body: bytes, content_type: str | None) -> bytes:
    """The body without the few stray NULs a converted text may carry; ExtractionError when it cannot be a terms
    text: a non-text media type, or binary bytes (more than a few NULs outside UTF-16/32, or control bytes). Read
    as text, such a body would replace the baseline with noise and alert."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media.startswith(_NOT_TEXT_TYPES) or media.endswith("+json"):
        raise ExtractionError(f"not a terms page: the server sent {media} content")
    nuls = _nuls(body, content_type)
    if nuls > max(STRAY_NULS, len(body) // 10_000):
        raise ExtractionError("not a terms page: the body is binary (NUL bytes), or text in an undeclared "
                              "UTF-16/UTF-32 encoding")
    if _control_share(body) > BINARY_CONTROL_SHARE and not encoding_of(body, content_type).startswith(("utf-16", "utf-32")):
        raise ExtractionError("not a terms page: the body is binary (control bytes that no text holds)")
    return body.replace(b"\x00", b"") if nuls else body


# A text converted from a PDF may carry a few stray NUL bytes among its words; a binary file holds many.
STRAY_NULS = 16


def _nuls(body: bytes, content_type: str | None) -> int:
    """NUL bytes of a body that is not UTF-16 or UTF-32 (where they are part of the characters)."""
    if b"\x00" not in body or encoding_of(body, content_type).startswith(("utf-16", "utf-32")):
        return 0
    return body.count(b"\x00")


# Text in any 8-bit or UTF-8 encoding holds almost no C0 control bytes besides tab, newline, form feed and carriage
# return (an escape now and then); random or compressed bytes hold about one in eleven.
BINARY_CONTROL_SHARE = 0.01
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"


def _control_share(body: bytes) -> float:
    """Share of control bytes in the first 64 KiB."""
    head = body[:65536]
    if not head:
        return 0.0
    return (len(head) - len(head.translate(None, _CONTROLS))) / len(head)


def extract_text(body: bytes, *, content_type: str | None = None, name: str = "", select: str | None = None,
                 remove: tuple[str, ...] = ()) -> str:
    """Readable text of a terms document; an empty string when the selector matches nothing.
    Raises ExtractionError for bodies that are not text (see `text_body`)."""
    body = text_body(body, content_type)
    if not looks_like_html(body, content_type, name):
        return decode(body, content_type)
    try:
        parser = lxml.html.HTMLParser(encoding=encoding_of(body, content_type), remove_comments=True)
        root = lxml.html.document_fromstring(body, parser=parser)
    except (lxml.etree.ParserError, ValueError) as error:
        if not body.strip():
            return ""
        raise ExtractionError(f"cannot parse HTML: {error}") from error
    try:
        for selector in remove:
            for element in CSSSelector(selector)(root):
                _drop(element)
        roots = CSSSelector(select)(root) if select else [root]
    except (SelectorError, lxml.etree.XPathError) as error:
        raise ExtractionError(f"invalid CSS selector: {error}") from error
    lines: list[str] = []
    for element in roots:
        _render(element, lines, depth=0)
    return _single_spaced(lines)


_ODD_WHITESPACE = "\t\r\x0b\x0c\x1c\x1d\x1e\x1f"  # ASCII whitespace other than spaces and newlines
_SPACE_RUN = re.compile("  +")


def _single_spaced(parts: list[str]) -> str:
    """The parts, each with its whitespace runs made single spaces and stripped, one per line, empty ones left
    out: `" ".join(part.split())` for each part, which splits a whole page into words. For ASCII text with no
    whitespace but spaces and newlines, the same is done on the page at once with C-level passes (4x faster)."""
    parts = [part.replace("\n", " ") if "\n" in part else part for part in parts]
    text = "\n".join(parts)
    if not text.isascii() or any(char in text for char in _ODD_WHITESPACE):
        return "\n".join(line for line in (" ".join(part.split()) for part in parts) if line)
    if _SPACE_RUN.search(text):
        text = _SPACE_RUN.sub(" ", text)
    return "\n".join(filter(None, map(str.strip, text.split("\n"))))


def _drop(element: lxml.html.HtmlElement) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    parent.remove(element)
    if tail and tail.strip():
        previous = element.getprevious() if element.getparent() is not None else None
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _render(element: lxml.html.HtmlElement, lines: list[str], depth: int) -> None:
    """Depth-first walk that starts a new line at each block, heading and list item."""
    stack: list[tuple[lxml.html.HtmlElement, int, bool]] = [(element, depth, False)]
    current: list[str] = []

    def flush(prefix: str = "") -> None:
        text = "".join(current).strip()
        current.clear()
        if text:
            lines.append(prefix + text if prefix else text)

    # Iterative to stay bounded on deeply nested documents.
    while stack:
        node, level, closing = stack.pop()
        if closing:
            tag = node.tag if isinstance(node.tag, str) else ""
            if tag in _HEADINGS:
                flush(_HEADINGS[tag] + " ")
            elif tag in _BLOCK or tag in ("li", "br"):
                flush()
            if node.tail:
                current.append(node.tail)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if not tag or tag in _SKIP:
            if node.tail:
                current.append(node.tail)
            continue
        if tag in _HEADINGS or tag in _BLOCK or tag == "li":
            flush()
        if tag == "li":
            parent = node.getparent()
            if parent is not None and parent.tag == "ol":
                number = 1 + sum(1 for sibling in node.itersiblings(preceding=True) if sibling.tag == "li")
                current.append(f"{number}. ")
            else:
                current.append("- ")
        if tag == "br":
            flush()
        if node.text:
            current.append(node.text)
        stack.append((node, level, True))
        for child in reversed(list(node)):
            stack.append((child, level + 1, False))
    flush()
