"""Sequential durable POSTs of two checkouts of Palabre, turn about, on the same machine.

For a change to the write path: `.venv/bin/python bench/ab_posts.py OTHER_CHECKOUT` starts
`palabre serve` (2 workers, a copy of the bench database each checkout seeded for its own
schema: run `make bench` or `bench/paths.py` there once) from this checkout and from
OTHER_CHECKOUT (each with its own .venv), alternately, ROUNDS times, and posts
comments one after another for SECONDS each time; prints posts/s and p50 per round and the
median ratio (this checkout ÷ the other).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

import harness
import run
import seed
from posts import sequential_posts

HERE = Path(__file__).resolve().parent.parent


def unique_post(n: int) -> dict[str, object]:
    """The bench's POST with a text never seen before (no cache may help)."""
    body = run.palabre_post(n)
    return {**body, "text": f"{body['text']} (n° {n})"}


def seeded(checkout: Path) -> Path:
    found = sorted((checkout / "bench" / ".work").glob("palabre-main-*.db"),
                   key=lambda p: p.stat().st_mtime)
    if not found:
        raise SystemExit(f"no seeded database in {checkout}/bench/.work: run "
                         "bench/paths.py there once")
    return found[-1]


def measure(checkout: Path, seconds: float) -> tuple[float, float]:
    db = seeded(checkout)
    copy = run.RUN / f"ab-{checkout.name}.db"
    for leftover in run.RUN.glob(f"ab-{checkout.name}.db*"):
        leftover.unlink()
    shutil.copyfile(db, copy)
    argv = [str(checkout / ".venv" / "bin" / "palabre"), "serve", "--host", harness.HOST,
            "--port", str(port := harness.free_port()), "--database", f"sqlite:///{copy}",
            "--workers", "2"]
    env = {"PALABRE_POST_RATE_LIMIT": "0", "PALABRE_SECRET": run.SECRET,
           "PALABRE_LOG_LEVEL": "warning", "PALABRE_ASSIST_CHECK_SECONDS": "0"}
    server = harness.start(f"ab-{checkout.name}", argv, port=port, ready_path="/healthz",
                           log_dir=run.RUN, env=env, cwd=checkout, workers=2)
    try:
        harness.wait_quiet()
        result = sequential_posts(port, "/api/v1/comments", unique_post, seconds=seconds)
    finally:
        server.stop()
    return result.per_second, result.p50_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("other", type=Path, help="another checkout, with its own .venv")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    run.RUN.mkdir(parents=True, exist_ok=True)
    seed.seed_palabre(run.WORK / f"palabre-main-{seed.schema_key()}.db", None, True)
    ratios = []
    for n in range(args.rounds):
        order = [HERE, args.other.resolve()] if n % 2 == 0 else [args.other.resolve(), HERE]
        got = {checkout: measure(checkout, args.seconds) for checkout in order}
        ours, theirs = got[HERE], got[args.other.resolve()]
        ratios.append(ours[0] / theirs[0])
        print(f"round {n + 1}: this {ours[0]:,.0f} posts/s (p50 {ours[1]:.2f} ms), "
              f"other {theirs[0]:,.0f} posts/s (p50 {theirs[1]:.2f} ms), "
              f"ratio {ratios[-1]:.2f}")
    print(f"median ratio, this ÷ other: {statistics.median(ratios):.2f} "
          f"(range {min(ratios):.2f}-{max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
