"""Which chat platforms this process can talk to: the tokens and endpoints in the environment (never in
feeds.yaml, which is no secret store), and the configured channels that are active with them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.config import Channel, Config

# Outputs that need a chat token; until their adapters are active, no event is routed to them.
TOKEN_ENV = {"slack": "SLACK_BOT_TOKEN", "discord": "DISCORD_TOKEN"}


@dataclass(frozen=True, slots=True)
class ChatEnv:
    """Chat tokens and endpoints, from the environment (never from feeds.yaml: it is not a secret store).

    The *_URL variables point the real client libraries at proxies or local test servers; DISCORD_CA_FILE
    is a CA certificate the Discord client trusts too (a local server's certificate for discord.com)."""

    slack_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str | None = None
    discord_token: str | None = None
    discord_api_url: str | None = None
    discord_gateway_url: str | None = None
    discord_ca_file: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChatEnv:
        values = os.environ if env is None else env
        return cls(*(values.get(name) or None for name in (
            "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL",
            "DISCORD_TOKEN", "DISCORD_API_URL", "DISCORD_GATEWAY_URL", "DISCORD_CA_FILE",
        )))

    def chats(self) -> frozenset[str]:
        """The chat platforms this process can talk to."""
        return frozenset(k for k, token in (("slack", self.slack_token), ("discord", self.discord_token)) if token)



@dataclass(frozen=True, slots=True)
class ChannelPlan:
    """Which configured channels this process can deliver to, and why not for the others."""

    active: tuple[Channel, ...]
    inactive: dict[str, str] = field(default_factory=dict)


def plan_channels(config: Config, chats: frozenset[str] | None = None) -> ChannelPlan:
    """Console and JSONL channels are always active; Slack and Discord ones when their token is set."""
    chats = ChatEnv.from_env().chats() if chats is None else chats
    active: list[Channel] = []
    inactive: dict[str, str] = {}
    for channel in config.channels:
        if channel.kind in TOKEN_ENV and channel.kind not in chats:
            inactive[channel.id] = f"{TOKEN_ENV[channel.kind]} is not set"
        else:
            active.append(channel)
    return ChannelPlan(tuple(active), inactive)
