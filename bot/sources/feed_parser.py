"""Feed bytes to `ParsedFeed`: a strict lxml fast path for clean RSS 2.0 / RSS 1.0 / Atom 1.0 documents and
feedparser as the tolerant fallback. Both paths yield identical `FeedEntry` fields on well-formed feeds.
"""

from __future__ import annotations

import calendar
import codecs
import copy
import datetime as dt
import enum
import html
import io
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias
from urllib.parse import urljoin, urlsplit

import feedparser
from feedparser.api import StrictFeedParser
from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

from bot.core.news.entries import FeedEntry, FeedParseError, ParsedFeed

__all__ = ["FastPathDeclined", "html_texts", "html_to_text", "parse_fast", "parse_feed", "parse_with_feedparser"]

log = logging.getLogger(__name__)


class FastPathDeclined(Exception):
    """The fast path cannot promise to read this document exactly as feedparser would; use feedparser."""


def parse_feed(body: bytes, url: str = "") -> ParsedFeed:
    """Parse a fetched feed body. `url` is the feed's address, used to resolve relative links.

    Raises FeedParseError when the bytes are not a feed (empty body, an HTML page, garbage).
    """
    if not body or not body.strip():
        raise FeedParseError("empty body: expected an RSS or Atom document")
    try:
        return parse_fast(body, url)
    except FastPathDeclined:
        pass
    except Exception:  # a fast-path bug must not lose the feed: feedparser can still read it
        log.exception("feed fast path failed on %s; falling back to feedparser", url or "<bytes>")
    return parse_with_feedparser(body, url)


# --------------------------------------------------------------------------------------------------------------
# HTML to plain text (shared by both paths, so that they agree)

_HTML_PARSER: Final = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
)


def _any_case(name: str) -> str:
    """A regex for `name` in any letter case (re.IGNORECASE makes these scans two to three times slower)."""
    return "".join(f"[{char}{char.upper()}]" if char.isalpha() else char for char in name)


