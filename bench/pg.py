"""PostgreSQL for the benchmark: a database of its own on the PostgreSQL server the tests
use (``palabre_bench``, created for the run and dropped after it), seeded with the same
discussions as the SQLite databases, through the same store step.

The server is ``PALABRE_BENCH_POSTGRES`` (a URL to its maintenance database), by default
``postgresql://postgres@127.0.0.1:5432/postgres``; where none answers, the phase is
skipped with the reason.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import seed
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("PALABRE_BENCH_POSTGRES",
                        "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "palabre_bench"


def database_url(server: str = SERVER, name: str = DATABASE) -> str:
    """The server's URL with the database name replaced (no query string expected)."""
    return server.rsplit("/", 1)[0] + "/" + name


def _admin(statement: sql.Composed) -> None:
    with psycopg.connect(SERVER, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


@contextmanager
def bench_database() -> Iterator[str]:
    """A new, migrated and seeded ``palabre_bench`` database (one left by an interrupted
    run is dropped first); dropped on the way out, whatever happens."""
    name = sql.Identifier(DATABASE)
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    _admin(sql.SQL("CREATE DATABASE {}").format(name))
    try:
        url = database_url()
        subprocess.run([sys.executable, "-m", "palabre.cli.main", "db", "upgrade",
                        "--database", url], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        threads = seed.bench_threads(True)
        asyncio.run(seed.store_all(url, iter(threads), {t.uri for t in threads}))
        yield url
    finally:
        _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def server_facts() -> str:
    """The server's version and what its commits promise (fsync, synchronous_commit)."""
    with psycopg.connect(SERVER, connect_timeout=5) as conn:
        facts = [str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
                 for name in ("server_version", "fsync", "synchronous_commit")]
    version, fsync, synchronous = facts
    return (f"PostgreSQL {version.split()[0]} (loopback TCP, fsync={fsync}, "
            f"synchronous_commit={synchronous})")
