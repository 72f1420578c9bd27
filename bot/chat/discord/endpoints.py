"""Where one Discord client connects: Discord itself, or another server (a local fake, a proxy) given as
DISCORD_API_URL / DISCORD_GATEWAY_URL, reached through that client's own aiohttp connector — a resolver
that sends discord.com and gateway.discord.gg to the configured host and port, and TLS trusting DISCORD_CA_FILE.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

# discord.py (2.x) always sends REST requests and interaction callbacks to https://discord.com/api/v10 and
# opens the gateway at wss://gateway.discord.gg/ (then at the `resume_gateway_url` Discord gives in READY).
API_HOST = "discord.com"
API_PATH = "/api/v10"
GATEWAY_HOST = "gateway.discord.gg"
DEFAULT_API_URL = f"https://{API_HOST}{API_PATH}"
DEFAULT_GATEWAY_URL = f"wss://{GATEWAY_HOST}/"


class EndpointError(ValueError):
    """A configured Discord endpoint that this client cannot be pointed at; the message says why."""


class EndpointResolver(AbstractResolver):
    """Resolves the names in `routes` to their (host, port), everything else as usual. The answer keeps the
    name asked for, so TLS still checks the server's certificate against discord.com or gateway.discord.gg."""

    def __init__(self, routes: Mapping[str, tuple[str, int]]) -> None:
        self.routes = dict(routes)
        self.fallback = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        target = self.routes.get(host.rstrip(".").lower())
        if target is None:
            return await self.fallback.resolve(host, port, family)
        found = await self.fallback.resolve(target[0], target[1], family)
        return [ResolveResult(hostname=host, host=item["host"], port=target[1], family=item["family"],
                              proto=item["proto"], flags=item["flags"]) for item in found]

    async def close(self) -> None:
        await self.fallback.close()


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Discord's REST API and gateway as one client reaches them: `routes` maps discord.com and
    gateway.discord.gg to another (host, port) when configured; `ca_file` is a CA (PEM) trusted in addition
    to the system's, for a server whose certificate for those names a test CA signed."""

    routes: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    ca_file: str | None = None

    @classmethod
    def from_urls(cls, api_url: str | None, gateway_url: str | None, ca_file: str | None = None) -> Endpoints:
        """Read DISCORD_API_URL (`https://host[:port]/api/v10`) and DISCORD_GATEWAY_URL (`wss://host[:port]/`);
        None means Discord's own. Raises EndpointError for what discord.py cannot be pointed at."""
        routes: dict[str, tuple[str, int]] = {}
        if api_url:
            routes[API_HOST] = locate_endpoint(api_url, "https", API_PATH, "DISCORD_API_URL")
        if gateway_url:
            routes[GATEWAY_HOST] = locate_endpoint(gateway_url, "wss", "/", "DISCORD_GATEWAY_URL")
        return cls(routes, ca_file or None)

    @property
    def custom(self) -> bool:
        return bool(self.routes or self.ca_file)

    def build_connector(self) -> aiohttp.TCPConnector | None:
        """The connector for discord.Client(connector=…), or None for discord.py's own (Discord itself).
        Call it inside the running event loop."""
        if not self.custom:
            return None
        context = ssl.create_default_context()
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)  # trusted in addition to the system's CAs
        return aiohttp.TCPConnector(limit=0, resolver=EndpointResolver(self.routes), ssl=context)


def locate_endpoint(url: str, scheme: str, path: str, name: str) -> tuple[str, int]:
    """(host, port) of an endpoint URL, checked: discord.py fixes the scheme and the path, only the place
    where it connects can change."""
    parts = urlsplit(url)
    if parts.scheme != scheme or not parts.hostname:
        raise EndpointError(f"{name} must use {scheme}:// and name a host (got {url!r}): discord.py speaks TLS to "
                            f"Discord, so a local server needs a certificate for {API_HOST} and {GATEWAY_HOST} "
                            "(trust its CA with DISCORD_CA_FILE)")
    if (parts.path.rstrip("/") or "/") != (path.rstrip("/") or "/") or parts.query:
        raise EndpointError(f"{name} must end in {path} with no query (got {url!r}): discord.py always uses that path")
    try:
        port = parts.port or 443
    except ValueError as error:
        raise EndpointError(f"{name} has an invalid port: {url!r}") from error
    return parts.hostname, port
