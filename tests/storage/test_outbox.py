"""The durable outbox on every backend: events written with their change and only then,
read back in order from a position, cursors, pruning, and a prompt wake-up."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from palabre.domain.events import (
    CommentCreated,
    CommentDeleted,
    Event,
    SiteSettingsChanged,
    StoredEvent,
    ThreadOpened,
)
from palabre.domain.models import CommentId, SiteSettings, ThreadId
from palabre.domain.outbox import Consumer
from palabre.domain.ports import Storage, WriteTx
from tests.storage.conftest import Backend

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


async def thread_of(tx: WriteTx, uri: str = "/a") -> tuple[int, ThreadId]:
    site = await tx.get_site("s") or await tx.create_site("s", "Site", "salt", SiteSettings(),
                                                           NOW)
    thread = await tx.get_or_create_thread(site.id, uri, "Title", NOW)
    return site.id, thread.id


def created(site_id: int, thread_id: ThreadId, comment_id: int) -> CommentCreated:
    return CommentCreated(site_id=site_id, thread_id=thread_id,
                          comment_id=CommentId(comment_id), parent=None, reply_to=None,
                          status="approved")


def test_events_come_back_typed_and_in_commit_order(backend: Backend) -> None:
    async def work(store: Storage) -> list[Event]:
        async with store.write() as tx:
            site_id, a = await thread_of(tx, "/a")
            _, b = await thread_of(tx, "/b")
            await tx.emit(created(site_id, a, 1))
        async with store.write() as tx:
            await tx.emit(CommentDeleted(site_id=site_id, thread_id=b,
                                         comment_id=CommentId(7), placeholder=False,
                                         removed=(7, 8)))
            await tx.emit(SiteSettingsChanged(site_id=site_id, changed=("max_depth",)))
        stored = await store.events_after(0, 10)
        assert [e.id for e in stored] == sorted(e.id for e in stored)
        assert await store.events_after(stored[0].id, 10) == stored[1:]
        assert await store.events_after(stored[-1].id, 10) == []
        assert await store.events_after(0, 2) == stored[:2]
        return [e.event for e in stored]

    events = backend.run(work)
    assert events == [
        created(1, ThreadId(1), 1),
        CommentDeleted(site_id=1, thread_id=ThreadId(2), comment_id=CommentId(7),
                       placeholder=False, removed=(7, 8)),
        SiteSettingsChanged(site_id=1, changed=("max_depth",)),
    ]


def test_an_event_bumps_its_thread_and_a_site_wide_one_every_thread(backend: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, a = await thread_of(tx, "/a")
            await thread_of(tx, "/b")

        async def versions() -> tuple[int, int]:
            va, vb = (await store.thread_version(site_id, "/a"),
                      await store.thread_version(site_id, "/b"))
            assert va is not None and vb is not None
            return va[0], vb[0]

        assert await versions() == (1, 1)
        async with store.write() as tx:
            await tx.set_thread_closed(a, False)  # a change without its event bumps nothing
        assert await versions() == (1, 1)
        async with store.write() as tx:
            await tx.emit(ThreadOpened(site_id=site_id, thread_id=a))
        assert await versions() == (2, 1)
        async with store.write() as tx:
            await tx.emit(SiteSettingsChanged(site_id=site_id, changed=()))
        assert await versions() == (3, 2)

    backend.run(work)


def test_a_rolled_back_change_leaves_no_event_and_no_bump(backend: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, a = await thread_of(tx)
        with pytest.raises(RuntimeError):
            async with store.write() as tx:
                await tx.emit(created(site_id, a, 1))
                raise RuntimeError("refused")
        assert await store.events_after(0, 10) == []
        assert await store.thread_version(site_id, "/a") == (1, a)

    backend.run(work)


def test_cursors_and_pruning_keep_what_a_consumer_has_not_read(backend: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, a = await thread_of(tx)
            for i in range(4):
                await tx.emit(created(site_id, a, i + 1))
        ids = [e.id for e in await store.events_after(0, 10)]
        assert await store.get_cursor("mail") == 0
        assert await store.slowest_cursor() is None
        async with store.write() as tx:
            await tx.set_cursor("mail", ids[1])
            await tx.set_cursor("hooks", ids[2])
        assert await store.get_cursor("mail") == ids[1]
        assert await store.slowest_cursor() == ids[1]
        future = datetime.now(UTC) + timedelta(days=1)
        async with store.write() as tx:
            assert await tx.prune_events(datetime.now(UTC) - timedelta(days=1)) == 0
            assert await tx.prune_events(future) == 2  # the slowest consumer read two
        assert [e.id for e in await store.events_after(0, 10)] == ids[2:]
        async with store.write() as tx:
            await tx.set_cursor("mail", ids[3])
            await tx.set_cursor("hooks", ids[3])
            assert await tx.prune_events(future) == 2
            await tx.emit(created(site_id, a, 9))
        after = await store.events_after(0, 10)
        assert len(after) == 1 and after[0].id > ids[3]  # ids are never reused

    backend.run(work)


def test_a_waiting_consumer_is_woken_by_a_write_elsewhere(backend: Backend) -> None:
    async def work(store: Storage) -> float:
        async with store.write() as tx:
            site_id, a = await thread_of(tx)

        async def write_later() -> None:
            await asyncio.sleep(0.2)
            other = backend.open()
            try:
                async with other.write() as tx:
                    await tx.emit(created(site_id, a, 1))
            finally:
                if other is not store:
                    await other.close()

        writer = asyncio.create_task(write_later())
        started = time.monotonic()
        await store.wait_for_events(0, timeout=30)
        waited = time.monotonic() - started
        await writer
        assert len(await store.events_after(0, 10)) == 1
        return waited

    waited = backend.run(work)
    assert waited < 10, f"woken by the 30 s timeout, not by the write ({waited:.2f} s)"


def test_a_consumer_resumes_after_a_failure_with_the_event_it_missed(
        backend: Backend) -> None:
    async def work(store: Storage) -> tuple[list[int], list[int]]:
        async with store.write() as tx:
            site_id, a = await thread_of(tx)
            for i in range(5):
                await tx.emit(created(site_id, a, i + 1))
        seen: list[int] = []

        async def flaky(stored: StoredEvent) -> None:
            comment_id = getattr(stored.event, "comment_id", 0)
            if comment_id == 3 and 3 not in seen:
                seen.append(3)
                raise ConnectionError("the mail server went away")
            seen.append(comment_id)

        with pytest.raises(ConnectionError):
            await Consumer(store, "mail", flaky, batch_size=2).deliver_pending()
        first = list(seen)
        again = backend.open()  # as a new process would
        try:
            restarted = Consumer(again, "mail", flaky, batch_size=2)
            assert await restarted.deliver_pending() == 3
            assert await restarted.deliver_pending() == 0
        finally:
            if again is not store:
                await again.close()
        return first, seen

    first, seen = backend.run(work)
    assert first == [1, 2, 3]
    assert seen == [1, 2, 3, 3, 4, 5]  # 3 failed, then came again: at least once, in order


def test_a_running_consumer_outlives_a_database_that_cannot_answer_for_a_while(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The database goes away just after a batch was delivered (the consumer's position
    and its wait fail), then comes back: the running consumer goes on by itself and
    delivers what came meanwhile."""
    from palabre.storage.memory import MemoryStorage

    store = MemoryStorage()
    away = {"failures": 0, "met": 0}
    real_cursor, real_wait = store.get_cursor, store.wait_for_events
    real_deliver = Consumer.deliver_pending

    async def cursor(name: str) -> int:
        if away["failures"]:
            away["failures"] -= 1
            away["met"] += 1
            raise ConnectionError("the database went away")
        return await real_cursor(name)

    async def wait(position: int, timeout: float) -> None:
        if away["failures"]:
            away["failures"] -= 1
            away["met"] += 1
            raise ConnectionError("the database went away")
        await real_wait(position, timeout)

    async def deliver_then_lose_the_database(consumer: Consumer) -> int:
        handled = await real_deliver(consumer)
        if handled:
            away["failures"] = 2  # the next two questions fail
        return handled

    monkeypatch.setattr(store, "get_cursor", cursor)
    monkeypatch.setattr(store, "wait_for_events", wait)
    monkeypatch.setattr(Consumer, "deliver_pending", deliver_then_lose_the_database)
    monkeypatch.setattr("palabre.domain.outbox.RETRY_SECONDS", 0.01)

    async def work() -> list[int]:
        seen: list[int] = []

        async def handle(stored: StoredEvent) -> None:
            seen.append(getattr(stored.event, "comment_id", 0))

        async def until(done: list[int]) -> None:
            for _ in range(300):
                if (seen == done and not away["failures"]) or running.done():
                    return
                await asyncio.sleep(0.01)

        stop = asyncio.Event()
        running = asyncio.create_task(Consumer(store, "live", handle).run(stop, 0.05))
        async with store.write() as tx:
            site_id, a = await thread_of(tx)
            await tx.emit(created(site_id, a, 1))
        await until([1])
        async with store.write() as tx:
            await tx.emit(created(site_id, a, 2))
        await until([1, 2])
        stop.set()
        await asyncio.wait_for(running, 5)  # raises what ended it, if anything did
        return seen

    assert asyncio.run(work()) == [1, 2]
    assert away["met"] >= 2  # the outage was met, and outlived
