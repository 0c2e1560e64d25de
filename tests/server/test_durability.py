"""Proof that nothing is lost, with real `palabre serve` processes: concurrent posters
(each its own reader behind a trusted proxy, replies included) on two instances sharing
one PostgreSQL database; the server killed with SIGKILL mid-load and restarted (SQLite and
PostgreSQL); a write on one instance seen by the next read on the other, both ways;
PostgreSQL stopped and started again mid-load (a private server, made for the test); the
SQLite disk full (a small tmpfs, made for the test).

Every check reads what was stored twice: through the API (each acknowledged comment there
once, its parent consistent, the counts exact) and in the database itself (no comment
without its event, no orphan, nothing half-written). A post that got no answer (the
server killed, the connection lost) may or may not have been stored: its poster sends it
again, so it may be stored once per attempt that got no answer, never more.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy

from palabre.storage import migrate
from tests.conftest import SECRET, migrated_database
from tests.server.conftest import clean_env, free_port, palabre, stop
from tests.server.test_live import make_site

pytestmark = [pytest.mark.server]
MAX_DEPTH = 5  # the site's default: levels 0 to 4
POST_GIVE_UP_SECONDS = 60.0  # a poster retrying longer than this fails the test


# --- servers ------------------------------------------------------------------------------

class Instance:
    """A `palabre serve` we can kill (SIGKILL, every process of it) and start again on the
    same port, appending to the same log."""

    def __init__(self, database_url: str, log: Path, *options: str) -> None:
        self.database_url, self.log, self.options = database_url, log, options
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Instance:
        self.spawn()
        return self.ready()

    def spawn(self) -> None:
        argv = palabre("serve", "--host", "127.0.0.1", "--port", str(self.port),
                       "--database", self.database_url, "--post-rate-limit", "0",
                       "--trusted-proxies", "127.0.0.1", *self.options)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                env={**clean_env(), "PALABRE_SECRET": SECRET})

    def ready(self) -> Instance:
        """Once /healthz answers."""
        assert self.process is not None
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.log.read_text(errors="replace")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz").status_code == 200:
                    return self
            assert time.monotonic() < deadline, "server did not answer /healthz in 30 s"
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the server and its workers at once: no shutdown of any kind."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@contextlib.contextmanager
def instances(database_url: str, folder: Path, count: int,
              *options: str) -> Iterator[list[Instance]]:
    started = [Instance(database_url, folder / f"instance-{n}.log", *options)
               for n in range(count)]
    try:
        for instance in started:
            instance.spawn()  # all at once: their migrations wait for one another
        for instance in started:
            instance.ready()
        yield started
    finally:
        for instance in started:
            instance.stop()


# --- the load -----------------------------------------------------------------------------

@dataclass
class Post:
    """One comment a poster means to store, sent until acknowledged."""

    text: str
    parent: int | None
    base: str
    id: int | None = None  # from the 201
    unanswered: int = 0  # attempts that got no answer: each may have been stored
    refused: int = 0  # attempts answered 503: none was stored
    acknowledged_at: float = 0.0


@dataclass
class Load:
    """Posters on threads, each its own reader (X-Forwarded-For), spread over the
    instances' URLs; a share of the posts reply to a comment acknowledged before."""

    bases: list[str]
    uri: str
    posters: int
    per_poster: int
    reply_share: float = 0.4
    text_bytes: int = 0  # padding, to fill a disk
    posts: list[Post] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def acknowledged(self) -> list[Post]:
        with self.lock:
            return [p for p in self.posts if p.id is not None]

    def wait_for(self, count: int, timeout: float = 60) -> None:
        """Until this many posts were acknowledged (mid-load: there is more to come)."""
        with self.lock:
            assert self.lock.wait_for(
                lambda: sum(p.id is not None for p in self.posts) >= count, timeout), \
                f"fewer than {count} posts acknowledged in {timeout} s: {self.unexpected[:5]}"

    def refusals(self) -> int:
        with self.lock:
            return sum(p.refused for p in self.posts)

    def run(self) -> threading.Thread:
        threads = [threading.Thread(target=self._poster, args=(n,), daemon=True)
                   for n in range(self.posters)]
        for thread in threads:
            thread.start()

        def join() -> None:
            for thread in threads:
                thread.join()

        joiner = threading.Thread(target=join, daemon=True)
        joiner.start()
        return joiner

    def _poster(self, n: int) -> None:
        rng = random.Random(n)
        address = f"10.{n // 200}.{n % 200}.{rng.randrange(1, 250)}"
        base = self.bases[n % len(self.bases)]
        with httpx.Client(timeout=20, headers={"X-Forwarded-For": address}) as client:
            for k in range(self.per_poster):
                with self.lock:
                    done = [p.id for p in self.posts if p.id is not None]
                parent = rng.choice(done) if done and rng.random() < self.reply_share else None
                text = f"Poster {n} message {k}" + " padding" * (self.text_bytes // 8)
                post = Post(text, parent, base)
                with self.lock:
                    self.posts.append(post)
                self._send(client, post, n)

    def _send(self, client: httpx.Client, post: Post, n: int) -> None:
        body = {"uri": self.uri, "text": post.text, "author": f"Poster {n}",
                "parent": post.parent}
        give_up = time.monotonic() + POST_GIVE_UP_SECONDS
        while time.monotonic() < give_up:
            try:
                answer = client.post(f"{post.base}/api/v1/comments", json=body)
            except httpx.TransportError:
                with self.lock:
                    post.unanswered += 1
                time.sleep(0.1)
                continue
            if answer.status_code == 201:
                with self.lock:
                    post.id = answer.json()["comment"]["id"]
                    post.acknowledged_at = time.monotonic()
                    self.lock.notify_all()
                return
            problem = unavailable_problem(answer)
            with self.lock:
                if problem:
                    self.unexpected.append(problem)
                    return
                post.refused += 1
            time.sleep(0.1)
        with self.lock:
            self.unexpected.append(f"gave up after {POST_GIVE_UP_SECONDS} s: {post.text[:40]}")


def unavailable_problem(answer: httpx.Response) -> str | None:
    """What is wrong with an answer that should be a 503 with the envelope (None: nothing)."""
    if answer.status_code != 503:
        return f"{answer.status_code}: {answer.text[:200]}"
    error = answer.json().get("error", {})
    if error.get("code") != "unavailable" or not error.get("message"):
        return f"503 without the envelope: {answer.text[:200]}"
    if "retry-after" not in answer.headers:
        return "503 without Retry-After"
    return None


# --- what was stored ----------------------------------------------------------------------

def read_all(base: str, uri: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The thread object and every comment of the thread, page after page."""
    comments: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"uri": uri, "limit": "200", **({"cursor": cursor} if cursor else {})}
        answer = httpx.get(f"{base}/api/v1/comments", params=params, timeout=20)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        comments += page["comments"]
        cursor = page["next_cursor"]
        if cursor is None:
            return page["thread"], comments


def query(database_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = sqlalchemy.create_engine(migrate.sqlalchemy_url(database_url))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sqlalchemy.text(sql), params)]
    finally:
        engine.dispose()


def check_stored(base: str, database_url: str, load: Load, *, exact: bool) -> None:
    """Every acknowledged post there exactly once, parents consistent, counts exact, and
    nothing half-written. ``exact``: no attempt went unanswered, so nothing else is there
    either; otherwise a post may be there once per attempt that got no answer, besides."""
    assert not load.unexpected, load.unexpected[:10]
    posts = load.posts
    assert all(p.id is not None for p in posts), "every post was acknowledged in the end"
    thread, listed = read_all(base, load.uri)
    by_id = {c["id"]: c for c in listed}
    assert len(by_id) == len(listed), "no comment is listed twice"
    texts: dict[str, list[int]] = {}
    for comment in listed:
        assert comment["status"] == "approved" and comment["html"].startswith("<p>")
        texts.setdefault(comment["html"], []).append(comment["id"])
    for post in posts:
        assert post.id in by_id, f"acknowledged comment {post.id} is missing"
        comment = by_id[post.id]
        assert comment["html"] == f"<p>{post.text}</p>"
        copies = len(texts[comment["html"]])
        assert copies <= 1 + post.unanswered, f"{post.text!r} stored {copies} times"
        assert comment["reply_to"] == post.parent
        check_placement(comment, by_id, post.parent)
    extra = len(listed) - len(posts)
    if exact:
        assert extra == 0
    else:
        assert 0 <= extra <= sum(p.unanswered for p in posts)
    sent = {f"<p>{p.text}</p>" for p in posts}
    assert set(texts) <= sent, "nothing was stored that nobody sent"
    assert thread["count"] == len(listed)
    counts = httpx.get(f"{base}/api/v1/counts", params={"uri": load.uri}).json()["counts"]
    assert counts[load.uri] == len(listed)
    check_rows(database_url, load.uri, set(by_id))


def check_placement(comment: dict[str, Any], by_id: dict[int, dict[str, Any]],
                    asked: int | None) -> None:
    """Under the comment it answers, or (past the deepest level) under that comment's
    parent: one level below whatever it hangs under."""
    if asked is None:
        assert comment["parent"] is None and comment["depth"] == 0
        return
    parent = by_id[comment["parent"]]
    assert comment["depth"] == parent["depth"] + 1 <= MAX_DEPTH - 1
    ancestor: int | None = asked
    while ancestor is not None and ancestor != parent["id"]:
        ancestor = by_id[ancestor]["parent"]
    assert ancestor == parent["id"], "hangs under the comment answered or an ancestor"


def check_rows(database_url: str, uri: str, listed: set[int]) -> None:
    """In the database itself: the thread's rows are the listed comments, each complete,
    with its parent present and its creation event in the outbox."""
    rows = query(database_url,
                 "SELECT c.id, c.parent, c.reply_to, c.status, c.html, c.text FROM comments c "
                 "JOIN threads t ON t.id = c.thread_id WHERE t.uri = :uri", uri=uri)
    assert {row[0] for row in rows} == listed
    ids = {row[0] for row in rows}
    for _, parent, reply_to, status, html, text in rows:
        assert status == "approved" and html and text
        assert parent is None or parent in ids
        assert reply_to is None or reply_to in ids
    created = {orjson.loads(payload)["comment_id"] for (payload,) in query(
        database_url, "SELECT payload FROM events WHERE name = 'comment.created'")}
    assert listed <= created, "every comment has its event"
    if database_url.startswith("sqlite:"):
        assert query(database_url, "PRAGMA integrity_check") == [("ok",)]


# --- a. two instances, one PostgreSQL database, concurrent posters ------------------------

@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Instance]]:
    """Two instances (one worker each) on one PostgreSQL database."""
    folder = tmp_path_factory.mktemp("pair")
    with migrated_database("postgres", folder) as url:
        make_site(url)
        with instances(url, folder, 2) as both:
            yield both


@pytest.mark.postgres
def test_concurrent_posters_on_two_instances_lose_nothing(pair: list[Instance]) -> None:
    load = Load([i.url for i in pair], "/durable/concurrent", posters=40, per_poster=5)
    load.run().join(120)
    assert len(load.acknowledged()) == 200, load.unexpected[:5]
    assert all(p.unanswered == 0 and p.refused == 0 for p in load.posts)
    for instance in pair:
        check_stored(instance.url, pair[0].database_url, load, exact=True)


# --- c. a write on one instance, the next read on the other --------------------------------

@pytest.mark.postgres
def test_a_write_on_one_instance_is_read_next_on_the_other(pair: list[Instance]) -> None:
    uri = "/durable/both-ways"
    a, b = pair
    with httpx.Client(timeout=10) as client:
        for n in range(6):
            writer, reader = (a, b) if n % 2 == 0 else (b, a)
            # The reader has the thread in its cache, fresh: the write must not be hidden.
            before = client.get(f"{reader.url}/api/v1/comments", params={"uri": uri})
            assert client.get(f"{reader.url}/api/v1/comments", params={"uri": uri},
                              headers={"If-None-Match": before.headers["etag"]}
                              ).status_code == 304
            posted = client.post(f"{writer.url}/api/v1/comments",
                                 json={"uri": uri, "text": f"Written on {writer.port} ({n})"})
            assert posted.status_code == 201
            after = client.get(f"{reader.url}/api/v1/comments", params={"uri": uri}).json()
            assert after["thread"]["count"] == n + 1
            assert after["comments"][-1]["id"] == posted.json()["comment"]["id"]
            counts = client.get(f"{reader.url}/api/v1/counts", params={"uri": uri}).json()
            assert counts["counts"][uri] == n + 1


# --- b. SIGKILL mid-load, restart ---------------------------------------------------------

def kill_and_restart_mid_load(load: Load, victim: Instance, at: int) -> None:
    joiner = load.run()
    load.wait_for(at)
    victim.kill()
    time.sleep(0.5)  # posters meet a dead port meanwhile
    victim.start()
    joiner.join(120)
    assert not joiner.is_alive(), "the posters finished"


def test_sigkill_mid_load_on_sqlite_loses_nothing(tmp_path: Path) -> None:
    with migrated_database("sqlite", tmp_path) as url:
        make_site(url)
        with instances(url, tmp_path, 1, "--workers", "2") as (server,):
            load = Load([server.url], "/durable/killed", posters=30, per_poster=7)
            kill_and_restart_mid_load(load, server, at=70)
            assert sum(p.unanswered for p in load.posts) > 0, "the kill cut posts short"
            check_stored(server.url, url, load, exact=False)


@pytest.mark.postgres
def test_sigkill_of_one_instance_mid_load_on_postgresql_loses_nothing(tmp_path: Path) -> None:
    with migrated_database("postgres", tmp_path) as url:
        make_site(url)
        with instances(url, tmp_path, 2) as (a, b):
            load = Load([a.url, b.url], "/durable/killed", posters=30, per_poster=7)
            kill_and_restart_mid_load(load, a, at=70)
            assert sum(p.unanswered for p in load.posts) > 0, "the kill cut posts short"
            check_stored(b.url, url, load, exact=False)
            check_stored(a.url, url, load, exact=False)


# --- d. PostgreSQL stopped and started again mid-load -------------------------------------

def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (Debian's layout), if installed."""
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


class PrivatePostgres:
    """A PostgreSQL server of the test's own, in a temporary folder on a free port: it
    can be stopped and started while the shared server, which others use, is left alone.
    Run as the ``postgres`` user when the tests run as root (the server refuses root)."""

    def __init__(self, programs: Path, folder: Path) -> None:
        self.programs, self.folder = programs, folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *argv: str) -> None:
        done = subprocess.run([*self.as_user, *argv], capture_output=True, text=True,
                              check=False, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr

    def init(self) -> None:
        if self.as_user:
            os.chown(self.folder, *_postgres_ids())
        self._run(str(self.programs / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "-A", "trust", "--no-sync", "--no-instructions")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(str(self.programs / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.folder / "server.log"), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.programs / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                  "stop")


def _postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    programs = postgres_bin()
    if programs is None:
        pytest.skip("PostgreSQL's server programs are not installed (initdb, pg_ctl)")
    if os.geteuid() == 0 and not _has_user("postgres"):
        pytest.skip("running as root without a postgres user to run a private server")
    folder = Path(tempfile.mkdtemp(prefix="palabre-pg-"))
    server = PrivatePostgres(programs, folder)
    try:
        server.init()
        server.start()
        yield server
    finally:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def answers_unavailable(url: str) -> None:
    """While the database is away, reads and the health check answer 503 with the
    envelope (within the pool's wait, well under the client's timeout)."""
    for path in ("/api/v1/comments?uri=/durable/restarted", "/api/v1/counts?uri=/x",
                 "/healthz"):
        answer = httpx.get(f"{url}{path}", timeout=20)
        assert unavailable_problem(answer) is None, (path, answer.status_code, answer.text)


@pytest.mark.postgres
def test_postgresql_restarted_mid_load_loses_nothing(tmp_path: Path) -> None:
    with private_postgres() as database:
        migrate.upgrade(database.url)
        make_site(database.url)
        with instances(database.url, tmp_path, 2) as (a, b):
            load = Load([a.url, b.url], "/durable/restarted", posters=30, per_poster=6)
            joiner = load.run()
            load.wait_for(60)
            database.stop()
            stopped = time.monotonic()
            answers_unavailable(a.url)
            answers_unavailable(b.url)
            database.start()
            joiner.join(120)
            assert not joiner.is_alive(), "the posters finished"
            assert load.refusals() > 0, "posters met the database away (503s)"
            # Both instances found the database again by themselves.
            for instance in (a, b):
                assert any(p.base == instance.url and p.acknowledged_at > stopped
                           for p in load.posts)
            # The instances stayed up: every attempt got an answer, 201 or 503.
            assert all(p.unanswered == 0 for p in load.posts)
            for instance in (a, b):
                check_stored(instance.url, database.url, load, exact=False)


# --- e. the SQLite disk full --------------------------------------------------------------

@contextlib.contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    """A filesystem of its own for the test (tmpfs, which needs root or CAP_SYS_ADMIN)."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0700",
                              "palabre-test", str(folder)], capture_output=True, text=True,
                             check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(disk: Path) -> Path:
    """Take every free byte of the disk with one file (given back by deleting it)."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(descriptor, b"\0" * size)
    finally:
        os.close(descriptor)
    return filler


def test_sqlite_disk_full_answers_503_and_recovers(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", megabytes=8) as disk, contextlib.ExitStack() as stack:
        url = f"sqlite:///{disk / 'palabre.db'}"
        migrate.upgrade(url)
        make_site(url)
        with instances(url, tmp_path, 1, "--workers", "2") as (server,):
            uri = "/durable/full"
            client = stack.enter_context(httpx.Client(base_url=server.url, timeout=20))
            acknowledged: dict[str, int] = {}
            refused: set[str] = set()

            def post(text: str, parent: int | None = None) -> httpx.Response:
                answer = client.post("/api/v1/comments",
                                     json={"uri": uri, "text": text, "parent": parent})
                if answer.status_code == 201:
                    acknowledged[text] = answer.json()["comment"]["id"]
                return answer

            first = post("Before the disk fills")
            assert first.status_code == 201
            filler = fill(disk)
            # The WAL may still have room for a few; then a write finds the disk full.
            for n in range(400):
                answer = post(f"While full {n} " + "padding " * 500, acknowledged[
                    "Before the disk fills"] if n % 2 else None)
                if answer.status_code != 201:
                    assert unavailable_problem(answer) is None
                    refused.add(f"While full {n} " + "padding " * 500)
                    break
            assert refused, "the disk never filled"
            # Reads go on meanwhile, and show what was acknowledged.
            thread, listed = read_all(server.url, uri)
            assert {c["id"] for c in listed} == set(acknowledged.values())
            assert unavailable_problem(post("Still full " + "padding " * 500)) is None
            filler.unlink()
            after = post("Space is back", acknowledged["Before the disk fills"])
            assert after.status_code == 201, after.text
        # Stopped: the file alone says what is stored.
        with instances(url, tmp_path, 1) as (again,):
            thread, listed = read_all(again.url, uri)
        stored = {c["id"]: c for c in listed}
        assert set(stored) == set(acknowledged.values()), "all acknowledged, nothing refused"
        assert thread["count"] == len(acknowledged)
        for text, comment_id in acknowledged.items():
            assert stored[comment_id]["html"].startswith(f"<p>{text.split(' padding')[0]}")
        check_rows(url, uri, set(stored))
