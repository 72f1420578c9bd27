"""JSONL output (a contract): one JSON object per delivered message, appended and synced to disk.

Re-delivery after a crash is absorbed here: keys already in the file are not written again.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any, TextIO

from bot.chat.outputs import DeliveryError, register
from bot.core.config import Channel
from bot.core.messages import Message

SCAN_BYTES = 8 * 1024 * 1024
# Characters that str.splitlines() treats as line ends but JSON leaves raw: escaped so one record stays one line.
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def record(channel_id: str, message: Message) -> dict[str, Any]:
    """The JSONL record: the contract fields first, then `key` and `source`, and `link` (the event's page in the
    web view) when it has one."""
    data: dict[str, Any] = {
        "channel": channel_id,
        "event": message.event,
        "platform": message.platform,
        "thread": message.thread,
        "reply_to": message.reply_to,
        "title": message.title,
        "text": message.text,
        "url": message.url,
        "topics": list(message.topics),
        "severity": message.severity,
        "at": message.at,
        "key": message.key,
        "source": message.source,
    }
    if message.link is not None:
        data["link"] = message.link
    return data


@register("jsonl")
class JsonlOutput:
    records_attempts = False

    def __init__(self, channel: Channel, stdout: TextIO) -> None:
        self.channel = channel
        self.path = Path(channel.target)
        self._keys: set[str] | None = None
        self._lock = asyncio.Lock()

    async def deliver(self, message: Message, unsure: bool = False) -> None:
        async with self._lock:
            try:
                await asyncio.to_thread(self._append, message)
            except OSError as error:
                raise DeliveryError(f"cannot write {self.path}: {error}") from error

    def reopen(self) -> None:
        """Another process may have appended since (several workers take turns at a channel's lane): read the
        file's keys again before the next line."""
        self._keys = None

    def _append(self, message: Message) -> None:
        if self._keys is None:
            self._keys = self._recover()
        if message.key in self._keys:
            return
        line = json.dumps(record(self.channel.id, message), ensure_ascii=False).translate(_LINE_BREAKS) + "\n"
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        self._keys.add(message.key)

    def _recover(self) -> set[str]:
        """Keys already written (from the file's tail); a torn last line from a crash is cut off."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            return set()
        keys: set[str] = set()
        with self.path.open("rb+") as handle:
            size = handle.seek(0, os.SEEK_END)
            start = max(0, size - SCAN_BYTES)
            handle.seek(start)
            data = handle.read()
            if data and not data.endswith(b"\n"):
                cut = data.rfind(b"\n") + 1
                handle.truncate(start + cut)
                data = data[:cut]
        lines = data.split(b"\n")
        if start > 0:
            lines = lines[1:]
        for raw in lines:
            if not raw.strip():
                continue
            try:
                key = json.loads(raw).get("key")
            except (ValueError, AttributeError):
                continue
            if isinstance(key, str):
                keys.add(key)
        return keys

    async def close(self) -> None:
        return None
