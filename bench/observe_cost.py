"""What metrics, request ids and the shared-cache mode cost a cached read, A/B in one process.

The cache layer as it is now, and the same with the changes of ``--without`` (the commits
that added them) taken back out (loaded under another module name), are put in front of
the same application,
the same read cache and the same database; batches of each are run in turn, many times,
and the best batch of each kept (other work on the machine only adds time, and taking
turns shares what it adds). Also: the layer now with the shared-cache mode on, and a
request that reaches the application (``/healthz``) with and without the layer that
counts, times and ids it (counting and timing only when /metrics is open). Paths and
seeding as bench/paths.py.

With ``--http``, the same two layers in two uvicorn servers (one worker each, palabre
serve's protocol) loaded by wrk in turn.

Usage: .venv/bin/python bench/observe_cost.py [--without COMMIT,...] [--n 2000] [--rounds 40]
       .venv/bin/python bench/observe_cost.py --http [--rounds 4] [--seconds 5]
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
from dataclasses import replace
from pathlib import Path
from typing import Any

import seed
from paths import ORIGIN, WORK, App, call, scope

ROOT = Path(__file__).resolve().parents[1]


def load_before(commits: list[str], folder: Path) -> Any:
    """web/cache/fastpath.py as it is now with the changes ``commits`` made to it taken back
    out (``patch -R``, newest first), as a module of its own: the same layer without them."""
    path = folder / "palabre" / "web" / "cache" / "fastpath.py"
    path.parent.mkdir(parents=True)
    shutil.copyfile(ROOT / "palabre" / "web" / "cache" / "fastpath.py", path)
    for commit in reversed(commits):
        diff = subprocess.run(["git", "diff", f"{commit}^", commit, "--",
                               "palabre/web/cache/fastpath.py"],
                              cwd=ROOT, capture_output=True, text=True, check=True).stdout
        subprocess.run(["patch", "-R", "-p1", "--quiet"], cwd=folder, input=diff, text=True,
                       check=True)
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
        config = ServerConfig(database_url=f"sqlite:///{db}", secret="observe-only-secret")
        now: Any = create_app(config)  # /metrics closed (the default): nothing counted
        counted: Any = create_app(replace(config, metrics_networks=("127.0.0.1",)))
        old = load_before(args.without.split(","), folder)
        starlette = now.app.app  # behind the layer that counts, times and ids requests
        before = old.CachedReads(starlette, now.cache, now.ctx, now.origins)
        shared = type(now)(now.app, now.cache, now.ctx, now.origins, SharedCaching(60, 30))
        async with starlette.router.lifespan_context(starlette), \
                counted.app.app.router.lifespan_context(counted.app.app):
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
                            ("now", now, lambda: scope("/healthz"), 200),
                            ("now, /metrics open", counted, lambda: scope("/healthz"), 200)],
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


FACTORY = """
import importlib.util, sys
from palabre.settings import load_config
from palabre.web.app import create_app

def before():
    spec = importlib.util.spec_from_file_location("fastpath_before", {path!r})
    old = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)
    now = create_app(load_config())
    return old.CachedReads(now.app.app, now.cache, now.ctx, now.origins)

def now():
    return create_app(load_config())
"""


def http(args: argparse.Namespace) -> int:
    """The same A/B through HTTP: two uvicorn servers, one worker each, as `palabre serve`
    runs them (httptools, its protocol), the layer before and now; wrk on the cached read of
    the 43-comment thread, turn about, ``--rounds`` runs each (the best kept)."""
    import harness
    from harness import HOST, Load
    from run import P43, SECRET

    folder = Path(tempfile.mkdtemp(prefix="palabre-observe-http-"))
    try:
        load_before(args.without.split(","), folder)
        fastpath = folder / "palabre" / "web" / "cache" / "fastpath.py"
        (folder / "observe_factory.py").write_text(FACTORY.format(path=str(fastpath)))
        db = folder / "palabre.db"
        shutil.copyfile(args.seeded, db)
        env = {"PALABRE_DATABASE_URL": f"sqlite:///{db}", "PALABRE_SECRET": SECRET,
               "PALABRE_LOG_LEVEL": "warning"}
        servers = {}
        for name in ("before", "now"):
            port = harness.free_port()
            argv = [sys.executable, "-m", "uvicorn", f"observe_factory:{name}", "--factory",
                    "--app-dir", str(folder), "--host", HOST, "--port", str(port),
                    "--http", "palabre.web.http.server:HeadDeadlineProtocol",
                    "--no-access-log", "--no-server-header", "--log-level", "warning"]
            servers[name] = harness.start(name, argv, port=port, ready_path="/healthz",
                                          log_dir=folder, env=env, cwd=ROOT)
        try:
            best = dict.fromkeys(servers, 0.0)
            for n in range(args.rounds):
                order = list(servers) if n % 2 == 0 else list(servers)[::-1]
                for name in order:
                    harness.wait_quiet(max_wait=5.0)
                    result = harness.wrk(servers[name].base, Load(P43), seconds=args.seconds,
                                         connections=32, warmup=1.0, work_dir=folder / "wrk")
                    if result.error_count:
                        raise RuntimeError(f"{name}: {result.errors_text()}")
                    print(f"{name:<7} {result.rps:8.0f} req/s (others used "
                          f"{result.foreign:.0%} of the machine)", flush=True)
                    best[name] = max(best[name], result.rps)
            print(f"cached read through HTTP, now / before: {best['now'] / best['before']:.2f}× "
                  f"(best of {args.rounds} runs each)")
        finally:
            for server in servers.values():
                server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


async def _receive() -> Any:
    return {"type": "http.request", "body": b"", "more_body": False}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--without", default="bf3eef4,1194070",
                        help="the commits (oldest first, by commas) whose changes to the "
                             "cache layer make 'before' when taken out (default: metrics "
                             "and request ids)")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--http", action="store_true",
                        help="through HTTP with wrk instead of in process")
    parser.add_argument("--seconds", type=float, default=5.0, help="each wrk run (--http)")
    args = parser.parse_args()
    args.seeded = seed.seed_palabre(WORK / f"palabre-main-{seed.schema_key()}.db", None, True)
    if args.http:
        return http(args)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
