"""Live updates in process: what readers are told of each change (the mapping), the hub
that fans events out, and GET /api/v1/events driven as ASGI, on the in-memory backend."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import orjson
import pytest
from starlette.types import Message

from palabre.domain import comments, moderation, reports
from palabre.domain.context import Context
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.inputs import (
    parse_comment_draft,
    parse_edit_draft,
    parse_report_draft,
    parse_vote_draft,
)
from palabre.domain.models import CommentId, Sort
from palabre.domain.sites import change_settings, ensure_site
from palabre.domain.threads import thread_page
from palabre.settings import ServerConfig
from palabre.storage.memory import MemoryStorage
from palabre.web.api.serialise import comment_json
from palabre.web.app import create_app
from palabre.web.cache.fastpath import CachedReads
from palabre.web.live import hub as hub_module
from palabre.web.live.hub import Hub, TooManyStreams, newest_event_id
from palabre.web.live.mapping import PublicEvent, public_events
from tests.conftest import SECRET, TEST_SITE_SETTINGS, Api, AppFactory, Clock

READER = Actor(client="reader-1")


async def world(**settings: object) -> Context:
    storage = MemoryStorage()
    await ensure_site(storage, settings=TEST_SITE_SETTINGS)
    ctx = Context(storage=storage, secret=SECRET, clock=Clock(),
                  config=ServerConfig(post_rate_limit=0, write_rate_limit=0))
    if settings:
        await change_settings(ctx, "default", settings, SYSTEM)
    return ctx


async def post(ctx: Context, text: str = "Bonjour", uri: str = "/a",
               parent: int | None = None, **fields: object) -> CommentId:
    draft = parse_comment_draft({"uri": uri, "text": text, "parent": parent, **fields})
    return (await comments.post_comment(ctx, draft, READER)).comment.id


async def position(ctx: Context) -> int:
    return await newest_event_id(ctx.storage)


async def told(ctx: Context, after: int) -> list[PublicEvent]:
    """What readers are told of every event after ``after``."""
    found: list[PublicEvent] = []
    for stored in await ctx.storage.events_after(after, 1000):
        found += await public_events(ctx.storage, stored.event)
    return found


async def shown(ctx: Context, uri: str = "/a") -> dict[int, dict[str, Any]]:
    """The thread as its read shows it: comment id -> public object."""
    page = await thread_page(ctx, None, uri, Sort.OLDEST, 200, None)
    return {c.id: comment_json(c) for c in page.comments}


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def test_a_new_comment_is_told_as_the_thread_read_shows_it_and_nothing_private() -> None:
    async def scenario() -> None:
        ctx = await world()
        cid = await post(ctx, "Texte *sûr*", author="Jeanne", email="jeanne@example.org")
        events = await told(ctx, 0)
        assert events == [("comment", (await shown(ctx))[cid])]
        data = orjson.dumps(events).decode()
        comment = await ctx.storage.get_comment(cid)
        assert comment is not None and comment.client
        for private in ("jeanne@example.org", "*sûr*", comment.client):
            assert private not in data
    run(scenario)


def test_a_pending_comment_never_appears_until_approved() -> None:
    async def scenario() -> None:
        ctx = await world(moderation="all")
        cid = await post(ctx, "À relire")
        assert await told(ctx, 0) == []
        before = await position(ctx)
        await moderation.moderate(ctx, cid, "approve", SYSTEM)
        assert await told(ctx, before) == [("comment", (await shown(ctx))[cid])]
        other = await post(ctx, "Spam")
        before = await position(ctx)
        await moderation.moderate(ctx, other, "spam", SYSTEM)
        assert await told(ctx, before) == [("removed", {"id": other})]
    run(scenario)


def test_a_deleted_comment_with_replies_is_a_placeholder_then_pruned() -> None:
    async def scenario() -> None:
        ctx = await world()
        parent = await post(ctx, "Parent")
        reply = await post(ctx, "Réponse", parent=parent)
        before = await position(ctx)
        await comments.delete_comment(ctx, parent, SYSTEM)
        placeholder = (await shown(ctx))[parent]
        assert placeholder["status"] == "deleted" and placeholder["html"] == ""
        assert await told(ctx, before) == [("comment", placeholder)]
        before = await position(ctx)
        await comments.delete_comment(ctx, reply, SYSTEM)
        assert sorted(d["id"] for name, d in await told(ctx, before)
                      if name == "removed") == [parent, reply]
        assert await shown(ctx) == {}
    run(scenario)


def test_a_comment_held_by_reports_leaves_or_shelters_its_replies() -> None:
    async def scenario() -> None:
        ctx = await world(report_threshold=1)
        sheltering = await post(ctx, "Contesté")
        reply = await post(ctx, "Réponse", parent=sheltering)
        before = await position(ctx)
        await reports.report_comment(ctx, sheltering, parse_report_draft(
            {"reason": "spam"}), Actor(client="reader-2"))
        view = await shown(ctx)
        assert view[sheltering]["status"] == "deleted" and reply in view
        assert await told(ctx, before) == [("comment", view[sheltering])]
        before = await position(ctx)
        await reports.report_comment(ctx, reply, parse_report_draft({"reason": "spam"}),
                                     Actor(client="reader-2"))
        assert ("removed", {"id": reply}) in await told(ctx, before)
    run(scenario)


def test_edits_and_picks_are_told_votes_are_not() -> None:
    async def scenario() -> None:
        ctx = await world()
        cid = await post(ctx, "Premier jet")
        before = await position(ctx)
        await comments.edit_comment(ctx, cid, parse_edit_draft({"text": "Version *finale*"}),
                                    SYSTEM)
        await moderation.set_featured(ctx, cid, True, SYSTEM)
        await comments.vote(ctx, cid, parse_vote_draft({"value": 1}), Actor(client="r3"))
        events = await told(ctx, before)
        assert [name for name, _ in events] == ["comment", "comment"]
        assert events[-1][1] == (await shown(ctx))[cid]  # read afresh: edited, picked, liked
        assert "<em>finale</em>" in events[0][1]["html"] and events[-1][1]["featured"]
    run(scenario)


def test_the_newest_event_is_found_whatever_ids_were_used() -> None:
    async def scenario() -> None:
        ctx = await world()
        assert await position(ctx) == 0
        for n in range(37):
            await post(ctx, f"n° {n}", uri=f"/p{n % 3}")
        everything = await ctx.storage.events_after(0, 10_000)
        assert await position(ctx) == everything[-1].id >= 37
    run(scenario)


@asynccontextmanager
async def running_hub(ctx: Context, **limits: int) -> AsyncIterator[Hub]:
    hub = Hub(ctx.storage, heartbeat_seconds=limits.pop("heartbeat", 60),
              max_streams=limits.pop("max_streams", 100),
              max_per_client=limits.pop("max_per_client", 100), **limits)
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


async def take(next_frames: Awaitable[bytes | None]) -> bytes | None:
    return await asyncio.wait_for(next_frames, 2)


def ids_of(frames: bytes) -> list[int]:
    return [int(line[4:]) for line in frames.split(b"\n") if line.startswith(b"id: ")]


def test_the_hub_hands_a_thread_its_own_events_in_order() -> None:
    async def scenario() -> None:
        ctx = await world()
        await post(ctx, "Avant")  # history: not replayed to a stream that did not ask
        site = await ctx.site("default")
        async with running_hub(ctx) as hub:
            watcher = hub.subscribe((site.id, "/a"), "c1", None)
            first = await post(ctx, "Un")
            await post(ctx, "Ailleurs", uri="/b")
            second = await post(ctx, "Deux")
            got = b""
            while len(ids_of(got)) < 2:
                got += await take(watcher.next()) or b""
            assert [orjson.loads(line[6:])["id"] for line in got.split(b"\n")
                    if line.startswith(b"data: ")] == [first, second]
            assert ids_of(got) == sorted(ids_of(got))
            hub.unsubscribe(watcher)
            assert hub.streams == 0
    run(scenario)


def test_a_burst_on_one_thread_does_not_drop_a_reader_that_keeps_up() -> None:
    async def scenario() -> None:
        ctx = await world()
        site = await ctx.site("default")
        async with running_hub(ctx, queue_frames=4) as hub:
            watcher = hub.subscribe((site.id, "/a"), "c1", None)
            posted = [await post(ctx, f"Rafale {n}") for n in range(20)]  # one batch
            got = b""
            while len(ids_of(got)) < len(posted):
                chunk = await take(watcher.next())
                assert chunk is not None, "dropped"
                got += chunk
            assert not watcher.dropped
    run(scenario)


def test_a_resume_replays_what_was_missed_or_asks_for_a_reload(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> None:
        ctx = await world()
        site = await ctx.site("default")
        await post(ctx, "Vu")
        seen = await position(ctx)
        missed = [await post(ctx, "Manqué 1"), await post(ctx, "Autre page", uri="/b"),
                  await post(ctx, "Manqué 2")]
        async with running_hub(ctx) as hub:
            watcher = hub.subscribe((site.id, "/a"), "c1", seen)
            replayed = [f async for f in hub.replay(watcher.key, seen, watcher.after)]
            assert [orjson.loads(f.split(b"data: ")[1])["id"] for f in replayed] == [
                missed[0], missed[2]]
            monkeypatch.setattr(hub_module, "REPLAY_SCAN", 1)
            too_far = [f async for f in hub.replay(watcher.key, 0, watcher.after)]
            assert too_far == [hub_module.RESET]
    run(scenario)


def test_a_resume_ahead_of_a_lagging_hub_gets_nothing_twice() -> None:
    """A client resuming on an instance whose hub is a moment behind the one it left."""
    async def scenario() -> None:
        ctx = await world()
        site = await ctx.site("default")
        ids = [await post(ctx, f"n° {n}") for n in range(3)]
        events = await ctx.storage.events_after(0, 100)
        lagging = Hub(ctx.storage, heartbeat_seconds=60, max_streams=9, max_per_client=9)
        watcher = lagging.subscribe((site.id, "/a"), "c1", events[1].id)
        for stored in events:  # what the hub's task does with each event, in order
            await lagging._dispatch(stored)
        got = await take(watcher.next()) or b""
        assert ids_of(got) == [events[2].id] and b'"id":%d,' % ids[2] in got
    run(scenario)


def test_a_slow_reader_is_dropped_and_shutdown_ends_streams_after_their_frames() -> None:
    async def scenario() -> None:
        ctx = await world()
        async with running_hub(ctx, queue_frames=2) as hub:
            slow = hub.subscribe((1, "/a"), "c1", None)
            steady = hub.subscribe((1, "/a"), "c2", None)
            for frame in (b"one", b"two", b"three"):
                slow.offer(frame)
            assert slow.dropped and await take(slow.next()) is None
            steady.offer(b"last")
            hub.end_streams()
            assert await take(steady.next()) == b"last" + hub_module.GOODBYE  # reconnect soon
            assert await take(steady.next()) is None
            with pytest.raises(TooManyStreams):
                hub.subscribe((1, "/a"), "c3", None)  # shutting down
    run(scenario)


def test_streams_are_bounded_per_client_and_per_worker() -> None:
    async def scenario() -> None:
        ctx = await world()
        async with running_hub(ctx, max_streams=3, max_per_client=2) as hub:
            a = hub.subscribe((1, "/a"), "c1", None)
            hub.subscribe((1, "/b"), "c1", None)
            with pytest.raises(TooManyStreams):
                hub.subscribe((1, "/c"), "c1", None)
            hub.subscribe((1, "/a"), "c2", None)
            with pytest.raises(TooManyStreams):
                hub.subscribe((1, "/a"), "c3", None)
            hub.unsubscribe(a)
            hub.subscribe((1, "/a"), "c1", None)
    run(scenario)


def test_a_refused_stream_keeps_the_error_envelope(make_api: AppFactory) -> None:
    api: Api = make_api(live_max_streams=0)
    refused = api.get("/api/v1/events", params={"uri": "/a"},
                      headers={"Origin": "https://blog.example"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] and refused.headers[
        "access-control-allow-origin"] == "https://blog.example"
    assert refused.json()["error"]["reason"] == "too_many_streams"
    head = make_api().request("HEAD", "/api/v1/events", params={"uri": "/a"})
    assert head.status_code == 200 and head.headers["content-type"] == "text/event-stream"
    for params, headers in (({"uri": "/a", "site": "nowhere"}, {}), ({}, {}),
                            ({"uri": "/a"}, {"Last-Event-ID": "12; DROP"})):
        answer = api.get("/api/v1/events", params=params, headers=headers)
        assert answer.status_code == 422 and "error" in answer.json()


class Stream:
    """GET /api/v1/events called as ASGI: what was sent, and a way to hang up."""

    def __init__(self, app: CachedReads, query: bytes, headers: list[tuple[bytes, bytes]]):
        self.start: Message = {}
        self.body = b""
        self.ended = False
        self.gone = asyncio.Event()
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
                 "http_version": "1.1", "method": "GET", "scheme": "http",
                 "path": "/api/v1/events", "raw_path": b"/api/v1/events", "root_path": "",
                 "query_string": query, "headers": headers, "client": ("203.0.113.9", 1),
                 "server": ("testserver", 80), "state": {}}
        self.task = asyncio.create_task(app(scope, self.receive, self.send))

    async def receive(self) -> Message:
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        else:
            self.body += message.get("body", b"")
            self.ended = not message.get("more_body", False)

    async def until(self, part: bytes) -> None:
        for _ in range(200):
            if part in self.body:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{part!r} not in {self.body!r}")


def test_the_endpoint_streams_resumes_and_lets_go_of_a_client_that_left() -> None:
    async def scenario() -> None:
        storage = MemoryStorage()
        app = create_app(ServerConfig(secret=SECRET, post_rate_limit=0), storage=storage)
        await ensure_site(storage, settings=TEST_SITE_SETTINGS)  # before the app's own
        async with app.app.router.lifespan_context(app.app):  # type: ignore[attr-defined]
            ctx: Context = app.state.palabre.ctx
            stream = Stream(app, b"uri=/a", [(b"origin", b"https://blog.example")])
            await stream.until(b"retry:")
            headers = dict(stream.start["headers"])
            assert headers[b"content-type"] == b"text/event-stream"
            assert headers[b"cache-control"] == b"no-cache"
            assert headers[b"x-accel-buffering"] == b"no"
            assert headers[b"access-control-allow-origin"] == b"https://blog.example"
            first = await post(ctx, "En direct")
            await stream.until(b'"id":%d' % first)
            seen = ids_of(stream.body)[-1]
            stream.gone.set()
            await asyncio.wait_for(stream.task, 2)
            assert app.state.live_hub.streams == 0
            missed = await post(ctx, "Pendant l'absence")
            again = Stream(app, b"uri=/a", [(b"last-event-id", str(seen).encode())])
            await again.until(b'"id":%d' % missed)
            assert b'"id":%d,' % first not in again.body
            again.gone.set()
            await asyncio.wait_for(again.task, 2)
    run(scenario)


def test_a_reopened_stream_resumes_from_the_query_and_the_header_wins() -> None:
    """A new EventSource cannot set Last-Event-ID: the widget passes ?last_event_id=."""
    async def scenario() -> None:
        storage = MemoryStorage()
        app = create_app(ServerConfig(secret=SECRET, post_rate_limit=0), storage=storage)
        await ensure_site(storage, settings=TEST_SITE_SETTINGS)
        async with app.app.router.lifespan_context(app.app):  # type: ignore[attr-defined]
            ctx: Context = app.state.palabre.ctx
            first = await post(ctx, "Vu avant")
            seen = await position(ctx)
            missed = await post(ctx, "Manqué")
            by_query = Stream(app, b"uri=/a&last_event_id=%d" % seen, [])
            await by_query.until(b'"id":%d' % missed)
            assert b'"id":%d,' % first not in by_query.body
            both = Stream(app, b"uri=/a&last_event_id=%d" % seen,
                          [(b"last-event-id", str(seen - 1).encode())])
            await both.until(b'"id":%d' % missed)
            assert b'"id":%d,' % first in both.body  # the header's older position won
            for stream in (by_query, both):
                stream.gone.set()
                await asyncio.wait_for(stream.task, 2)
    run(scenario)


def test_a_malformed_last_event_id_parameter_is_refused(make_api: AppFactory) -> None:
    answer = make_api().get("/api/v1/events", params={"uri": "/a", "last_event_id": "-1"})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "last_event_id"


def test_a_stream_admits_the_origins_its_site_allows_as_other_reads_do() -> None:
    async def scenario() -> None:
        storage = MemoryStorage()
        await ensure_site(storage, settings=replace(
            TEST_SITE_SETTINGS, allowed_origins=("https://blog.example",)))
        app = create_app(ServerConfig(secret=SECRET), storage=storage)
        async with app.app.router.lifespan_context(app.app):  # type: ignore[attr-defined]
            for origin, admitted in ((b"https://blog.example", True),
                                     (b"https://elsewhere.example", False)):
                stream = Stream(app, b"uri=/a", [(b"origin", origin)])
                await stream.until(b"retry:")
                allowed = dict(stream.start["headers"]).get(b"access-control-allow-origin")
                assert allowed == (origin if admitted else None)
                stream.gone.set()
                await asyncio.wait_for(stream.task, 2)
    run(scenario)