# Elements whose content a reader never sees.
_INVISIBLE_ELEMENTS: Final = (
    "script", "style", "applet", "noscript", "template", "iframe", "noembed", "noframes", "object", "svg", "math",
)
_INVISIBLE_TAG: Final = re.compile(rf"<(?:{'|'.join(map(_any_case, _INVISIBLE_ELEMENTS))})[\s/>]")
# Tags that separate words get a space before them ("<p>a</p><p>b</p>" reads "a b", not "ab").
# Lower or upper case only: a "<Br>" missing its space is cosmetic.
_BLOCK_NAMES: Final = (
    "address|article|aside|blockquote|br|caption|dd|details|div|dl|dt|fieldset|figcaption|figure|footer|form"
    "|h[1-6]|header|hr|legend|li|main|nav|ol|p|pre|section|summary|table|tbody|td|tfoot|th|thead|tr|ul"
)
_BLOCK_TAG: Final = re.compile(rf"<(?=/?(?:{_BLOCK_NAMES}|{_BLOCK_NAMES.upper()})[\s/>])".encode())  # on UTF-8
_NORMALIZED_TEXT: Final = etree.XPath("normalize-space()")  # collapses XML whitespace, in C
_CRUDE_INVISIBLE: Final = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_CRUDE_TAG: Final = re.compile(r"<[^>]*>")


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags removed, script/style content dropped, entities decoded,
    whitespace runs collapsed to one space, stripped. Never raises on odd markup."""
    if "<" not in markup:
        if "&" in markup:
            markup = html.unescape(markup)
        return " ".join(markup.split())
    # Framed by separators exactly as inside a batch (see html_texts), so that both read it alike.
    root = _parse_html(_prepare_html(_SEPARATOR + markup + _SEPARATOR))
    if root is None:
        return _crude_html_to_text(markup)
    if _INVISIBLE_TAG.search(markup):
        etree.strip_elements(root, *_INVISIBLE_ELEMENTS, with_tail=False)
    return _tidy(_normalized_text(root).replace(_SEPARATOR, ""))


def _prepare_html(markup: str) -> bytes:
    """UTF-8 for libxml2, with no-break spaces made plain (so that normalize-space() collapses them too) and a
    space before every block tag."""
    if "\xa0" in markup:
        markup = markup.replace("\xa0", " ")
    if "&nbsp;" in markup:
        markup = markup.replace("&nbsp;", " ")
    return _BLOCK_TAG.sub(b" <", markup.encode("utf-8", "replace"))


def _parse_html(prepared: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(prepared, _HTML_PARSER)
    except (etree.LxmlError, ValueError):
        return None


def _normalized_text(root: etree._Element) -> str:
    return str(_NORMALIZED_TEXT(root))


def _tidy(text: str) -> str:
    """Finish normalize-space() output. What it leaves (other Unicode spaces, a no-break space written as a
    character reference, U+FEFF) is non-printable, and only then is the full collapse needed."""
    text = text.strip(" ")
    if text.isprintable():
        return text
    return " ".join(text.replace("\ufeff", "").split())


def _crude_html_to_text(markup: str) -> str:
    """Regex fallback for markup libxml2 refuses outright (it hardly ever does)."""
    text = _CRUDE_TAG.sub(" ", _CRUDE_INVISIBLE.sub(" ", markup))
    return " ".join(html.unescape(text).split())


# Elements whose presence in a batch means a fragment may have reached into the next (raw text and RCDATA
# elements, tables, selects, frames, a <meta> charset); the batch is then redone without those fragments.
_UNBATCHABLE_ELEMENTS: Final = _INVISIBLE_ELEMENTS + (
    "title", "textarea", "xmp", "plaintext", "listing", "table", "caption", "colgroup", "col", "thead", "tbody",
    "tfoot", "tr", "td", "th", "select", "option", "optgroup", "datalist", "frameset", "frame", "meta",
)
# The same in the markup, plus comments, PIs, bogus end tags and document structure tags (lower-cased markup).
_UNBATCHABLE_MARKUP: Final = re.compile(
    rf"<[!?]|</(?![a-z])|</?(?:{'|'.join(_UNBATCHABLE_ELEMENTS + ('html', 'head', 'body'))})[\s/>]"
)
# Explicit document structure tags change what libxml2 keeps around them (text after </html> is dropped).
_STRUCTURE_TAG: Final = re.compile(rb"</?(?:html|head|body)[\s/>]")  # in lower-cased UTF-8
_SEPARATOR: Final = "\ue000"  # a private-use character around and between the fragments of a batch


def html_texts(markups: Sequence[str]) -> list[str]:
    """`html_to_text` of each fragment, converting the fragments together in one libxml2 parse.

    A fragment's text never depends on its neighbours. Every fragment is parsed between two separators, alone
    or in a batch. A batch is accepted only when it has no html/head/body tag, every separator survived (no
    unclosed quote, tag or comment swallowed one) and no element that could carry one fragment into the next
    was parsed; otherwise the fragments that could are converted alone and the rest batched again.
    """
    texts = [""] * len(markups)
    batch: list[int] = []
    for index, markup in enumerate(markups):
        if "<" in markup and _SEPARATOR not in markup:
            batch.append(index)
        else:
            texts[index] = html_to_text(markup)
    if not _convert_batch(markups, batch, texts):
        safe = [index for index in batch if not _UNBATCHABLE_MARKUP.search(markups[index].lower())]
        if not _convert_batch(markups, safe, texts):
            safe = []
        converted = set(safe)
        for index in batch:
            if index not in converted:
                texts[index] = html_to_text(markups[index])
    return texts


def _convert_batch(markups: Sequence[str], batch: list[int], texts: list[str]) -> bool:
    """Fill texts[i] for every i in `batch` from one parse; False (texts untouched) when the batch is unsafe."""
    if len(batch) < 2:
        for index in batch:
            texts[index] = html_to_text(markups[index])
        return True
    prepared = _prepare_html(_SEPARATOR + _SEPARATOR.join([markups[index] for index in batch]) + _SEPARATOR)
    if _STRUCTURE_TAG.search(prepared.lower()):
        return False
    root = _parse_html(prepared)
    if root is None or next(root.iter(*_UNBATCHABLE_ELEMENTS), None) is not None:
        return False
    parts = _normalized_text(root).split(_SEPARATOR)
    if len(parts) != len(batch) + 2:
        return False
    for index, part in zip(batch, parts[1:-1]):
        texts[index] = _tidy(part)
    return True


def _collapse(text: str) -> str:
    return " ".join(text.split())


_HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
_PLAIN: Final = "text/plain"
_HTML: Final = "text/html"
_XHTML: Final = "application/xhtml+xml"

# A text field of an entry in the making: final text, or the index of its HTML in the document's _TextQueue.
_Slot: TypeAlias = "str | int"


class _TextQueue:
    """The text fields of one document. Plain text is finished at once; HTML is queued, and `finish()`
    converts it all with `html_texts` (one libxml2 parse per document instead of one per field)."""

    __slots__ = ("_markups",)

    def __init__(self) -> None:
        self._markups: list[str] = []

    def html(self, markup: str) -> _Slot:
        if "<" not in markup:
            return html_to_text(markup)
        self._markups.append(markup)
        return len(self._markups) - 1

    def typed(self, value: str, content_type: str | None) -> _Slot:
        """A feedparser text construct value, by its content type."""
        if content_type in _HTML_TYPES:
            return self.html(value)
        if content_type is None or content_type.startswith("text/"):
            return _collapse(value)
        return ""

    def finish(self) -> list[str]:
        return html_texts(self._markups)


# A FeedEntry whose text fields may still wait in the _TextQueue, as FeedEntry's fields in order
# (guid, link, title, summary, content, published, updated, author). A tuple: entries are many, and hot.
_Draft: TypeAlias = "tuple[str | None, str | None, _Slot, _Slot, _Slot, str | None, str | None, str | None]"


def _feed(title: _Slot, link: str | None, drafts: list[_Draft], queue: _TextQueue, parser: str) -> ParsedFeed:
    texts = queue.finish()
    entries = tuple(
        FeedEntry(
            guid=guid,
            link=entry_link,
            title=texts[entry_title] if isinstance(entry_title, int) else entry_title,
            summary=texts[summary] if isinstance(summary, int) else summary,
            content=texts[content] if isinstance(content, int) else content,
            published=published,
            updated=updated,
            author=author,
        )
        for guid, entry_link, entry_title, summary, content, published, updated, author in drafts
    )
    return ParsedFeed(title=texts[title] if isinstance(title, int) else title, link=link, entries=entries,
                      parser=parser)


# --------------------------------------------------------------------------------------------------------------
# Field finishing shared by both paths

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
    if not value:
        return None
    link = value.strip()
    if link.startswith(("https://", "http://")):
        return link
    if not link:
        return None
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
    if not value:
        return None
    return value.strip() or None


_ADDRESS: Final = re.compile(r"(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?:\?subject=\S+)?")
_EMPTY_BRACKETS: Final = re.compile(r"\(\s*\)|<\s*>|\[\s*\]|&lt;\s*&gt;")


def _choose_author(raw: str | None, name: str | None, email: str | None) -> str | None:
    """The author's display name from feedparser's `author` string and its (name, email) split.

    feedparser's split is kept when it rebuilds the string it came from (Atom <name>/<email>, or RSS
    "Jane Doe (jane@example.org)"); otherwise, e.g. its e-mail pattern cut "jane@news.example" short,
    the raw string is split again here.
    """
    if name:
        rebuilt = f"{name} ({email})" if email else name
        if raw is None or raw == rebuilt:
            return _collapse(name) or None
    return _name_without_address(raw) if raw else None


def _name_without_address(text: str) -> str | None:
    """ "editor@news.example (Jonas Achterberg)" -> "Jonas Achterberg"; a bare address -> None."""
    text = _EMPTY_BRACKETS.sub(" ", _ADDRESS.sub(" ", text)).strip()
    while len(text) > 1 and (text[0], text[-1]) in (("(", ")"), ("<", ">"), ("[", "]")):
        text = text[1:-1].strip()
    return _collapse(text) or None


# --------------------------------------------------------------------------------------------------------------
# The feedparser path


def parse_with_feedparser(body: bytes, url: str = "") -> ParsedFeed:
    """Parse with feedparser (given the bytes only, never a URL or a path) and map its result."""
    if not body or not body.strip():
        raise FeedParseError("empty body: expected an RSS or Atom document")
    # A BytesIO, because feedparser.parse() would treat bare bytes naming a file or URL as something to open.
    # No sanitizing or URI rewriting of embedded HTML: we only ever keep its text (html_to_text drops scripts),
    # and feedparser's re-serialisation alters text ("&bogus;" -> "&amp;bogus", text after a stray </script>).
    result = feedparser.parse(io.BytesIO(_escape_bare_ampersands(body)), sanitize_html=False,
                              resolve_relative_uris=False)
    feed: Mapping[str, Any] = result.get("feed") or {}
    raw_entries: list[Mapping[str, Any]] = result.get("entries") or []
    version: str = result.get("version") or ""
    if not raw_entries and not _string(feed, "title") and not version:
        raise FeedParseError(_not_a_feed_message(body, result.get("bozo_exception")))
    queue = _TextQueue()
    title = _detail_text(feed, "title", queue)
    is_atom = version.startswith("atom")
    drafts = [_draft_from_feedparser(entry, url, is_atom, queue) for entry in raw_entries]
    return _feed(title, _finish_link(_string(feed, "link"), url), drafts, queue, "feedparser")


def _draft_from_feedparser(entry: Mapping[str, Any], url: str, is_atom: bool, queue: _TextQueue) -> _Draft:
    # dict.get, not FeedParserDict.get: the latter maps a missing `updated` to `published` (with a warning).
    title = _detail_text(entry, "title", queue)
    # feedparser copies content into `summary` when there is no summary element; `summary_detail` tells them apart.
    summary = _detail_text(entry, "summary", queue) if isinstance(dict.get(entry, "summary_detail"), dict) else ""
    content: _Slot = ""
    contents = dict.get(entry, "content")
    if isinstance(contents, list) and contents and isinstance(contents[0], dict):
        content = queue.typed(contents[0].get("value") or "", contents[0].get("type"))
    published = _iso_utc(dict.get(entry, "published_parsed"))
    updated = _iso_utc(dict.get(entry, "updated_parsed"))
    if published is None and not is_atom:
        published = updated  # RSS: dc:date (feedparser files it under `updated`) stands in for pubDate
    author_detail = dict.get(entry, "author_detail")
    name = email = None
    if isinstance(author_detail, dict):
        name, email = author_detail.get("name"), author_detail.get("email")
    author = _choose_author(_string(entry, "author"), name if isinstance(name, str) else None,
                            email if isinstance(email, str) else None)
    link = _finish_link(_string(entry, "link"), url)
    return _finish_guid(_string(entry, "id")), link, title, summary, content, published, updated, author


def _string(container: Mapping[str, Any], key: str) -> str | None:
    value = dict.get(container, key)  # type: ignore[call-overload]
    return value if isinstance(value, str) else None


def _detail_text(container: Mapping[str, Any], key: str, queue: _TextQueue) -> _Slot:
    value = _string(container, key)
    if value is None:
        return ""
    detail = dict.get(container, key + "_detail")  # type: ignore[call-overload]
    return queue.typed(value, detail.get("type") if isinstance(detail, dict) else _PLAIN)


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


# --------------------------------------------------------------------------------------------------------------
# The fast path: lxml, reading each element the way feedparser's handlers would, or declining.

_XML_PARSER: Final = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
    remove_comments=True, remove_pis=True, strip_cdata=True, collect_ids=False,
)

_ATOM_NS: Final = "http://www.w3.org/2005/Atom"
_RSS10_NAMESPACES: Final = frozenset({"http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/"})

# feedparser's namespace URI -> prefix table; handlers are named _start_<prefix>_<localname>.
_NS_PREFIX: Final[dict[str, str]] = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
_STANDARD_PREFIXES: Final = frozenset(prefix for prefix in _NS_PREFIX.values() if prefix)


class _Role(enum.IntEnum):
    """What an element means to the fields we read (decided by the feedparser handler its name selects)."""

    # An entry holds at most one element of each of these first seven (they index a list).
    TITLE = 0
    SUMMARY = 1
    CONTENT = 2
    PUBLISHED = 3
    UPDATED = 4
    AUTHOR = 5
    GUID = 6
    LINK = 7
    PERSON_PART = 8  # name/email/uri inside an author
    ENTRY = 9
    FEED = 10
    IMAGE = 11  # image/textinput: their title and link belong to them, not to the feed
    HARMLESS = 12  # has a feedparser handler that touches none of our fields
    UNKNOWN = 13  # no handler: feedparser stores it under its own name
    UNSUPPORTED = 14


_ENTRY_FIELDS: Final = 7  # _Role.TITLE .. _Role.GUID
_INERT_ROLES: Final = frozenset({_Role.HARMLESS, _Role.UNKNOWN, _Role.PERSON_PART})

_ROLE_BY_HANDLER: Final[dict[str, _Role]] = {
    **dict.fromkeys(("title", "dc_title", "media_title"), _Role.TITLE),
    **dict.fromkeys(("description", "dc_description", "media_description", "summary", "itunes_summary"), _Role.SUMMARY),
    **dict.fromkeys(("content", "content_encoded", "fullitem"), _Role.CONTENT),
    "link": _Role.LINK,
    **dict.fromkeys(("guid", "id"), _Role.GUID),
    **dict.fromkeys(("published", "pubdate", "issued", "dcterms_issued"), _Role.PUBLISHED),
    **dict.fromkeys(("updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"), _Role.UPDATED),
    **dict.fromkeys(("author", "managingeditor", "dc_author", "dc_creator", "itunes_author"), _Role.AUTHOR),
    **dict.fromkeys(("name", "email", "uri", "url", "homepage", "itunes_name", "itunes_email"), _Role.PERSON_PART),
    **dict.fromkeys(("item", "entry"), _Role.ENTRY),
    **dict.fromkeys(("rss", "channel", "feed"), _Role.FEED),
    **dict.fromkeys(("image", "textinput"), _Role.IMAGE),
    **dict.fromkeys((
        "category", "keywords", "dc_subject", "media_category", "itunes_category", "itunes_keywords", "media_keywords",
        "tags", "enclosure", "cloud", "generator", "language", "dc_language", "rights", "copyright", "dc_rights",
        "subtitle", "tagline", "itunes_subtitle", "info", "feedburner_browserfriendly", "created", "dcterms_created",
        "expirationdate", "dcterms_valid", "newlocation", "webmaster", "dc_publisher", "width", "height",
        "contributor", "dc_contributor", "itunes_owner", "itunes_image", "itunes_link", "itunes_block",
        "itunes_explicit", "media_content", "media_thumbnail", "media_player", "media_credit", "media_rating",
        "media_restriction", "media_license", "media_group", "cc_license", "creativecommons_license",
        "psc_chapters", "psc_chapter", "georss_point", "georss_line", "georss_polygon", "georss_box",
        "georss_where", "where", "gml_point", "gml_linestring", "gml_linearring", "gml_exterior", "gml_polygon",
        "gml_pos", "gml_poslist", "source",
    ), _Role.HARMLESS),
}
_DEFAULT_TYPE: Final[dict[str, str]] = {
    "title": _PLAIN, "dc_title": _PLAIN, "media_title": _PLAIN,
    "description": _HTML, "dc_description": _HTML, "media_description": _HTML,
    "summary": _PLAIN, "itunes_summary": _PLAIN,
    "content": _PLAIN, "content_encoded": _HTML, "fullitem": _HTML,
}
# Keys we read from feedparser's dicts; an unhandled element of that name would overwrite them.
_READ_KEYS: Final = frozenset({
    "id", "link", "links", "title", "title_detail", "summary", "summary_detail", "description_detail", "content",
    "published_parsed", "updated_parsed", "date_parsed", "modified_parsed", "issued_parsed", "author",
    "author_detail", "authors", "guidislink",
})
_IMAGE_PARTS: Final = {
    "image": frozenset({"title", "link", "description", "url", "href", "width", "height"}),
    "textinput": frozenset({"title", "link", "description", "name"}),
}
# tag -> (role, key); None when the answer depends on the prefix (unknown namespace), see _PREFIXED_CACHE.
_TAG_CACHE: dict[str, tuple[_Role, str] | None] = {}
_PREFIXED_CACHE: dict[tuple[str, str | None], tuple[_Role, str]] = {}


def _role_of_key(key: str) -> _Role:
    role = _ROLE_BY_HANDLER.get(key)
    if role is not None:
        return role
    if hasattr(StrictFeedParser, "_start_" + key) or hasattr(StrictFeedParser, "_end_" + key):
        return _Role.UNSUPPORTED
    return _Role.UNSUPPORTED if key in _READ_KEYS else _Role.UNKNOWN


def _handler_key(prefix: str, local: str) -> str:
    return f"{prefix.lower()}_{local}" if prefix else local


def _classify_uncached(tag: str, prefix: str | None) -> tuple[_Role, str]:
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    namespace = namespace.lower()
    if "backend.userland.com/rss" in namespace:
        namespace = "http://backend.userland.com/rss"
    local = local.lower()
    known = _NS_PREFIX.get(namespace)
    if known is not None:
        key = _handler_key(known, local)
        return _role_of_key(key), key
    # Unknown namespace: feedparser names the element with some declared prefix, or none; judge both readings.
    key = _handler_key(prefix or "", local)
    if _role_of_key(key) is _Role.UNKNOWN and _role_of_key(local) is _Role.UNKNOWN:
        return _Role.UNKNOWN, key
    return _Role.UNSUPPORTED, key


def _classify(element: etree._Element) -> tuple[_Role, str]:
    tag = element.tag
    try:
        found = _TAG_CACHE[tag]
    except KeyError:
        if not isinstance(tag, str):  # comments and PIs are removed by the parser; entities mean a DTD
            raise FastPathDeclined(f"unexpected node {element!r}") from None
        found = _TAG_CACHE[tag] = _classify_tag(tag)
    if found is not None:
        return found
    cache_key = (tag, element.prefix)
    found = _PREFIXED_CACHE.get(cache_key)
    if found is None:
        found = _PREFIXED_CACHE[cache_key] = _classify_uncached(tag, element.prefix)
    return found


def _classify_tag(tag: str) -> tuple[_Role, str] | None:
    """The classification when the tag alone decides it (no namespace, or one feedparser knows)."""
    namespace = tag[1:].partition("}")[0].lower() if tag.startswith("{") else ""
    if namespace in _NS_PREFIX or "backend.userland.com/rss" in namespace:
        return _classify_uncached(tag, None)
    return None


def _fp_attributes(element: etree._Element) -> dict[str, str]:
    """Attributes keyed as feedparser's strict parser keys them: lower-case, known namespaces prefixed, and
    every attribute also under its bare local name; `rel` and `type` values lower-cased."""
    attributes: dict[str, str] = {}
    items = element.attrib.items()
    for name, value in items:
        if name.startswith("{"):
            namespace, _, local = name[1:].partition("}")
            prefix = _NS_PREFIX.get(namespace.lower(), "")
            attributes[(f"{prefix}:{local}" if prefix else local).lower()] = value
        else:
            attributes[name.lower()] = value
    for name, value in items:
        attributes[name.rpartition("}")[2].lower()] = value
    for key in ("rel", "type"):
        if key in attributes:
            attributes[key] = attributes[key].lower()
    return attributes


def _local_attribute(element: etree._Element, name: str, default: str) -> str:
    """The attribute whose lower-cased local name is `name` (feedparser keys every attribute that way too)."""
    value = default
    if element.attrib:
        for attribute, found in element.attrib.items():
            if attribute.rpartition("}")[2].lower() == name:
                value = found
    return value


def _map_content_type(content_type: str) -> str:
    content_type = content_type.lower()
    return {"text": _PLAIN, "plain": _PLAIN, "html": _HTML, "xhtml": _XHTML}.get(content_type, content_type)


_C1_CONTROLS: Final = re.compile("[\x80-\x9f]")


def _fp_fixups(text: str) -> str:
    """feedparser's last touches on every text value: undo UTF-8 read as Latin-1, map C1 controls to cp1252."""
    if text.isascii():
        return text
    try:
        text = text.encode("iso-8859-1").decode("utf-8")
    except UnicodeError:
        pass
    if _C1_CONTROLS.search(text):
        text = text.translate(_cp1252)
    return text


