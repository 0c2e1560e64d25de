"""Who is the client: the direct peer, or X-Forwarded-For behind a trusted proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def over_tls(request: Request, proxies: tuple[Network, ...]) -> bool:
    """Whether the client reached us over HTTPS: directly, or through a trusted proxy that
    says so in X-Forwarded-Proto (the header is ignored from any other peer)."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else ""
    if not _trusted(peer, proxies):
        return False
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return proto == "https"


def client_address(request: Request, proxies: tuple[Network, ...]) -> str:
    """The client's address: the right-most X-Forwarded-For hop not itself a trusted proxy.

    X-Forwarded-For is only read when the direct peer is a trusted proxy.
    """
    peer = request.client.host if request.client else "unknown"
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return _valid(hop) or peer
    return peer


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
