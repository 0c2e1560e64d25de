"""The hub of one worker: one task follows the outbox and hands each thread's public events
to the streams open on that thread.

It starts from the newest event at start, so a worker never replays history to nobody; a
stream that resumes (``Last-Event-ID``) reads what it missed from the outbox itself
(:meth:`Hub.replay`). Every event is turned into frames once (mapping.py: one read of the
comment), and only for a thread someone is watching. Each stream has a bounded queue: a
reader too slow to take its frames is dropped (its stream ends; the browser reconnects and
resumes), never allowed to grow the worker's memory. Streams are counted per client and
per worker; past either bound, :meth:`Hub.subscribe` refuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from palabre.domain.events import StoredEvent
from palabre.domain.models import ThreadId
from palabre.domain.ports import Storage
from palabre.web.live.mapping import concerns_readers, thread_frames

log = logging.getLogger("palabre.live")
ThreadKey = tuple[int, str]  # (site id, normalised uri): a thread that may not exist yet
PING = b": ping\n\n"
# Sent when a resume is too far behind to replay: the client reloads the thread.
RESET = b"event: reset\ndata: {}\n\n"
# The last frame of every stream when the server stops: come back (to another instance, or
# this one restarted) in 3 s, resuming with Last-Event-ID. Not sooner: the widget gives up
# after 3 failed attempts in a row, which a restart must outlast.
GOODBYE = b": server shutting down, reconnect\nretry: 3000\n\n"
BATCH = 200
REPLAY_SCAN = 10_000  # outbox events a resume may read through
KNOWN_THREADS = 10_000  # thread id -> key entries kept
RETRY_SECONDS = 1.0
DISPATCH_TRIES = 3


class TooManyStreams(Exception):
    """This client, or this worker, has as many streams open as it may."""


class Subscriber:
    """One open stream: its thread, its client, and the frames waiting to be sent (a list
    and a future, not a deque and an Event: about 1 KB less per idle stream)."""

    __slots__ = ("_frames", "_limit", "_waiter", "after", "client", "closed", "dropped", "key")

    def __init__(self, key: ThreadKey, client: str, after: int, limit: int) -> None:
        self.key, self.client, self.after, self._limit = key, client, after, limit
        self.closed = self.dropped = False
        self._frames: list[bytes] = []
        self._waiter: asyncio.Future[None] | None = None

    def offer(self, frame: bytes) -> None:
        """Queue a frame; past the bound the reader is too slow and is dropped."""
        if self.closed:
            return
        if len(self._frames) >= self._limit:
            self.drop()
            return
        self._frames.append(frame)
        self._wake()

    def drop(self) -> None:
        """End the stream now, with nothing more sent (too slow, or gone)."""
        self.dropped = True
        self._frames.clear()
        self.close()

    def close(self) -> None:
        """End the stream once the frames already queued are sent."""
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self) -> bytes | None:
        """The next frames to send (all that wait, as one write), or None: the end."""
        while not self._frames:
            if self.closed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        chunk = b"".join(self._frames)
        self._frames.clear()
        return chunk


class Hub:
    def __init__(self, storage: Storage, *, heartbeat_seconds: float, max_streams: int,
                 max_per_client: int, queue_frames: int = 64) -> None:
        self.storage = storage
        self.heartbeat_seconds = heartbeat_seconds
        self.max_streams, self.max_per_client = max_streams, max_per_client
        self.queue_frames = queue_frames
        self.position = 0  # the last outbox event handed to the streams
        self._threads: dict[ThreadKey, set[Subscriber]] = {}
        self._sites: dict[int, int] = {}  # site id -> streams open on it
        self._clients: dict[str, int] = {}
        self._count = 0
        self._keys: dict[ThreadId, ThreadKey | None] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()

    @property
    def streams(self) -> int:
        return self._count

    async def start(self) -> None:
        """Follow the outbox from its newest event, and send heartbeats."""
        self.position = await newest_event_id(self.storage)
        self._tasks = [asyncio.create_task(self._follow()), asyncio.create_task(self._beat())]

    async def stop(self) -> None:
        self.end_streams()
        self._stop.set()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def end_streams(self) -> None:
        """End every stream cleanly (shutting down): each sends what it has and a hint to
        reconnect soon (:data:`GOODBYE`), then ends."""
        self._stop.set()
        for subscribers in self._threads.values():
            for subscriber in subscribers:
                subscriber.offer(GOODBYE)
                subscriber.close()

    def subscribe(self, key: ThreadKey, client: str, last_event_id: int | None) -> Subscriber:
        """Open a stream on a thread; it gets the events after ``max(position,
        last_event_id)`` (those before, down to ``last_event_id``, come from :meth:`replay`).
        Raises :class:`TooManyStreams` past a bound, or while shutting down."""
        if (self._stop.is_set() or self._count >= self.max_streams
                or self._clients.get(client, 0) >= self.max_per_client):
            raise TooManyStreams
        subscriber = Subscriber(key, client, max(self.position, last_event_id or 0),
                                self.queue_frames)
        self._threads.setdefault(key, set()).add(subscriber)
        self._sites[key[0]] = self._sites.get(key[0], 0) + 1
        self._clients[client] = self._clients.get(client, 0) + 1
        self._count += 1
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self._threads.get(subscriber.key)
        if subscribers is None or subscriber not in subscribers:
            return
        subscribers.discard(subscriber)
        if not subscribers:
            del self._threads[subscriber.key]
        site = subscriber.key[0]
        self._sites[site] -= 1
        if not self._sites[site]:
            del self._sites[site]
        self._clients[subscriber.client] -= 1
        if not self._clients[subscriber.client]:
            del self._clients[subscriber.client]
        self._count -= 1

    async def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                batch = await self.storage.events_after(self.position, BATCH)
                for stored in batch:
                    handed = await self._dispatch_or_skip(stored)
                    self.position = stored.id  # no await since the dispatch: see subscribe
                    if handed:
                        await asyncio.sleep(0)  # let the streams write before the next
                if not batch:
                    await self.storage.wait_for_events(self.position, self.heartbeat_seconds)
            except Exception:
                log.exception("reading the outbox for live updates failed; retrying")
                await asyncio.sleep(RETRY_SECONDS)

    async def _dispatch_or_skip(self, stored: StoredEvent) -> bool:
        """Dispatch, retrying a failure a few times; an event that still fails is skipped
        (logged): live updates are a courtesy, the thread read stays the truth."""
        for attempt in range(DISPATCH_TRIES):
            try:
                return await self._dispatch(stored)
            except Exception:
                log.exception("live update of event %d failed (try %d of %d)", stored.id,
                              attempt + 1, DISPATCH_TRIES)
                await asyncio.sleep(RETRY_SECONDS)
        return False

    async def _dispatch(self, stored: StoredEvent) -> bool:
        """Hand an event's frames to the streams of its thread (none: nothing is read);
        whether any stream got some."""
        event = stored.event
        if (event.thread_id is None or event.site_id not in self._sites
                or not concerns_readers(event)):
            return False
        key = await self._key(event.thread_id)
        if key is None or key not in self._threads:
            return False
        frames = await thread_frames(self.storage, stored)
        handed = False
        for subscriber in self._threads.get(key, ()):
            if frames and stored.id > subscriber.after:
                subscriber.offer(frames)
                handed = True
        return handed

    async def _key(self, thread_id: ThreadId) -> ThreadKey | None:
        if thread_id not in self._keys:
            if len(self._keys) >= KNOWN_THREADS:
                self._keys.clear()
            thread = await self.storage.get_thread_by_id(thread_id)
            self._keys[thread_id] = None if thread is None else (thread.site_id, thread.uri)
        return self._keys[thread_id]

    async def _beat(self) -> None:
        """A comment line on every stream now and then: proxies and browsers keep an idle
        stream open, and a reader too slow to take even those is dropped in time."""
        while not self._stop.is_set():
            await asyncio.sleep(self.heartbeat_seconds)
            for subscribers in self._threads.values():
                for subscriber in subscribers:
                    subscriber.offer(PING)

    async def replay(self, key: ThreadKey, since: int, upto: int) -> AsyncIterator[bytes]:
        """The frames of the thread's events after ``since`` up to ``upto``, read from the
        outbox (a resume); :data:`RESET` if more than ``REPLAY_SCAN`` events lie between."""
        if since >= upto:
            return
        thread = await self.storage.get_thread(*key)
        scanned = 0
        while thread is not None and since < upto:
            batch = [s for s in await self.storage.events_after(since, BATCH) if s.id <= upto]
            if not batch:
                return
            scanned += len(batch)
            if scanned > REPLAY_SCAN:
                yield RESET
                return
            for stored in batch:
                if stored.event.thread_id == thread.id and concerns_readers(stored.event):
                    yield await thread_frames(self.storage, stored)
            since = batch[-1].id


async def newest_event_id(storage: Storage) -> int:
    """The id of the newest outbox event (0: none), in a few one-row reads: the port reads
    forward only, so the largest id is found by doubling, then halving, a position."""
    low, high = 0, 1
    while found := await storage.events_after(high, 1):
        low = found[0].id
        high = low * 2
    # An event at ``low`` (or none at all), nothing after ``high``: the newest is between.
    while low < high:
        middle = (low + high + 1) // 2
        found = await storage.events_after(middle - 1, 1)
        if found:
            low = found[0].id
        else:
            high = middle - 1
    return low
