"""Console output: human-readable posts with the thread structure drawn (`└─` for replies)."""

from __future__ import annotations

import textwrap
from typing import TextIO

from bot.chat.outputs import register
from bot.core.config import Channel
from bot.core.messages import Message, link_label
from bot.core.text import plain
from bot.core.topics import topic_name

_MARKS = {"high": "!!", "medium": "! ", "low": "  "}


@register("console")
class ConsoleOutput:
    """Prints each message; a reply is indented under a reminder of the thread it belongs to."""

    records_attempts = False

    def __init__(self, channel: Channel, stream: TextIO) -> None:
        self.channel = channel
        self.stream = stream
        self._titles: dict[str, str] = {}
        self._last_thread: str | None = None

    async def deliver(self, message: Message, unsure: bool = False) -> None:
        self.stream.write(self.render(message))
        self.stream.flush()

    def render(self, message: Message) -> str:
        topics = ", ".join(map(topic_name, message.topics))  # in words: "AI training", not "ai_training"
        labels = " · ".join(filter(None, (message.platform, topics, message.severity)))
        head = f"[{message.event}] {plain(message.title)}"
        lines: list[str] = []
        if message.reply_to is None:
            self._titles[message.thread] = plain(message.title)
            lines.append(f"{_MARKS.get(message.severity, '  ')}● {head}")
            indent = "     "
        else:
            if self._last_thread != message.thread:
                parent = self._titles.get(message.thread, message.thread)
                lines.append(f"   ┆ in thread: {parent}")
            lines.append(f"   └─ {head}")
            indent = "      "
        self._last_thread = message.thread
        if labels:
            lines.append(f"{indent}{plain(labels)}")
        for paragraph in plain(message.text).split("\n"):
            if paragraph.strip():
                lines.extend(textwrap.wrap(paragraph, width=100, initial_indent=indent, subsequent_indent=indent + "  "))
        if message.url:
            lines.append(f"{indent}{plain(message.url)}")
        if message.link:  # the event's page in the web view
            lines.append(f"{indent}{link_label(message)}: {plain(message.link)}")
        return "\n".join(lines) + "\n"

    async def close(self) -> None:
        self.stream.flush()
