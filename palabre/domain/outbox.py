"""Reading the durable outbox: consumers that follow it from a saved position.

Every change is written to the outbox in the transaction that made it
(``WriteTx.emit``, see ``domain/events.py``). A consumer (live updates, mail, webhooks, the
moderation assistant) reads the events after its saved position, hands each to its
handler in order, and saves the new position after each batch. The promise:

- **at least once**: an event is handed over again if the process dies (or the handler
  fails) before the position after it was saved, so handlers must tolerate a repeat;
- **in order**: events come in commit order (ids grow in commit order, since writes are
  serialised), so in order per thread too;
- **nothing lost**: an event is in the outbox exactly when its change was committed.

One process runs a given named consumer at a time. Events every consumer has passed are
pruned once older than ``event_retention_days``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from palabre.domain.context import Context
from palabre.domain.events import StoredEvent
from palabre.domain.ports import Storage

log = logging.getLogger("palabre.outbox")
Handler = Callable[[StoredEvent], Awaitable[None]]
RETRY_SECONDS = 5.0


@dataclass
class Consumer:
    storage: Storage
    name: str
    handle: Handler
    batch_size: int = 100

    async def deliver_pending(self) -> int:
        """Hand every event past the saved position to the handler; how many were handled.

        The position moves after each batch, and up to the last event handled when the
        handler fails (the error is raised after saving, and that event comes again)."""
        handled = 0
        position = await self.storage.get_cursor(self.name)
        while batch := await self.storage.events_after(position, self.batch_size):
            try:
                for stored in batch:
                    await self.handle(stored)
                    position = stored.id
                    handled += 1
            finally:
                await self._save(position)
        return handled

    async def _save(self, position: int) -> None:
        if position != await self.storage.get_cursor(self.name):
            async with self.storage.write() as tx:
                await tx.set_cursor(self.name, position)

    async def run(self, stop: asyncio.Event, wait_seconds: float = 5.0) -> None:
        """Deliver events as they come until ``stop`` is set; a failing handler is retried
        after ``RETRY_SECONDS``."""
        while not stop.is_set():
            try:
                await self.deliver_pending()
            except Exception:
                log.exception("consumer %s failed; retrying", self.name)
                await sleep_unless(stop, RETRY_SECONDS)
                continue
            await wait_for_more(self.storage, self.name, stop, wait_seconds)


async def wait_for_more(storage: Storage, consumer: str, stop: asyncio.Event,
                        seconds: float, position: int | None = None) -> None:
    """Wait until events come after ``position`` (default: the consumer's saved one),
    ``stop`` is set, or ``seconds`` pass. A database that cannot answer meanwhile is waited
    out the same way (logged): a consumer outlives an outage and goes on by itself."""
    try:
        after = position if position is not None else await storage.get_cursor(consumer)
    except Exception:
        log.warning("consumer %s cannot read its position; trying again", consumer,
                    exc_info=True)
        await sleep_unless(stop, seconds)
        return
    waiting = asyncio.ensure_future(storage.wait_for_events(after, seconds))
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    for task in (waiting, stopping):
        task.cancel()
    if waiting.done() and not waiting.cancelled() and waiting.exception() is not None:
        log.warning("consumer %s cannot wait for events; trying again", consumer,
                    exc_info=waiting.exception())
        await sleep_unless(stop, seconds)


async def sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less if ``stop`` is set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return


async def prune_events(ctx: Context) -> int:
    """Drop events every consumer has read that are older than the retention period."""
    before = ctx.clock() - timedelta(days=ctx.config.event_retention_days)
    async with ctx.storage.write() as tx:
        return await tx.prune_events(before)
