"""Live updates through real `palabre serve` processes: a post on one instance reaches a
stream open on another (PostgreSQL), a reconnect resumes with Last-Event-ID (SQLite, two
workers), and stopping the server ends its streams cleanly."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Awaitable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import orjson

from palabre.domain.context import Context
from palabre.domain.models import Site
from palabre.domain.sites import ensure_site
from tests.conftest import SECRET, TEST_SITE_SETTINGS, migrated_database, run
from tests.server.conftest import clean_env
from tests.server.conftest import serving as server_process


def serving(database_url: str, log: Path, *options: str) -> AbstractContextManager[str]:
    """A `palabre serve` on this database, sharing the tests' secret; yields its URL."""
    return server_process(log, "--database", database_url, "--post-rate-limit", "0",
                          *options, env={**clean_env(), "PALABRE_SECRET": SECRET})


class Events:
    """An event stream read on a thread: each event (with its arrival time) in a queue."""

    def __init__(self, url: str, last_event_id: int | None = None) -> None:
        self.url = url
        self.headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
        self.found: queue.Queue[dict[str, Any]] = queue.Queue()
        self.status = 0
        self.opened = threading.Event()
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        assert self.opened.wait(10), "the stream did not open"

    def _read(self) -> None:
        # The server or a proxy in front going away ends the stream.
        with contextlib.suppress(httpx.TransportError):
            self._follow()
        self.opened.set()
        self.ended.set()

    def _follow(self) -> None:
        with httpx.stream("GET", self.url, headers=self.headers,
                          timeout=httpx.Timeout(10, read=30)) as answer:
            self.status = answer.status_code
            event: dict[str, Any] = {}
            lines = answer.iter_lines()
            for line in lines:
                self.opened.set()
                if line.startswith("id: "):
                    event["id"] = int(line[4:])
                elif line.startswith("event: "):
                    event["event"] = line[7:]
                elif line.startswith("data: "):
                    event["data"] = orjson.loads(line[6:])
                elif not line and event:
                    self.found.put({**event, "at": time.monotonic()})
                    event = {}

    def next(self, timeout: float = 5) -> dict[str, Any]:
        return self.found.get(timeout=timeout)


def make_site(database_url: str) -> None:
    """The default site, made before the server starts, with the settings tests post
    under (the server would make it with the defaults)."""
    def make(ctx: Context) -> Awaitable[Site]:
        return ensure_site(ctx.storage, settings=TEST_SITE_SETTINGS)

    run(database_url, make)


def post(base: str, uri: str, text: str) -> tuple[int, float]:
    sent = time.monotonic()
    answer = httpx.post(f"{base}/api/v1/comments", json={"uri": uri, "text": text})
    assert answer.status_code == 201, answer.text
    return answer.json()["comment"]["id"], sent


def test_a_post_on_one_instance_reaches_a_stream_on_another(tmp_path: Path) -> None:
    with migrated_database("postgres", tmp_path) as url:
        make_site(url)
        with serving(url, tmp_path / "a.log") as a, serving(url, tmp_path / "b.log") as b:
            on_b = Events(f"{b}/api/v1/events?uri=/live")
            elsewhere = Events(f"{b}/api/v1/events?uri=/other")
            for n in range(3):
                comment_id, sent = post(a, "/live", f"Message {n}")
                event = on_b.next()
                assert event["event"] == "comment" and event["data"]["id"] == comment_id
                assert event["at"] - sent < 1.0
            assert elsewhere.found.empty()


def test_a_reconnect_resumes_where_it_left_and_stopping_ends_streams(tmp_path: Path) -> None:
    with migrated_database("sqlite", tmp_path) as url:
        make_site(url)
        with serving(url, tmp_path / "server.log", "--workers", "2",
                     "--live-heartbeat-seconds", "1") as base:
            stream = f"{base}/api/v1/events?uri=/resume"
            first = Events(stream)
            seen, _ = post(base, "/resume", "Avant la coupure")
            last_id = first.next()["id"]
            missed = [post(base, "/resume", f"Pendant la coupure {n}")[0] for n in range(2)]
            again = Events(stream, last_id)
            got = [again.next()["data"]["id"] for _ in missed]
            assert got == missed and seen not in got
            fresh, _ = post(base, "/resume", "Après")
            assert again.next()["data"]["id"] == fresh
            stopped = time.monotonic()
        # The server stopped (serving waits for it): its streams ended, they were not cut.
        assert again.ended.wait(5) and first.ended.wait(5)
        assert time.monotonic() - stopped < 5
