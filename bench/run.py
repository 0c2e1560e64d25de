"""Palabre side by side with its baselines, in one run: ``make bench``.

Measures, on this machine and in this run:
- Palabre (``palabre serve``, N workers) against Baseline A, a raw ASGI app answering the
  very bytes Palabre answered, under uvicorn (uvloop, httptools) with N workers: cached read
  of a 43-comment thread, first page of a 1,000-comment thread, a 304, an uncached read,
  p99 at 64 connections, counts for 20 pages;
- Palabre against Isso 0.14 (its own venv under bench/.work, gunicorn, N workers): the same
  reads, counts, and sequential durable POSTs;
- Palabre's uncached read and count latency with 1,000,000 comments in the database
  against the same with 1,000;
- resident memory of each Palabre worker;
- the same reads and writes on PostgreSQL beside SQLite, turn about, with one instance and
  with two on one database (a ``palabre_bench`` database created for the run and dropped
  after it: bench/pg.py).
Then prints the results table and writes it into docs/benchmarks.md.

Only loopback traffic; every run is bounded; every server runs in its own process group
and is ended on exit, error or Ctrl-C. Seeded databases are cached in bench/.work/.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

import harness
import pg
import report
import seed
from harness import HOST, Load, Server, WrkResult
from posts import PostResult, sequential_posts

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work"
RUN = WORK / "run"
ISSO_VENV = WORK / "isso-venv"
ISSO_VERSION = "0.14.0"
SECRET = "bench-only-secret-not-for-production"
FOREIGN_LIMIT = 0.05  # share of the CPU other processes may take during a kept run
ORIGIN = "https://news.example"  # what the embedded widget's cross-origin reads carry

P43 = "/api/v1/comments?" + urlencode({"site": "default", "uri": seed.URI_43})
P1000 = "/api/v1/comments?" + urlencode({"site": "default", "uri": seed.URI_1000})
PCOUNTS = "/api/v1/counts?" + urlencode([("site", "default")]
                                        + [("uri", u) for u in seed.COUNT_URIS])
I43 = "/?uri=" + quote(seed.URI_43)
I1000 = "/?uri=" + quote(seed.URI_1000) + "&limit=50"


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- plumbing -------------------------------------------------------------------------

def get(port: int, path: str, headers: dict[str, str] | None = None,
        method: str = "GET", body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body, headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def check(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(f"check failed: {message}")


def palabre_server(name: str, db: Path | str, port: int, workers: int,
                   extra_env: dict[str, str] | None = None) -> Server:
    """``palabre serve`` on a SQLite file (a path) or a database URL."""
    exe = Path(sys.executable).with_name("palabre")
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    argv = [str(exe) if exe.exists() else "palabre", "serve", "--host", HOST,
            "--port", str(port), "--database", url, "--workers", str(workers)]
    env = {"PALABRE_POST_RATE_LIMIT": "0", "PALABRE_WRITE_RATE_LIMIT": "0",
           "PALABRE_SECRET": SECRET, "PALABRE_LOG_LEVEL": "warning",
           # No training child mid-run (bench/assist_posts.py measures the assistant).
           "PALABRE_ASSIST_CHECK_SECONDS": "0", **(extra_env or {})}
    # One worker: uvicorn serves from the process it starts in, with no worker process.
    return harness.start(name, argv, port=port, ready_path="/healthz", log_dir=RUN,
                         env=env, cwd=ROOT, workers=workers if workers > 1 else 0)


def raw_server(port: int, workers: int, bodies: Path) -> Server:
    argv = [sys.executable, "-m", "uvicorn", "rawapp:app", "--app-dir", str(BENCH),
            "--host", HOST, "--port", str(port), "--workers", str(workers),
            "--loop", "uvloop", "--http", "httptools", "--no-access-log",
            "--log-level", "warning", "--no-server-header", "--lifespan", "off"]
    return harness.start("raw-asgi", argv, port=port, ready_path="/", log_dir=RUN,
                         env={"BENCH_RAW_DIR": str(bodies)}, workers=workers)


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def machine_facts() -> dict[str, str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True,
                                 check=False).stdout.split("[")[0].strip()
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True,
                              text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(git("status", "--porcelain", "--", "palabre"))
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "palabre": f"Palabre at commit {commit}"
                   + (" with uncommitted changes in palabre/" if dirty else ""),
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu, "memory": mem,
        "python": platform.python_version(), "kernel": platform.release(),
        "sqlite": sqlite3.sqlite_version,
        "stack": (f"uvicorn {version('uvicorn')}, uvloop {version('uvloop')}, httptools "
                  f"{version('httptools')}, starlette {version('starlette')}, orjson "
                  f"{version('orjson')}"),
        "wrk": wrk_version,
    }


# --- results --------------------------------------------------------------------------

@dataclass
class Series:
    """One measure over several rounds; the median round is reported."""

    runs: list[WrkResult] = field(default_factory=list)

    @property
    def kept(self) -> list[WrkResult]:
        """The runs other processes left alone (all of them when none was)."""
        return [r for r in self.runs if r.foreign <= FOREIGN_LIMIT] or self.runs

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.kept)

    def p(self, attr: str) -> float:
        return float(statistics.median(float(getattr(r, attr)) for r in self.kept))

    @property
    def errors(self) -> int:
        return sum(r.error_count for r in self.runs)


@dataclass
class Results:
    args: argparse.Namespace
    facts: dict[str, str]
    series: dict[str, Series] = field(default_factory=dict)
    bodies: dict[str, int] = field(default_factory=dict)
    rss: dict[str, list[float]] = field(default_factory=dict)
    posts: dict[str, PostResult] = field(default_factory=dict)
    isso: dict[str, Series] = field(default_factory=dict)
    isso_error: str | None = None
    isso_rss: list[float] = field(default_factory=list)
    scale: dict[str, Series] = field(default_factory=dict)
    scale_sizes: dict[str, int] = field(default_factory=dict)
    scale_error: str | None = None
    pg: dict[str, Series] = field(default_factory=dict)
    pg_posts: dict[str, PostResult] = field(default_factory=dict)
    pg_error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    busy_runs: list[str] = field(default_factory=list)
    reruns: int = 0

    def add(self, table: dict[str, Series], name: str, result: WrkResult) -> None:
        table.setdefault(name, Series()).runs.append(result)
        if result.error_count:
            self.notes.append(f"{name}: wrk counted errors ({result.errors_text()})")


def measure(res: Results, table: dict[str, Series], name: str, server: Server, load: Load,
            connections: int, seconds: float, warmup: float, threads: int = 1,
            timeout: float = 10.0) -> WrkResult:
    """One wrk run; run again (three times at most) when other work took more than
    ``FOREIGN_LIMIT`` of the machine meanwhile, keeping the least disturbed run."""
    tries: list[WrkResult] = []
    for _ in range(4):
        harness.wait_quiet()
        result = harness.wrk(server.base, load, seconds=seconds, connections=connections,
                             threads=threads, warmup=warmup, timeout_s=timeout,
                             work_dir=RUN / "wrk")
        log(f"  {name:<18} {result.rps:>10,.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
            f"p99 {result.p99_ms:7.2f} ms  ({connections} conn, others used "
            f"{result.foreign:.0%} of the CPU)")
        tries.append(result)
        if result.foreign <= FOREIGN_LIMIT:
            break
    best = min(tries, key=lambda r: r.foreign)
    if best.foreign > FOREIGN_LIMIT:
        res.busy_runs.append(f"{name} (others used {best.foreign:.0%} of the CPU)")
    res.reruns += len(tries) - 1
    res.add(table, name, best)
    return best


MARK = os.urandom(3).hex()  # this run's mark: texts of an earlier run on the same database


def post_text(n: int) -> str:
    """Never the same text twice: Palabre refuses one author's duplicate within minutes."""
    return f"{seed.TEXTS[n % len(seed.TEXTS)]} ({MARK} n° {n})"


