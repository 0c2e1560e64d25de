"""Sequential writes: one client posts comments one after another, each awaited."""

from __future__ import annotations

import http.client
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PostResult:
    count: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def sequential_posts(port: int, path: str, body: Callable[[int], dict[str, object]], *,
                     seconds: float, warmup: float = 0.5, max_posts: int = 20_000,
                     ok: tuple[int, ...] = (201,)) -> PostResult:
    """POST ``body(n)`` to ``path`` on 127.0.0.1:``port`` until ``seconds`` have passed.

    One HTTP/1.1 connection, kept alive when the server allows it (reopened when it
    closes it, as Isso's gunicorn sync workers do); every answer must be in ``ok``.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    durations: list[float] = []
    n = 0
    try:
        for phase, limit in (("warmup", warmup), ("measure", seconds)):
            durations.clear()
            start = time.perf_counter()
            while True:
                now = time.perf_counter()
                if now - start >= limit or len(durations) >= max_posts:
                    break
                payload = json.dumps(body(n)).encode()
                n += 1
                conn.request("POST", path, payload, headers)
                resp = conn.getresponse()
                answer = resp.read()
                if resp.status not in ok:
                    raise RuntimeError(f"POST {path} ({phase}) answered {resp.status}: "
                                       f"{answer[:300]!r}")
                durations.append(time.perf_counter() - now)
            elapsed = time.perf_counter() - start
    finally:
        conn.close()
    ordered = sorted(durations)
    return PostResult(
        count=len(durations), seconds=elapsed,
        p50_ms=statistics.median(ordered) * 1000 if ordered else 0.0,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        if ordered else 0.0,
    )
