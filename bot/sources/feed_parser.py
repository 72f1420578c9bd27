"""Feed bytes → `ParsedFeed`: feedparser reads the document (RSS 0.9x/1.0/2.0, Atom, malformed ones included)
and this module maps the documented fields of its result onto our plain-text `FeedEntry`.

What the mapping decides:

- text fields (titles, summaries, content) are plain text: a value feedparser types as HTML/XHTML goes through
  `html_to_text`, a plain one has its whitespace collapsed; other media types are left out;
- `summary` is the entry's own summary only (feedparser copies content into it when there is none);
- dates are ISO 8601 UTC; in RSS, a missing publication date is taken from the update date (dc:date);
- links are resolved against the feed's URL and kept only when they are web (http/https) links;
- the author is a display name, never an e-mail address.

Tolerance is feedparser's: a malformed document still gives what its loose parser reads, entities declared in
a DTD are never expanded ("billion laughs" costs nothing), and bytes that are no feed raise FeedParseError.
One repair comes first: a bare "&" is escaped, which keeps well-formed-but-for-that feeds on the strict parser.
"""

from __future__ import annotations

import asyncio
import calendar
import codecs
import datetime as dt
import io
import re
import time
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.core.news.entries import FeedEntry, FeedParseError, ParsedFeed
from bot.sources.html_text import html_to_text

__all__ = ["INLINE_LIMIT", "parse_feed", "parse_feed_async"]

INLINE_LIMIT: Final = 64 * 1024  # bytes: larger bodies are parsed in a worker thread


async def parse_feed_async(body: bytes, url: str = "") -> ParsedFeed:
    """`parse_feed` for a coroutine. A body up to INLINE_LIMIT is parsed right away, on the event loop (at most
    about 15 ms); a larger one in a worker thread, so that the loop never stalls for long.

    Measured on the first poll of 1,000 feeds of 40 KB (bench/cycle.py's child processes, variants interleaved,
    4 runs): on the loop 10.4-12.3 s; in asyncio.to_thread 12.5-16.0 s and in one dedicated thread 11.5-12.6 s
    (parsing threads fight the loop for the GIL); in a pool of 2 processes 5.8-7.2 s. The pool is left out: it
    pays on first polls only (unchanged bodies are never parsed) and needs processes and a lifecycle owned by
    the app, while the cycle meets its target without it."""
    if len(body) <= INLINE_LIMIT:
        return parse_feed(body, url)
    return await asyncio.to_thread(parse_feed, body, url)


def parse_feed(body: bytes, url: str = "") -> ParsedFeed:
    """Parse a fetched feed body. `url` is the feed's address, used to resolve relative links.

    Raises FeedParseError when the bytes are not a feed (empty body, an HTML page, garbage).
    """
    if not body or not body.strip():
        raise FeedParseError("empty body: expected an RSS or Atom document")
    # A stream, never the bytes themselves: feedparser.parse() would open a file or URL that bare bytes name.
    # No sanitizing or URI rewriting of embedded HTML: we keep only its text (html_to_text drops scripts), and
    # feedparser's re-serialisation alters text ("&bogus;" -> "&amp;bogus", text after a stray </script>).
    result = feedparser.parse(io.BytesIO(_escape_bare_ampersands(body)), sanitize_html=False,
                              resolve_relative_uris=False)
    feed: dict[str, Any] = result.get("feed") or {}
    raw_entries: list[dict[str, Any]] = result.get("entries") or []
    version: str = result.get("version") or ""
    if not raw_entries and not _string(feed, "title") and not version:
        raise FeedParseError(_not_a_feed_message(body, result.get("bozo_exception")))
    is_atom = version.startswith("atom")
    return ParsedFeed(
        title=_detail_text(feed, "title"),
        link=_finish_link(_string(feed, "link"), url),
        entries=tuple(_entry(entry, url, is_atom) for entry in raw_entries),
    )


def _entry(entry: dict[str, Any], url: str, is_atom: bool) -> FeedEntry:
    # feedparser copies content into `summary` when there is no summary element; `summary_detail` tells them apart.
    summary = _detail_text(entry, "summary") if isinstance(_field(entry, "summary_detail"), dict) else ""
    content = ""
    contents = _field(entry, "content")
    if isinstance(contents, list) and contents and isinstance(contents[0], dict):
        content = _typed_text(contents[0].get("value") or "", contents[0].get("type"))
    published = _iso_utc(_field(entry, "published_parsed"))
    updated = _iso_utc(_field(entry, "updated_parsed"))
    if published is None and not is_atom:
        published = updated  # RSS: dc:date (feedparser files it under `updated`) stands in for pubDate
    detail = _field(entry, "author_detail")
    name = detail.get("name") if isinstance(detail, dict) else None
    email = detail.get("email") if isinstance(detail, dict) else None
    return FeedEntry(
        guid=_finish_guid(_string(entry, "id")),
        link=_finish_link(_string(entry, "link"), url),
        title=_detail_text(entry, "title"),
        summary=summary,
        content=content,
        published=published,
        updated=updated,
        author=_choose_author(_string(entry, "author"), name if isinstance(name, str) else None,
                              email if isinstance(email, str) else None),
    )


