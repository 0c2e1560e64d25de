"""Waiting for the outbox: how a consumer learns, without delay, that events were written.

Events are written by ``WriteTx.emit`` in the transaction that made the change (each
backend) and read back with ``Storage.events_after`` from a consumer's position; see
``palabre/consumers.py`` for the reading loop and its delivery promise.
"""

from __future__ import annotations

import asyncio
import contextlib
import time


class Wakeable:
    """``wait_for_events`` for backends that learn of new events by a wake-up signal (a
    local commit, a PostgreSQL NOTIFY) and by polling every ``poll_seconds`` besides."""

    poll_seconds = 0.05

    def __init__(self) -> None:
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def _has_events_after(self, position: int) -> bool:
        raise NotImplementedError

    async def wait_for_events(self, position: int, timeout: float) -> None:
        end = time.monotonic() + timeout
        while True:
            self._wake.clear()
            left = end - time.monotonic()
            if left <= 0 or await self._has_events_after(position):
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(self.poll_seconds, left))