def palabre_post(n: int) -> dict[str, object]:
    return {"site": "default", "uri": seed.URI_POSTS, "title": "Sequential posts",
            "text": post_text(n), "author": seed.AUTHORS[n % len(seed.AUTHORS)]}


def isso_post(n: int) -> dict[str, object]:
    return {"title": "Sequential posts", "text": post_text(n),
            "author": seed.AUTHORS[n % len(seed.AUTHORS)] or None}


# --- phases ---------------------------------------------------------------------------

def phase_palabre(res: Results) -> None:
    """Palabre and the raw ASGI app, measured turn about."""
    a = res.args
    main_db = seed.seed_palabre(WORK / f"palabre-main-{seed.schema_key()}.db", None, True)
    db = RUN / "palabre.db"
    shutil.copyfile(main_db, db)
    pal = palabre_server("palabre", db, harness.free_port(), a.workers)
    servers = [pal]
    try:
        # The same database served with the thread cache off, for the uncached figures.
        nocache = palabre_server("palabre-nocache", db, harness.free_port(), a.workers,
                                 {"PALABRE_CACHE_MEGABYTES": "0"})
        servers.append(nocache)
        time.sleep(1)
        res.rss["start"] = pal.worker_rss_mb()

        status, headers, body43 = get(pal.port, P43)
        page = json.loads(body43)
        check(status == 200 and page["thread"]["count"] == 43 and len(page["comments"]) == 43,
              "the 43-comment thread reads back whole")
        etag = headers["etag"]
        status, _, body1000 = get(pal.port, P1000)
        page = json.loads(body1000)
        check(status == 200 and page["thread"]["count"] == 1000
              and page["next_cursor"] is not None, "the 1,000-comment thread reads back")
        res.bodies["first_page_comments"] = len(page["comments"])
        status, _, raw_counts = get(pal.port, PCOUNTS)
        counts = json.loads(raw_counts)["counts"]
        check([counts[u] for u in seed.COUNT_URIS] == list(seed.COUNT_SIZES),
              "counts for 20 pages are exact")
        status, _, _ = get(pal.port, P43, {"If-None-Match": etag})
        check(status == 304, "If-None-Match answers 304")
        status, _, same = get(nocache.port, P43)
        check(status == 200 and same == body43, "the server without cache gives the same page")
        status, headers, same = get(pal.port, P43, {"Origin": ORIGIN})
        check(status == 200 and same == body43
              and headers.get("access-control-allow-origin") == ORIGIN,
              "a read with an Origin header gets the same answer with CORS headers")
        res.bodies["t43"], res.bodies["t1000"] = len(body43), len(body1000)

        bodies = RUN / "raw"
        bodies.mkdir(parents=True, exist_ok=True)
        (bodies / "t43.json").write_bytes(body43)
        (bodies / "t1000.json").write_bytes(body1000)
        raw = raw_server(harness.free_port(), a.workers, bodies)
        try:
            status, _, same = get(raw.port, "/t43")
            check(status == 200 and same == body43, "the raw app answers Palabre's bytes")
            groups: list[list[tuple[str, Server, Load]]] = [
                [("raw 43", raw, Load("/t43")),
                 ("palabre 43", pal, Load(P43)),
                 ("palabre 43 origin", pal, Load(P43, headers=(("Origin", ORIGIN),))),
                 ("palabre 304", pal, Load(P43, headers=(("If-None-Match", etag),))),
                 ("palabre uncached", nocache, Load(P43))],
                [("raw 1000", raw, Load("/t1000")),
                 ("palabre 1000", pal, Load(P1000))],
                [("palabre counts", pal, Load(PCOUNTS)),
                 ("palabre counts uncached", nocache, Load(PCOUNTS))],
            ]
            for n in range(a.rounds):
                log(f"round {n + 1} of {a.rounds}: Palabre and raw ASGI, turn about")
                # Each group is measured back to back, in reverse order every other round,
                # so that no measure always comes first or follows the same one.
                for group in groups:
                    for name, server, load in (group if n % 2 == 0 else group[::-1]):
                        measure(res, res.series, name, server, load, a.connections,
                                a.seconds, a.warmup)
            time.sleep(1)
            res.rss["after runs"] = pal.worker_rss_mb()
            res.rss["raw"] = raw.worker_rss_mb()
        finally:
            raw.stop()
            nocache.stop()

        log("filling the thread cache: a new spelling of the address on every request")
        harness.wrk(pal.base, Load(P43, miss=True), seconds=a.seconds,
                    connections=a.connections, work_dir=RUN / "wrk")
        time.sleep(1)
        res.rss["cache full"] = pal.worker_rss_mb()

        log("sequential POSTs to Palabre")
        res.posts["palabre"] = sequential_posts(pal.port, "/api/v1/comments", palabre_post,
                                                seconds=a.post_seconds)
        log(f"  {res.posts['palabre'].per_second:,.0f} posts/s")
    finally:
        for server in servers:
            server.stop()