def _field(container: dict[str, Any], key: str) -> Any:
    """A field of feedparser's result as the document gave it: dict.get, not FeedParserDict.get, which answers
    for some missing keys with others (a missing `updated` with `published`, and a deprecation warning)."""
    return dict.get(container, key)


def _string(container: dict[str, Any], key: str) -> str | None:
    value = _field(container, key)
    return value if isinstance(value, str) else None


def _detail_text(container: dict[str, Any], key: str) -> str:
    """A text construct (`title`, `summary`) as plain text, by the type in its `<key>_detail`."""
    value = _string(container, key)
    if value is None:
        return ""
    detail = _field(container, key + "_detail")
    return _typed_text(value, detail.get("type") if isinstance(detail, dict) else "text/plain")


def _typed_text(value: str, content_type: str | None) -> str:
    if content_type in ("text/html", "application/xhtml+xml"):
        return html_to_text(value)
    if content_type is None or content_type.startswith("text/"):
        return " ".join(value.split())
    return ""


_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _iso_utc(parsed: time.struct_time | None) -> str | None:
    """feedparser's UTC struct_time as ISO 8601 (``2024-02-14T10:00:00+00:00``); None when absent or absurd."""
    if parsed is None:
        return None
    try:
        return (_EPOCH + dt.timedelta(seconds=calendar.timegm(parsed))).isoformat()
    except (OverflowError, ValueError, TypeError):
        return None


def _finish_link(value: str | None, url: str) -> str | None:
    """Resolve against the feed URL; keep only web links (no javascript:, tag:, mailto: ...)."""
    link = (value or "").strip()
    if not link:
        return None
    if link.startswith(("https://", "http://")):
        return link
    try:
        if url:
            link = urljoin(url, link)
        scheme = urlsplit(link).scheme.lower()
    except ValueError:
        return None
    if scheme and scheme not in ("http", "https"):
        return None
    return link


def _finish_guid(value: str | None) -> str | None:
    return (value or "").strip() or None


_ADDRESS: Final = re.compile(r"(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?:\?subject=\S+)?")
_EMPTY_BRACKETS: Final = re.compile(r"\(\s*\)|<\s*>|\[\s*\]|&lt;\s*&gt;")


def _choose_author(raw: str | None, name: str | None, email: str | None) -> str | None:
    """The author's display name from feedparser's `author` string and its `author_detail` (name, email).

    feedparser's split is kept when it rebuilds the string it came from (Atom <name>/<email>, or RSS
    "Jane Doe (jane@example.org)"); otherwise, e.g. its e-mail pattern cut "jane@news.example" short,
    the raw string is split again here.
    """
    if name:
        rebuilt = f"{name} ({email})" if email else name
        if raw is None or raw == rebuilt:
            return " ".join(name.split()) or None
    return _name_without_address(raw) if raw else None


def _name_without_address(text: str) -> str | None:
    """ "editor@news.example (Jonas Achterberg)" -> "Jonas Achterberg"; a bare address -> None."""
    text = _EMPTY_BRACKETS.sub(" ", _ADDRESS.sub(" ", text)).strip()
    while len(text) > 1 and (text[0], text[-1]) in (("(", ")"), ("<", ">"), ("[", "]")):
        text = text[1:-1].strip()
    return " ".join(text.split()) or None


_BARE_AMPERSAND: Final = re.compile(  # "&" that starts no character or entity reference (names may be non-ASCII)
    rb"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|(?:[A-Za-z_:]|[\x80-\xff])(?:[A-Za-z0-9_.:-]|[\x80-\xff])*;)"
)
_VERBATIM: Final = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<\?.*?\?>", re.DOTALL)


def _escape_bare_ampersands(body: bytes) -> bytes:
    """"Rock & Roll" -> "Rock &amp; Roll" outside CDATA, comments and PIs: the commonest feed error, which
    otherwise sends feedparser to its loose parser (and that one reads "Q&A:" as "Q&A;:").
    A no-op on well-formed XML, where every "&" starts a reference."""
    if b"&" not in body or body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in body[:4]:
        return body
    pieces: list[bytes] = []
    position = 0
    for verbatim in _VERBATIM.finditer(body):
        pieces.append(_BARE_AMPERSAND.sub(b"&amp;", body[position:verbatim.start()]))
        pieces.append(verbatim.group())
        position = verbatim.end()
    pieces.append(_BARE_AMPERSAND.sub(b"&amp;", body[position:]))
    return b"".join(pieces)


_HTML_PAGE: Final = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)


def _not_a_feed_message(body: bytes, problem: object) -> str:
    if _HTML_PAGE.search(body[:4096]):
        return "not a feed: the body is an HTML page, not an RSS or Atom document"
    detail = f" ({type(problem).__name__}: {problem})" if problem else ""
    return f"not a feed: no RSS or Atom document, no feed title and no entries{detail}"
