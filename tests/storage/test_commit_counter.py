"""The shared commit counter: the read cache's freshness check on SQLite.

Two storages on one file stand for two workers (or instances on one host): a commit by
one is seen by the other's very next check through the counter alone (data_version is
not asked again within VERIFY_SECONDS); a commit made without Palabre (plain sqlite3) is
seen once VERIFY_SECONDS have passed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from palabre.domain.models import SiteSettings, utcnow
from palabre.storage import migrate, sqlite
from palabre.storage.commit_counter import CommitCounter
from palabre.storage.sqlite import SQLiteStorage


@pytest.fixture
def url(tmp_path: Path) -> str:
    found = f"sqlite:///{tmp_path / 'palabre.db'}"
    migrate.upgrade(found)
    return found


def test_a_commit_in_one_worker_is_seen_by_the_next_check_of_another(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite, "VERIFY_SECONDS", 3600.0)  # the counter alone

    async def work() -> None:
        reader, writer = SQLiteStorage(url), SQLiteStorage(url)
        try:
            _, token = await reader.unchanged_since_last_check(None)
            assert await reader.unchanged_since_last_check(token) == (True, token)
            for n in range(3):
                async with writer.write() as tx:
                    await tx.create_site(f"s{n}", "S", "salt", SiteSettings(), utcnow())
                unchanged, token = await reader.unchanged_since_last_check(token)
                assert not unchanged
                assert (await reader.unchanged_since_last_check(token))[0]
        finally:
            await reader.close()
            await writer.close()

    asyncio.run(work())


def test_a_commit_the_counter_missed_is_seen_within_the_verify_interval(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite, "VERIFY_SECONDS", 0.2)

    async def work() -> None:
        reader = SQLiteStorage(url)
        try:
            _, token = await reader.unchanged_since_last_check(None)
            foreign = sqlite3.connect(reader.path, isolation_level=None)
            foreign.execute("INSERT INTO rate_limits (key, slot, hits) VALUES ('x', 1, 1)")
            foreign.close()
            time.sleep(0.25)
            assert not (await reader.unchanged_since_last_check(token))[0]
        finally:
            await reader.close()

    asyncio.run(work())


def test_the_counter_file_is_private_and_shared(tmp_path: Path) -> None:
    path = str(tmp_path / "palabre.db")
    one, two = CommitCounter(path), CommitCounter(path)
    try:
        assert one.value() == two.value() == 0
        one.bump()
        two.bump()
        assert one.value() == two.value() == 2
        assert (Path(path + "-commits").stat().st_mode & 0o777) == 0o600
    finally:
        one.close()
        two.close()

