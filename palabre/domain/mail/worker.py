"""The mail worker: one process at a time (a lease in the database) follows the outbox
into the queue and sends what is due.

The lease is a row (holder, expiry) taken and renewed in write transactions, which are
serialised on every backend (SQLite's write lock, PostgreSQL's advisory lock), so two
workers or instances never both believe they hold it; each mail is claimed only while
the lease is held, checked in the claim's own transaction. A holder that stops renewing
(crashed, hung) loses it after ``ttl``; one that stops cleanly gives it up at once.

The first holder ever starts the outbox consumer at the newest event: enabling mail on
a server that ran without it sends nothing about the past."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from datetime import datetime, timedelta

from palabre.domain.context import Context
from palabre.domain.mail.compose import Links
from palabre.domain.mail.delivery import LEASE, STALE_AFTER, Sender, Transport
from palabre.domain.mail.digests import BATCH as DIGEST_BATCH
from palabre.domain.mail.digests import ReplyDigests
from palabre.domain.mail.notify import MailNotifier
from palabre.domain.outbox import Consumer, sleep_unless, wait_for_more

log = logging.getLogger("palabre.mail")
CONSUMER = "mail"
SWEEP_EVERY = timedelta(minutes=1)
LOG_KEPT = timedelta(days=30)  # the delivery log of mails sent or given up


def holder_name() -> str:
    """This process, told apart from every other one (host, pid, a random part)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


class MailWorker:
    def __init__(self, ctx: Context, transport: Transport, links: Links, sender: str,
                 holder: str | None = None, ttl: timedelta = timedelta(seconds=60),
                 tick: float = 5.0) -> None:
        self.ctx = ctx
        self.holder = holder or holder_name()
        self.ttl = ttl
        self.tick = tick
        self.notifier = MailNotifier(ctx, links)
        self.replies = ReplyDigests(ctx, links)
        self.consumer = Consumer(ctx.storage, CONSUMER, self.notifier.handle)
        self.sender = Sender(ctx, transport, sender, self.holder)
        self.held_until: datetime | None = None  # the expiry this process last wrote
        self.swept: datetime | None = None

    async def hold_lease(self) -> bool:
        """Take or renew the lease; False while another live holder has it. A lease with
        more than two thirds of its time left is not renewed yet (no write)."""
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

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until ``stop`` is set: at once when events come, else every ``tick``."""
        try:
            while not stop.is_set():
                try:
                    holding = await self.step()
                except Exception:
                    log.exception("the mail worker failed; trying again")
                    holding = False
                if not holding:  # another process sends: only check the lease now and then
                    await sleep_unless(stop, self.tick)
                    continue
                await wait_for_more(self.ctx.storage, CONSUMER, stop, self.tick)
        finally:
            await self.release()
