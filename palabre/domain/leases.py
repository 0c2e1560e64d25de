"""Workers that one process at a time runs, across workers and instances: the mail and the
webhook senders.

The lease is a row (holder, expiry) taken and renewed in write transactions, which are
serialised on every backend (SQLite's write lock, PostgreSQL's advisory lock), so two
processes never both believe they hold it; whatever a worker claims is claimed only while
the lease is held, checked in the claim's own transaction. A holder that stops renewing
(crashed, hung) loses it after ``ttl``; one that stops cleanly gives it up at once.

The first holder ever starts the worker's outbox consumer at the newest event: turning a
feature on for a server that ran without it sends nothing about the past."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import ClassVar

from palabre.domain.context import Context
from palabre.domain.outbox import sleep_unless, wait_for_more

log = logging.getLogger("palabre.leases")


def holder_name() -> str:
    """This process, told apart from every other one (host, pid, a random part)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


class LeasedWorker:
    """Rounds of :meth:`step` while this process holds the lease ``lease_name``, woken by
    the outbox (the consumer ``consumer_name``) or every ``tick`` seconds."""

    lease_name: ClassVar[str]
    consumer_name: ClassVar[str]
    what: ClassVar[str]  # for the log: "mail worker"

    def __init__(self, ctx: Context, holder: str | None, ttl: timedelta,
                 tick: float) -> None:
        self.ctx = ctx
        self.holder = holder or holder_name()
        self.ttl = ttl
        self.tick = tick
        self.held_until: datetime | None = None  # the expiry this process last wrote

    async def step(self) -> bool:
        """One round; False when another process holds the lease (nothing done)."""
        raise NotImplementedError

    def waits_after(self) -> int | None:
        """The outbox position to wait past (None: the consumer's saved one)."""
        return None

    async def hold_lease(self) -> bool:
        """Take or renew the lease; False while another live holder has it. A lease with
        more than two thirds of its time left is not renewed yet (no write)."""
        now = self.ctx.clock()
        if self.held_until is not None and self.held_until - now > self.ttl * 2 / 3:
            return True
        self.held_until = None
        async with self.ctx.storage.write() as tx:
            lease = await tx.get_lease(self.lease_name)
            if lease is not None and lease.holder != self.holder and lease.expires > now:
                return False
            if lease is None and await tx.get_cursor(self.consumer_name) == 0:
                await tx.set_cursor(self.consumer_name, await tx.last_event_id())
            await tx.set_lease(self.lease_name, self.holder, now + self.ttl)
        self.held_until = now + self.ttl
        return True

    async def release(self) -> None:
        self.held_until = None
        now = self.ctx.clock()
        async with self.ctx.storage.write() as tx:
            lease = await tx.get_lease(self.lease_name)
            if lease is not None and lease.holder == self.holder:
                await tx.set_lease(self.lease_name, self.holder, now)

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until ``stop`` is set: at once when events come, else every ``tick``."""
        try:
            while not stop.is_set():
                try:
                    holding = await self.step()
                except Exception:
                    log.exception("the %s failed; trying again", self.what)
                    holding = False
                if not holding:  # another process has it: only check the lease now and then
                    await sleep_unless(stop, self.tick)
                    continue
                await wait_for_more(self.ctx.storage, self.consumer_name, stop, self.tick,
                                    self.waits_after())
        finally:
            await self.release()
