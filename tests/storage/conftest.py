"""The backends the storage contract runs on: in memory, SQLite, PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from palabre.domain.ports import Storage
from palabre.storage import open_storage
from palabre.storage.memory import MemoryStorage
from tests.conftest import migrated_database

T = TypeVar("T")


@dataclass
class Backend:
    """One backend: ``open()`` gives a storage on the test's database (a second call, a
    second connection, as another worker or instance would have; in memory, the one
    store, since memory is not shared between processes)."""

    name: str
    url: str = ""
    memory: MemoryStorage | None = None

    def open(self) -> Storage:
        if self.memory is not None:
            return self.memory
        return open_storage(self.url)

    def run(self, work: Callable[[Storage], Awaitable[T]]) -> T:
        async def main() -> T:
            storage = self.open()
            try:
                return await work(storage)
            finally:
                await storage.close()

        return asyncio.run(main())


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "memory":
        yield Backend("memory", memory=MemoryStorage())
    else:
        with migrated_database(request.param, tmp_path) as url:
            yield Backend(request.param, url)
