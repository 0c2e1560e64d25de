"""Reads of two checkouts of Palabre through uvicorn and wrk, turn about, beside the raw app.

For a change to the read path: `.venv/bin/python bench/ab_reads.py OTHER_CHECKOUT` starts,
from this checkout and from OTHER_CHECKOUT, `palabre serve` with its cache and another with
its cache off (2 workers each, a copy of the bench database each checkout seeded for its
own schema: run `bench/paths.py` there once), and the raw ASGI app serving this
checkout's answer; then, ROUNDS times, runs wrk (64 connections) on the raw app, both
cached servers and both uncached ones, one after the other. Prints req/s per run, the
share of the CPU other processes took meanwhile, and each server's ratio to the raw app of
its own round.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

import harness
import run
from ab_posts import seeded
from harness import Load, Server

HERE = Path(__file__).resolve().parent.parent


def serve(name: str, checkout: Path, db: Path, cache: bool, logs: Path) -> Server:
    env = {"PYTHONPATH": str(checkout), "PALABRE_SECRET": "ab-reads-only-secret-0123456789",
           "PALABRE_POST_RATE_LIMIT": "0", "PALABRE_WRITE_RATE_LIMIT": "0"}
    if not cache:
        env["PALABRE_CACHE_MEGABYTES"] = "0"
    port = harness.free_port()
    return harness.start(name, [sys.executable, "-m", "palabre.cli.main", "serve", "--host",
                                harness.HOST, "--port", str(port), "--workers", "2",
                                "--database", f"sqlite:///{db}"],
                         port=port, ready_path="/healthz", log_dir=logs, env=env,
                         cwd=checkout, workers=2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("other", type=Path, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    if harness.check_wrk() is None:
        return 1
    folder = Path(tempfile.mkdtemp(prefix="palabre-ab-reads-"))
    try:
        servers: dict[str, Server] = {}
        for tag, checkout in (("this", HERE), ("other", args.other.resolve())):
            for cache in (True, False):
                db = folder / f"{tag}-{cache}.db"
                shutil.copyfile(seeded(checkout), db)
                name = f"{tag} {'cached' if cache else 'uncached'}"
                servers[name] = serve(name.replace(" ", "-"), checkout, db, cache, folder)
        with urllib.request.urlopen(servers["this cached"].base + run.P43) as answer:
            (folder / "t43.json").write_bytes(answer.read())
        port = harness.free_port()
        servers["raw"] = harness.start(
            "raw", [sys.executable, "-m", "uvicorn", "rawapp:app", "--app-dir",
                    str(HERE / "bench"), "--host", harness.HOST, "--port", str(port),
                    "--workers", "2", "--loop", "uvloop", "--http", "httptools",
                    "--no-access-log", "--log-level", "warning", "--lifespan", "off"],
            port=port, ready_path="/t43", log_dir=folder, env={"BENCH_RAW_DIR": str(folder)},
            workers=2)
        order = ("raw", "other cached", "this cached", "other uncached", "this uncached")
        rates: dict[str, list[float]] = {name: [] for name in order}
        for r in range(args.rounds):
            for name in order:
                path = "/t43" if name == "raw" else run.P43
                done = harness.wrk(servers[name].base, Load(path), seconds=args.seconds,
                                   connections=64, warmup=1, work_dir=folder / "wrk")
                rates[name].append(done.rps)
                print(f"round {r + 1} {name:<15} {done.rps:9,.0f} req/s  "
                      f"(others took {done.foreign:.0%} of the CPU)", flush=True)
        print()
        for name in order:
            ratios = [v / raw for v, raw in zip(rates[name], rates["raw"], strict=True)]
            print(f"{name:<15} median {statistics.median(rates[name]):9,.0f} req/s; ÷ raw by "
                  f"round: {', '.join(f'{x:.2f}' for x in ratios)} "
                  f"(median {statistics.median(ratios):.2f})")
    finally:
        harness.stop_all()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