_ENTITY_LIKE: Final = re.compile("&([A-Za-z0-9_]+);")
_BASE_ATTRIBUTE: Final = re.compile(rb"base\s*=")  # searched in the lower-cased body
_EMAIL: Final = re.compile(  # feedparser's own pattern (mixin._sync_author_detail)
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"""
    r"""([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""
)


@dataclass(slots=True)
class _Document:
    """What the element readers need to know about the document being read."""

    url: str
    is_atom: bool
    bases: dict[etree._Element, str] | None  # xml:base in effect at each element; None when there is none
    queue: _TextQueue

    def base_of(self, element: etree._Element) -> str:
        return "" if self.bases is None else self.bases.get(element, "")


def parse_fast(body: bytes, url: str = "") -> ParsedFeed:
    """Read a well-formed RSS 2.0 / RSS 1.0 / Atom 1.0 document with lxml.

    Raises FastPathDeclined for anything it is not sure to read exactly like `parse_with_feedparser`.
    """
    if not body.strip():
        raise FastPathDeclined("empty body")
    try:
        root = etree.fromstring(body, _XML_PARSER)
    except etree.XMLSyntaxError as error:
        raise FastPathDeclined(f"not well-formed XML: {error}") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise FastPathDeclined("document has a DOCTYPE")
    _check_encoding(body, info.encoding)
    _check_prefixes(root)
    key = _classify(root)[1]
    namespaces = {uri.lower() for uri in root.nsmap.values()}
    drafts: list[_Draft] = []
    if key == "rss":
        document = _document(root, body, url, is_atom=False)
        title, link = _read_rss_root(root, document, drafts)
    elif key == "rdf_rdf":
        if not namespaces & _RSS10_NAMESPACES or _ATOM_NS.lower() in namespaces:
            raise FastPathDeclined("RSS 1.0 document with ambiguous namespaces")
        document = _document(root, body, url, is_atom=False)
        title, link = _read_rdf_root(root, document, drafts)
    elif key == "feed" and root.tag == f"{{{_ATOM_NS}}}feed":
        if namespaces & _RSS10_NAMESPACES:
            raise FastPathDeclined("Atom document that also declares RSS 1.0")
        document = _document(root, body, url, is_atom=True)
        title, link = _read_feed_children(root, document, drafts)
    else:
        raise FastPathDeclined(f"unknown root element {root.tag!r}")
    return _feed(title, _finish_link(link, url), drafts, document.queue, "fast")


def _document(root: etree._Element, body: bytes, url: str, *, is_atom: bool) -> _Document:
    bases = _simulate_bases(root) if _BASE_ATTRIBUTE.search(body.lower()) else None
    return _Document(url=url, is_atom=is_atom, bases=bases, queue=_TextQueue())


def _check_encoding(body: bytes, declared: str | None) -> None:
    """Accept only encodings where lxml and feedparser surely decode the same characters."""
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or body[:1] == b"\x00":
        raise FastPathDeclined("UTF-16/32 document")
    try:
        name = codecs.lookup(declared or "utf-8").name
    except LookupError:
        raise FastPathDeclined(f"unknown encoding {declared!r}") from None
    if body.startswith(codecs.BOM_UTF8) and name != "utf-8":
        raise FastPathDeclined("UTF-8 byte order mark on a document declared otherwise")
    if name not in ("utf-8", "ascii", "iso8859-1", "iso8859-15", "cp1252"):
        raise FastPathDeclined(f"encoding {name} is left to feedparser")
    if name in ("iso8859-15", "cp1252"):
        try:
            body.decode(name)
        except UnicodeDecodeError:
            raise FastPathDeclined(f"bytes undefined in {name}") from None


def _check_prefixes(root: etree._Element) -> None:
    """feedparser remaps document prefixes onto its standard ones; a standard prefix bound elsewhere confuses it."""
    for prefix, uri in root.nsmap.items():
        if not prefix:
            continue
        standard = _NS_PREFIX.get(uri.lower())
        if standard is not None and standard != prefix and prefix in _STANDARD_PREFIXES:
            raise FastPathDeclined(f"prefix {prefix!r} bound to {uri!r}")


def _simulate_bases(root: etree._Element) -> dict[etree._Element, str]:
    """The base URI feedparser holds at each element start, xml:base quirks included (it starts from "")."""
    bases: dict[etree._Element, str] = {}
    stack: list[str] = []
    current = ""
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            attributes = _fp_attributes(element) if element.attrib else {}
            declared = attributes.get("xml:base", attributes.get("base")) or current
            if current:
                current = make_safe_absolute_uri(current, declared) or current
            else:
                current = _urljoin(current, declared)
            stack.append(current)
            bases[element] = current
        else:
            stack.pop()
            if stack and stack[-1]:
                current = stack[-1]
    return bases


def _read_rss_root(root: etree._Element, document: _Document, drafts: list[_Draft]) -> tuple[_Slot, str | None]:
    channels = [child for child in root if _classify(child)[1] == "channel"]
    if len(channels) != 1:
        raise FastPathDeclined(f"{len(channels)} <channel> elements")
    for child in root:
        if child is not channels[0]:
            _require_inert(child, *_classify(child))
    return _read_feed_children(channels[0], document, drafts)


def _read_rdf_root(root: etree._Element, document: _Document, drafts: list[_Draft]) -> tuple[_Slot, str | None]:
    children = list(root)
    if not children or _classify(children[0])[1] != "channel":
        raise FastPathDeclined("RSS 1.0 channel is not the first element")
    title, link = _read_feed_children(children[0], document, drafts, entries_allowed=False)
    for child in children[1:]:
        role, key = _classify(child)
        if role is _Role.ENTRY and key == "item":
            drafts.append(_read_entry(child, document))
        elif role is _Role.IMAGE:
            _check_image(child, key)
        else:
            _require_inert(child, role, key)
    return title, link


def _read_feed_children(container: etree._Element, document: _Document, drafts: list[_Draft],
                        *, entries_allowed: bool = True) -> tuple[_Slot, str | None]:
    """Feed-level title and link from a channel/feed element; its entries are appended to `drafts`."""
    entry_key = "entry" if document.is_atom else "item"
    title_element: etree._Element | None = None
    title_key = ""
    link: str | None = None
    for child in container:
        role, key = _classify(child)
        if role is _Role.ENTRY:
            if not entries_allowed or key != entry_key:
                raise FastPathDeclined(f"<{key}> in an unexpected place")
            drafts.append(_read_entry(child, document))
        elif role is _Role.TITLE:
            if title_element is not None:
                raise FastPathDeclined("several feed titles")
            title_element, title_key = child, key
        elif role is _Role.LINK:
            link = _link_value(child, document, link, in_entry=False)
        elif role is _Role.GUID:
            value, is_link = _guid_value(child, document)
            if is_link and link is None:
                link = value
        elif role is _Role.IMAGE:
            _check_image(child, key)
        elif role in (_Role.SUMMARY, _Role.CONTENT):
            pass  # feed subtitle and the like: feedparser does not dispatch elements inside text constructs
        elif role in (_Role.PUBLISHED, _Role.UPDATED, _Role.AUTHOR, _Role.PERSON_PART):
            _require_inert_descendants(child)
        else:
            _require_inert(child, role, key)
    title = _text_value(title_element, title_key, document) if title_element is not None else ""
    return title, link


def _require_inert(element: etree._Element, role: _Role, key: str) -> None:
    if role not in _INERT_ROLES:
        raise FastPathDeclined(f"<{key}> in an unexpected place")
    _require_inert_descendants(element)


def _require_inert_descendants(element: etree._Element) -> None:
    if len(element):
        for descendant in element.iterdescendants():
            role, key = _classify(descendant)
            if role not in _INERT_ROLES:
                raise FastPathDeclined(f"<{key}> nested in an unexpected place")


def _check_image(element: etree._Element, key: str) -> None:
    allowed = _IMAGE_PARTS[key]
    for child in element:
        if _classify(child)[1] not in allowed or len(child):
            raise FastPathDeclined(f"unexpected content in <{key}>")


def _read_entry(item: etree._Element, document: _Document) -> _Draft:
    guid: str | None = None
    link: str | None = None  # None: no link yet (feedparser's "'link' not in context")
    if item.attrib:
        attributes = _fp_attributes(item)
        if "href" in attributes or "lastmod" in attributes:
            raise FastPathDeclined("CDF-style item attributes")
        guid = attributes.get("rdf:about") or None
    found: list[etree._Element | None] = [None] * _ENTRY_FIELDS
    keys = [""] * _ENTRY_FIELDS
    for child in item:
        role, key = _TAG_CACHE.get(child.tag) or _classify(child)
        if role < _ENTRY_FIELDS:
            if found[role] is not None:
                raise FastPathDeclined(f"several {role.name.lower()} elements in one entry")
            found[role] = child
            keys[role] = key
            if role is _Role.GUID:
                guid, is_link = _guid_value(child, document)
                if is_link and link is None:
                    link = guid
        elif role is _Role.LINK:
            link = _link_value(child, document, link, in_entry=True)
        else:
            _require_inert(child, role, key)
    title, summary, content, published_element, updated_element, author, _ = found
    published = _date_iso(_fp_fixups(_leaf_text(published_element))) if published_element is not None else None
    updated = _date_iso(_fp_fixups(_leaf_text(updated_element))) if updated_element is not None else None
    if published is None and not document.is_atom:
        published = updated
    return (
        _finish_guid(guid),
        _finish_link(link, document.url),
        _text_value(title, keys[_Role.TITLE], document) if title is not None else "",
        _text_value(summary, keys[_Role.SUMMARY], document) if summary is not None else "",
        _text_value(content, keys[_Role.CONTENT], document) if content is not None else "",
        published,
        updated,
        _author_name(author) if author is not None else None,
    )


def _leaf_text(element: etree._Element) -> str:
    if len(element):
        raise FastPathDeclined(f"markup inside <{_classify(element)[1]}>")
    return (element.text or "").strip()


def _text_value(element: etree._Element, key: str, document: _Document) -> _Slot:
    """A title/summary/content element as plain text, typed as feedparser types it."""
    content_type = _DEFAULT_TYPE.get(key, _PLAIN)
    if element.attrib:
        attributes = _fp_attributes(element)
        if "mode" in attributes or "src" in attributes:
            raise FastPathDeclined(f"<{key}> with mode/src")
        content_type = _map_content_type(attributes.get("type", content_type))
    if content_type == _XHTML:
        return document.queue.html(_xhtml_markup(element))
    if content_type not in (_PLAIN, _HTML):
        raise FastPathDeclined(f"<{key}> of type {content_type}")
    text = _leaf_text(element)
    if content_type == _PLAIN and not document.is_atom and _may_look_like_html(text):
        content_type = _HTML
    text = _fp_fixups(text)
    return document.queue.html(text) if content_type == _HTML else _collapse(text)


def _may_look_like_html(text: str) -> bool:
    """feedparser's guess, skipped when its first condition (a close tag or an entity) cannot hold."""
    return ("</" in text or "&" in text) and bool(_FeedParserMixin.looks_like_html(text))


def _xhtml_markup(element: etree._Element) -> str:
    """Inline XHTML as feedparser rebuilds it: bare lower-case tag names, text escaped."""
    clone = copy.deepcopy(element)
    clone.tail = None
    for node in clone.iter():
        if not isinstance(node.tag, str):
            raise FastPathDeclined("unexpected node in XHTML content")
        local = etree.QName(node).localname.lower()
        if local in ("svg", "math"):
            raise FastPathDeclined("SVG/MathML in XHTML content")
        node.tag = local
        node.attrib.clear()
    clone.tag = "div"
    etree.cleanup_namespaces(clone)
    return _fp_fixups(etree.tostring(clone, method="html", encoding="unicode").strip())


def _link_value(element: etree._Element, document: _Document, current: str | None, *, in_entry: bool) -> str | None:
    """The link after this <link> element, as feedparser's _start_link/pop would leave it."""
    if element.attrib:
        attributes = _fp_attributes(element)
        rel = attributes.setdefault("rel", "alternate")
        link_type = attributes.setdefault("type", "application/atom+xml" if rel == "self" else "text/html")
        href = attributes.get("url", attributes.get("uri", attributes.get("href")))
        if href:
            attributes["href"] = href
        if "href" in attributes:
            if rel == "alternate" and _map_content_type(link_type) in _HTML_TYPES:
                return _resolve(document.base_of(element), attributes["href"])
            return current
    value = _leaf_text(element)
    if value:
        value = _fp_fixups(_resolve(document.base_of(element), value))
    if "&" in value:
        if in_entry:
            value = value.replace("&amp;", "&")
        value = _ENTITY_LIKE.sub(r"&\g<1>", value)
    return value


def _resolve(base: str, value: str) -> str:
    """feedparser's resolve_uri(); with no base its only effect is folding "scheme:///x" to "scheme://x"."""
    if not base and ":///" not in value:
        return value
    return _urljoin(base, value)


def _guid_value(element: etree._Element, document: _Document) -> tuple[str, bool]:
    """(value, is_permalink): guid/id text, resolved like feedparser does when it may serve as the link."""
    is_link = _local_attribute(element, "ispermalink", "true") == "true"
    value = _leaf_text(element)
    if value and is_link:
        value = _resolve(document.base_of(element), value)
    return _fp_fixups(value), is_link


_RFC822_DATE: Final = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?([0-9]{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-][0-9]{4}|GMT|UTC|UT|Z)"
)
_W3C_DATE: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_MONTHS: Final = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}


