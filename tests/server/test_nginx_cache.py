"""The shared-cache mode behind nginx, tested: docs/nginx/palabre-cache.conf as written (only
its ports and cache folder change) in front of a `palabre serve` with shared_cache_seconds:
nginx answers repeated public reads itself (X-Cache-Status: HIT), keeps one copy per
Origin and encoding, and never caches a write or a personal answer."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import clean_env, free_port, make_test_site, serving
from tests.server.test_nginx import running_nginx

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [pytest.mark.server,
              pytest.mark.skipif(not Path(NGINX).exists(),
                                 reason="nginx is missing (apt-get install nginx)")]


def cache_config(folder: Path, listen: int, upstream: str, extra: str = "") -> Path:
    """The shipped configuration, pointed at this port, upstream and folder, inside a minimal
    nginx.conf; ``extra`` goes inside its server block (the bench's static file)."""
    site = (ROOT / "docs" / "nginx" / "palabre-cache.conf").read_text()
    site = site.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    site = site.replace("/var/cache/nginx/palabre", str(folder / "cache"))
    for shipped in ("127.0.0.1:8081", "127.0.0.1:8082"):
        site = site.replace(f"server {shipped};", f"server {upstream};")
    if extra:
        head, _, tail = site.rpartition("}")
        site = head + extra + "\n}" + tail
    (folder / "palabre-cache.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {folder / kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    # nginx's workers drop to an unprivileged user when started as root: that user could
    # not write the cache inside the test's private folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}worker_processes 1; daemon off; pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{ access_log off; {temp} include {folder / 'palabre-cache.conf'}; }}\n")
    return main


@contextmanager
def nginx_cache(folder: Path, upstream: str, extra: str = "") -> Iterator[str]:
    port = free_port()
    config = cache_config(folder, port, upstream, extra)
    with running_nginx(folder, config, port) as base:
        yield base


def test_nginx_answers_public_reads_from_its_cache(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'palabre.db'}"
    make_test_site(database_url)
    options = ("--database", database_url, "--post-rate-limit", "0", "--trusted-proxies",
               "127.0.0.1", "--shared-cache-seconds", "60")
    with serving(tmp_path / "server.log", *options, env=clean_env()) as upstream, \
            nginx_cache(tmp_path, upstream.removeprefix("http://")) as base, \
            httpx.Client(base_url=base, timeout=10) as client:
        first = client.post("/api/v1/comments", json={"uri": "/cached", "text": "Premier"})
        assert first.status_code == 201 and "x-cache-status" not in first.headers
        read = {"uri": "/cached"}
        miss = client.get("/api/v1/comments", params=read)
        assert miss.headers["x-cache-status"] == "MISS"
        assert "s-maxage=60" in miss.headers["cache-control"]
        hit = client.get("/api/v1/comments", params=read)
        assert hit.headers["x-cache-status"] == "HIT" and hit.content == miss.content
        assert hit.headers.get_list("x-request-id") != miss.headers.get_list("x-request-id")
        assert len(hit.headers.get_list("x-request-id")) == 1  # nginx's own, this request's
        # The staleness this mode accepts: a comment posted now shows once the copy expires.
        client.post("/api/v1/comments", json={"uri": "/cached", "text": "Second"})
        stale = client.get("/api/v1/comments", params=read)
        assert stale.headers["x-cache-status"] == "HIT"
        assert stale.json()["thread"]["count"] == 1
        direct = httpx.get(f"{upstream}/api/v1/comments", params=read)
        assert direct.json()["thread"]["count"] == 2
        # One copy per Origin: each page's origin gets its own CORS headers.
        origin = {"Origin": "https://blog.example"}
        for expected in ("MISS", "HIT"):
            cors = client.get("/api/v1/comments", params=read, headers=origin)
            assert cors.headers["x-cache-status"] == expected
            assert cors.headers["access-control-allow-origin"] == "https://blog.example"
        assert "access-control-allow-origin" not in client.get(
            "/api/v1/comments", params=read).headers
        # One copy per encoding: never gzip to a client that did not ask for it.
        for expected in ("MISS", "HIT"):
            packed = client.get("/api/v1/comments", params=read,
                                headers={"Accept-Encoding": "gzip;q=1"})
            assert packed.headers["x-cache-status"] == expected
        plain = httpx.get(f"{base}/api/v1/comments", params=read,
                          headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.json()["thread"]
        assert packed.json()["thread"]["count"] == 2  # its own copy, made after the post
        counts = [client.get("/api/v1/counts", params=read) for _ in range(2)]
        assert [c.headers["x-cache-status"] for c in counts] == ["MISS", "HIT"]
        # Nothing else is kept: a thread's details, errors, the metrics.
        for path, params in (("/api/v1/threads", read), ("/api/v1/comments", {})):
            for _ in range(2):
                other = client.get(path, params=params)
                assert other.headers.get("x-cache-status") in (None, "MISS", "EXPIRED")
        assert client.get("/metrics").status_code == 404


def test_without_the_setting_nginx_keeps_nothing(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'palabre.db'}"
    make_test_site(database_url)
    with serving(tmp_path / "server.log", "--database", database_url,
                 env=clean_env()) as upstream, \
            nginx_cache(tmp_path, upstream.removeprefix("http://")) as base:
        statuses = [httpx.get(f"{base}/api/v1/comments", params={"uri": "/a"}).headers[
            "x-cache-status"] for _ in range(3)]
        assert "HIT" not in statuses


def test_a_copy_is_replaced_once_it_expires(tmp_path: Path) -> None:
    """With s-maxage 1 and no stale window: a comment posted shows within about a second,
    the copy nginx keeps (and the descriptor it keeps open for a second) notwithstanding."""
    database_url = f"sqlite:///{tmp_path / 'palabre.db'}"
    make_test_site(database_url)
    options = ("--database", database_url, "--post-rate-limit", "0",
               "--shared-cache-seconds", "1", "--shared-cache-stale-seconds", "0")
    with serving(tmp_path / "server.log", *options, env=clean_env()) as upstream, \
            nginx_cache(tmp_path, upstream.removeprefix("http://")) as base, \
            httpx.Client(base_url=base, timeout=10) as client:
        read = {"uri": "/fresh"}
        for n in range(1, 4):
            assert client.post("/api/v1/comments",
                               json={"uri": "/fresh", "text": f"n° {n}"}).status_code == 201
            seen, statuses = 0, list[str]()
            deadline = time.monotonic() + 5
            while seen != n:  # a count only ever catches up, within s-maxage and a second
                assert time.monotonic() < deadline, statuses
                answer = client.get("/api/v1/comments", params=read)
                seen = answer.json()["thread"]["count"]
                statuses.append(answer.headers["x-cache-status"])
                time.sleep(0.1)
            for _ in range(3):
                again = client.get("/api/v1/comments", params=read)
                assert again.json()["thread"]["count"] == n
