"""The `/policy` slash command, independent of any chat platform: what a user asked (CommandRequest),
how the text parses into a subcommand, and the neutral answer (CommandReply) that Slack and Discord
adapters render. One implementation answers both (bot.pipeline.commands).
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol

COMMAND_NAME = "policy"


@dataclass(frozen=True, slots=True)
class Subcommand:
    """One `/policy` subcommand: its usage line, whether it changes configuration, and its arguments."""

    name: str
    usage: str
    summary: str
    changes_config: bool = False
    min_args: int = 0
    max_args: int = 0


SUBCOMMANDS: dict[str, Subcommand] = {
    s.name: s
    for s in (
        Subcommand("status", "status <platform>", "terms status, AI-training stance, latest statement, open stories", min_args=1, max_args=1),
        Subcommand("diff", "diff <platform> [document]", "the latest clause-level change", min_args=1, max_args=2),
        Subcommand("history", "history <platform>", "dated versions and substantive changes", min_args=1, max_args=2),
        Subcommand("stories", "stories [platform]", "recent stories", max_args=1),
        Subcommand("platforms", "platforms", "what is watched"),
        Subcommand("feeds", "feeds list | feeds add <url> [platform] | feeds remove <id>", "watched news feeds", min_args=1, max_args=3),
        Subcommand("subscribe", "subscribe <platform|topic>", "route a platform or topic to this channel", changes_config=True, min_args=1, max_args=1),
        Subcommand("unsubscribe", "unsubscribe <platform|topic>", "stop routing it to this channel", changes_config=True, min_args=1, max_args=1),
        Subcommand("subscriptions", "subscriptions", "this channel's routes"),
        Subcommand("resume", "resume", "deliver here again after a permission problem was fixed", changes_config=True),
        Subcommand("why", "why <url>", "what happened to one article", min_args=1, max_args=1),
        Subcommand("help", "help", "this list"),
    )
}


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """A `/policy …` invocation as the chat adapter saw it.

    `text` is everything after `/policy` (Slack sends it as one string; the Discord adapter joins the
    subcommand and its options in order). `chat` is "slack" or "discord"; `channel` the chat platform's
    channel id; `is_admin` is the adapter's verdict on the platform's own permission (Discord "Manage
    Server", Slack workspace admin/owner); `roles` are the user's Discord role ids.
    """

    text: str
    chat: str
    channel: str
    user: str
    is_admin: bool = False
    roles: tuple[str, ...] = ()
    workspace: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    name: str
    args: tuple[str, ...]
    changes_config: bool


class CommandSyntaxError(ValueError):
    """The text is not a valid `/policy` invocation; the message says how to write it."""


def parse_command(text: str) -> ParsedCommand:
    """Split `text` into a subcommand and its arguments. Raises CommandSyntaxError with the usage."""
    words = text.split()
    if not words:
        return ParsedCommand("help", (), False)
    name, args = words[0].lower(), tuple(words[1:])
    sub = SUBCOMMANDS.get(name)
    if sub is None:
        raise CommandSyntaxError(f"unknown subcommand {name!r}; try `/{COMMAND_NAME} help`")
    if not sub.min_args <= len(args) <= sub.max_args:
        raise CommandSyntaxError(f"usage: /{COMMAND_NAME} {sub.usage}")
    changes = sub.changes_config
    if name == "feeds":
        action = args[0].lower()
        if action not in ("list", "add", "remove"):
            raise CommandSyntaxError(f"usage: /{COMMAND_NAME} {sub.usage}")
        wanted = {"list": (1, 1), "add": (2, 3), "remove": (2, 2)}[action]
        if not wanted[0] <= len(args) <= wanted[1]:
            raise CommandSyntaxError(f"usage: /{COMMAND_NAME} {sub.usage}")
        args = (action, *args[1:])
        changes = action != "list"
    return ParsedCommand(name, args, changes)


@dataclass(frozen=True, slots=True)
class CommandReply:
    """The neutral answer: a title, plain-text lines, optional name/value fields and a link.

    All text is plain (never pre-escaped markup): adapters escape it for their platform. `ephemeral`
    replies are shown only to the user who asked (refusals, errors, help); `ok` is False for errors.
    """

    title: str
    lines: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    url: str | None = None
    ephemeral: bool = False
    ok: bool = True
    severity: str = "low"


@dataclass(frozen=True, slots=True)
class Choice:
    """An autocomplete suggestion: what the user sees and the value sent back."""

    name: str
    value: str


class CommandService(Protocol):
    """What chat adapters call: answer a command, and suggest platform names while the user types."""

    def handle(self, request: CommandRequest) -> Awaitable[CommandReply]: ...

    def complete_platform(self, prefix: str) -> list[Choice]: ...
