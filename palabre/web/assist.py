"""The moderation assistant in the server: its model phase, and keeping models current.

Every worker scores with the stored models (no scikit-learn in a worker). Now and then a
worker checks whether a model is due (the starter model of the shipped set, a site with
enough new decisions) and, when one is and no process holds the training lease, starts
``palabre assist train --due`` as a child process: training never runs in a request nor
holds up the event loop, and one process at a time trains.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys

from palabre.assist import can_train, upkeep
from palabre.assist.phase import ModelPhase
from palabre.domain.context import Context
from palabre.domain.phases import Phase
from palabre.domain.ports import Reads
from palabre.settings import ServerConfig

log = logging.getLogger("palabre.assist")
FIRST_CHECK_SECONDS = 5.0  # after start-up, so a new server gets its starter model soon


def assist_phases(config: ServerConfig, storage: Reads) -> tuple[Phase, ...]:
    """The model phase; a worker looks for a newer model as often as models are checked
    (every 30 s at most)."""
    refresh = min(30.0, config.assist_check_seconds or 30.0)
    return (ModelPhase(storage, refresh_seconds=refresh),) if config.assist else ()


class AssistRunner:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        config = self.ctx.config
        if config.assist and config.assist_check_seconds > 0 and can_train():
            self.task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _run(self) -> None:
        await asyncio.sleep(FIRST_CHECK_SECONDS)
        while True:
            try:
                if await self._due():
                    await self._train()
            except Exception:
                log.exception("checking the assistant's models failed")
            await asyncio.sleep(self.ctx.config.assist_check_seconds)

    async def _due(self) -> bool:
        return await upkeep.lease_free(self.ctx) and (
            await upkeep.starter_due(self.ctx) or bool(await upkeep.sites_due(self.ctx)))

    async def _train(self) -> None:
        env = {**os.environ, "PALABRE_DATABASE_URL": self.ctx.config.database_url}
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "palabre.cli.main", "assist", "train", "--due", env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        try:
            out, err = await child.communicate()
        except asyncio.CancelledError:
            child.kill()
            await asyncio.shield(child.wait())
            raise
        if child.returncode == 0:
            log.info("assistant models trained: %s", " ".join(out.decode().split()))
        else:
            log.warning("training the assistant's models failed: %s",
                        err.decode(errors="replace").strip().splitlines()[-1:])
