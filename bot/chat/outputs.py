"""The output interface every channel kind implements, and the registry that builds them by kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TextIO

from bot.core.config import Channel
from bot.core.messages import Message


class DeliveryError(Exception):
    """The output refused or failed; `retryable` says whether trying again later may succeed.

    `disable_route` means the chat platform refused us the channel itself (missing access or
    permissions, not in channel, channel archived or gone): the route is switched off with this
    message as the reason, and other routes go on. `retry_after` is the platform's own wait (seconds) when it
    gave one (HTTP 429): the channel's delivery lane waits that long, the others go on.
    """

    def __init__(self, message: str, retryable: bool = True, disable_route: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable and not disable_route
        self.disable_route = disable_route
        self.retry_after = retry_after


class Output(Protocol):
    """Delivers messages to one channel. `deliver` returns only once the output accepted the message.

    `unsure`: this delivery was tried before and its outcome is unknown (the process died, or the platform never
    answered), so an earlier copy may exist. Outputs that look for earlier copies on the chat platform do so only
    then; files de-duplicate by message key whatever it says. `records_attempts`: the outbox marks each attempt
    before it is sent, so that it can say `unsure` later (outputs that ask a remote platform set it)."""

    channel: Channel
    records_attempts: bool

    async def deliver(self, message: Message, unsure: bool = False) -> None: ...

    async def close(self) -> None: ...


class ChatSetupError(Exception):
    """A chat platform refused the bot's configuration at start (token, mode, endpoint); the message
    says what to fix. The process stops rather than run half-connected."""


class ThreadBook(Protocol):
    """Where chat outputs keep the platform's handle of each story thread, per configured channel:
    the Slack `ts` of the parent message, or the Discord thread's channel id. Backed by the store."""

    async def find_thread(self, channel_id: str, thread: str) -> str | None: ...

    async def remember_thread(self, channel_id: str, thread: str, ref: str) -> None: ...


OutputFactory = Callable[[Channel, TextIO], Output]
_REGISTRY: dict[str, OutputFactory] = {}


def register(kind: str) -> Callable[[OutputFactory], OutputFactory]:
    """Class decorator: make an output available for channels of `kind`."""

    def add(factory: OutputFactory) -> OutputFactory:
        _REGISTRY[kind] = factory
        return factory

    return add


def build_output(channel: Channel, stdout: TextIO) -> Output | None:
    """The output for `channel`, or None when its kind is not available in this process."""
    factory = _REGISTRY.get(channel.kind)
    return factory(channel, stdout) if factory else None
