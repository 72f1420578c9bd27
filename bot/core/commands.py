"""The `/policy` slash command, independent of any chat platform: the one specification of its subcommands
and typed options (from which the Discord command tree, the Slack text form and the help are made), what a
user asked (CommandRequest, ParsedCommand) and the neutral answer (CommandReply) that adapters render.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

COMMAND_NAME = "policy"
COMMAND_DESCRIPTION = "Platform terms and policy news for creators"
OptionValue = str | int


@dataclass(frozen=True, slots=True)
class Option:
    """One typed option of a subcommand.

    `name` is the option's name on Discord; `kind` its type (str or int); `choices` the only values allowed
    (none: any); `complete` what suggestions come while typing ("platform", or "target": a platform or a
    topic); `placeholder` how the usage line names it (default: `name`); an option not `listed` is accepted
    in the text form but left out of the usage line.
    """

    name: str
    description: str
    required: bool = True
    kind: type[str] | type[int] = str
    choices: tuple[OptionValue, ...] = ()
    complete: str | None = None
    placeholder: str | None = None
    listed: bool = True

    @property
    def usage(self) -> str:
        shown = self.placeholder or self.name
        return f"<{shown}>" if self.required else f"[{shown}]"


@dataclass(frozen=True, slots=True)
class Subcommand:
    """One `/policy` subcommand: its summary (also its Discord description), typed options, whether it
    changes the configuration, and for a group (`feeds`) its actions, each a Subcommand of its own."""

    name: str
    summary: str
    options: tuple[Option, ...] = ()
    changes_config: bool = False
    actions: tuple[Subcommand, ...] = ()

    @property
    def usage(self) -> str:
        """`diff <platform> [document]`; for a group every action: `feeds list | feeds add <url> [platform] | …`."""
        if self.actions:
            return " | ".join(f"{self.name} {action.usage}" for action in self.actions)
        return " ".join((self.name, *(option.usage for option in self.options if option.listed)))

    def find_action(self, name: str) -> Subcommand | None:
        return next((action for action in self.actions if action.name == name), None)


PLATFORM = Option("platform", "a watched platform", complete="platform")
DOCUMENT = Option("document", "a document type or slug, e.g. terms-of-service", required=False)
TARGET = Option("target", "a platform or a topic", complete="target", placeholder="platform|topic")

# The one specification of `/policy`: names, option names, order and summaries are external contracts (the
# Discord command registration, Slack's help text and slack-manifest.yaml's usage hint).
SUBCOMMANDS: Mapping[str, Subcommand] = MappingProxyType({
    s.name: s
    for s in (
        Subcommand("status", "terms status, AI-training stance, latest statement, open stories", (PLATFORM,)),
        Subcommand("diff", "the latest clause-level change", (PLATFORM, DOCUMENT)),
        Subcommand("history", "dated versions and substantive changes", (PLATFORM, Option(
            DOCUMENT.name, DOCUMENT.description, required=False, listed=False))),
        Subcommand("stories", "recent stories", (Option("platform", "only this platform", required=False,
                                                        complete="platform"),)),
        Subcommand("platforms", "what is watched"),
        Subcommand("feeds", "watched news feeds", actions=(
            Subcommand("list", "the watched news feeds"),
            Subcommand("add", "watch a news feed", (
                Option("url", "the feed's address"),
                Option("platform", "attribute its entries to this platform", required=False, complete="platform"),
            ), changes_config=True),
            Subcommand("remove", "stop watching a news feed", (
                Option("feed", f"the feed's id (see /{COMMAND_NAME} feeds list)", placeholder="id"),), changes_config=True),
        )),
        Subcommand("subscribe", "route a platform or topic to this channel", (TARGET,), changes_config=True),
        Subcommand("unsubscribe", "stop routing it to this channel", (TARGET,), changes_config=True),
        Subcommand("subscriptions", "this channel's routes"),
        Subcommand("resume", "deliver here again after a permission problem was fixed", changes_config=True),
        Subcommand("why", "what happened to one article", (Option("url", "the article's address"),)),
        Subcommand("help", "this list"),
    )
})


def write_help() -> tuple[str, ...]:
    """`/policy help`: one usage line and summary per subcommand."""
    return tuple(f"/{COMMAND_NAME} {s.usage}: {s.summary}" for s in SUBCOMMANDS.values())


def write_usage_hint() -> str:
    """The usage hint a chat shows next to `/policy` (slack-manifest.yaml's `usage_hint`)."""
    return f"[{'|'.join(SUBCOMMANDS)}] …"


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    """A subcommand (and a group's action) with its typed option values, by option name.

    Made from Discord's typed options as they are (`build_command`), or parsed once from Slack's text
    (`parse_command`)."""

    name: str
    action: str | None = None
    values: Mapping[str, OptionValue] = field(default_factory=dict)
    changes_config: bool = False

    def text(self, option: str) -> str | None:
        """The value of `option` as text, None when it was not given."""
        value = self.values.get(option)
        return None if value is None else str(value)

    def arg(self, option: str) -> str:
        """The value of a required option as text (a ParsedCommand always has its required options)."""
        return str(self.values[option])

    @property
    def args(self) -> tuple[str, ...]:
        """The action and the values given, in the specification's order (the words of the text form)."""
        spec = _look_up(self.name, self.action)
        values = tuple(str(self.values[o.name]) for o in spec.options if o.name in self.values)
        return values if self.action is None else (self.action, *values)

    def line(self) -> str:
        """The command as one line of `/policy` text, for logs and echoes; a value's spaces become hyphens
        so that the line splits into the same words (`diff cloudtune Terms-of-Service`)."""
        return " ".join((self.name, *("-".join(word.split()) for word in self.args)))


class CommandSyntaxError(ValueError):
    """The text is not a valid `/policy` invocation; the message says how to write it."""


def _look_up(name: str, action: str | None) -> Subcommand:
    """The specification of a subcommand, or of a group's action."""
    sub = SUBCOMMANDS[name]
    found = sub.find_action(action) if action is not None else sub
    if found is None:
        raise KeyError(f"{name} {action}")
    return found


def build_command(name: str, action: str | None, values: Mapping[str, OptionValue | None]) -> ParsedCommand:
    """A ParsedCommand from typed option values (None: not given), kept as they are. Raises
    CommandSyntaxError when a required option is missing or a value is not allowed."""
    sub = SUBCOMMANDS.get(name)
    if sub is None:
        raise CommandSyntaxError(f"unknown subcommand {name!r}; try `/{COMMAND_NAME} help`")
    spec = sub.find_action(action) if action is not None else (None if sub.actions else sub)
    if spec is None:
        raise CommandSyntaxError(f"usage: /{COMMAND_NAME} {sub.usage}")
    given = {o.name: value for o in spec.options if (value := values.get(o.name)) is not None}
    missing = any(o.required and o.name not in given for o in spec.options)
    refused = any(o.choices and o.name in given and given[o.name] not in o.choices for o in spec.options)
    if missing or refused:
        raise CommandSyntaxError(f"usage: /{COMMAND_NAME} {sub.usage}")
    return ParsedCommand(name, action, given, spec.changes_config)


def parse_command(text: str) -> ParsedCommand:
    """Split `text` (Slack's form: words after `/policy`) into a subcommand and its typed option values,
    given in the specification's order. Raises CommandSyntaxError with the usage."""
    words = text.split()
    if not words:
        return ParsedCommand("help")
    name, rest = words[0].lower(), words[1:]
    sub = SUBCOMMANDS.get(name)
    if sub is None:
        raise CommandSyntaxError(f"unknown subcommand {name!r}; try `/{COMMAND_NAME} help`")
    action: str | None = None
    spec = sub
    if sub.actions:
        found = sub.find_action(rest[0].lower()) if rest else None
        if found is None:
            raise CommandSyntaxError(f"usage: /{COMMAND_NAME} {sub.usage}")
        action, spec, rest = found.name, found, rest[1:]
    required = sum(option.required for option in spec.options)
    if not required <= len(rest) <= len(spec.options):
        raise CommandSyntaxError(f"usage: /{COMMAND_NAME} {sub.usage}")
    return build_command(name, action, dict(_type_words(spec.options, rest, sub.usage)))


def _type_words(options: Iterable[Option], words: list[str], usage: str) -> Iterable[tuple[str, OptionValue]]:
    for option, word in zip(options, words, strict=False):
        if option.kind is int:
            try:
                yield option.name, int(word)
            except ValueError:
                raise CommandSyntaxError(f"usage: /{COMMAND_NAME} {usage}") from None
        else:
            yield option.name, word


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """A `/policy …` invocation as the chat adapter saw it.

    `command` is the typed invocation when the chat sends one (Discord's options, values as they are);
    without it the command service parses `text` (Slack sends everything after `/policy` as one string).
    `text` is also the command as one line for logs (for Discord: `ParsedCommand.line()`); two requests
    with the same text are the same request. `chat` is "slack" or "discord"; `channel` the chat platform's
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
    command: ParsedCommand | None = field(default=None, compare=False)

    def parsed(self) -> ParsedCommand:
        """The typed invocation: as the chat sent it, else parsed from `text` (raises CommandSyntaxError)."""
        return self.command if self.command is not None else parse_command(self.text)


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
