"""How Clausewatch looks on Discord: neutral messages and command replies as embeds within Discord's
limits, with feed text made inert (no mentions, markdown or masked links survive). Pure functions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import discord

from bot.core.commands import CommandReply
from bot.core.messages import Message, link_label
from bot.core.text import plain
from bot.core.topics import topic_name

# Discord's documented limits.
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
THREAD_NAME_LIMIT = 100
NONCE_LIMIT = 25
# Our own cap: a text longer than this many parts is cut, and the last part says so.
MAX_PARTS = 10

COLOURS: dict[str, discord.Colour] = {
    "high": discord.Colour(0xD83C3E),  # red
    "medium": discord.Colour(0xE67E22),  # orange
    "low": discord.Colour(0x7289A8),  # grey-blue
}
ERROR_COLOUR = discord.Colour(0xD83C3E)
NO_MENTIONS = discord.AllowedMentions.none()  # sent with every post and reply: nothing we send can ping

_ZWSP = "\u200b"
# [label](target) and [label](<target>), one level of parentheses inside the target.
_MASKED_LINK = re.compile(r"\[([^\[\]\n]*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)")
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
# <@user>, <@!user>, <@&role>, <#channel>, </command:id>, <id:browse> and similar.
_ANGLE_MENTION = re.compile(r"<(?=[@#/]|id:)")
# Percent-encoded in a masked link's target: they would end the `[label](target)` markup or start other markdown.
_TARGET_UNSAFE = str.maketrans({"(": "%28", ")": "%29", "[": "%5B", "]": "%5D", "<": "%3C", ">": "%3E",
                                "\\": "%5C", "`": "%60", '"': "%22"})
PAGE_FIELD = "Web view"


@dataclass(frozen=True, slots=True)
class Post:
    """One Discord message: optional text content and one embed."""

    content: str | None
    embed: discord.Embed


def inert(text: str) -> str:
    """Feed text made harmless for Discord markdown: no control or bidi characters, masked links turned
    into their label (plus the address when it is http(s)), markdown escaped, and mass, user, role and
    channel mentions broken with a zero-width space so they neither ping nor render."""
    text = plain(text)
    text = _MASKED_LINK.sub(_unmask, text)
    text = discord.utils.escape_markdown(text)
    text = _MASS_MENTION.sub(lambda m: f"@{_ZWSP}{m[1]}", text)
    return _ANGLE_MENTION.sub(f"<{_ZWSP}", text)


def _unmask(match: re.Match[str]) -> str:
    label, target = match[1].strip(), match[2].strip()
    if web_url(target):
        return f"{label} ({target})" if label and label != target else target
    return label


def web_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) address (the only kind put in an embed's link), else None."""
    if not url:
        return None
    url = plain(url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return None
    return url if len(url) <= 2048 else None


def page_link_markdown(message: Message) -> str | None:
    """`[label](target)` linking `message`'s page in the web view ("Full diff", "Story"), or None without an
    http(s) `link`; the target is percent-encoded so that it can neither end the link nor carry markdown."""
    url = web_url(message.link)
    if url is None:
        return None
    markdown = f"[{link_label(message)}]({url.translate(_TARGET_UNSAFE)})"
    return markdown if len(markdown) <= FIELD_VALUE_LIMIT else None


def cap(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, never ending on a lone escaping backslash."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + "…"


def nonce(key: str, part: int = 0) -> str:
    """The message nonce for part `part` of the event `key`: Discord de-duplicates a re-sent message with
    the same nonce. Keys can be long and share prefixes, so the nonce is a digest (25 characters)."""
    seed = key if part == 0 else f"{key}\x00{part}"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:NONCE_LIMIT]


def story_marker(key: str) -> str:
    """A short reference unique to one event, shown in its embeds' footer: a forum post (which takes no nonce) made
    by an attempt whose answer was lost is recognised by it after a restart, never by its title."""
    return f"ref {nonce(key)[:12]}" if key else ""


def thread_name(title: str) -> str:
    """A thread name (1–100 plain characters) from a message title. Names render neither markdown nor
    mentions; mention-like text is broken all the same so that no copy of it can ever ping."""
    name = " ".join(plain(title).split())
    name = _ANGLE_MENTION.sub(f"<{_ZWSP}", _MASS_MENTION.sub(lambda m: f"@{_ZWSP}{m[1]}", name))
    return cap(name, THREAD_NAME_LIMIT) or "Clausewatch"


def render_message(message: Message, *, content: str | None = None) -> list[Post]:
    """The posts for one message: the first carries title, link, labels (and, with a `link`, a field linking its
    page in the web view) and the start of the text; a text too long for one embed continues in further posts
    (at most MAX_PARTS in all)."""
    title = cap(inert(message.title) or message.event, TITLE_LIMIT)
    footer = cap(plain(" · ".join(filter(None, (message.event.replace("_", " "), message.source,
                                                 story_marker(message.key))))), FOOTER_LIMIT)
    fields = [(name, cap(inert(value), FIELD_VALUE_LIMIT)) for name, value in (
        ("Platform", message.platform or ""), ("Topics", ", ".join(map(topic_name, message.topics))),
        ("Severity", message.severity)) if value]
    page = page_link_markdown(message)
    used = len(title) + len(footer) + sum(len(name) + len(value) for name, value in fields)
    if page:
        used += len(PAGE_FIELD) + len(page)
    first_room = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - used)
    chunks = split_text(inert(message.text), first_room, DESCRIPTION_LIMIT, MAX_PARTS)
    colour = COLOURS.get(message.severity, COLOURS["low"])
    stamp = _timestamp(message.at)
    posts: list[Post] = []
    for index, chunk in enumerate(chunks or [""]):
        if index == 0:
            embed = discord.Embed(title=title, url=web_url(message.url), description=chunk or None, colour=colour,
                                  timestamp=stamp)
            for name, value in fields:
                embed.add_field(name=name, value=value, inline=True)
            if page:
                embed.add_field(name=PAGE_FIELD, value=page, inline=False)
        else:
            more = cap(f"{title} ({index + 1}/{len(chunks)})", TITLE_LIMIT)
            embed = discord.Embed(title=more, description=chunk, colour=colour, timestamp=stamp)
        embed.set_footer(text=footer or None)
        posts.append(Post(cap(content, CONTENT_LIMIT) if content and index == 0 else None, embed))
    return posts


