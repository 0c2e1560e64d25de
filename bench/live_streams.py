"""Live updates: memory per idle stream and delivery latency, against a real `palabre serve`.

Starts `palabre serve` on loopback (SQLite in a temporary folder, or ``--database``), then:

1. **Memory**: the resident set (VmRSS) of every server process after a warm-up (a few
   reads, posts and one stream opened and closed), then with ``--streams`` idle streams
   open (spread over ``--pages`` pages), read from /proc; the difference per stream.
2. **Latency**: with those streams still open, ``--posts`` comments posted one after the
   other on a page a measuring stream watches (as are ``streams / pages`` idle ones); each
   latency is from just before the POST is sent to the arrival of its ``comment`` event
   (the POST's own answer included: a widget cannot see an event before its post is
   stored, and neither can this). p50, p99 and the maximum.
3. **Read cost** (``--read-rounds N``, needs wrk): cached reads of a thread with wrk, in
   alternating rounds without and with the idle streams open; the ratio of the medians
   (the issue's goal: 1,000 streams cost cached reads 20 % at most).

With ``--workers 2`` a post lands on either worker and the measuring stream on either, so
about half the events cross workers (SQLite: a 50 ms poll; PostgreSQL: NOTIFY).

Usage: .venv/bin/python bench/live_streams.py [--streams 1000] [--posts 100] [--workers 1]
       [--read-rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(database: str, port: int, workers: int, streams: int,
          log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PALABRE_")}
    env["PALABRE_SECRET"] = "bench-secret"
    env["PALABRE_ASSIST_CHECK_SECONDS"] = "0"  # no model-training child in the measures
    argv = [sys.executable, "-m", "palabre.cli.main", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--database", database, "--workers", str(workers),
            "--post-rate-limit", "0", "--log-level", "warning",
            "--live-max-streams", str(streams + 10),
            "--live-max-streams-per-client", str(streams + 10)]
    with log.open("wb") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not start: {log.read_text(errors='replace')}")


def prepare(database: str) -> None:
    """Migrate and make the default site with the checks a scripted poster cannot pass
    turned off (a duplicate text, and where this version has them, the proof of work and
    the minimum time before sending)."""
    from dataclasses import fields

    from palabre.domain.sites import ensure_site
    from palabre.settings import SiteSettings
    from palabre.storage import migrate, open_storage

    known = {f.name for f in fields(SiteSettings)}
    relaxed: dict[str, object] = {name: 0 for name in ("duplicate_window_seconds", "pow_difficulty",
                                    "min_submit_seconds") if name in known}
    migrate.upgrade(database)

    async def make() -> None:
        storage = open_storage(database)
        try:
            await ensure_site(storage, settings=SiteSettings.from_mapping(relaxed))
        finally:
            await storage.close()

    asyncio.run(make())


def processes(leader: int) -> list[int]:
    """The server and its workers: every process of the group it leads."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == leader:
                    found.append(int(entry.name))
            except ProcessLookupError:
                continue
    return found


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


async def open_stream(port: int, uri: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /api/v1/events?uri={uri} HTTP/1.1\r\nHost: bench\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"a stream was refused: {head!r}")
    return reader, writer


async def events(reader: asyncio.StreamReader, found: asyncio.Queue[tuple[float, int]]) -> None:
    """Comment ids of the ``comment`` events of a stream, with their arrival time
    (chunked framing is skipped: only ``data:`` lines are read)."""
    while line := await reader.readline():
        if line.startswith(b"data: "):
            found.put_nowait((time.perf_counter(), orjson.loads(line[6:])["id"]))


async def latencies(port: int, posts: int) -> tuple[list[float], list[float]]:
    """(POST sent -> event received, POST sent -> POST answered), for each post."""
    reader, writer = await open_stream(port, "/p0")
    found: asyncio.Queue[tuple[float, int]] = asyncio.Queue()
    listener = asyncio.create_task(events(reader, found))
    measured, answers = [], []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                 limits=httpx.Limits(max_keepalive_connections=0)) as client:
        for n in range(posts):
            sent = time.perf_counter()
            answer = await client.post("/api/v1/comments", json={"uri": "/p0",
                                                                 "text": f"Mesure {n}"})
            answers.append(time.perf_counter() - sent)
            comment_id = answer.json()["comment"]["id"]
            while True:
                arrived, event_id = await asyncio.wait_for(found.get(), 5)
                if event_id == comment_id:
                    measured.append(arrived - sent)
                    break
    listener.cancel()
    writer.close()
    return measured, answers


async def measure(port: int, leader: int, streams: int, pages: int, posts: int,
                  read_rounds: int = 0) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for n in range(pages):  # every page has a thread, as a commented article would
            await client.post("/api/v1/comments", json={"uri": f"/p{n}", "text": "Premier"})
            await client.get("/api/v1/comments", params={"uri": f"/p{n}"})
    warm = await open_stream(port, "/p0")
    warm[1].close()
    await asyncio.sleep(1)
    pids = processes(leader)
    before = rss_kib(pids)
    opened = [await open_stream(port, f"/p{n % pages}") for n in range(streams)]
    await asyncio.sleep(2)
    after = rss_kib(pids)
    print(f"processes {len(pids)}: RSS {before / 1024:.1f} MiB idle, {after / 1024:.1f} MiB "
          f"with {streams} streams open: {(after - before) / streams:.1f} KiB a stream")
    measured, answers = await latencies(port, posts)
    print(f"over {posts} posts ({streams} streams open): POST -> event {summary(measured)}; "
          f"POST -> its own answer {summary(answers)}")
    for _, writer in opened:
        writer.close()
    if read_rounds:
        await read_cost(port, streams, pages, read_rounds)


async def read_cost(port: int, streams: int, pages: int, rounds: int) -> None:
    """Cached reads per second with wrk, without and with ``streams`` idle streams open."""
    from harness import Load, wrk

    found: dict[bool, list[float]] = {False: [], True: []}
    work = Path(tempfile.mkdtemp())
    for _ in range(rounds):
        for with_streams in (False, True):
            opened = ([await open_stream(port, f"/p{n % pages}") for n in range(streams)]
                      if with_streams else [])
            await asyncio.sleep(1)
            result = await asyncio.to_thread(
                wrk, f"http://127.0.0.1:{port}", Load("/api/v1/comments?uri=/p1"),
                seconds=5, connections=32, threads=1, warmup=1, work_dir=work)
            found[with_streams].append(result.rps)
            for _, writer in opened:
                writer.close()
            await asyncio.sleep(1)
    without, within = statistics.median(found[False]), statistics.median(found[True])
    print(f"cached reads (wrk, 32 connections, 5 s, {rounds} rounds each): "
          f"{without:.0f}/s without streams, {within:.0f}/s with {streams} open: "
          f"{within / without:.2f}× ({', '.join(f'{r:.0f}' for r in found[False])} / "
          f"{', '.join(f'{r:.0f}' for r in found[True])})")


def summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return (f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database", default="")
    parser.add_argument("--read-rounds", type=int, default=0,
                        help="also measure cached reads without and with the streams (wrk)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 2 * args.streams + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))  # the server inherits it
    with tempfile.TemporaryDirectory() as folder:
        database = args.database or f"sqlite:///{folder}/palabre.db"
        prepare(database)
        port = free_port()
        server = start(database, port, args.workers, args.streams, Path(folder) / "log")
        try:
            asyncio.run(measure(port, server.pid, args.streams, args.pages, args.posts,
                                args.read_rounds))
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
