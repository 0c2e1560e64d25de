"""CPU time per POST through the ASGI app in process, with fsync off: the write path's own
cost, without the disk (whose fsync time varies with whatever else the machine does).

Usage: ``PYTHONPATH=CHECKOUT .venv/bin/python bench/post_cpu.py CHECKOUT``, in each of two
checkouts, to compare them (its ``palabre`` and ``bench`` modules are the ones imported).
Best of 3 batches of 1,000 POSTs, each with a new text, after 300 to warm up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import orjson  # noqa: E402
import seed  # noqa: E402
from paths import scope  # noqa: E402

Message = MutableMapping[str, Any]


def body(n: int) -> bytes:
    return orjson.dumps({"site": "default", "uri": seed.URI_POSTS, "title": "T",
                         "text": f"{seed.TEXTS[n % len(seed.TEXTS)]} ({os.getpid()} n° {n})",
                         "author": seed.AUTHORS[n % len(seed.AUTHORS)]})


async def measure() -> float:
    from palabre.domain.identity import SYSTEM
    from palabre.domain.sites import change_settings
    from palabre.settings import ServerConfig
    from palabre.storage import migrate
    from palabre.web.app import create_app

    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'post-cpu.db'}"
    migrate.upgrade(url)
    app: Any = create_app(ServerConfig(database_url=url, secret="bench-only",
                                       post_rate_limit=0, write_rate_limit=0))
    async with app.router.lifespan_context(app):
        state = app.app.state.palabre
        off = {"pow_difficulty": 0, "min_submit_seconds": 0}  # where these checks exist
        with contextlib.suppress(Exception):  # a checkout from before them has neither
            await change_settings(state.ctx, "default", off, SYSTEM)
        state.ctx.storage.writer.execute("PRAGMA synchronous=OFF")

        async def post(n: int) -> None:
            data, sent = body(n), []

            async def receive() -> Message:
                return {"type": "http.request", "body": data, "more_body": False}

            async def send(message: Message) -> None:
                sent.append(message)

            await app(scope("/api/v1/comments", body=data), receive, send)
            assert sent[0]["status"] == 201, sent

        for n in range(300):
            await post(-n - 1)
        best = float("inf")
        for batch in range(3):
            started = time.process_time()
            for n in range(batch * 1000, batch * 1000 + 1000):
                await post(n)
            best = min(best, (time.process_time() - started) / 1000)
    return best


if __name__ == "__main__":
    print(f"{ROOT}: {asyncio.run(measure()) * 1e6:.0f} µs of CPU per POST")
