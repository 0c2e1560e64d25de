"""Posting a webhook request with httpx: a short timeout, no redirects followed, the
answer's body never read (only its status counts).

httpx is imported, and a client (with its TLS context: tens of milliseconds and a few MB)
made, only when a first request is sent: a server none of whose sites has an endpoint
never pays for them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from palabre.domain.webhooks.delivery import DeliveryError

if TYPE_CHECKING:
    import httpx


def client(timeout: float) -> httpx.AsyncClient:
    """A client for requests to receivers: every phase (connecting, sending, waiting for
    the answer) within ``timeout`` seconds, redirects not followed."""
    import httpx

    return httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=False,
                             limits=httpx.Limits(max_connections=20,
                                                 max_keepalive_connections=5))


def failure(exc: Exception) -> str:
    """What the delivery log says of a failed request: its kind, never the URL (which may
    carry a token) nor anything the receiver said."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return f"no answer in time ({type(exc).__name__})"
    return f"cannot reach the receiver ({type(exc).__name__})"


class HttpxTransport:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.client: httpx.AsyncClient | None = None  # made at the first request

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        import httpx

        if self.client is None:
            self.client = client(self.timeout)
        try:
            async with self.client.stream("POST", url, content=body,
                                          headers=dict(headers)) as answer:
                return answer.status_code
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DeliveryError(failure(exc)) from exc

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None