ISSO_CFG = """[general]
dbpath = {db}
host = http://127.0.0.1:9/
notify = stdout
max-age = 15m
[admin]
enabled = false
[moderation]
enabled = false
[guard]
enabled = false
ratelimit = 1000000
direct-reply = 1000000
[server]
listen = http://127.0.0.1:{port}/
"""


def ensure_isso() -> Path:
    """Isso from PyPI in its own venv; the venv's bin folder."""
    bin_dir = ISSO_VENV / "bin"
    probe = [str(bin_dir / "python"), "-c",
             "import importlib.metadata as m, gunicorn; print(m.version('isso'))"]
    found = subprocess.run(probe, capture_output=True, text=True, check=False) \
        if (bin_dir / "python").exists() else None
    if found is not None and found.stdout.strip() == ISSO_VERSION:
        return bin_dir
    log(f"installing Isso {ISSO_VERSION} and gunicorn into {ISSO_VENV.relative_to(ROOT)}")
    shutil.rmtree(ISSO_VENV, ignore_errors=True)
    base = getattr(sys, "_base_executable", None) or shutil.which("python3") or "python3"
    steps = [[base, "-m", "venv", str(ISSO_VENV)],
             [str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
              f"isso=={ISSO_VERSION}", "gunicorn"]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"`{' '.join(step[-3:])}` failed ({done.returncode}): "
                               + (done.stderr or done.stdout).strip()[-1500:])
    return bin_dir


def phase_isso(res: Results) -> None:
    a = res.args
    bin_dir = ensure_isso()
    folder = RUN / "isso"
    folder.mkdir(parents=True, exist_ok=True)
    port = harness.free_port()
    cfg = folder / "isso.cfg"
    cfg.write_text(ISSO_CFG.format(db=folder / "comments.db", port=port))
    argv = [str(bin_dir / "gunicorn"), "-b", f"{HOST}:{port}", "-w", str(a.workers),
            "--preload", "--no-control-socket", "isso.run:application"]
    server = harness.start("isso", argv, port=port, ready_path="/config", log_dir=RUN,
                           env={"ISSO_SETTINGS": str(cfg)}, workers=a.workers)
    try:
        res.facts["isso"] = (
            f"Isso {ISSO_VERSION} (gunicorn "
            + subprocess.run([str(bin_dir / "gunicorn"), "--version"], capture_output=True,
                             text=True, check=False).stdout.split()[-1].strip(")")
            + f", {a.workers} sync workers, SQLite, Markdown renderer: its default)")
        started = time.monotonic()
        threads = seed.bench_threads(True)
        posted = seed.seed_isso(port, threads)
        log(f"seeded Isso through its API: {posted:,} comments in "
            f"{time.monotonic() - started:.1f} s")
        status, _, body = get(port, I43)
        check(status == 200 and json.loads(body)["total_replies"] == 43,
              "Isso reads back the 43-comment thread")
        status, _, body = get(port, "/count", {"Content-Type": "application/json"}, "POST",
                              json.dumps(list(seed.COUNT_URIS)).encode())
        check(json.loads(body) == list(seed.COUNT_SIZES), "Isso's counts are exact")
        c = a.isso_connections
        log(f"Isso ({c} connections; its sync workers serve one request at a time)")
        measure(res, res.isso, "isso 43", server, Load(I43), c, a.seconds, a.warmup,
                timeout=60)
        measure(res, res.isso, "isso 1000", server, Load(I1000), c, max(a.seconds, 10),
                a.warmup, timeout=60)
        measure(res, res.isso, "isso counts", server,
                Load("/count", "POST", json.dumps(list(seed.COUNT_URIS)),
                     (("Content-Type", "application/json"),)), c, a.seconds, a.warmup,
                timeout=60)
        log("sequential POSTs to Isso")
        res.posts["isso"] = sequential_posts(port, "/new?uri=" + quote(seed.URI_POSTS),
                                             isso_post, seconds=a.post_seconds,
                                             ok=(201, 202))
        log(f"  {res.posts['isso'].per_second:,.0f} posts/s")
        time.sleep(1)
        res.isso_rss = server.worker_rss_mb()
    finally:
        server.stop()


