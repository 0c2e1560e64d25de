"""Servers in their own process groups, wrk runs, and resident memory of workers.

Every server the benchmark starts gets its own session (so its own process group); the
registry below ends each group on normal exit, on error and on SIGINT/SIGTERM. Only
loopback addresses are ever used.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

HOST = "127.0.0.1"
WRK = "wrk"

_groups: dict[int, str] = {}


def _stop_group(pgid: int, grace: float = 5.0) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def stop_all() -> None:
    for pgid in list(_groups):
        _stop_group(pgid)
        _groups.pop(pgid, None)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    print(f"bench: signal {signum}, stopping the servers", file=sys.stderr, flush=True)
    stop_all()
    sys.exit(128 + signum)


atexit.register(stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A server process (and its workers) in its own process group."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        pgid = self.proc.pid
        _stop_group(pgid)
        _groups.pop(pgid, None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    def worker_pids(self) -> list[int]:
        """Processes of this server's group other than its supervisor."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == self.proc.pid:
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            ppid, pgid = int(fields[1]), int(fields[2])
            if pgid == self.proc.pid and ppid == self.proc.pid \
                    and b"resource_tracker" not in cmdline:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_rss_mb(self) -> list[float]:
        return [rss_mb(pid) for pid in self.worker_pids()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start(name: str, argv: Sequence[str], *, port: int, ready_path: str, log_dir: Path,
          env: Mapping[str, str] | None = None, cwd: Path | None = None,
          workers: int = 0, timeout: float = 60.0) -> Server:
    """Start a server in a new session; wait until ``ready_path`` answers and, when
    ``workers`` is given, until that many worker processes exist."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    full_env = {**os.environ, **(env or {})}
    with log.open("wb") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT,
                                env=full_env, cwd=cwd, start_new_session=True)
    _groups[proc.pid] = name
    server = Server(name, port, proc, log)
    deadline = time.monotonic() + timeout
    url = server.base + ready_path
    while True:
        if proc.poll() is not None:
            server.stop()
            raise RuntimeError(f"{name} exited with {proc.returncode}; log {log}:\n"
                               + log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                resp.read()
            if len(server.worker_pids()) >= workers:
                break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{name} did not answer {url} within {timeout:.0f} s; "
                               f"log {log}:\n" + log.read_text(errors="replace")[-3000:])
        time.sleep(0.1)
    return server


@contextlib.contextmanager
def running(name: str, argv: Sequence[str], **kwargs: object) -> Iterator[Server]:
    server = start(name, argv, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def check_wrk() -> str | None:
    """Path of wrk, or None after printing how to install it."""
    found = shutil.which(WRK)
    if found is None:
        print("bench: wrk is not installed. Install it with:\n"
              "    apt-get install -y wrk        (Debian/Ubuntu, as root)\n"
              "    brew install wrk              (macOS)", file=sys.stderr)
    return found


def cpu_busy(interval: float = 0.5) -> float:
    """Fraction of all cores busy over ``interval`` (from /proc/stat)."""
    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        return idle, sum(values[:8])

    idle0, total0 = sample()
    time.sleep(interval)
    idle1, total1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def _ticks(stat: str) -> tuple[int, int]:
    """(utime + stime, cutime + cstime) from a /proc/PID/stat line."""
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


# Processes counted as the run's own by their name, besides the servers' groups: the
# PostgreSQL server while PostgreSQL is measured (its backends do the run's queries; any
# other client's queries on that server are counted as ours too, and so not seen).
ALSO_OURS: set[str] = set()


def own_ticks() -> int:
    """CPU ticks used so far by this process, its waited-for children (wrk), every
    process in the servers' groups, and those named in ``ALSO_OURS``."""
    own, children = _ticks(Path("/proc/self/stat").read_text())
    total = own + children
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        pgid = int(stat[stat.rindex(")") + 2:].split()[2])
        if pgid in _groups or (ALSO_OURS and stat[stat.index("(") + 1:stat.rindex(")")]
                               in ALSO_OURS):
            total += _ticks(stat)[0]
    return total


def machine_ticks() -> int:
    """CPU ticks the machine has spent on processes (user, nice, system) or lost to the
    host (steal), all cores; interrupt time is left out, as no process is charged for it."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return values[0] + values[1] + values[2] + values[7]


def wait_quiet(limit: float = 0.15, max_wait: float = 30.0) -> float:
    """Wait (bounded) until the machine is nearly idle; the busy fraction last seen.

    Other work on a shared machine skews a run; the benchmark's own servers are idle
    between runs, so what is seen here is someone else's.
    """
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy > limit and time.monotonic() < deadline:
        time.sleep(1.0)
        busy = cpu_busy()
    return busy


# --- wrk ------------------------------------------------------------------------------

LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"mean_us":%.1f,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""

LUA_MISS = r"""
local next_id = 1
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
local n = 0
request = function()
  n = n + 1
  -- The same thread under a new spelling of its address each time (a scheme and host the
  -- server drops): a new cache key, the full page as the answer.
  local host = "uri=https://m" .. tid .. "-" .. n .. ".example"
  return wrk.format(nil, (wrk.path:gsub("uri=", host, 1)))
end
"""


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


@dataclass(frozen=True)
class Load:
    """What one wrk run sends."""

    path: str
    method: str = "GET"
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    miss: bool = False

    def lua(self) -> str:
        lines = [f"wrk.method = {lua_string(self.method)}"]
        if self.body is not None:
            lines.append(f"wrk.body = {lua_string(self.body)}")
        for key, value in self.headers:
            lines.append(f"wrk.headers[ {lua_string(key)} ] = {lua_string(value)}")
        if self.miss:
            lines.append(LUA_MISS)
        lines.append(LUA_DONE)
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    bytes: int
    errors: dict[str, int]
    mean_ms: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    connections: int
    foreign: float = 0.0  # share of the machine's CPU used by others during the run

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def errors_text(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.errors.items() if v) or "none"


def wrk(base: str, load: Load, *, seconds: float, connections: int, threads: int = 1,
        warmup: float = 0.0, timeout_s: float = 10.0, work_dir: Path) -> WrkResult:
    """One bounded wrk run against a loopback server (after an optional warm-up run)."""
    if not base.startswith(f"http://{HOST}:"):
        raise ValueError(f"refusing a non-loopback target: {base}")
    work_dir.mkdir(parents=True, exist_ok=True)
    script = work_dir / "load.lua"
    script.write_text(load.lua())
    threads = max(1, min(threads, connections))

    def once(duration: float) -> WrkResult:
        argv = [WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
                f"--timeout={timeout_s:.0f}s", "-s", str(script), base + load.path]
        ours, busy, started = own_ticks(), machine_ticks(), time.monotonic()
        done = subprocess.run(argv, capture_output=True, text=True,
                              timeout=duration + timeout_s + 30, check=False)
        elapsed = time.monotonic() - started
        others = (machine_ticks() - busy) - (own_ticks() - ours)
        capacity = elapsed * os.sysconf("SC_CLK_TCK") * len(os.sched_getaffinity(0))
        foreign = max(0.0, others / capacity) if capacity else 0.0
        for line in done.stdout.splitlines():
            if line.startswith("BENCH_JSON "):
                raw = json.loads(line.removeprefix("BENCH_JSON "))
                return WrkResult(
                    requests=raw["requests"], seconds=raw["duration_us"] / 1e6,
                    bytes=raw["bytes"],
                    errors={k: raw[k] for k in ("connect", "read", "write", "status",
                                                "timeout")},
                    mean_ms=raw["mean_us"] / 1000, p50_ms=raw["p50_us"] / 1000,
                    p90_ms=raw["p90_us"] / 1000, p99_ms=raw["p99_us"] / 1000,
                    max_ms=raw["max_us"] / 1000, connections=connections,
                    foreign=foreign,
                )
        raise RuntimeError(f"wrk gave no result (exit {done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")

    if warmup > 0:
        once(warmup)
    return once(seconds)
