"""Per-request CPU of Palabre's hot paths, in process, without an HTTP server.

Calls the ASGI application directly (Starlette, middleware, handlers, storage, cache),
so the figures leave out uvicorn and the socket: what remains is Palabre's own cost per
request, next to the raw ASGI app's (best of five batches, since other work on the
machine can only add time). ``--profile NAME`` prints a cProfile of one path.

Usage: .venv/bin/python bench/paths.py [--n 20000] [--profile cached] [--cpu]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import orjson
import seed

WORK = Path(__file__).resolve().parent / ".work"
ORIGIN = b"https://news.example"
# Wall time; ``--cpu``: this process's CPU time (steadier on a machine others load, but
# blind to waits such as an fsync).
CLOCK = time.perf_counter

Message = MutableMapping[str, Any]
App = Callable[[MutableMapping[str, Any], Callable[[], Awaitable[Message]],
                Callable[[Message], Awaitable[None]]], Awaitable[None]]


def scope(path: str, headers: list[tuple[bytes, bytes]] | None = None,
          body: bytes = b"") -> dict[str, Any]:
    """An HTTP scope; with a ``body``, a JSON POST (the body rides in the scope's
    ``bench.body`` for :func:`call`)."""
    route, _, query = path.partition("?")
    if body:
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode()), *(headers or [])]
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": "POST" if body else "GET", "bench.body": body,
        "scheme": "http", "path": route, "raw_path": route.encode(),
        "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8080"), *(headers or [])],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080),
    }


async def call(app: App, sc: dict[str, Any]) -> int:
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": sc["bench.body"], "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(sc, receive, send)
    return status


async def per_request(app: App, make: Callable[[int], dict[str, Any]], n: int,
                      expect: int) -> float:
    for i in range(min(n, 500)):  # warm-up
        status = await call(app, make(-i - 1))
        if status != expect:
            raise RuntimeError(f"answered {status}, expected {expect}")
    best = float("inf")
    batch = max(1, n // 5)
    for b in range(5):  # the best of five batches: other work on the machine only adds
        start = CLOCK()
        for i in range(b * batch, (b + 1) * batch):
            await call(app, make(i))
        best = min(best, (CLOCK() - start) / batch * 1e6)
    return best


async def main_async(args: argparse.Namespace) -> int:
    import rawapp
    import run
    from run import P43, P1000, PCOUNTS

    from palabre.settings import ServerConfig
    from palabre.web.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="palabre-paths-"))
    try:
        db = folder / "palabre.db"
        shutil.copyfile(args.seeded, db)
        app: Any = create_app(ServerConfig(database_url=f"sqlite:///{db}",
                                           secret="paths-only-secret", post_rate_limit=0,
                                           write_rate_limit=0))
        async with app.router.lifespan_context(app):
            body = b""

            async def grab(message: Message) -> None:
                nonlocal body
                body += message.get("body", b"")

            async def receive() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

            etag = b""

            async def grab_etag(message: Message) -> None:
                nonlocal etag
                for key, value in message.get("headers", []):
                    if key == b"etag":
                        etag = value
                await grab(message)

            await app(scope(P43), receive, grab_etag)
            os.environ["BENCH_RAW_DIR"] = str(folder)
            (folder / "t43.json").write_bytes(body)
            async def uncached(sc: MutableMapping[str, Any],
                               receive: Callable[[], Awaitable[Message]],
                               send: Callable[[Message], Awaitable[None]]) -> None:
                app.cache.clear()  # the cache ignores unknown parameters: empty it instead
                await app(sc, receive, send)

            raw: App = rawapp.app
            rawapp.ANSWERS = rawapp._load()
            cases: dict[str, tuple[App, Callable[[int], dict[str, Any]], int]] = {
                "raw": (raw, lambda i: scope("/t43"), 200),
                "cached": (app, lambda i: scope(P43), 200),
                "cached-origin": (app, lambda i: scope(P43, [(b"origin", ORIGIN)]), 200),
                "cached-gzip": (app, lambda i: scope(P43, [
                    (b"accept-encoding", b"gzip, deflate, br")]), 200),
                "304": (app, lambda i: scope(P43, [(b"if-none-match", etag)]), 304),
                "uncached": (uncached, lambda i: scope(P43), 200),
                "page1000": (app, lambda i: scope(P1000), 200),
                "counts": (app, lambda i: scope(PCOUNTS), 200),
                "healthz": (app, lambda i: scope("/healthz"), 200),
                "post": (app, lambda i: scope("/api/v1/comments",
                                              body=orjson.dumps(run.palabre_post(i))), 201),
            }
            if args.profile:
                target, make, expect = cases[args.profile]
                profiler = cProfile.Profile()
                profiler.enable()
                await per_request(target, make, args.n, expect)
                profiler.disable()
                stats = pstats.Stats(profiler, stream=sys.stdout)
                stats.sort_stats(os.environ.get("PALABRE_PROFILE_SORT", "tottime")).print_stats(25)
                return 0
            for name, (target, make, expect) in cases.items():
                n = args.n if name not in ("uncached", "page1000", "post") else args.n // 10
                micros = await per_request(target, make, n, expect)
                print(f"{name:<10} {micros:8.1f} µs per request")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--profile", choices=["raw", "cached", "cached-origin", "cached-gzip",
                                              "304",
                                              "uncached",
                                              "page1000", "counts", "healthz", "post"])
    parser.add_argument("--cpu", action="store_true",
                        help="time with this process's CPU time instead of wall time")
    args = parser.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
    # Seeded before the event loop starts: the seeder runs one of its own.
    args.seeded = seed.seed_palabre(WORK / f"palabre-main-{seed.schema_key()}.db", None, True)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
