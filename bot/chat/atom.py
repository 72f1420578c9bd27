"""Atom output: keeps an Atom 1.0 file of the newest stories, updates, statements and terms changes, so
people outside Slack and Discord can follow with any feed reader. One entry per event, with a stable id.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TextIO

from bot.chat.outputs import DeliveryError, register
from bot.core.config import Channel
from bot.core.messages import Message, link_label
from bot.core.text import plain

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 200
HEALTH_EVENTS = ("source_failing", "source_recovered")  # about our sources, not about the platforms
ET.register_namespace("", ATOM)


def atom_tag(name: str) -> str:
    """An element name in the Atom namespace."""
    return f"{{{ATOM}}}{name}"


def entry_id(message: Message) -> str:
    return f"urn:clausewatch:event:{message.key}"


def atom_entry(message: Message) -> ET.Element:
    """One message as an Atom entry (the same id in every feed that carries it)."""
    entry = ET.Element(atom_tag("entry"))
    ET.SubElement(entry, atom_tag("id")).text = entry_id(message)
    ET.SubElement(entry, atom_tag("title")).text = plain(message.title)
    ET.SubElement(entry, atom_tag("updated")).text = message.at
    ET.SubElement(entry, atom_tag("published")).text = message.at
    if message.url and message.url.lower().startswith(("http://", "https://")):
        ET.SubElement(entry, atom_tag("link"), {"rel": "alternate", "href": message.url})
    link = message.link or ""  # its page in the web view: absolute, or from the web view's own feed, root-relative
    if link.lower().startswith(("http://", "https://")) or (link.startswith("/") and not link.startswith("//")):
        ET.SubElement(entry, atom_tag("link"), {"rel": "related", "href": link, "title": link_label(message)})
    author = ET.SubElement(entry, atom_tag("author"))
    ET.SubElement(author, atom_tag("name")).text = message.platform or "Clausewatch"
    for term in (message.event, *message.topics, f"severity:{message.severity}"):
        ET.SubElement(entry, atom_tag("category"), {"term": term})
    ET.SubElement(entry, atom_tag("summary"), {"type": "text"}).text = plain(message.text)
    # Replies point at the entry that opened their thread (RFC 4685 would need another namespace).
    ET.SubElement(entry, atom_tag("content"), {"type": "text"}).text = plain(message.text)
    return entry


# Public: the web view's per-platform feeds build their entries with this very code (same ids, same links).


def atom_document(feed_id: str, title: str, subtitle: str, entries: list[ET.Element],
                  alternate: str | None = None) -> ET.Element:
    """An Atom 1.0 feed of `entries` (newest first), updated when its newest entry was."""
    feed = ET.Element(atom_tag("feed"))
    ET.SubElement(feed, atom_tag("id")).text = feed_id
    ET.SubElement(feed, atom_tag("title")).text = title
    ET.SubElement(feed, atom_tag("subtitle")).text = subtitle
    if alternate is not None:
        ET.SubElement(feed, atom_tag("link"), {"rel": "alternate", "href": alternate})
    ET.SubElement(feed, atom_tag("updated")).text = max(
        (e.findtext(atom_tag("updated")) or "" for e in entries), default="1970-01-01T00:00:00+00:00"
    )
    ET.SubElement(feed, atom_tag("generator")).text = "Clausewatch"
    feed.extend(entries)
    return feed


@register("atom")
class AtomOutput:
    """Rewrites the file atomically on each new entry; an entry id already in the file is not added again."""

    records_attempts = False

    def __init__(self, channel: Channel, stdout: TextIO) -> None:
        self.channel = channel
        self.path = Path(channel.target)
        self._entries: list[ET.Element] | None = None
        self._lock = asyncio.Lock()

    async def deliver(self, message: Message, unsure: bool = False) -> None:
        if message.event in HEALTH_EVENTS:
            return
        async with self._lock:
            try:
                await asyncio.to_thread(self._add, message)
            except OSError as error:
                raise DeliveryError(f"cannot write {self.path}: {error}") from error

    def _load(self) -> list[ET.Element]:
        try:
            root = ET.parse(self.path).getroot()
        except FileNotFoundError:
            return []
        except ET.ParseError as error:  # never lose the new entries over a damaged file: start afresh
            damaged = self.path.with_suffix(self.path.suffix + ".damaged")
            os.replace(self.path, damaged)
            raise DeliveryError(f"{self.path} was not valid Atom ({error}); moved to {damaged}") from error
        return root.findall(atom_tag("entry"))

    def _add(self, message: Message) -> None:
        if self._entries is None:
            self._entries = self._load()
        wanted = entry_id(message)
        if any(entry.findtext(atom_tag("id")) == wanted for entry in self._entries):
            return
        self._entries = [atom_entry(message), *self._entries][:MAX_ENTRIES]
        self._write()

    def _write(self) -> None:
        assert self._entries is not None
        feed = atom_document(f"urn:clausewatch:channel:{self.channel.id}", f"Clausewatch: {self.channel.id}",
                             "Terms changes, stories and platform statements", self._entries)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(handle, "wb") as stream:
                ET.ElementTree(feed).write(stream, encoding="utf-8", xml_declaration=True)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def close(self) -> None:
        return None
