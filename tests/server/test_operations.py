"""Operating a real `palabre serve`: a SIGTERM lets writes in progress finish and tells
event streams to reconnect; the logs (JSON) carry request ids and never an email, a token,
a cookie or a secret; /metrics sums every worker's counts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import orjson
import pytest

from palabre.domain.context import Context
from palabre.domain.models import Sort
from palabre.domain.threads import thread_page
from tests.conftest import run
from tests.server.conftest import clean_env, free_port, make_test_site, palabre, serving

pytestmark = pytest.mark.server
SECRET = "operations-test-secret-0123456789"
METRICS_TOKEN = "operations-metrics-token"
SMTP_PASSWORD = "smtp-password-never-logged"


class RawStream:
    """The bytes of an event stream, read in a thread until the server ends it."""

    def __init__(self, url: str) -> None:
        self.body = b""
        self.opened, self.ended = threading.Event(), threading.Event()
        threading.Thread(target=self._read, args=(url,), daemon=True).start()
        assert self.opened.wait(10)

    def _read(self, url: str) -> None:
        try:
            with httpx.stream("GET", url, timeout=httpx.Timeout(10, read=60)) as answer:
                for chunk in answer.iter_raw():
                    self.body += chunk
                    self.opened.set()
        except httpx.TransportError:
            pass
        self.opened.set()
        self.ended.set()


def slow_post(port: int, body: bytes) -> socket.socket:
    """A POST whose head and first half of the body are sent now; the rest later."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.sendall(b"POST /api/v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                 + body[:len(body) // 2])
    return sock


def finish(sock: socket.socket, body: bytes) -> int:
    sock.sendall(body[len(body) // 2:])
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    sock.close()
    return int(answer.split(b" ", 2)[1]) if answer else 0


def stored_ids(database_url: str, uri: str) -> set[int]:
    async def read(ctx: Context) -> set[int]:
        page = await thread_page(ctx, None, uri, Sort.OLDEST, 1000, None)
        return {c.id for c in page.comments}

    return run(database_url, read)


def test_sigterm_finishes_writes_in_progress_and_tells_streams_to_reconnect(
        tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'palabre.db'}"
    make_test_site(database_url)
    port = free_port()
    acknowledged: list[int] = []
    stopping = threading.Event()

    def poster(n: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            for i in range(1000):
                if stopping.is_set() and i % 2:
                    return
                try:
                    answer = client.post("/api/v1/comments",
                                         json={"uri": "/busy", "text": f"Poster {n}, n° {i}"})
                except httpx.TransportError:
                    return  # the server has gone: not acknowledged, not counted
                if answer.status_code != 201:
                    return
                acknowledged.append(answer.json()["comment"]["id"])

    log = tmp_path / "server.log"
    options = ("--workers", "2", "--database", database_url, "--post-rate-limit", "0",
               "--live-heartbeat-seconds", "60")
    with log.open("wb") as output:
        process = subprocess.Popen(
            palabre("serve", "--host", "127.0.0.1", "--port", str(port), *options),
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            env={**clean_env(), "PALABRE_SECRET": SECRET})
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, log.read_text()
            time.sleep(0.1)
        streams = [RawStream(f"http://127.0.0.1:{port}/api/v1/events?uri=/busy")
                   for _ in range(4)]
        body = orjson.dumps({"uri": "/busy", "text": "Envoyé lentement"})
        slow = slow_post(port, body)
        threads = [threading.Thread(target=poster, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 30:
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGTERM)  # as systemd stops a service: every process
        stopping.set()
        time.sleep(0.5)
        assert finish(slow, body) == 201  # the write in progress was let finish
        for thread in threads:
            thread.join(30)
        assert process.wait(30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    for stream in streams:
        assert stream.ended.wait(10)
        assert stream.body.endswith(b"retry: 3000\n\n"), stream.body[-200:]
        assert b"shutting down" in stream.body
    stored = stored_ids(database_url, "/busy")
    assert set(acknowledged) <= stored and len(acknowledged) >= 30
    assert len(stored) >= len(acknowledged) + 1  # the slow one too


def test_json_logs_carry_request_ids_and_nothing_personal(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'palabre.db'}"
    make_test_site(database_url)
    smtp_port = free_port()  # nothing listens there: sending fails, and is logged
    env = {**clean_env(), "PALABRE_SECRET": SECRET,
           "PALABRE_SMTP_URL": f"smtp://mailer:{SMTP_PASSWORD}@127.0.0.1:{smtp_port}",
           "PALABRE_MAIL_FROM": "Comments <comments@example.org>",
           "PALABRE_PUBLIC_URL": "http://comments.example.org",
           "PALABRE_METRICS_TOKEN": METRICS_TOKEN}
    log = tmp_path / "server.log"
    email = "reader.private@example.net"
    with serving(log, "--database", database_url, "--workers", "2", "--log-format", "json",
                 "--access-log", "--log-level", "debug", env=env) as base, \
            httpx.Client(base_url=base, timeout=10) as client:
        posted = client.post("/api/v1/comments", json={
            "uri": "/private", "text": "Bonjour", "author": "Lecteur", "email": email,
            "notify": True}, headers={"X-Request-ID": "trace-post-1"})
        assert posted.status_code == 201 and posted.headers["x-request-id"] == "trace-post-1"
        token = posted.json()["token"]
        comment_id = posted.json()["comment"]["id"]
        edited = client.patch(f"/api/v1/comments/{comment_id}", json={"text": "Modifié"},
                              headers={"Authorization": f"Bearer {token}",
                                       "Cookie": "palabre_session=cookie-value-never-logged"})
        assert edited.status_code == 200
        refused = client.patch(f"/api/v1/comments/{comment_id}", json={"text": "Non"},
                               headers={"Authorization": f"Bearer {token}x"})
        assert refused.status_code in (401, 403)
        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert metrics.status_code == 200
        for _ in range(6):  # spread over both workers (new connections)
            assert httpx.get(f"{base}/api/v1/comments", params={"uri": "/private"},
                             headers={"X-Request-ID": "trace-read"}).headers[
                "x-request-id"] == "trace-read"
        # Each worker folds its counts in every 5 s: whichever answers the scrape, every
        # worker's hits and misses are there once both have.
        deadline, reads = time.monotonic() + 30, 0.0
        while reads != 6:
            assert time.monotonic() < deadline, reads
            time.sleep(1)
            found = client.get("/metrics",
                               headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
            reads = sum(float(line.rpartition(" ")[2]) for line in found.splitlines()
                        if line.startswith(('palabre_cache_hits_total{route="/api/v1/comments"}',
                                            'palabre_cache_misses_total{route="/api/v1/comments"}')))
        time.sleep(1)  # the mail worker has tried (and failed) to reach the SMTP server
    text = log.read_text(errors="replace")
    for secret in (email, "reader.private", token, SECRET, SMTP_PASSWORD,
                   "cookie-value-never-logged", METRICS_TOKEN):
        assert secret not in text, f"{secret!r} is in the log"
    records = [orjson.loads(line) for line in text.splitlines() if line.startswith("{")]
    access = [r for r in records if r["logger"] == "palabre.access"]
    assert any(r.get("request_id") == "trace-post-1" and r["status"] == 201
               and r["route"] == "/api/v1/comments" for r in access)
    assert {r["status"] for r in access} >= {201, 200}
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
