"""Baseline A: a raw ASGI app answering fixed bytes, the floor of what Python can serve.

Each ``*.json`` file in ``$BENCH_RAW_DIR`` is served at ``/<file stem>`` with its exact
bytes (the benchmark writes there the answers Palabre gave), and ``/`` answers ``ok``.
Run under uvicorn (uvloop, httptools) with the same worker count as Palabre.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _load() -> dict[str, tuple[list[tuple[bytes, bytes]], bytes]]:
    answers: dict[str, tuple[list[tuple[bytes, bytes]], bytes]] = {}
    folder = os.environ.get("BENCH_RAW_DIR")
    files = sorted(Path(folder).glob("*.json")) if folder else []
    for path in [*files, None]:
        body = path.read_bytes() if path else b"ok"
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode())]
        answers["/" + path.stem if path else "/"] = (headers, body)
    return answers


ANSWERS = _load()
NOT_FOUND = {"type": "http.response.start", "status": 404,
             "headers": [(b"content-length", b"0")]}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
        return
    found = ANSWERS.get(scope["path"])
    if found is None:
        await send(NOT_FOUND)
        await send({"type": "http.response.body", "body": b""})
        return
    headers, body = found
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
