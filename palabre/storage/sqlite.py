"""SQLite storage: WAL mode, one writer connection, one reader connection per process.

Queries take well under 100 µs, so they run on the event loop itself: handing them to a
thread pool was measured to cost more than it saves (docs/architecture.md). Every write is
one ``BEGIN IMMEDIATE`` transaction on the writer connection, serialised in-process by a
lock and across processes by SQLite's own write lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson

from palabre.storage.commit_counter import open_counter
from palabre.storage.errors import StorageUnavailable
from palabre.storage.outbox import Wakeable
from palabre.storage.sql import SQLReads, SQLWriteTx

# How long a commit the shared counter missed can go unseen by the read cache.
VERIFY_SECONDS = 0.25


def sqlite_path(database_url: str) -> str:
    if not database_url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite URL: {database_url!r} (expected sqlite:///path.db)")
    return database_url.removeprefix("sqlite:///") or "palabre.db"


def create_private(path: str) -> None:
    """Create the database file readable by its owner only (it holds readers' emails); its
    WAL and shared-memory files take the same permissions from it."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def connect(path: str) -> sqlite3.Connection:
    create_private(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA secure_delete=ON")  # what is deleted is overwritten, not left in pages
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def is_disk_full(exc: BaseException) -> bool:
    """Whether SQLite failed for want of space (``SQLITE_FULL``: "database or disk is
    full"), which more space cures, unlike an error of ours."""
    return (isinstance(exc, sqlite3.OperationalError)
            and getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL)


class SQLiteConnection:
    """Statements on one connection, run synchronously (they are that short)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params).fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, params)


class SQLiteWriteTx(SQLiteConnection, SQLWriteTx):
    pass


class SQLiteStorage(SQLiteConnection, SQLReads, Wakeable):
    """Palabre's default storage: one SQLite file.

    Consumers waiting for events are woken at once by a commit of this process, and within
    ``poll_seconds`` by one of another process (an indexed one-row query).
    """

    def __init__(self, database_url: str) -> None:
        self.path = sqlite_path(database_url)
        SQLiteConnection.__init__(self, connect(self.path))
        Wakeable.__init__(self)
        self.writer = connect(self.path)
        self._lock = asyncio.Lock()
        self.counter = open_counter(self.path)  # see unchanged_since_last_check
        self._data_version = -1
        self._epoch = 0  # moves when data_version shows a commit the counter did not
        self._verify_at = 0.0

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SQLiteWriteTx]:
        """One ``BEGIN IMMEDIATE`` transaction. A full disk, in a statement or at the
        ``COMMIT``, rolls the whole transaction back and raises
        :class:`StorageUnavailable` (a 503): nothing of it is kept, and the writer
        connection is left ready for the next write once there is space again."""
        async with self._lock:
            self.writer.execute("BEGIN IMMEDIATE")
            tx = SQLiteWriteTx(self.writer)
            try:
                yield tx
                self.writer.execute("COMMIT")
            except BaseException as exc:
                self._roll_back()
                if is_disk_full(exc):
                    raise StorageUnavailable(exc) from exc
                raise
            if self.counter is not None:
                self.counter.bump()  # before the write returns: see commit_counter.py
            if tx.emitted:
                self.wake()

    def _roll_back(self) -> None:
        """End the open transaction, if SQLite has not ended it itself (it may, after a
        failed ``COMMIT``; a ``ROLLBACK`` then would fail)."""
        if self.writer.in_transaction:
            self.writer.execute("ROLLBACK")

    async def unchanged_since_last_check(self, token: object) -> tuple[bool, object]:
        """The shared commit counter (storage/commit_counter.py), bumped by every writer
        after its commit: a read of eight mapped bytes. ``PRAGMA data_version``, which sees
        every commit of another connection, is asked at most every ``VERIFY_SECONDS`` for
        what the counter cannot see (a writer that died before its bump, a foreign tool);
        without the counter, on every check."""
        counter = self.counter
        if counter is None:
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            return version == token, version
        now = time.monotonic()
        if now >= self._verify_at:
            self._verify_at = now + VERIFY_SECONDS
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._data_version:
                self._data_version = version
                self._epoch += 1
        current = (counter.read(counter.mapped)[0], self._epoch)
        return current == token, current

    async def counts(self, site_id: int, uris: Sequence[str]) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT t.uri, (SELECT count(*) FROM comments c WHERE c.thread_id = t.id "
            "AND c.status = 'approved') FROM threads t WHERE t.site_id = ? "
            "AND t.uri IN (SELECT value FROM json_each(?))",
            (site_id, orjson.dumps(list(uris)).decode()),
        ).fetchall()
        return {row[0]: int(row[1]) for row in rows}

    async def close(self) -> None:
        self.conn.close()
        self.writer.close()
        if self.counter is not None:
            self.counter.close()
