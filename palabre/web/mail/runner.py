"""Starting and stopping the mail worker with the app (every worker process starts one;
the lease lets only one of them, across instances, send)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from palabre.domain.context import Context
from palabre.domain.mail.compose import Links
from palabre.domain.mail.worker import MailWorker
from palabre.web.mail.routes import mail_enabled
from palabre.web.mail.smtp import SMTPTransport, parse_smtp_url

log = logging.getLogger("palabre.mail")


class MailRunner:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        config = self.ctx.config
        if not config.smtp_url.strip():
            return  # no mail at all
        if not mail_enabled(config):
            log.error("smtp_url is set but mail_from or public_url is not: no mail is sent")
            return
        try:
            settings = parse_smtp_url(config.smtp_url)
        except ValueError as exc:
            log.error("no mail is sent: %s", exc)
            return
        worker = MailWorker(self.ctx, SMTPTransport(settings), Links(config.public_url),
                            config.mail_from)
        log.info("mail notifications through %s", settings.describe())
        self.task = asyncio.create_task(worker.run(self.stop))

    async def close(self) -> None:
        if self.task is None:
            return
        self.stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), 10)
        except TimeoutError:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
