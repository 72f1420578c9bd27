"""Slack Block Kit rendering of neutral messages and `/policy` replies: feed text escaped, inert as
mrkdwn and cut to Slack's size limits. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.core.commands import CommandReply
from bot.core.messages import Message, link_label
from bot.core.text import plain
from bot.core.topics import topic_name

SECTION_CHARS = 3000  # text of a section block
HEADER_CHARS = 150  # text of a header block
FIELD_CHARS = 2000  # one field of a section block
CONTEXT_CHARS = 2000  # one element of a context block
MAX_FIELDS = 10  # fields in one section block
MAX_BLOCKS = 50  # blocks in one message
TEXT_CHARS = 40_000  # the top-level `text` of a message
SECTIONS_PER_MESSAGE = 12  # body sections per posted message (≤ 36,000 characters): the rest goes to more posts
TITLE_CHARS = 300
METADATA_EVENT = "clausewatch_event"

Block = dict[str, Any]

# Slack reads `&`, `<` and `>` as markup (`<!channel>`, `<@U…>`, `<http://…|label>`): they are entity-escaped.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# mrkdwn has no escape character: inside a link label (the one place feed text meets mrkdwn) the
# formatting characters are swapped for look-alikes that Slack does not interpret.
_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})
# Percent-encoded in link targets: they would end the `<url|label>` markup or break the URL.
_URL_UNSAFE = str.maketrans({"|": "%7C", "<": "%3C", ">": "%3E", " ": "%20", '"': "%22"})
_TOKENS = re.compile(r"\S*\s*")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SlackPart:
    """One Slack post of a message: part `index` of `count` (long texts take several posts)."""

    index: int
    count: int
    text: str  # notification / accessibility fallback, escaped, sent with mrkdwn off
    blocks: list[Block]


def escape(text: str) -> str:
    """Entity-escape `&`, `<`, `>` so no text can become a mention, channel link or link."""
    return text.translate(_ESCAPES)


def escaped_len(text: str) -> int:
    """Length of `escape(text)`, without building it."""
    return len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))


def link_target(url: str | None) -> str | None:
    """The URL ready for `<target|label>` markup, or None unless it is a well-formed http(s) URL."""
    if not url:
        return None
    url = url.strip()
    if plain(url) != url or any(c.isspace() and c != " " for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return escape(url.translate(_URL_UNSAFE))


def split_text(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """Cut `text` into non-empty pieces whose escaped length is at most `limit`, at line ends when
    possible, else between words, else anywhere. Escape each piece afterwards."""
    chunks: list[str] = []
    buffer: list[str] = []
    size = 0
    for token in _tokens(text, limit):
        cost = escaped_len(token)
        if size + cost > limit and buffer:
            joined = "".join(buffer)
            cut = joined.rfind("\n") + 1
            head, rest = (joined[:cut], joined[cut:]) if cut > len(joined) // 2 else (joined, "")
            chunks.append(head)
            buffer, size = ([rest], escaped_len(rest)) if rest else ([], 0)
            if size + cost > limit:
                chunks.append(rest)
                buffer, size = [], 0
        buffer.append(token)
        size += cost
    if buffer:
        chunks.append("".join(buffer))
    return [chunk.strip() for chunk in chunks if chunk.strip()]


def _tokens(text: str, limit: int) -> Iterator[str]:
    """Words with their trailing white space; a token longer than `limit` (escaped) is cut up."""
    for match in _TOKENS.finditer(text):
        token = match.group()
        if not token:
            continue
        if escaped_len(token) <= limit:
            yield token
            continue
        piece: list[str] = []
        size = 0
        for char in token:
            cost = escaped_len(char)
            if size + cost > limit:
                yield "".join(piece)
                piece, size = [], 0
            piece.append(char)
            size += cost
        if piece:
            yield "".join(piece)


def _truncate(text: str, limit: int) -> str:
    """`text` escaped and cut so the result is at most `limit` characters (with `…` when cut)."""
    if escaped_len(text) <= limit:
        return escape(text)
    kept: list[str] = []
    size = 1
    for char in text:
        size += escaped_len(char)
        if size > limit:
            break
        kept.append(char)
    return escape("".join(kept).rstrip()) + "…"


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", plain(text)).strip()


def _plain_text(text: str) -> dict[str, Any]:
    """A plain_text object: mrkdwn is never interpreted in it; `text` must already be escaped."""
    return {"type": "plain_text", "text": text, "emoji": False}


def _section(escaped: str) -> Block:
    return {"type": "section", "text": _plain_text(escaped)}


def _context(escaped: str, mrkdwn: bool = False) -> Block:
    element = {"type": "mrkdwn", "text": escaped} if mrkdwn else _plain_text(escaped)
    return {"type": "context", "elements": [element]}


def _title_block(title: str, url: str | None) -> Block:
    """The title: a bold link for an http(s) URL, else a header (or a section when too long for one)."""
    target = link_target(url)
    if target:
        label = _truncate(title, SECTION_CHARS - len(target) - 8).translate(_LOOKALIKES)
        return {"type": "section", "text": {"type": "mrkdwn", "text": f"*<{target}|{label}>*"}}
    if escaped_len(title) <= HEADER_CHARS:
        return {"type": "header", "text": _plain_text(escape(title))}
    return _section(_truncate(title, SECTION_CHARS))


def page_markup(message: Message) -> str | None:
    """`<target|label>` linking `message`'s page in the web view ("Full diff", "Story"), or None without a
    well-formed http(s) link that fits a context block. The target is made safe by `link_target`, the label is ours."""
    target = link_target(message.link)
    markup = f"<{target}|{escape(link_label(message))}>" if target else None
    return markup if markup and len(markup) <= CONTEXT_CHARS else None


def message_metadata(key: str, part: SlackPart) -> dict[str, Any]:
    """The Slack message metadata that lets a later attempt find this post again."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key, "part": part.index, "parts": part.count}}


