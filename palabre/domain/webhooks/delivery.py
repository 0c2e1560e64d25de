"""Sending queued deliveries: a signed POST each, retries with backoff, a delivery log.

At least once, with a stable delivery id: the sender marks a delivery ``sending`` in a
committed transaction (one more attempt; only while it holds the lease), POSTs it, then
records the answer. A 2xx is ``sent``; anything else (no answer within the timeout, a
refused connection, another status) is tried again after a backoff, up to
``MAX_ATTEMPTS``. A process dying between the POST and the record leaves the delivery
``sending``: after ``STALE_AFTER`` it is queued again and sent once more with the same
``Palabre-Delivery`` id, which the receiver uses to drop the repeat. The log keeps one row
per endpoint and event whatever happens."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from palabre.domain.context import Context
from palabre.domain.webhooks.body import Describe, request_body
from palabre.domain.webhooks.models import Delivery, DeliveryStatus, Endpoint
from palabre.domain.webhooks.signing import HEADER, signature

log = logging.getLogger("palabre.webhooks")
LEASE = "webhooks"
BATCH = 20
MAX_ATTEMPTS = 12  # about a day of retries
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
STALE_AFTER = timedelta(minutes=2)  # longer than any request may last
USER_AGENT = "Palabre-Webhooks/1"


class DeliveryError(Exception):
    """No answer: the connection failed or the timeout passed."""


class Transport(Protocol):
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body``; the answer's status (raises :class:`DeliveryError`)."""
        ...


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: 1, 2, 4 ... minutes, at most 6 hours."""
    delay: timedelta = FIRST_RETRY * 2 ** max(0, attempts - 1)
    return min(delay, LONGEST_RETRY)


def signed_headers(endpoint: Endpoint, delivery: Delivery, body: bytes,
                   timestamp: int) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT,
            "Palabre-Event": delivery.event, "Palabre-Delivery": delivery.uid,
            HEADER: signature(endpoint.secrets, timestamp, body)}


@dataclass
class Sender:
    ctx: Context
    transport: Transport
    describe: Describe  # the public comment object
    holder: str  # who holds the lease

    async def deliver_due(self) -> int:
        """Send the deliveries due now, side by side; how many were accepted."""
        due = await self.ctx.storage.due_webhook_deliveries(self.ctx.clock(), BATCH)
        return sum(await asyncio.gather(*(self.send(d) for d in due)))

    async def send(self, delivery: Delivery) -> int:
        endpoint = await self.ctx.storage.get_webhook_endpoint(delivery.endpoint_id)
        if endpoint is None:
            return 0  # deleted meanwhile (with its deliveries)
        if not endpoint.enabled:
            await self._finish(delivery, DeliveryStatus.FAILED, "endpoint disabled", None)
            return 0
        body = await request_body(self.ctx.storage, delivery, self.describe)
        if not await self._claim(delivery):
            return 0  # the lease was lost, or another sender took it
        headers = signed_headers(endpoint, delivery, body, int(self.ctx.clock().timestamp()))
        try:
            status = await self.transport.post(endpoint.url, body, headers)
        except DeliveryError as exc:
            await self._failed(delivery, str(exc) or type(exc).__name__, None)
            return 0
        if 200 <= status < 300:
            await self._finish(delivery, DeliveryStatus.SENT, "", status)
            return 1
        await self._failed(delivery, f"the receiver answered {status}", status)
        return 0

    async def _claim(self, delivery: Delivery) -> bool:
        async with self.ctx.storage.write() as tx:
            return await tx.claim_webhook(delivery.id, LEASE, self.holder, self.ctx.clock())

    async def _failed(self, delivery: Delivery, error: str, status: int | None) -> None:
        attempts = delivery.attempts + 1
        log.info("webhook delivery %d, attempt %d: %s", delivery.id, attempts, error)
        if attempts >= MAX_ATTEMPTS:
            await self._finish(delivery, DeliveryStatus.FAILED, error, status)
        else:
            await self._finish(delivery, DeliveryStatus.QUEUED, error, status,
                               backoff(attempts))

    async def _finish(self, delivery: Delivery, outcome: DeliveryStatus, error: str,
                      status: int | None, wait: timedelta = timedelta(0)) -> None:
        now = self.ctx.clock()
        async with self.ctx.storage.write() as tx:
            await tx.finish_webhook(delivery.id, outcome, error[:500], status, now + wait, now)
