"""Posting a webhook request with httpx: a short timeout, no redirects followed, the
answer's body never read (only its status counts)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from palabre.domain.webhooks.delivery import DeliveryError


def client(timeout: float) -> httpx.AsyncClient:
    """A client for requests to receivers: every phase (connecting, sending, waiting for
    the answer) within ``timeout`` seconds, redirects not followed."""
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=False,
                             limits=httpx.Limits(max_connections=20,
                                                 max_keepalive_connections=5))


def failure(exc: Exception) -> str:
    """What the delivery log says of a failed request: its kind, never the URL (which may
    carry a token) nor anything the receiver said."""
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer in time ({type(exc).__name__})"
    return f"cannot reach the receiver ({type(exc).__name__})"


class HttpxTransport:
    def __init__(self, timeout: float) -> None:
        self.client = client(timeout)

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            async with self.client.stream("POST", url, content=body,
                                          headers=dict(headers)) as answer:
                return answer.status_code
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DeliveryError(failure(exc)) from exc

    async def close(self) -> None:
        await self.client.aclose()
