"""The `/policy` slash command on Slack: registered on the Bolt app, acknowledged at once, answered by the
CommandService (which parses Slack's text form, once) and replied through the response URL.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.slack.render import render_reply
from bot.core.commands import COMMAND_NAME, CommandReply, CommandRequest, CommandService, CommandSyntaxError

log = logging.getLogger(__name__)

ADMIN_TTL = 300.0  # seconds a users.info verdict is reused
LOOKUP_ERRORS = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError, OSError)


class SlackCommands:
    """Answers `/policy` for one Slack app; who is a workspace admin is asked from Slack (users.info)."""

    def __init__(self, service: CommandService, client: AsyncWebClient) -> None:
        self.service = service
        self.client = client
        self._admins: dict[str, tuple[bool, float]] = {}

    def register(self, app: AsyncApp) -> None:
        app.command(f"/{COMMAND_NAME}")(self.on_policy)

    async def on_policy(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        reply = await self.answer(command)
        try:
            await respond(**render_reply(reply))
        except Exception as error:  # the reply is lost, the bot goes on
            log.warning("Slack /%s: could not send the reply: %s", COMMAND_NAME, error)

    async def answer(self, command: dict[str, Any]) -> CommandReply:
        """The CommandService's answer to a slash-command payload; a bad command or a failure of the
        service becomes an ephemeral error reply."""
        user = str(command.get("user_id") or "")
        request = CommandRequest(
            text=str(command.get("text") or ""),
            chat="slack",
            channel=str(command.get("channel_id") or ""),
            user=user,
            is_admin=await self.check_admin(user),
            workspace=command.get("team_id") or None,
        )
        try:
            return await self.service.handle(request)
        except CommandSyntaxError as error:
            return CommandReply(title="That is not a /policy command", lines=(str(error),), ephemeral=True, ok=False)
        except Exception:
            log.exception("Slack /%s %r failed", COMMAND_NAME, request.text)
            return CommandReply(title=f"/{COMMAND_NAME} failed", lines=("Something went wrong on our side; it was logged.",),
                                ephemeral=True, ok=False)

    async def check_admin(self, user: str) -> bool:
        """Workspace admin or owner (users.info), remembered for ADMIN_TTL; False when Slack cannot say."""
        now = asyncio.get_running_loop().time()
        known = self._admins.get(user)
        if known is not None and known[1] > now:
            return known[0]
        try:
            response = await self.client.users_info(user=user)
        except LOOKUP_ERRORS as error:
            log.warning("Slack: users.info %s failed (%s); treated as not an admin", user, error)
            return False
        profile = response.get("user") or {}
        verdict = bool(profile.get("is_admin") or profile.get("is_owner") or profile.get("is_primary_owner"))
        self._admins[user] = (verdict, now + ADMIN_TTL)
        return verdict
