"""Domain operations called directly, on the in-memory backend: milliseconds a test."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from palabre.domain.context import Context
from palabre.domain.events import Event
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.sites import change_settings, ensure_site
from palabre.settings import ServerConfig
from palabre.storage.memory import MemoryStorage
from tests.conftest import SECRET, TEST_SITE_SETTINGS, Clock

T = TypeVar("T")


class Domain:
    """A context on a fresh in-memory storage, and one event loop to run operations on."""

    def __init__(self, clock: Clock, loop: asyncio.AbstractEventLoop) -> None:
        self.storage = MemoryStorage()
        self.clock = clock
        self.loop = loop
        self.ctx = Context(storage=self.storage, secret=SECRET, clock=clock,
                           config=ServerConfig(post_rate_limit=0, write_rate_limit=0))
        self.run(ensure_site(self.storage, settings=TEST_SITE_SETTINGS))

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def settings(self, slug: str = "default", **changes: object) -> None:
        self.run(ensure_site(self.storage, slug, settings=TEST_SITE_SETTINGS))
        self.run(change_settings(self.ctx, slug, changes, SYSTEM))

    def events(self) -> list[Event]:
        return [e.event for e in self.run(self.storage.events_after(0, 10_000))]


def reader(n: int = 1, **fields: Any) -> Actor:
    return Actor(client=f"client-{n}", **fields)


@pytest.fixture
def domain(clock: Clock) -> Iterator[Domain]:
    loop = asyncio.new_event_loop()
    try:
        yield Domain(clock, loop)
    finally:
        loop.close()
