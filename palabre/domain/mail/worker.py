"""The mail worker: one process at a time (the ``mail`` lease, domain/leases.py) follows
the outbox into the queue and sends what is due; enabling mail on a server that ran
without it sends nothing about the past."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from palabre.domain.context import Context
from palabre.domain.leases import LeasedWorker
from palabre.domain.mail.compose import Links
from palabre.domain.mail.delivery import LEASE, STALE_AFTER, Sender, Transport
from palabre.domain.mail.digests import BATCH as DIGEST_BATCH
from palabre.domain.mail.digests import ReplyDigests
from palabre.domain.mail.notify import MailNotifier
from palabre.domain.outbox import Consumer

log = logging.getLogger("palabre.mail")
CONSUMER = "mail"
SWEEP_EVERY = timedelta(minutes=1)
LOG_KEPT = timedelta(days=30)  # the delivery log of mails sent or given up


class MailWorker(LeasedWorker):
    lease_name = LEASE
    consumer_name = CONSUMER
    what = "mail worker"

    def __init__(self, ctx: Context, transport: Transport, links: Links, sender: str,
                 holder: str | None = None, ttl: timedelta = timedelta(seconds=60),
                 tick: float = 5.0) -> None:
        super().__init__(ctx, holder, ttl, tick)
        self.notifier = MailNotifier(ctx, links)
        self.replies = ReplyDigests(ctx, links)
        self.consumer = Consumer(ctx.storage, CONSUMER, self.notifier.handle)
        self.sender = Sender(ctx, transport, sender, self.holder)
        self.swept: datetime | None = None

    async def step(self) -> bool:
        """One round: queue what the outbox asks for, then send what is due. False when
        another process holds the lease (nothing done)."""
        if not await self.hold_lease():
            return False
        await self._sweep()
        await self.consumer.deliver_pending()
        await self.flush_digests()
        if await self.hold_lease():
            await self.sender.deliver_due()
        return True

    async def flush_digests(self) -> None:
        """Queue the digests (of replies, of alerts) whose window has closed."""
        for box in await self.ctx.storage.due_digests(self.ctx.clock(), DIGEST_BATCH):
            async with self.ctx.storage.write() as tx:
                if box.startswith("reply:"):
                    await self.replies.flush(tx, box)
                else:
                    await self.notifier.alerts.flush(tx, box)

    async def _sweep(self) -> None:
        """Give up mails left ``sending`` by a dead sender, and forget the log of mails
        done with for a month (once a minute at most)."""
        now = self.ctx.clock()
        if self.swept is not None and now - self.swept < SWEEP_EVERY:
            return
        self.swept = now
        async with self.ctx.storage.write() as tx:
            if abandoned := await tx.abandon_mails(now - STALE_AFTER, now):
                log.warning("%d mail(s) interrupted during sending: not sent again",
                            abandoned)
            await tx.prune_mails(now - LOG_KEPT)
