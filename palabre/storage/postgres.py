"""PostgreSQL storage: several stateless Palabre instances share one database.

Writes take a transaction-scoped advisory lock first, so they are serialised across every
instance exactly as SQLite serialises them with ``BEGIN IMMEDIATE``: the domain's
read-check-write sequences (rate limits, placement, pruning) stay correct without
per-statement locking. Reads run on a connection pool with autocommit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from palabre.domain.models import Comment, Thread
from palabre.storage.outbox import Wakeable
from palabre.storage.sql import SQLReads, SQLWriteTx

WRITE_LOCK = 0x70616C61  # "pala": the advisory lock every write transaction holds
CHANNEL = "palabre_events"  # NOTIFY'd by every transaction that wrote events
log = logging.getLogger("palabre.storage")


@lru_cache(maxsize=256)
def dialect(sql: str) -> str:
    """Our queries use ``?`` placeholders; psycopg wants ``%s``."""
    return sql.replace("?", "%s")


def conninfo(database_url: str) -> str:
    if database_url.startswith("postgres://"):
        return "postgresql://" + database_url.removeprefix("postgres://")
    return database_url


class PostgresConnection:
    """Statements on one connection (inside a transaction when writing)."""

    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self.conn = conn

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cursor = await self.conn.execute(dialect(sql), params)
        return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cursor = await self.conn.execute(dialect(sql), params)
        return await cursor.fetchall()

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self.conn.execute(dialect(sql), params)


class PostgresWriteTx(PostgresConnection, SQLWriteTx):
    async def restore_thread(self, thread: Thread) -> None:
        await super().restore_thread(thread)
        await self._run("SELECT setval(pg_get_serial_sequence('threads', 'id'), "
                        "(SELECT max(id) FROM threads))")

    async def restore_comment(self, comment: Comment, notify: bool) -> None:
        await super().restore_comment(comment, notify)
        await self._run("SELECT setval(pg_get_serial_sequence('comments', 'id'), "
                        "(SELECT max(id) FROM comments))")


class PostgresStorage(SQLReads, Wakeable):
    """Consumers waiting for events are woken by a NOTIFY on ``CHANNEL``, which every
    transaction that wrote events sends at its commit (any instance), and poll once a
    second besides, in case the listening connection was lost."""

    poll_seconds = 1.0

    def __init__(self, database_url: str, min_size: int = 1, max_size: int = 8) -> None:
        Wakeable.__init__(self)
        self.conninfo = conninfo(database_url)
        self.pool = AsyncConnectionPool(self.conninfo, min_size=min_size,
                                        max_size=max_size, open=False,
                                        kwargs={"autocommit": True})
        self._opened = False
        self._listener: asyncio.Task[None] | None = None

    async def _ensure_open(self) -> None:
        if not self._opened:
            await self.pool.open(wait=True)
            self._opened = True

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        await self._ensure_open()
        async with self.pool.connection() as conn:
            return await PostgresConnection(conn)._one(sql, params)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        await self._ensure_open()
        async with self.pool.connection() as conn:
            return await PostgresConnection(conn)._all(sql, params)

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self._ensure_open()
        async with self.pool.connection() as conn:
            await PostgresConnection(conn)._run(sql, params)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[PostgresWriteTx]:
        await self._ensure_open()
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            tx = PostgresWriteTx(conn)
            yield tx
            if tx.emitted:
                await conn.execute("SELECT pg_notify(%s, '')", (CHANNEL,))

    async def wait_for_events(self, position: int, timeout: float) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen())
        await super().wait_for_events(position, timeout)

    async def _listen(self) -> None:
        """Hold one connection LISTENing, and wake waiters at each notification."""
        while True:
            try:
                async with await AsyncConnection.connect(self.conninfo,
                                                         autocommit=True) as conn:
                    await conn.execute("LISTEN palabre_events")  # CHANNEL
                    self.wake()  # anything committed while not listening
                    async for _ in conn.notifies():
                        self.wake()
            except Exception:  # the server went away: the poll covers the gap
                log.warning("lost the event listener connection; reconnecting", exc_info=True)
                await asyncio.sleep(self.poll_seconds)

    async def unchanged_since_last_check(self, token: object) -> tuple[bool, object]:
        return False, None

    async def counts(self, site_id: int, uris: Sequence[str]) -> dict[str, int]:
        rows = await self._all(
            "SELECT t.uri, (SELECT count(*) FROM comments c WHERE c.thread_id = t.id "
            "AND c.status = 'approved') FROM threads t WHERE t.site_id = ? "
            "AND t.uri = ANY(?)",
            (site_id, list(uris)),
        )
        return {row[0]: int(row[1]) for row in rows}

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._opened:
            await self.pool.close()
            self._opened = False
