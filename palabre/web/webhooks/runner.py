"""Starting and stopping the webhook worker with the app (every worker process starts one;
the lease lets only one of them, across instances, send)."""

from __future__ import annotations

import asyncio
import contextlib

from palabre.domain.context import Context
from palabre.domain.webhooks.worker import WebhookWorker
from palabre.web.api.serialise import comment_json
from palabre.web.webhooks.transport import HttpxTransport


class WebhookRunner:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.transport: HttpxTransport | None = None

    def start(self) -> None:
        # At most a minute: a request still under way must end well before the sweep
        # (STALE_AFTER) would take its delivery for interrupted.
        timeout = min(max(1, self.ctx.config.webhook_timeout_seconds), 60)
        self.transport = HttpxTransport(timeout)
        worker = WebhookWorker(self.ctx, self.transport, comment_json)
        self.task = asyncio.create_task(worker.run(self.stop))

    async def close(self) -> None:
        if self.task is not None:
            self.stop.set()
            try:
                await asyncio.wait_for(asyncio.shield(self.task), 10)
            except TimeoutError:
                self.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.task
        if self.transport is not None:
            await self.transport.close()
