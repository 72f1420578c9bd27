"""The `/policy` command tree on Discord, built from bot.core.commands.SUBCOMMANDS: one slash command per
subcommand with its typed options, whose values go to the CommandService as they are (a ParsedCommand).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, TypeAlias

import aiohttp
import discord
from discord import app_commands

from bot.chat.discord.render import NO_MENTIONS, render_reply
from bot.core.commands import (
    COMMAND_DESCRIPTION,
    COMMAND_NAME,
    SUBCOMMANDS,
    CommandReply,
    CommandRequest,
    CommandService,
    OptionValue,
    ParsedCommand,
    Subcommand,
    build_command,
)
from bot.core.topics import TOPICS

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 100  # Discord's limit for command and option descriptions
CHOICES_LIMIT = 25  # suggestions Discord shows at once
SEND_ERRORS = (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError)
Answer: TypeAlias = Callable[[discord.Interaction[Any], ParsedCommand], Awaitable[None]]
Completer: TypeAlias = Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]


class PolicyTree(app_commands.CommandTree[Any]):
    """Command tree whose errors end as a short private message, never as a crash."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        log.warning("/%s failed: %s", COMMAND_NAME, error, exc_info=error)
        if interaction.type is discord.InteractionType.autocomplete:
            return
        embed, _ = render_reply(CommandReply(
            title="That command did not work", lines=("Clausewatch could not answer this time; try again in a minute.",),
            ephemeral=True, ok=False))
        try:
            if interaction.response.is_done():
                await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except SEND_ERRORS as failure:
            log.warning("/%s: could not report the failure: %s", COMMAND_NAME, failure)


class DiscordCommands:
    """Answers `/policy` interactions through the CommandService and suggests option values as users type."""

    def __init__(self, service: CommandService) -> None:
        self.service = service

    def build_group(self) -> app_commands.Group:
        return build_policy_group(self.answer, {"platform": self.complete_platforms, "target": self.complete_targets})

    async def answer(self, interaction: discord.Interaction[Any], command: ParsedCommand) -> None:
        """Defer (privately when the answer will likely be private), ask the service, send its reply."""
        user = interaction.user
        roles = tuple(str(role.id) for role in getattr(user, "roles", ()) if not role.is_default())
        request = CommandRequest(text=command.line(), chat="discord", channel=str(interaction.channel_id),
                                 user=str(user.id), is_admin=interaction.permissions.manage_guild, roles=roles,
                                 workspace=str(interaction.guild_id) if interaction.guild_id else None,
                                 command=command)
        private = command.name == "help" or (command.changes_config and not request.is_admin)
        await interaction.response.defer(ephemeral=private)
        try:
            reply = await self.service.handle(request)
        except Exception:
            log.exception("/%s %s: the command service failed", COMMAND_NAME, request.text)
            reply = CommandReply(title="Clausewatch could not answer",
                                 lines=("Something went wrong on our side; try again in a minute.",),
                                 ephemeral=True, ok=False)
        embed, ephemeral = render_reply(reply)
        if ephemeral and not private:
            # The deferral was public; a private answer replaces it rather than being shown to everyone.
            await interaction.delete_original_response()
        await interaction.followup.send(embed=embed, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)

    async def complete_platforms(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=c.name[:100], value=c.value[:100])
                for c in self.service.complete_platform(current)][:CHOICES_LIMIT]

    async def complete_targets(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        choices = await self.complete_platforms(interaction, current)
        folded = current.strip().lower()
        choices += [app_commands.Choice(name=f"topic: {t.replace('_', ' ')}", value=t)
                    for t in TOPICS if t.startswith(folded) or t.replace("_", " ").startswith(folded)]
        return choices[:CHOICES_LIMIT]


def build_policy_group(answer: Answer, completers: Mapping[str, Completer]) -> app_commands.Group:
    """`/policy` with one slash command per subcommand of SUBCOMMANDS (a group's actions in a nested group).
    `completers` suggest values for the options whose `complete` names them."""
    policy = app_commands.Group(name=COMMAND_NAME, description=COMMAND_DESCRIPTION)
    for sub in SUBCOMMANDS.values():
        if sub.actions:
            group = app_commands.Group(name=sub.name, description=sub.summary[:DESCRIPTION_LIMIT], parent=policy)
            for action in sub.actions:
                group.add_command(build_slash_command(action, answer, completers, group=sub.name))
        else:
            policy.add_command(build_slash_command(sub, answer, completers))
    return policy


def build_slash_command(spec: Subcommand, answer: Answer, completers: Mapping[str, Completer],
                        group: str | None = None) -> app_commands.Command[Any, ..., None]:
    """One slash command for `spec` (a subcommand, or an action of the subcommand `group`): its parameters
    are the specification's options, typed, described, with choices and autocomplete as specified."""
    name, action = (group, spec.name) if group is not None else (spec.name, None)

    async def callback(interaction: discord.Interaction[Any], **values: OptionValue | None) -> None:
        await answer(interaction, build_command(name, action, values))

    # discord.py reads a command's parameters from its callback's signature (inspect.signature, PEP 362).
    callback.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction),
        *(inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY,
                            annotation=option.kind if option.required else option.kind | None,
                            default=inspect.Parameter.empty if option.required else None)
          for option in spec.options),
    ])
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=spec.name, description=spec.summary[:DESCRIPTION_LIMIT], callback=callback)
    if spec.options:
        app_commands.describe(**{o.name: o.description[:DESCRIPTION_LIMIT] for o in spec.options})(command)
    choices = {o.name: [app_commands.Choice(name=str(c), value=c) for c in o.choices] for o in spec.options if o.choices}
    if choices:
        app_commands.choices(**choices)(command)
    completing = {o.name: completers[o.complete] for o in spec.options if o.complete is not None}
    if completing:
        app_commands.autocomplete(**completing)(command)
    return command