def phase_scale(res: Results) -> None:
    """Reads and counts from SQLite (cache off), one connection, small and large database
    turn about."""
    a = res.args
    sizes = {"small": a.scale_small, "large": a.scale_large}
    dbs = {}
    for label, size in sizes.items():
        dbs[label] = seed.seed_palabre(WORK / f"palabre-scale-{size}-{seed.schema_key()}.db",
                                       size, False)
        res.scale_sizes[label] = size
    servers: dict[str, Server] = {}
    try:
        for label, db in dbs.items():
            servers[label] = palabre_server(f"palabre-{label}", db, harness.free_port(),
                                            a.workers, {"PALABRE_CACHE_MEGABYTES": "0"})
        for server in servers.values():
            status, _, body = get(server.port, P43)
            check(status == 200 and json.loads(body)["thread"]["count"] == 43,
                  f"{server.name} serves the 43-comment thread")
        loads = [("read", Load(P43)), ("counts", Load(PCOUNTS))]
        for n in range(a.scale_rounds):
            log(f"scale round {n + 1} of {a.scale_rounds}: "
                f"{sizes['small']:,} vs {sizes['large']:,} comments, 1 connection")
            for name, load in loads:
                for label, server in servers.items():
                    measure(res, res.scale, f"{name} {label}", server, load, 1,
                            a.scale_seconds, 1.0)
    finally:
        for server in servers.values():
            server.stop()


