"""Public API v1, the proof-of-work challenge a reader's form solves before posting."""

from __future__ import annotations

import ipaddress

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain import challenge
from palabre.domain.identity import client_key
from palabre.web.http.clients import client_address
from palabre.web.state import json_response, state

NETWORK_BITS = {4: 24, 6: 48}  # what one subscriber usually holds


def network_of(address: str) -> str:
    """The client's network as the work's rise counts it: its /24 (IPv4) or /48 (IPv6);
    the address itself when it is none."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/{NETWORK_BITS[ip.version]}", strict=False))


async def get_challenge(request: Request) -> Response:
    st = state(request)
    q = request.query_params
    network = network_of(client_address(request, st.proxies))
    issued = await challenge.issue(st.ctx, q.get("site"), q.get("uri"),
                                   client_key(st.ctx.secret, "network:" + network))
    answer = json_response({"challenge": issued.challenge, "wait": issued.wait})
    answer.headers["Cache-Control"] = "no-store"
    return answer


routes = [Route("/api/v1/challenge", get_challenge, methods=["GET"])]