def split_text(text: str, first: int, rest: int, max_parts: int) -> list[str]:
    """Cut `text` into pieces of at most `first` then `rest` characters, at line breaks when possible,
    else at spaces; beyond `max_parts` pieces the last one ends with a note of what was left out."""
    text = text.strip()
    pieces: list[str] = []
    while text:
        room = first if not pieces else rest
        if len(pieces) == max_parts - 1 and len(text) > room:
            note = f"\n… ({len(text):,} more characters not shown)"
            pieces.append(_cut(text, max(1, room - len(note)))[0].rstrip() + note)
            break
        piece, text = _cut(text, room)
        pieces.append(piece.rstrip())
        text = text.lstrip()
    return pieces


def _cut(text: str, room: int) -> tuple[str, str]:
    if len(text) <= room:
        return text, ""
    at = text.rfind("\n", 0, room + 1)
    if at < room // 2:
        at = text.rfind(" ", 0, room + 1)
    if at < room // 2:
        at = room
        head = text[:at]
        if (len(head) - len(head.rstrip("\\"))) % 2:  # never split an escape from what it escapes
            at -= 1
    return text[:at], text[at:]


def _timestamp(at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return None


def render_reply(reply: CommandReply) -> tuple[discord.Embed, bool]:
    """A `/policy` answer as one embed, and whether only the asker should see it."""
    colour = COLOURS.get(reply.severity, COLOURS["low"]) if reply.ok else ERROR_COLOUR
    title = cap(inert(reply.title) or "Clausewatch", TITLE_LIMIT)
    budget = EMBED_TOTAL_LIMIT - len(title)
    fields: list[tuple[str, str]] = []
    for name, value in reply.fields[:FIELD_COUNT_LIMIT]:
        field_name = cap(inert(name), FIELD_NAME_LIMIT) or "·"
        field_value = cap(inert(value), FIELD_VALUE_LIMIT) or "·"
        if len(field_name) + len(field_value) > budget - 64:
            break
        budget -= len(field_name) + len(field_value)
        fields.append((field_name, field_value))
    description = cap("\n".join(inert(line) for line in reply.lines), max(0, min(DESCRIPTION_LIMIT, budget)))
    embed = discord.Embed(title=title, url=web_url(reply.url), description=description or None, colour=colour)
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=len(value) <= 40)
    return embed, reply.ephemeral