def render_message(message: Message, *, continues: bool = False, permalink: str | None = None) -> list[SlackPart]:
    """The posts for `message`: title, text, a context line (platform, topics, severity, event) and, when the
    message has a `link`, a context line linking its page in the web view (also at the end of the fallback).

    A text longer than one post allows is split over several posts, numbered; the caller posts the
    first where the message goes and the others in its thread. `continues` adds a first line saying the
    post carries on an earlier story (linking `permalink`, Slack's link to the old thread, when given).
    """
    title = _one_line(message.title)[:TITLE_CHARS] or message.event.replace("_", " ")
    chunks = split_text(plain(message.text))
    groups = [chunks[i : i + SECTIONS_PER_MESSAGE] for i in range(0, len(chunks), SECTIONS_PER_MESSAGE)] or [[]]
    count = len(groups)
    labels = " · ".join(filter(None, (message.platform, ", ".join(map(topic_name, message.topics)), message.severity,
                                      message.event)))
    page = page_markup(message)
    parts: list[SlackPart] = []
    for index, group in enumerate(groups, 1):
        blocks: list[Block] = []
        if index == 1:
            if continues:
                blocks.append(_continuation_block(permalink))
            blocks.append(_title_block(title, message.url))
        else:
            blocks.append(_context(_truncate(f"({index}/{count}) {title}", CONTEXT_CHARS)))
        blocks.extend(_section(escape(chunk)) for chunk in group)
        if index == 1:
            if labels:
                blocks.append(_context(_truncate(_one_line(labels), CONTEXT_CHARS)))
            if page:
                blocks.append(_context(page, mrkdwn=True))
            if count > 1:
                blocks.append(_context(escape(f"Part 1/{count}: the rest follows in the thread.")))
        if index == 1 and page:
            fallback = _truncate("\n".join((title, *group)), TEXT_CHARS - len(page) - 1) + "\n" + page
        else:
            fallback = _truncate("\n".join((title, *group)), TEXT_CHARS)
        parts.append(SlackPart(index=index, count=count, text=fallback, blocks=blocks))
    return parts


def _continuation_block(permalink: str | None) -> Block:
    target = link_target(permalink)
    if target:
        return _context(f"↪ Continues <{target}|an earlier thread>.", mrkdwn=True)
    return _context(escape("↪ Continues an earlier story whose first post is not available in this channel."))


def render_reply(reply: CommandReply) -> dict[str, Any]:
    """A `/policy` answer as keyword arguments for Bolt's `respond()`: ephemeral or in channel."""
    title = _one_line(reply.title)[:TITLE_CHARS] or "/policy"
    if not reply.ok:
        title = f"⚠ {title}"
    blocks: list[Block] = [_title_block(title, reply.url)]
    body = "\n".join(plain(line) for line in reply.lines)
    blocks.extend(_section(escape(chunk)) for chunk in split_text(body))
    fields = [_plain_text(_truncate(f"{plain(name)}\n{plain(value)}", FIELD_CHARS)) for name, value in reply.fields]
    blocks.extend({"type": "section", "fields": fields[i : i + MAX_FIELDS]} for i in range(0, len(fields), MAX_FIELDS))
    if len(blocks) > MAX_BLOCKS:
        hidden = len(blocks) - (MAX_BLOCKS - 1)
        blocks = blocks[: MAX_BLOCKS - 1] + [_context(escape(f"… {hidden} more blocks not shown."))]
    fallback_lines = [title, *(plain(line) for line in reply.lines), *(f"{n}: {v}" for n, v in reply.fields)]
    return {
        "text": _truncate("\n".join(fallback_lines), TEXT_CHARS),
        "blocks": blocks,
        "response_type": "ephemeral" if reply.ephemeral else "in_channel",
        "replace_original": False,
        "unfurl_links": False,
        "unfurl_media": False,
    }
