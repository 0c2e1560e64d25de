"""A fresh PostgreSQL schema per test, on the server at 127.0.0.1:5432 (database ``test``).

Where no server answers, PostgreSQL tests are skipped, except under CI (``CI=true``), where
a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

SERVER = os.environ.get("PALABRE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def available() -> bool:
    try:
        with psycopg.connect(SERVER, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def require() -> None:
    if available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is not reachable at {SERVER}")
    pytest.skip(f"PostgreSQL is not reachable at {SERVER}")


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A database URL whose every connection uses a new, empty schema; dropped afterwards."""
    require()
    schema = "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE SCHEMA {}").format(psycopg.sql.Identifier(schema)))
    try:
        yield f"{SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP SCHEMA {} CASCADE").format(
                psycopg.sql.Identifier(schema)))
