"""Reads through nginx's proxy_cache (Palabre's shared-cache mode) against nginx serving the
same bytes as a static file, in one run.

One `palabre serve` (``shared_cache_seconds`` 60) behind Debian's nginx configured with
docs/nginx/palabre-cache.conf as shipped (ports and cache folder changed, one worker
process), plus a location serving the 43-comment thread's answer, fetched through that
same nginx, as a file. wrk loads each in turn (``--rounds`` times, best run of each kept);
the figure is cached-through-nginx / static-file requests a second (goal: at least 0.9).

Usage: .venv/bin/python bench/proxy_cache.py [--seconds 5] [--rounds 3] [--connections 32]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

import harness
import seed
from harness import HOST, Load
from run import P43, palabre_server

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WORK = Path(__file__).resolve().parent / ".work"


def nginx_config(folder: Path, port: int, upstream: int) -> Path:
    site = (ROOT / "docs" / "nginx" / "palabre-cache.conf").read_text()
    site = site.replace("listen 8080;", f"listen {HOST}:{port};")
    site = site.replace("/var/cache/nginx/palabre", str(folder / "cache"))
    for shipped in ("127.0.0.1:8081", "127.0.0.1:8082"):
        site = site.replace(f"server {shipped};", f"server {HOST}:{upstream};")
    static = f"    location = /static/t43.json {{ alias {folder / 't43.json'}; " \
             "default_type application/json; }\n"
    head, _, tail = site.rpartition("}")
    (folder / "site.conf").write_text(head + static + "}" + tail)
    temp = " ".join(f"{kind}_temp_path {folder / kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    main.write_text(f"{user}worker_processes 1; daemon off; pid {folder / 'nginx.pid'};\n"
                    f"error_log {folder / 'error.log'} warn;\n"
                    "events { worker_connections 1024; }\n"
                    f"http {{ access_log off; sendfile on; tcp_nopush on; {temp} "
                    f"include {folder / 'site.conf'}; }}\n")
    return main


def fetch(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read(), {k.lower(): v for k, v in answer.getheaders()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if harness.check_wrk() is None or not Path(NGINX).exists():
        print("bench: needs wrk and nginx (apt-get install wrk nginx)", file=sys.stderr)
        return 1
    seeded = seed.seed_palabre(WORK / f"palabre-main-{seed.schema_key()}.db", None, True)
    folder = Path(tempfile.mkdtemp(prefix="palabre-proxy-cache-"))
    try:
        db = folder / "palabre.db"
        shutil.copyfile(seeded, db)
        upstream = harness.free_port()
        server = palabre_server("palabre-shared-cache", db, upstream, 1,
                                {"PALABRE_SHARED_CACHE_SECONDS": "60"})
        port = harness.free_port()
        config = nginx_config(folder, port, upstream)
        nginx = harness.start("nginx", [NGINX, "-c", str(config), "-p", str(folder)],
                              port=port, ready_path="/healthz", log_dir=folder)
        try:
            base = f"http://{HOST}:{port}"
            body, _ = fetch(base + P43)
            again, headers = fetch(base + P43)
            if headers.get("x-cache-status") != "HIT" or again != body:
                raise RuntimeError(f"nginx did not keep the read: {headers}")
            (folder / "t43.json").write_bytes(body)
            static, _ = fetch(base + "/static/t43.json")
            assert static == body
            best = {"static": 0.0, "cached": 0.0}
            paths = {"static": "/static/t43.json", "cached": P43}
            for _ in range(args.rounds):
                for name, path in paths.items():
                    harness.wait_quiet(max_wait=5.0)
                    result = harness.wrk(base, Load(path), seconds=args.seconds,
                                         connections=args.connections, threads=1,
                                         warmup=1.0, work_dir=folder / "wrk")
                    if result.error_count:
                        raise RuntimeError(f"{name}: errors {result.errors_text()}")
                    print(f"{name:<7} {result.rps:9.0f} req/s  p50 {result.p50_ms:.2f} ms  "
                          f"p99 {result.p99_ms:.2f} ms  (others used "
                          f"{result.foreign:.0%} of the machine)", flush=True)
                    best[name] = max(best[name], result.rps)
            _, headers = fetch(base + P43)
            assert headers.get("x-cache-status") in ("HIT", "UPDATING", "STALE", "REVALIDATED")
            print(f"body {len(body)} bytes; cached through nginx / static file: "
                  f"{best['cached'] / best['static']:.2f}× (best of {args.rounds} runs each, "
                  f"{args.seconds:.0f} s, {args.connections} connections)")
        finally:
            nginx.stop()
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
