"""What metrics, request ids and the shared-cache mode cost a cached read, A/B in one process.

The cache layer as it was before them (web/cache/fastpath.py at ``--before``, loaded from
git under another module name) and as it is now are put in front of the same application,
the same read cache and the same database; batches of each are run in turn, many times,
and the best batch of each kept (other work on the machine only adds time, and taking
turns shares what it adds). Also: the layer now with the shared-cache mode on, and a
request that reaches the application (``/healthz``) with and without the layer that
counts, times and ids it. Paths and seeding as bench/paths.py.

Usage: .venv/bin/python bench/observe_cost.py [--before REV] [--n 2000] [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import seed
from paths import ORIGIN, WORK, App, call, scope

ROOT = Path(__file__).resolve().parents[1]


def load_before(rev: str, folder: Path) -> Any:
    """web/cache/fastpath.py as it was at ``rev``, as a module of its own."""
    source = subprocess.run(["git", "show", f"{rev}:palabre/web/cache/fastpath.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    path = folder / "fastpath_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("fastpath_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def batch(app: App, make: Any, n: int, expect: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        status = await call(app, make())
        if status != expect:
            raise RuntimeError(f"answered {status}, expected {expect}")
    return (time.perf_counter() - start) / n * 1e6


async def main_async(args: argparse.Namespace) -> int:
    from run import P43

    from palabre.settings import ServerConfig
    from palabre.web.app import create_app
    from palabre.web.cache.shared import SharedCaching

    folder = Path(tempfile.mkdtemp(prefix="palabre-observe-"))
    try:
        db = folder / "palabre.db"
        shutil.copyfile(args.seeded, db)
        now: Any = create_app(ServerConfig(database_url=f"sqlite:///{db}",
                                           secret="observe-only-secret"))
        old = load_before(args.before, folder)
        starlette = now.app.app  # behind the layer that counts, times and ids requests
        before = old.CachedReads(starlette, now.cache, now.ctx, now.origins)
        shared = type(now)(now.app, now.cache, now.ctx, now.origins, SharedCaching(60, 30))
        async with starlette.router.lifespan_context(starlette):
            etag = b""

            async def grab(message: Any) -> None:
                nonlocal etag
                for key, value in message.get("headers", []):
                    if key == b"etag":
                        etag = value

            await now(scope(P43), _receive, grab)
            cases: dict[str, list[tuple[str, App, Any, int]]] = {
                "cached": [("before", before, lambda: scope(P43), 200),
                           ("now", now, lambda: scope(P43), 200),
                           ("now, shared cache", shared, lambda: scope(P43), 200)],
                "cached-origin": [
                    ("before", before, lambda: scope(P43, [(b"origin", ORIGIN)]), 200),
                    ("now", now, lambda: scope(P43, [(b"origin", ORIGIN)]), 200)],
                "304": [("before", before, lambda: scope(P43, [(b"if-none-match", etag)]), 304),
                        ("now", now, lambda: scope(P43, [(b"if-none-match", etag)]), 304)],
                "healthz": [("before", before, lambda: scope("/healthz"), 200),
                            ("now", now, lambda: scope("/healthz"), 200)],
            }
            for name, variants in cases.items():
                best = {label: float("inf") for label, *_ in variants}
                n = args.n if name != "healthz" else max(1, args.n // 10)
                for _label, app, make, expect in variants:
                    await batch(app, make, min(n, 500), expect)  # warm-up
                for _ in range(args.rounds):
                    for label, app, make, expect in variants:
                        best[label] = min(best[label], await batch(app, make, n, expect))
                base = best["before"]
                for label, micros in best.items():
                    print(f"{name:<14} {label:<18} {micros:7.2f} µs  {base / micros:5.2f}× "
                          "the speed before")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


async def _receive() -> Any:
    return {"type": "http.request", "body": b"", "more_body": False}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--before", default="bf3eef4^",
                        help="the revision whose cache layer is 'before' (default: the one "
                             "before metrics and request ids)")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    args.seeded = seed.seed_palabre(WORK / f"palabre-main-{seed.schema_key()}.db", None, True)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
