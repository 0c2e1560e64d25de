"""The webhook worker: one process at a time (the ``webhooks`` lease, domain/leases.py)
follows the outbox into the deliveries table and sends what is due.

The first holder ever starts the outbox consumer at the newest event, and an endpoint only
gets events that happened after it was added. While no site has an endpoint the worker
still wakes with the outbox (so the first event after an endpoint is added goes at once)
but only moves its position to the newest event once a tick: no write per event, and the
outbox can still be pruned."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from palabre.domain.context import Context
from palabre.domain.leases import LeasedWorker
from palabre.domain.outbox import Consumer
from palabre.domain.webhooks.body import Describe
from palabre.domain.webhooks.delivery import LEASE, STALE_AFTER, Sender, Transport
from palabre.domain.webhooks.enqueue import WebhookEnqueuer

log = logging.getLogger("palabre.webhooks")
CONSUMER = "webhooks"
SWEEP_EVERY = timedelta(minutes=1)
LOG_KEPT = timedelta(days=30)  # the log of deliveries sent or given up


class WebhookWorker(LeasedWorker):
    lease_name = LEASE
    consumer_name = CONSUMER
    what = "webhook worker"

    def __init__(self, ctx: Context, transport: Transport, describe: Describe,
                 holder: str | None = None, ttl: timedelta = timedelta(seconds=60),
                 tick: float = 5.0) -> None:
        super().__init__(ctx, holder, ttl, tick)
        self.consumer = Consumer(ctx.storage, CONSUMER, WebhookEnqueuer(ctx).handle)
        self.sender = Sender(ctx, transport, describe, self.holder)
        self.swept: datetime | None = None
        self.skipped: datetime | None = None
        self.idle_after: int | None = None  # while no endpoint: the newest event seen

    def waits_after(self) -> int | None:
        return self.idle_after

    async def step(self) -> bool:
        """One round: queue what the outbox asks for, then send what is due. False when
        another process holds the lease (nothing done)."""
        if not await self.hold_lease():
            return False
        newest = await self.ctx.storage.last_event_id()
        if not await self.ctx.storage.has_webhook_endpoints():
            self.idle_after = newest
            await self._skip_events(newest)
            return True
        self.idle_after = None
        await self._sweep()
        await self.consumer.deliver_pending()
        if await self.hold_lease():
            await self.sender.deliver_due()
        return True

    async def _skip_events(self, newest: int) -> None:
        """With no endpoint anywhere, move the position to ``newest`` (read before no
        endpoint was seen: every event up to it came before any endpoint), once a tick."""
        now = self.ctx.clock()
        if self.skipped is not None and (now - self.skipped).total_seconds() < self.tick:
            return
        self.skipped = now
        if await self.ctx.storage.get_cursor(CONSUMER) == newest:
            return
        async with self.ctx.storage.write() as tx:
            if not await tx.has_webhook_endpoints():  # checked again under the write lock
                await tx.set_cursor(CONSUMER, newest)

    async def _sweep(self) -> None:
        """Queue again deliveries a dead sender left ``sending``, and forget the log of
        deliveries done with for a month (once a minute at most)."""
        now = self.ctx.clock()
        if self.swept is not None and now - self.swept < SWEEP_EVERY:
            return
        self.swept = now
        async with self.ctx.storage.write() as tx:
            if interrupted := await tx.requeue_webhooks(now - STALE_AFTER):
                log.warning("%d webhook deliveries interrupted: sent again", interrupted)
            await tx.prune_webhooks(now - LOG_KEPT)
