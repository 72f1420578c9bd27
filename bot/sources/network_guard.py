"""Keeps fetches of untrusted URLs (feeds added from chat) off the bot's own network: loopback, private,
link-local (cloud metadata), multicast and other non-public addresses are refused — for every address a
host name resolves to, for literal IP hosts, and again on each redirect hop.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class ForbiddenAddress(aiohttp.ClientError):
    """The URL leads to an address that chat users must not make the bot reach."""


def is_public(address: Address) -> bool:
    """Only globally routable unicast addresses; IPv4-mapped IPv6 is judged by its IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class NetworkGuard:
    """Checks hosts and addresses; `allowed(address)` decides (default: public addresses only)."""

    def __init__(self, allowed: Callable[[Address], bool] = is_public) -> None:
        self.allowed = allowed

    def check_url(self, url: str) -> None:
        """Refuse non-http(s) schemes and literal IP hosts that are not allowed. Raises ForbiddenAddress."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ForbiddenAddress(f"only http(s) URLs may be fetched, not {parts.scheme or 'a relative URL'!r}")
        host = parts.hostname or ""
        address = _literal(host)
        if address is not None and not self.allowed(address):
            raise ForbiddenAddress(f"{host} is a {describe(address)} address; the bot does not fetch those")

    def check_resolved(self, host: str, addresses: list[str]) -> None:
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if not self.allowed(address):
                raise ForbiddenAddress(f"{host} resolves to {text}, a {describe(address)} address; "
                                       f"the bot does not fetch those")


def describe(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for label, test in (("loopback", address.is_loopback), ("link-local (cloud metadata)", address.is_link_local),
                        ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
                        ("private", address.is_private)):
        if test:
            return label
    return "non-public"


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that resolves as usual, then refuses the host if ANY of its addresses is not
    allowed (so DNS answers mixing a public and a private address cannot slip through)."""

    def __init__(self, guard: NetworkGuard) -> None:
        self.guard = guard
        self.inner = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self.inner.resolve(host, port, family)
        self.guard.check_resolved(host, [result["host"] for result in results])
        return results

    async def close(self) -> None:
        await self.inner.close()


def guard_trace(guard: NetworkGuard) -> aiohttp.TraceConfig:
    """Checks the URL of the first request and of every redirect hop (literal IP hosts never reach the
    resolver, and a redirect may switch scheme)."""
    trace = aiohttp.TraceConfig()

    async def on_start(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
        guard.check_url(str(params.url))

    async def on_redirect(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
        location = params.response.headers.get("Location")
        if location:
            guard.check_url(str(params.response.url.join(URL(location))))

    trace.on_request_start.append(on_start)
    trace.on_request_redirect.append(on_redirect)
    return trace
