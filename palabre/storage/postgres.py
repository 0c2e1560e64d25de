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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from psycopg import AsyncConnection, OperationalError
from psycopg_pool import AsyncConnectionPool

from palabre.domain.models import Comment, Thread
from palabre.storage.errors import StorageUnavailable
from palabre.storage.outbox import Wakeable
from palabre.storage.sql import SQLReads, SQLWriteTx

WRITE_LOCK = 0x70616C61  # "pala": the advisory lock every write transaction holds
CHANNEL = "palabre_events"  # NOTIFY'd by every transaction that wrote events
# A request waits this long for a connection, then answers 503; in normal running it waits
# far less (writes hold one briefly). Once the server was found away, until a request
# succeeds again, the wait is shorter: readers are told at once, not after seconds.
POOL_TIMEOUT_SECONDS = 5.0
POOL_TIMEOUT_WHILE_AWAY_SECONDS = 0.5
CONNECT_TIMEOUT_SECONDS = 5  # a server that does not answer at all
# The pool retries a lost connection with a doubling delay (1, 2, 4, ... s, without end
# until this timeout); past it the attempt is given up, and the next request that finds no
# connection starts a new one at once: a server back after an absence of any length is
# found again within a few seconds, by the requests themselves.
RECONNECT_TIMEOUT_SECONDS = 5.0
log = logging.getLogger("palabre.storage")
T = TypeVar("T")


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
        # No check as a connection leaves the pool (a round trip, as long as a query
        # here): a connection a restarted server dropped fails at once, and the read or
        # the write's BEGIN is done again on another (_read, _locked).
        self.pool = AsyncConnectionPool(
            self.conninfo, min_size=min_size, max_size=max_size, open=False,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_SECONDS},
            timeout=POOL_TIMEOUT_SECONDS, reconnect_timeout=RECONNECT_TIMEOUT_SECONDS)
        self._opened = False
        self._away = False  # the last request found the server gone
        self._listener: asyncio.Task[None] | None = None

    async def _ensure_open(self) -> None:
        if not self._opened:
            # Not waiting for the first connection: the pool keeps trying in the
            # background, and a request meanwhile waits POOL_TIMEOUT_SECONDS at most.
            await self.pool.open(wait=False)
            self._opened = True

    @contextmanager
    def _unavailable_on_failure(self) -> Iterator[None]:
        """A lost or refused connection (the server restarting, unreachable, shutting
        down) becomes :class:`StorageUnavailable`: a 503 the client may retry. The
        transaction did not commit, except if the connection was lost during the
        ``COMMIT`` itself (then nobody can know, and a retry may store it twice)."""
        try:
            yield
        except OperationalError as exc:  # PoolTimeout included
            self._away = True
            raise StorageUnavailable(exc) from exc
        self._away = False

    @property
    def _wait(self) -> float:
        return POOL_TIMEOUT_WHILE_AWAY_SECONDS if self._away else POOL_TIMEOUT_SECONDS

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return await self._read(lambda conn: conn._one(sql, params))

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        rows: list[Any] = await self._read(lambda conn: conn._all(sql, params))
        return rows

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self._ensure_open()
        with self._unavailable_on_failure():
            async with self.pool.connection(timeout=self._wait) as conn:
                await PostgresConnection(conn)._run(sql, params)

    async def _read(self, work: Callable[[PostgresConnection], Awaitable[T]]) -> T:
        """A read on a pooled connection. A connection the server dropped since its last
        use (a restart) fails at once and is replaced by the pool: the read is tried
        again on another (reads change nothing), as many times as the pool holds."""
        await self._ensure_open()
        with self._unavailable_on_failure():
            for _ in range(self.pool.max_size):
                async with self.pool.connection(timeout=self._wait) as conn:
                    try:
                        return await work(PostgresConnection(conn))
                    except OperationalError:
                        if not conn.closed:
                            raise
                        log.info("a pooled connection was lost; reading on another")
            async with self.pool.connection(timeout=self._wait) as conn:
                return await work(PostgresConnection(conn))

    @asynccontextmanager
    async def write(self) -> AsyncIterator[PostgresWriteTx]:
        await self._ensure_open()
        with self._unavailable_on_failure():
            conn = await self._locked()
            try:
                tx = PostgresWriteTx(conn)
                yield tx
                if tx.emitted:
                    await conn.execute("SELECT pg_notify(%s, '')", (CHANNEL,))
                await conn.execute("COMMIT")
            except BaseException:
                if not conn.closed:
                    with contextlib.suppress(OperationalError):  # lost meanwhile
                        await conn.execute("ROLLBACK")
                raise
            finally:
                await self.pool.putconn(conn)

    async def _locked(self) -> AsyncConnection[Any]:
        """A pooled connection in a transaction that holds the write lock. A connection
        the server dropped since its last use fails on ``BEGIN``, before anything was
        written: it goes back to the pool (which replaces it) and another is taken."""
        for _ in range(self.pool.max_size + 1):
            conn = await self.pool.getconn(timeout=self._wait)
            try:
                await conn.execute("BEGIN")
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                return conn
            except BaseException as exc:
                await self.pool.putconn(conn)
                if not (isinstance(exc, OperationalError) and conn.closed):
                    raise
                log.info("a pooled connection was lost; writing on another")
        raise StorageUnavailable(RuntimeError("no connection to the database answers"))

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
