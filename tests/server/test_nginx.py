"""The deployment of docs/deploy.md, tested: nginx (Debian's package) in front of two
`palabre serve` instances on one PostgreSQL database, with the configuration shipped in
docs/nginx/palabre.conf as written (only its ports change). Readers behind the proxy are
told apart, every write is seen by the next read whichever instance answers, and live
updates pass the proxy unbuffered."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import migrated_database
from tests.server.conftest import free_port, stop
from tests.server.test_live import Events, make_site, serving

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [pytest.mark.server, pytest.mark.postgres,
              pytest.mark.skipif(not Path(NGINX).exists(),
                                 reason="nginx is missing (apt-get install nginx)")]


def nginx_config(folder: Path, listen: int, upstreams: list[str]) -> Path:
    """The shipped configuration, pointed at these ports, inside a minimal nginx.conf."""
    site = (ROOT / "docs" / "nginx" / "palabre.conf").read_text()
    site = site.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    for shipped, actual in zip(("127.0.0.1:8081", "127.0.0.1:8082"), upstreams, strict=True):
        site = site.replace(f"server {shipped};", f"server {actual};")
    (folder / "palabre.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {folder / kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    main.write_text(
        f"worker_processes 1; daemon off; pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{ access_log off; {temp} include {folder / 'palabre.conf'}; }}\n")
    return main


@contextmanager
def nginx(folder: Path, upstreams: list[str]) -> Iterator[str]:
    port = free_port()
    with running_nginx(folder, nginx_config(folder, port, upstreams), port) as base:
        yield base


@contextmanager
def running_nginx(folder: Path, config: Path, port: int) -> Iterator[str]:
    """nginx with this configuration (checked first), listening on ``port``; yields its
    base URL once Palabre's /healthz answers through it, and stops it after."""
    check = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(folder)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-c", str(config), "-p", str(folder)],
                               stderr=subprocess.STDOUT, stdout=subprocess.DEVNULL,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (folder / "error.log").read_text()
            time.sleep(0.1)
        yield base
    finally:
        stop(process)


def test_two_instances_behind_nginx(tmp_path: Path) -> None:
    with migrated_database("postgres", tmp_path) as url:
        make_site(url)
        limits = ("--trusted-proxies", "127.0.0.1", "--post-rate-limit", "5")
        with serving(url, tmp_path / "a.log", *limits) as a, \
                serving(url, tmp_path / "b.log", *limits) as b, \
                nginx(tmp_path, [a.removeprefix("http://"), b.removeprefix("http://")]) as base:
            live = Events(f"{base}/api/v1/events?uri=/proxied")
            with httpx.Client(base_url=base, timeout=10) as client:
                # Twelve readers, each under the 5-a-minute limit: told apart behind the proxy.
                for n in range(12):
                    answer = client.post(
                        "/api/v1/comments", json={"uri": "/proxied", "text": f"Avis {n}"},
                        headers={"X-Forwarded-For": f"198.51.100.{n + 1}"})
                    assert answer.status_code == 201, answer.text
                    comment_id = answer.json()["comment"]["id"]
                    # The next read, whichever instance answers, sees it.
                    page = client.get("/api/v1/comments", params={"uri": "/proxied"}).json()
                    assert page["thread"]["count"] == n + 1
                    assert live.next()["data"]["id"] == comment_id
                # The same reader a sixth time in the minute is refused, by its own address.
                for n in range(6):
                    last = client.post(
                        "/api/v1/comments", json={"uri": "/proxied", "text": f"Encore {n}"},
                        headers={"X-Forwarded-For": "203.0.113.9"})
                assert last.status_code == 429 and "retry-after" in last.headers
                compressed = client.get("/api/v1/comments", params={"uri": "/proxied"},
                                        headers={"Accept-Encoding": "gzip"})
                assert compressed.headers.get("content-encoding") == "gzip"
                assert compressed.json()["thread"]["count"] == 12 + 5