def _date_iso(text: str) -> str | None:
    """A feed date as ISO 8601 UTC, exactly `_iso_utc(feedparser's _parse_date(text))`.

    The two canonical shapes ("Wed, 14 Feb 2024 10:00:00 +0000" and "2024-02-14T10:00:00Z") are computed here
    with feedparser's own arithmetic (its w3dtf handler, tried first, rejects the first shape and reads the
    second; its rfc822 handler reads the first), three times faster; a test holds the two to agreement.
    Anything else, and any value that arithmetic rejects, goes to feedparser's parser.
    """
    if match := _RFC822_DATE.fullmatch(text):
        day_text, month_name, year_text, hour, minute, second, zone = match.groups()
        day, month, year = int(day_text), _MONTHS[month_name], int(year_text)
        zone_hours, zone_minutes = (int(zone[1:3]), int(zone[3:])) if zone[0] in "+-" else (0, 0)
    elif match := _W3C_DATE.fullmatch(text):
        year_text, month_text, day_text, hour, minute, second, zone = match.groups()
        year, month, day = int(year_text), int(month_text), int(day_text)
        zone_hours, zone_minutes = (int(zone[1:3]), int(zone[4:])) if zone != "Z" else (0, 0)
    else:
        return _iso_utc(_parse_date(text))
    try:
        stamp = dt.datetime(year, month, day, int(hour), int(minute), int(second))  # validates
        if not (zone_hours or zone_minutes):
            return f"{year:04d}-{month:02d}-{day:02d}T{hour}:{minute}:{second}+00:00"
        sign = -1 if zone[0] == "-" else 1
        stamp -= dt.timedelta(hours=sign * zone_hours, minutes=sign * zone_minutes)
    except (ValueError, OverflowError):
        return _iso_utc(_parse_date(text))
    return stamp.isoformat() + "+00:00"