def concurrent_posts(targets: list[tuple[int, str]], seconds: float) -> PostResult:
    """Sequential posting clients at once, one per (port, mark); their posts/s summed and
    their latencies pooled (the p50 and p99 of the slower client)."""
    found: list[PostResult] = []

    def client(port: int, mark: str) -> None:
        def body(n: int) -> dict[str, object]:
            return {**palabre_post(n), "text": f"{post_text(n)} {mark}"}

        found.append(sequential_posts(port, "/api/v1/comments", body, seconds=seconds))

    threads = [threading.Thread(target=client, args=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(len(found) == len(targets), "every posting client finished")
    return PostResult(count=sum(r.count for r in found), seconds=max(r.seconds for r in found),
                      p50_ms=max(r.p50_ms for r in found), p99_ms=max(r.p99_ms for r in found))


def concurrent_wrk(res: Results, servers: list[Server], load: Load, connections: int,
                   seconds: float, warmup: float) -> WrkResult:
    """wrk against each server at once (the connections shared out): one instance behind
    a balancer, as the sum of its parts. Requests summed; latencies of the slower."""
    harness.wait_quiet()
    found: list[WrkResult] = []

    def one(server: Server, n: int) -> None:
        found.append(harness.wrk(server.base, load, seconds=seconds,
                                 connections=connections // len(servers), warmup=warmup,
                                 work_dir=RUN / f"wrk-{n}"))

    threads = [threading.Thread(target=one, args=(s, n)) for n, s in enumerate(servers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(len(found) == len(servers), "every wrk run finished")
    rps = sum(r.rps for r in found)
    slowest = max(found, key=lambda r: r.p99_ms)
    result = WrkResult(requests=round(rps * slowest.seconds), seconds=slowest.seconds,
                       bytes=sum(r.bytes for r in found),
                       errors={k: sum(r.errors.get(k, 0) for r in found)
                               for k in found[0].errors},
                       mean_ms=max(r.mean_ms for r in found), p50_ms=max(r.p50_ms for r in found),
                       p90_ms=max(r.p90_ms for r in found), p99_ms=slowest.p99_ms,
                       max_ms=max(r.max_ms for r in found), connections=connections,
                       foreign=max(r.foreign for r in found))
    log(f"  {'two instances':<18} {result.rps:>10,.0f} req/s  p99 {result.p99_ms:7.2f} ms  "
        f"(others used {result.foreign:.0%} of the CPU)")
    if result.error_count:
        res.notes.append(f"two instances: wrk counted errors ({result.errors_text()})")
    return result


def phase_postgres(res: Results) -> None:
    """The same reads and writes on PostgreSQL and on SQLite, turn about; then two
    instances (one worker each) on the one PostgreSQL database."""
    a = res.args
    try:
        res.facts["postgres"] = pg.server_facts()
    except Exception as exc:  # no server: the phase is skipped with the reason
        raise RuntimeError(f"no PostgreSQL server answers at {pg.SERVER}: {exc}") from exc
    main_db = seed.seed_palabre(WORK / f"palabre-main-{seed.schema_key()}.db", None, True)
    db = RUN / "palabre-beside-postgres.db"
    shutil.copyfile(main_db, db)
    servers: list[Server] = []
    harness.ALSO_OURS.add("postgres")
    try:
        with pg.bench_database() as url:
            def serve(name: str, where: Path | str, workers: int, cache: bool = True) -> Server:
                server = palabre_server(name, where, harness.free_port(), workers,
                                        None if cache else {"PALABRE_CACHE_MEGABYTES": "0"})
                servers.append(server)
                status, _, body = get(server.port, P43)
                check(status == 200 and json.loads(body)["thread"]["count"] == 43,
                      f"{name} serves the 43-comment thread")
                return server

            lite, lite_nc = serve("sqlite", db, a.workers), serve("sqlite-nocache", db,
                                                                   a.workers, False)
            post, post_nc = serve("postgres", url, a.workers), serve("postgres-nocache", url,
                                                                      a.workers, False)
            pairs = [("sqlite 43", lite, "postgres 43", post),
                     ("sqlite uncached", lite_nc, "postgres uncached", post_nc)]
            for n in range(a.pg_rounds):
                log(f"PostgreSQL round {n + 1} of {a.pg_rounds}: SQLite and PostgreSQL, "
                    "turn about")
                for first, s1, second, s2 in pairs:
                    order = [(first, s1), (second, s2)]
                    for name, server in (order if n % 2 == 0 else order[::-1]):
                        measure(res, res.pg, name, server, Load(P43), a.connections,
                                a.seconds, a.warmup)
            for name, server in (("sqlite", lite), ("postgres", post)):
                log(f"sequential POSTs, {name}")
                res.pg_posts[name] = sequential_posts(server.port, "/api/v1/comments",
                                                      palabre_post, seconds=a.post_seconds)
                log(f"  {res.pg_posts[name].per_second:,.0f} posts/s")
                res.pg_posts[f"{name} two clients"] = concurrent_posts(
                    [(server.port, "a"), (server.port, "b")], a.post_seconds)
            for server in (lite, lite_nc, post_nc):  # the machine for the two instances
                server.stop()
                servers.remove(server)
            one = serve("postgres-a", url, 1)
            two = serve("postgres-b", url, 1)
            for n in range(a.pg_rounds):
                log(f"two instances (one worker each) against one ({a.workers} workers), "
                    f"round {n + 1} of {a.pg_rounds}")
                for name in (("one", "two") if n % 2 == 0 else ("two", "one")):
                    if name == "one":
                        measure(res, res.pg, "one instance 43", post, Load(P43),
                                a.connections, a.seconds, a.warmup)
                    else:
                        res.add(res.pg, "two instances 43", concurrent_wrk(
                            res, [one, two], Load(P43), a.connections, a.seconds, a.warmup))
            res.pg_posts["one instance two clients"] = concurrent_posts(
                [(post.port, "a"), (post.port, "b")], a.post_seconds)
            res.pg_posts["two instances"] = concurrent_posts(
                [(one.port, "a"), (two.port, "b")], a.post_seconds)
    finally:
        harness.ALSO_OURS.discard("postgres")
        for server in servers:
            server.stop()


# --- the table ------------------------------------------------------------------------

def build_tables(res: Results) -> list[report.Table]:
    a, s = res.args, res.series
    tables = []
    t = report.Table(
        f"Palabre against a raw ASGI app serving the same bytes ({a.workers} workers each, "
        f"wrk {a.connections} connections)",
        ("Measure", "Palabre req/s", "Raw ASGI req/s", "Palabre ÷ raw (rounds)", "Target",
         "Result"))

    def row(label: str, name: str, base: str, target: float) -> None:
        pal, raw = s[name], s[base]
        pairs = list(zip(pal.runs, raw.runs, strict=False))
        clean = [(p, b) for p, b in pairs
                 if max(p.foreign, b.foreign) <= FOREIGN_LIMIT] or pairs
        rounds = [p.rps / b.rps for p, b in clean if b.rps]
        r = statistics.median(rounds)
        spread = (f" ({min(rounds):.2f}-{max(rounds):.2f})" if len(rounds) > 1 else "")
        t.add(label, report.num(pal.rps), report.num(raw.rps), report.ratio(r) + spread,
              f"≥ {target}{report.X}", report.verdict(r >= target))

    row(f"Cached read, 43-comment thread ({res.bodies['t43']:,} B)", "palabre 43", "raw 43",
        0.7)
    row("Cached read, 43-comment thread, with an Origin header (as from the widget)",
        "palabre 43 origin", "raw 43", 0.7)
    row(f"First page of a 1,000-comment thread ({res.bodies['first_page_comments']} "
        f"comments, {res.bodies['t1000']:,} B)", "palabre 1000", "raw 1000", 0.7)
    row("304 answer (If-None-Match) against raw 43-comment answer", "palabre 304", "raw 43",
        0.9)
    row("Uncached read, 43-comment thread (cache off: PALABRE_CACHE_MEGABYTES=0)",
        "palabre uncached", "raw 43", 0.15)
    p99 = s["palabre 43"].p("p99_ms")
    t.add(f"p99 latency, cached read at {a.connections} connections",
          f"{p99:.2f} ms", f"{s['raw 43'].p('p99_ms'):.2f} ms", "", "≤ 15 ms",
          report.verdict(p99 <= 15))
    t.add("Counts for 20 pages (cache on / cache off)",
          f"{report.num(s['palabre counts'].rps)} / "
          f"{report.num(s['palabre counts uncached'].rps)}", "", "", "", "")
    t.notes.append(f"{a.rounds} rounds; each wrk run {a.seconds:.0f} s after a "
                   f"{a.warmup:.0f} s warm-up, Palabre and raw ASGI measured turn about. "
                   "req/s: the median round; ratio: the median of the rounds' own ratios "
                   "(Palabre against the raw run of the same round), lowest-highest after it.")
    tables.append(t)

    t = report.Table(f"Palabre against Isso {ISSO_VERSION} ({a.workers} workers each)",
                     ("Measure", "Palabre", "Isso", "Palabre ÷ Isso", "Target", "Result"))
    if res.isso_error:
        t.notes.append(f"Isso could not be measured: {res.isso_error}")
    else:
        i = res.isso

        def irow(label: str, pal: float, other: float, target: float | None,
                 unit: str = "req/s") -> None:
            r = pal / other if other else float("inf")
            t.add(label, f"{report.num(pal)} {unit}", f"{report.num(other)} {unit}",
                  report.ratio(r), f"≥ {target:g}{report.X}" if target else "",
                  report.verdict(r >= target) if target else "")

        irow("Read a 43-comment thread (cached in Palabre)", s["palabre 43"].rps,
             i["isso 43"].rps, 100)
        irow("Read a 43-comment thread, Palabre with its cache off", s["palabre uncached"].rps,
             i["isso 43"].rps, None)
        irow("First 50 top-level comments of a 1,000-comment thread, with replies",
             s["palabre 1000"].rps, i["isso 1000"].rps, 100)
        irow("Counts for 20 pages", s["palabre counts"].rps, i["isso counts"].rps, 10)
        irow("Counts for 20 pages, Palabre with its cache off",
             s["palabre counts uncached"].rps, i["isso counts"].rps, None)
        irow("Sequential durable POSTs, one client", res.posts["palabre"].per_second,
             res.posts["isso"].per_second, 5, "posts/s")
        t.notes.append(
            f"Isso is driven with {a.isso_connections} connections (its gunicorn sync "
            f"workers serve one request at a time and close every connection); Palabre's "
            f"figures are those of the table above ({a.connections} connections).")
        t.notes.append(
            f"Isso p50 latency: 43-comment thread {i['isso 43'].p('p50_ms'):.1f} ms, "
            f"1,000-comment thread (limit=50) {i['isso 1000'].p('p50_ms'):.1f} ms, "
            f"counts {i['isso counts'].p('p50_ms'):.1f} ms. Sequential POST p50: Palabre "
            f"{res.posts['palabre'].p50_ms:.2f} ms, Isso {res.posts['isso'].p50_ms:.2f} ms.")
        t.notes.append(f"The 100{report.X} targets for reads stand for the issue's "
                       f"'well over 100{report.X} Isso'.")
    tables.append(t)

    t = report.Table("Scale: the same requests with a small and a large database "
                     "(cache off, one connection)",
                     ("Measure (p50 / mean latency)",
                      f"{a.scale_small:,} comments", f"{a.scale_large:,} comments",
                      "Large ÷ small (p50)", "Target", "Result"))
    if res.scale_error:
        t.notes.append(f"Not measured: {res.scale_error}")
    else:
        for name, label in (("read", "Read of the 43-comment thread"),
                            ("counts", "Counts for 20 pages")):
            small, large = res.scale[f"{name} small"], res.scale[f"{name} large"]
            r = large.p("p50_ms") / small.p("p50_ms")
            t.add(label, f"{small.p('p50_ms'):.3f} / {small.p('mean_ms'):.3f} ms",
                  f"{large.p('p50_ms'):.3f} / {large.p('mean_ms'):.3f} ms",
                  report.ratio(r), f"≤ 1.2{report.X}", report.verdict(r <= 1.2))
        t.notes.append(f"Median of {a.scale_rounds} rounds of {a.scale_seconds:.0f} s each, "
                       "small and large measured turn about; latency as wrk sees it "
                       "(includes the loopback round trip).")
    tables.append(t)

    t = report.Table("Resident memory per worker (VmRSS)",
                     ("When", "Palabre workers", "Target", "Result"))
    for when, label in (("start", "Idle after start"),
                        ("after runs", "Idle after the runs above"),
                        ("cache full", f"Idle after {a.seconds:.0f} s of requests that each "
                                       "add a cache entry (cache at its byte budget)")):
        values = res.rss.get(when, [])
        if values:
            t.add(label, ", ".join(f"{v:.1f} MB" for v in values), "≤ 80 MB",
                  report.verdict(max(values) <= 80))
    if res.rss.get("raw"):
        t.notes.append("Raw ASGI workers after their runs: "
                       + ", ".join(f"{v:.1f} MB" for v in res.rss["raw"]) + ".")
    if res.isso_rss:
        t.notes.append("Isso workers after their runs: "
                       + ", ".join(f"{v:.1f} MB" for v in res.isso_rss) + ".")
    tables.append(t)
    t = report.Table("Every wrk run (medians over rounds)",
                     ("Run", "Connections", "req/s", "p50", "p99", "Rounds", "Errors"))
    for table in (res.series, res.isso, res.scale):
        for name, series in table.items():
            t.add(name, str(series.runs[0].connections), report.num(series.rps),
                  f"{series.p('p50_ms'):.2f} ms", f"{series.p('p99_ms'):.2f} ms",
                  str(len(series.runs)), str(series.errors))
    for who, posted in res.posts.items():
        t.add(f"{who} sequential POSTs", "1", f"{report.num(posted.per_second)} posts/s",
              f"{posted.p50_ms:.2f} ms", f"{posted.p99_ms:.2f} ms", "1", "0")
    tables.append(t)

    tables += pg_tables(res)
    return tables


def pg_tables(res: Results) -> list[report.Table]:
    """PostgreSQL beside SQLite, and two instances on one PostgreSQL database."""
    a, s = res.args, res.pg
    t = report.Table(f"PostgreSQL beside SQLite ({a.workers} workers, wrk {a.connections} "
                     "connections)",
                     ("Measure", "SQLite", "PostgreSQL", "PostgreSQL ÷ SQLite (rounds)"))
    if res.pg_error:
        t.notes.append(f"Not measured: {res.pg_error}")
        return [t]

    def reads(table: report.Table, label: str, lite: str, post: str) -> None:
        pairs = list(zip(s[lite].runs, s[post].runs, strict=False))
        clean = [(x, y) for x, y in pairs
                 if max(x.foreign, y.foreign) <= FOREIGN_LIMIT] or pairs
        rounds = [y.rps / x.rps for x, y in clean if x.rps]
        spread = f" ({min(rounds):.2f}-{max(rounds):.2f})" if len(rounds) > 1 else ""
        table.add(label, f"{report.num(s[lite].rps)} req/s",
                  f"{report.num(s[post].rps)} req/s",
                  report.ratio(statistics.median(rounds)) + spread)

    def posts(label: str, lite: PostResult, post: PostResult) -> None:
        t.add(label, f"{report.num(lite.per_second)} posts/s (p50 {lite.p50_ms:.2f} ms)",
              f"{report.num(post.per_second)} posts/s (p50 {post.p50_ms:.2f} ms)",
              report.ratio(post.per_second / lite.per_second if lite.per_second else 0))

    reads(t, "Cached read, 43-comment thread", "sqlite 43", "postgres 43")
    reads(t, "Uncached read, 43-comment thread (cache off)", "sqlite uncached",
          "postgres uncached")
    t.add(f"p99 latency, cached read at {a.connections} connections",
          f"{s['sqlite 43'].p('p99_ms'):.2f} ms", f"{s['postgres 43'].p('p99_ms'):.2f} ms", "")
    p = res.pg_posts
    posts("Sequential durable POSTs, one client", p["sqlite"], p["postgres"])
    posts("Durable POSTs, two clients at once", p["sqlite two clients"],
          p["postgres two clients"])
    t.notes.append(f"{res.facts.get('postgres', 'PostgreSQL')}, on this machine (its "
                   "backends' CPU is counted as the run's own, so other clients of that "
                   f"server are not seen); database `{pg.DATABASE}` created, migrated and "
                   "seeded with the same threads through the store step, dropped after.")
    t.notes.append(f"{a.pg_rounds} rounds, SQLite and PostgreSQL measured turn about; a "
                   "cached read on PostgreSQL checks its thread's version (one indexed row) "
                   "on every request, where SQLite first asks `PRAGMA data_version`.")
    two = report.Table("Two instances on one PostgreSQL database",
                       ("Measure", f"One instance, {a.workers} workers",
                        "Two instances, one worker each", "Two ÷ one"))
    reads(two, f"Cached read, 43-comment thread (wrk {a.connections} connections; shared "
          "out over the two)", "one instance 43", "two instances 43")
    one_two, pair_posts = p["one instance two clients"], p["two instances"]
    two.add("Durable POSTs, two clients at once (one on each instance)",
            f"{report.num(one_two.per_second)} posts/s",
            f"{report.num(pair_posts.per_second)} posts/s",
            report.ratio(pair_posts.per_second / one_two.per_second
                         if one_two.per_second else 0))
    two.notes.append(f"{a.pg_rounds} rounds, one and two instances measured turn about, "
                     "the POSTs back to back. Writes from every instance take one advisory "
                     "lock, so they are serialised across instances as SQLite serialises "
                     "them.")
    return [t, two]


def render(res: Results, tables: list[report.Table], markdown: bool) -> str:
    f = res.facts
    a = res.args
    parts = []
    if markdown:
        parts.append(
            f"## Results of {f['date']}\n\n"
            f"Command: `{res.facts['command']}` (whole run {res.seconds['total']:.0f} s), "
            f"{f['palabre']}.\n\n"
            f"Machine: {f['nproc']} cores ({f['cpu']}), {f['memory']}, Linux {f['kernel']}; "
            f"Python {f['python']}, SQLite {f['sqlite']}; {f['stack']}; {f['wrk']}"
            + (f"; {f['isso']}" if "isso" in f else "") + ".\n")
    else:
        parts.append(f"{f['date']}: {f['nproc']} cores, Python {f['python']}, "
                     f"command: {res.facts['command']}, {f['palabre']}\n")
    for table in tables:
        parts.append(table.markdown() if markdown else table.text())
    if res.notes:
        heading = "### Warnings\n\n" if markdown else "Warnings\n--------\n"
        parts.append(heading + "\n".join(f"- {n}" for n in res.notes) + "\n")
    if markdown:
        parts.append(METHOD.format(workers=a.workers, connections=a.connections,
                                   isso_c=a.isso_connections))
    return "\n".join(parts)


METHOD = """### Method

- One machine, loopback only. wrk (one thread) drives {connections} keep-alive connections.
  Servers run with {workers} worker processes each: `palabre serve --workers {workers}`
  (uvicorn, uvloop, httptools), the raw ASGI app (`bench/rawapp.py`) under uvicorn with the
  same options, Isso under gunicorn with {workers} sync workers. Rate limits are off in
  Palabre (`PALABRE_POST_RATE_LIMIT=0`, `PALABRE_WRITE_RATE_LIMIT=0`) and Isso (guard off,
  moderation off).
- Baseline A is `bench/rawapp.py`: the exact bytes Palabre answered for each thread, fetched
  at the start of the run, returned from memory with a content type and length.
- Palabre's database holds a 43-comment thread (14 conversations, replies up to depth 4), a
  1,000-comment thread (100 conversations of 10) and 20 smaller pages, written by direct SQL
  into a database migrated by `palabre db upgrade`, with HTML rendered by Palabre's renderer.
  Isso receives the same texts, authors and reply structure through its own `POST /new`.
- Palabre reads are `GET /api/v1/comments?site=default&uri=U` (first page: 50 top-level
  comments with all their replies); Isso's are `GET /?uri=U`, with `&limit=50` on the
  1,000-comment thread so both answer the same 500 comments. Counts: Palabre
  `GET /api/v1/counts` with 20 `uri`, Isso `POST /count` with the 20 URIs.
- Uncached figures come from a second `palabre serve` on the same database with its cache
  off (`PALABRE_CACHE_MEGABYTES=0`): every request reads SQLite, builds the tree and
  serialises. The memory table's last row fills the cache of the main server with requests
  that each spell the thread's address anew (`uri=https://m<n>.example/articles/…`, the
  same thread once normalised, a new cache key since keys keep the address as sent).
- Sequential POSTs: one client, one HTTP connection, each POST awaited before the next
  (Palabre commits each with `synchronous=FULL` in WAL mode).
- Scale: two databases seeded the same way with filler pages of 40 comments up to 1,000
  and 1,000,000 comments, served at the same time with the cache off (every request reads
  SQLite); one connection.
- Memory: VmRSS from /proc of each worker process of the server.
"""


# --- main -----------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--seconds", type=float, default=7, help="length of each wrk run")
    p.add_argument("--warmup", type=float, default=2, help="warm-up before each wrk run")
    p.add_argument("--rounds", type=int, default=4, help="rounds of Palabre vs raw ASGI")
    p.add_argument("--post-seconds", type=float, default=5)
    p.add_argument("--isso-connections", type=int, default=4)
    p.add_argument("--no-isso", action="store_true", help="skip Isso")
    p.add_argument("--scale-small", type=int, default=1_000)
    p.add_argument("--scale-large", type=int, default=1_000_000)
    p.add_argument("--scale-seconds", type=float, default=5)
    p.add_argument("--scale-rounds", type=int, default=2)
    p.add_argument("--no-scale", action="store_true", help="skip the scale phase")
    p.add_argument("--pg-rounds", type=int, default=2,
                   help="rounds of SQLite vs PostgreSQL")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL phase")
    p.add_argument("--only-postgres", action="store_true",
                   help="the PostgreSQL phase alone (printed, not written)")
    p.add_argument("--quick", action="store_true",
                   help="short runs for trying the harness (figures not for the docs)")
    p.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--no-write", action="store_true", help="print only")
    args = p.parse_args(argv)
    if args.quick:
        args.seconds, args.warmup, args.rounds, args.post_seconds = 2, 1, 1, 2
        args.scale_large, args.scale_seconds, args.scale_rounds = 100_000, 2, 1
        args.pg_rounds = 1
        args.no_write = True
    if args.only_postgres:
        args.no_write = True
    return args


def run_phase(res: Results, name: str, work: Callable[[Results], None]) -> str | None:
    started = time.monotonic()
    try:
        work(res)
        return None
    except Exception as exc:  # a phase that fails is reported, and the run goes on
        log(f"{name} failed: {exc}")
        return str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    finally:
        res.seconds[name] = time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if harness.check_wrk() is None:
        return 2
    started = time.monotonic()
    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    res = Results(args, machine_facts())
    extra = sys.argv[1:] if argv is None else argv
    res.facts["command"] = ("make bench" if not extra
                            else " ".join([".venv/bin/python bench/run.py", *extra]))
    log(f"{res.facts['nproc']} cores, Python {res.facts['python']}; logs in "
        f"{RUN.relative_to(ROOT)}")
    if args.only_postgres:
        return only_postgres(res, started)
    error = run_phase(res, "palabre", phase_palabre)
    if error:
        log("the Palabre phase failed; no table")
        return 1
    if args.no_isso:
        res.isso_error = "skipped (--no-isso)"
    else:
        res.isso_error = run_phase(res, "isso", phase_isso)
    if args.no_scale:
        res.scale_error = "skipped (--no-scale)"
    else:
        res.scale_error = run_phase(res, "scale", phase_scale)
    if args.no_postgres:
        res.pg_error = "skipped (--no-postgres)"
    else:
        res.pg_error = run_phase(res, "postgres", phase_postgres)
    res.seconds["total"] = time.monotonic() - started
    if res.busy_runs:
        res.notes.append("other work on the machine disturbed these runs even after waiting "
                         "up to 30 s for quiet and three reruns (left out of the medians "
                         "when the same measure has undisturbed rounds): "
                         + ", ".join(res.busy_runs))
    if res.reruns:
        res.notes.append(f"{res.reruns} wrk runs were repeated because other processes took "
                         f"over {FOREIGN_LIMIT:.0%} of the CPU meanwhile.")
    tables = build_tables(res)
    print()
    print(render(res, tables, markdown=False))
    if not args.no_write:
        report.write_docs(args.output, render(res, tables, markdown=True))
        log(f"wrote {args.output}")
    log(f"done in {res.seconds['total']:.0f} s")
    return 0


def only_postgres(res: Results, started: float) -> int:
    """The PostgreSQL phase alone: its tables printed (as Markdown), nothing written."""
    res.pg_error = run_phase(res, "postgres", phase_postgres)
    if res.pg_error:
        return 1
    res.seconds["total"] = time.monotonic() - started
    f = res.facts
    print(f"\n{f['date']}, command: `{f['command']}` ({res.seconds['total']:.0f} s), "
          f"{f['palabre']}; {f['nproc']} cores ({f['cpu']}); {f.get('postgres', '')}\n")
    for table in pg_tables(res):
        print(table.markdown())
    for note in res.notes:
        print(f"- {note}")
    if res.reruns:
        print(f"- {res.reruns} wrk runs were repeated because other processes took over "
              f"{FOREIGN_LIMIT:.0%} of the CPU meanwhile.")
    if res.busy_runs:
        print("- disturbed even so: " + ", ".join(res.busy_runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
