"""What the moderation assistant costs a POST: CPU per POST through the ASGI app in
process (fsync off), with the assistant off and on (the starter model stored, every post
scored and its verdict stored), in alternating batches; and the model's own scoring time per
comment on the shipped set.

Usage: ``.venv/bin/python bench/assist_posts.py [--batches 4] [--posts 500]``
(needs the assist extra to train the starter model once).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, MutableMapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import orjson  # noqa: E402
from paths import scope  # noqa: E402

from palabre.assist import starter, training  # noqa: E402
from palabre.assist.model import TextModel  # noqa: E402
from palabre.domain.identity import SYSTEM  # noqa: E402
from palabre.domain.sites import change_settings  # noqa: E402
from palabre.settings import ServerConfig  # noqa: E402
from palabre.storage import migrate  # noqa: E402
from palabre.web.app import create_app  # noqa: E402

Message = MutableMapping[str, Any]
TEXTS = [c.text for c in starter.load() if not c.refused]  # published: the common case


def body(n: int) -> bytes:
    return orjson.dumps({"site": "default", "uri": "/bench", "title": "T",
                         "text": f"{TEXTS[n % len(TEXTS)]} (n° {n})", "author": "Lou"})


@contextlib.asynccontextmanager
async def app_with(assist: bool) -> AsyncIterator[Any]:
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'assist-posts.db'}"
    migrate.upgrade(url)
    app: Any = create_app(ServerConfig(database_url=url, secret="bench-only",
                                       post_rate_limit=0, write_rate_limit=0, assist=assist,
                                       assist_check_seconds=0))
    async with app.router.lifespan_context(app):
        ctx = app.app.state.palabre.ctx
        await change_settings(ctx, "default", {"pow_difficulty": 0, "min_submit_seconds": 0,
                                               "duplicate_window_seconds": 0,
                                               "assist_nudge_percent": 95}, SYSTEM)
        ctx.storage.writer.execute("PRAGMA synchronous=OFF")
        if assist:
            await training.ensure_starter(ctx)
        yield app


async def post(app: Any, n: int) -> None:
    data, sent = body(n), []

    async def receive() -> Message:
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope("/api/v1/comments", body=data), receive, send)
    assert sent[0]["status"] in (201, 422), sent


async def batch(app: Any, start: int, count: int) -> float:
    started = time.process_time()
    for n in range(start, start + count):
        await post(app, n)
    return (time.process_time() - started) / count


async def measure(batches: int, posts: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"off": [], "on": []}
    async with app_with(False) as off, app_with(True) as on:
        for app in (off, on):
            await batch(app, -300, 300)  # warm up
        for n in range(batches):
            for name, app in (("off", off), ("on", on)):
                found[name].append(await batch(app, n * posts, posts))
    return found


def scoring_cost(model: TextModel) -> float:
    texts = [c.text for c in starter.load()]
    started = time.perf_counter()
    for text in texts:
        model.score(text)
    return (time.perf_counter() - started) / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--posts", type=int, default=500)
    args = parser.parse_args()
    found = asyncio.run(measure(args.batches, args.posts))
    off, on = min(found["off"]), min(found["on"])
    print(f"CPU per POST, best of {args.batches} batches of {args.posts}: assistant off "
          f"{off * 1e6:.0f} µs, on {on * 1e6:.0f} µs (+{(on - off) * 1e6:.0f} µs, "
          f"{on / off:.2f}×); medians {statistics.median(found['off']) * 1e6:.0f} / "
          f"{statistics.median(found['on']) * 1e6:.0f} µs")
    training_slice, _ = starter.split()
    from palabre.assist import learn

    model = learn.train(training_slice)
    print(f"scoring alone: {scoring_cost(model) * 1e6:.0f} µs per comment "
          f"({len(model.weights)} n-grams in the model)")


if __name__ == "__main__":
    main()
