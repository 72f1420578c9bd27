"""The Atom feed of one platform's recent posts (stories, updates, statements, terms changes), served beside its
page: entries are the Atom output's own (same ids), each linking to its web page."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from bot.chat.atom import HEALTH_EVENTS, atom_document, atom_entry
from bot.core.messages import Message, page_link


def platform_feed(platform_id: str, name: str, messages: Sequence[dict[str, Any]], base_url: str) -> bytes:
    """An Atom 1.0 document of `messages` (recorded message dicts, newest first) with links to the web pages."""
    entries = []
    for data in messages:
        try:
            message = Message.from_dict(data)
        except (TypeError, ValueError):  # a record of another version: skipped, never a broken feed
            continue
        if message.event not in HEALTH_EVENTS:
            entries.append(atom_entry(dataclasses.replace(message, link=page_link(message, base_url))))
    feed = atom_document(f"urn:clausewatch:platform:{platform_id}", f"Clausewatch: {name}",
                         f"Terms changes, stories and statements of {name}", entries,
                         alternate=f"{base_url}/platforms/{quote(platform_id, safe='')}")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
