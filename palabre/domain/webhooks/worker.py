"""The webhook worker: one process at a time (the ``webhooks`` lease, in the same table
and with the same rules as the mail's) follows the outbox into the deliveries table and
sends what is due.

The first holder ever starts the outbox consumer at the newest event, and an endpoint only
gets events that happened after it was added. While no site has an endpoint the worker
still wakes with the outbox (so the first event after an endpoint is added goes at once)
but only moves its position to the newest event once a tick: no write per event, and the
outbox can still be pruned."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from palabre.domain.context import Context
from palabre.domain.mail.worker import holder_name
from palabre.domain.outbox import Consumer, sleep_unless, wait_for_more
from palabre.domain.webhooks.body import Describe
from palabre.domain.webhooks.delivery import LEASE, STALE_AFTER, Sender, Transport
from palabre.domain.webhooks.enqueue import WebhookEnqueuer

log = logging.getLogger("palabre.webhooks")
CONSUMER = "webhooks"
SWEEP_EVERY = timedelta(minutes=1)
LOG_KEPT = timedelta(days=30)  # the log of deliveries sent or given up


class WebhookWorker:
    def __init__(self, ctx: Context, transport: Transport, describe: Describe,
                 holder: str | None = None, ttl: timedelta = timedelta(seconds=60),
                 tick: float = 5.0) -> None:
        self.ctx = ctx
        self.holder = holder or holder_name()
        self.ttl = ttl
        self.tick = tick
        self.consumer = Consumer(ctx.storage, CONSUMER, WebhookEnqueuer(ctx).handle)
        self.sender = Sender(ctx, transport, describe, self.holder)
        self.held_until: datetime | None = None  # the expiry this process last wrote
        self.swept: datetime | None = None
        self.skipped: datetime | None = None
        self.idle_after: int | None = None  # while no endpoint: the newest event seen

    async def hold_lease(self) -> bool:
        """Take or renew the lease; False while another live holder has it."""
        now = self.ctx.clock()
        if self.held_until is not None and self.held_until - now > self.ttl * 2 / 3:
            return True
        self.held_until = None
        async with self.ctx.storage.write() as tx:
            lease = await tx.get_lease(LEASE)
            if lease is not None and lease.holder != self.holder and lease.expires > now:
                return False
            if lease is None and await tx.get_cursor(CONSUMER) == 0:
                await tx.set_cursor(CONSUMER, await tx.last_event_id())
            await tx.set_lease(LEASE, self.holder, now + self.ttl)
        self.held_until = now + self.ttl
        return True

    async def release(self) -> None:
        self.held_until = None
        now = self.ctx.clock()
        async with self.ctx.storage.write() as tx:
            lease = await tx.get_lease(LEASE)
            if lease is not None and lease.holder == self.holder:
                await tx.set_lease(LEASE, self.holder, now)

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

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until ``stop`` is set: at once when events come, else every ``tick``."""
        try:
            while not stop.is_set():
                try:
                    holding = await self.step()
                except Exception:
                    log.exception("the webhook worker failed; trying again")
                    holding = False
                if not holding:  # another process sends: only check the lease now and then
                    await sleep_unless(stop, self.tick)
                    continue
                await wait_for_more(self.ctx.storage, CONSUMER, stop, self.tick,
                                    self.idle_after)
        finally:
            await self.release()