def _author_name(element: etree._Element) -> str | None:
    """The author's name from an Atom person construct or an RSS "jane@example.org (Jane Doe)" string."""
    if not len(element):
        raw = _fp_fixups((element.text or "").strip())
        return _choose_author(raw, *_feedparser_author_split(raw))
    if (element.text or "").strip():
        raise FastPathDeclined("author with both text and child elements")
    name: str | None = None
    email: str | None = None
    for part in element:
        role, key = _classify(part)
        if role is not _Role.PERSON_PART or len(part):
            raise FastPathDeclined(f"<{key}> inside an author")
        if key in ("name", "itunes_name"):
            name = (part.text or "").strip()
        elif key in ("email", "itunes_email"):
            email = (part.text or "").strip()
    # feedparser's `author` string for a person: "name (email)", name, email, or the element's own text ("").
    raw = f"{name} ({email})" if name and email else name or email or ""
    return _choose_author(raw, name, email)


def _feedparser_author_split(author: str) -> tuple[str | None, str | None]:
    """feedparser's (name, email) split of an RSS author string (mixin._sync_author_detail)."""
    if "@" not in author:
        return author or None, None
    match = _EMAIL.search(author)
    email = match.group(0) if match else None
    if email:
        author = author.replace(email, "").replace("()", "").replace("<>", "").replace("&lt;&gt;", "")
        author = author.strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    return author or None, email
