"""The storage contract: the port of domain/ports.py, run on every backend (in memory,
SQLite, PostgreSQL), which must all answer alike."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from palabre.domain.events import SiteSettingsChanged, ThreadClosed
from palabre.domain.models import (
    CommentId,
    NewComment,
    SiteSettings,
    Status,
    ThreadId,
)
from palabre.domain.ports import Storage, WriteTx
from tests.storage.conftest import Backend, T

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def url(backend: Backend) -> Backend:
    """Each test runs on the in-memory backend, SQLite and PostgreSQL (conftest.py)."""
    return backend


def run(url: Backend, work: Callable[[Storage], Awaitable[T]]) -> T:
    return url.run(work)


def new_comment(thread_id: ThreadId, text: str = "hello", *, parent: int | None = None,
                status: Status = Status.APPROVED, minutes: int = 0, email: str = "",
                client: str = "client-a") -> NewComment:
    return NewComment(
        thread_id=thread_id, parent=CommentId(parent) if parent else None,
        reply_to=CommentId(parent) if parent else None, root=None,
        depth=1 if parent else 0, author="Jeanne", email=email, website="https://example.org",
        text=text, html=f"<p>{text}</p>", created=NOW + timedelta(minutes=minutes),
        status=status, client=client, avatar="0123456789abcdef", notify=False,
    )


async def site_and_thread(tx: WriteTx, uri: str = "/a") -> tuple[int, ThreadId]:
    site = await tx.get_site("s") or await tx.create_site("s", "Site", "salt", SiteSettings(),
                                                           NOW)
    thread = await tx.get_or_create_thread(site.id, uri, "Title", NOW)
    return site.id, thread.id


def test_sites_are_created_found_and_their_settings_changed(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site = await tx.create_site("lemonde", "Le Monde", "salt", SiteSettings(), NOW)
        assert (await store.get_site("lemonde")) == site
        assert (await store.get_site_by_id(site.id)) == site
        assert await store.get_site("absent") is None
        changed = SiteSettings(max_depth=3, blocked_words=("spam",), allowed_origins=("https://a.org",))
        async with store.write() as tx:
            await tx.update_site_settings(site.id, changed)
        found = await store.get_site("lemonde")
        assert found is not None and found.settings == changed
        assert [s.slug for s in await store.list_sites()] == ["lemonde"]

    run(url, work)


def test_thread_creation_is_idempotent_and_versions_move(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, thread_id = await site_and_thread(tx)
            again = await tx.get_or_create_thread(site_id, "/a", "Other title", NOW)
        assert again.id == thread_id and again.title == "Title"
        before = await store.thread_version(site_id, "/a")
        async with store.write() as tx:
            await tx.set_thread_closed(thread_id, True)
            await tx.emit(ThreadClosed(site_id=site_id, thread_id=thread_id))
        after = await store.thread_version(site_id, "/a")
        assert before is not None and after is not None and after[0] > before[0]
        thread = await store.get_thread(site_id, "/a")
        assert thread is not None and thread.closed
        async with store.write() as tx:
            site = await tx.get_site_by_id(site_id)
            assert site is not None
            await tx.update_site_settings(site_id, site.settings)
            await tx.emit(SiteSettingsChanged(site_id=site_id, changed=("max_depth",)))
        bumped = await store.thread_version(site_id, "/a")
        assert bumped is not None and bumped[0] > after[0]
        assert await store.thread_version(site_id, "/never") is None

    run(url, work)


def test_comments_round_trip_and_only_visible_ones_are_listed(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            _, thread_id = await site_and_thread(tx)
            first = await tx.insert_comment(new_comment(thread_id, "first"))
            reply = await tx.insert_comment(new_comment(thread_id, "reply", parent=first.id,
                                                        minutes=1))
            held = await tx.insert_comment(new_comment(thread_id, "held",
                                                       status=Status.PENDING, minutes=2))
        assert first.text == "first" and first.created == NOW and first.edited is None
        assert reply.parent == first.id and reply.depth == 1
        visible = await store.visible_comments(thread_id)
        assert sorted(c.id for c in visible) == [first.id, reply.id]  # in no set order
        assert await store.approved_count(thread_id) == 2
        assert (await store.get_comment(held.id)) == held
        async with store.write() as tx:
            await tx.update_comment_text(first.id, "edited", "<p>edited</p>", NOW)
            await tx.blank_comment(reply.id)
            assert [c.id for c in await tx.children(first.id)] == [reply.id]
        edited = await store.get_comment(first.id)
        blanked = await store.get_comment(reply.id)
        assert edited is not None and edited.html == "<p>edited</p>" and edited.edited == NOW
        assert blanked is not None and blanked.status is Status.DELETED
        assert (blanked.author, blanked.text, blanked.html, blanked.email) == ("", "", "", "")
        assert await store.approved_count(thread_id) == 1

    run(url, work)


def test_votes_replace_and_withdraw_and_go_with_their_comment(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            _, thread_id = await site_and_thread(tx)
            comment = await tx.insert_comment(new_comment(thread_id))
            assert await tx.set_vote(comment.id, "v1", 1) == (1, 0)
            assert await tx.set_vote(comment.id, "v2", -1) == (1, 1)
            assert await tx.set_vote(comment.id, "v1", -1) == (0, 2)
            assert await tx.set_vote(comment.id, "v2", 0) == (0, 1)
        stored = await store.get_comment(comment.id)
        assert stored is not None and (stored.likes, stored.dislikes) == (0, 1)
        async with store.write() as tx:
            await tx.delete_comment_row(comment.id)
        assert await store.get_comment(comment.id) is None

    run(url, work)


def test_rate_limit_counts_per_key_and_slot(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            hits = [await tx.hit_rate_limit("post:a", 100) for _ in range(3)]
            other = await tx.hit_rate_limit("post:b", 100)
            next_slot = await tx.hit_rate_limit("post:a", 101)
            # Moving to slot 101 dropped slot 100 for every client, not only post:a.
            stale = await tx.hit_rate_limit("post:b", 100)
        assert hits == [1, 2, 3] and other == 1 and next_slot == 1 and stale == 1

    run(url, work)


def test_rate_limit_slot_ahead_of_the_current_one_outlives_it(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            # A long window's counter sits in slot 115 while short windows 100-115 pass.
            first = await tx.hit_rate_limit("login:7:a", 115, 100)
            short = await tx.hit_rate_limit("post:a", 101)
            second = await tx.hit_rate_limit("login:7:a", 115, 110)
            third = await tx.hit_rate_limit("login:7:a", 115, 115)
            # Once slot 116 is current, slot 115 and everything before it is gone.
            await tx.hit_rate_limit("post:b", 116)
            gone = await tx.hit_rate_limit("login:7:a", 115, 116)
        assert (first, short, second, third, gone) == (1, 1, 2, 3, 1)

    run(url, work)


def test_first_time_authors_bans_and_moderators(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, thread_id = await site_and_thread(tx)
            await tx.insert_comment(new_comment(thread_id, email="known@example.org"))
            await tx.insert_comment(new_comment(thread_id, status=Status.PENDING,
                                                client="client-p"))
            # Standing is counted for an email and a client key together.
            assert await tx.approved_comments_of(site_id, "known@example.org", "client-a") == 1
            assert await tx.approved_comments_of(site_id, "known@example.org", "x") == 0
            assert await tx.approved_comments_of(site_id, "", "client-a") == 0
            assert await tx.approved_comments_of(site_id, "", "client-p") == 0
            await tx.add_ban(site_id, "client", "client-z", "spam", NOW)
            again = await tx.add_ban(site_id, "client", "client-z", "again", NOW)
            assert (await tx.sanction_of(site_id, "", "client-z", NOW)) == again
            assert await tx.sanction_of(site_id, "", "client-a", NOW) is None
            first = await tx.save_moderator("mod", "hash-1", NOW)
            second = await tx.save_moderator("mod", "hash-2", NOW)
        assert first.id == second.id
        found = await store.get_moderator("mod")
        assert found is not None and found.password_hash == "hash-2"
        assert await store.get_moderator_by_id(first.id) == found

    run(url, work)


def test_a_failed_write_leaves_nothing_behind(url: Backend) -> None:
    async def work(store: Storage) -> None:
        with pytest.raises(RuntimeError):
            async with store.write() as tx:
                _, thread_id = await site_and_thread(tx, "/rolled-back")
                await tx.insert_comment(new_comment(thread_id))
                raise RuntimeError("refused half-way")
        assert await store.get_site("s") is None

    run(url, work)


def test_counts_and_latest_comments(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, a = await site_and_thread(tx, "/a")
            _, b = await site_and_thread(tx, "/b")
            for minute in range(3):
                await tx.insert_comment(new_comment(a, f"a{minute}", minutes=minute))
            await tx.insert_comment(new_comment(b, "b0", minutes=10))
            await tx.insert_comment(new_comment(b, "held", minutes=11, status=Status.PENDING))
        uris = ["/a", "/b"] + [f"/none/{i}" for i in range(600)]
        assert await store.counts(site_id, uris) == {"/a": 3, "/b": 1}
        latest = await store.latest_comments(site_id, None, 10)
        assert [c.text for c, _ in latest] == ["b0", "a2", "a1", "a0"]
        assert [t.uri for _, t in latest] == ["/b", "/a", "/a", "/a"]
        only_a = await store.latest_comments(site_id, a, 2)
        assert [c.text for c, _ in only_a] == ["a2", "a1"]

    run(url, work)


def test_another_connection_sees_committed_writes(url: Backend) -> None:
    """What the read cache relies on: a write through one storage is seen by another."""
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
        _, token = await store.unchanged_since_last_check(None)
        # SQLite and memory can tell that nothing was committed; PostgreSQL always says
        # "check" (the cache then compares the thread's version).
        assert (await store.unchanged_since_last_check(token))[0] is (url.name != "postgres")
        other = url.open()
        try:
            async with other.write() as tx:
                site_id, thread_id = await site_and_thread(tx)
                await tx.emit(ThreadClosed(site_id=site_id, thread_id=thread_id))
        finally:
            await other.close()
        unchanged, _ = await store.unchanged_since_last_check(token)
        assert not unchanged
        version = await store.thread_version(site_id, "/a")
        assert version is not None and version[0] == 2

    run(url, work)


def test_concurrent_writers_from_two_instances_all_commit(url: Backend) -> None:
    async def writer(name: str, count: int) -> None:
        store = url.open()
        try:
            for i in range(count):
                async with store.write() as tx:
                    _, thread_id = await site_and_thread(tx)
                    await tx.insert_comment(new_comment(thread_id, f"{name}{i}"))
                await asyncio.sleep(0)
        finally:
            await store.close()

    async def work(store: Storage) -> None:
        async with store.write() as tx:
            await site_and_thread(tx)
        await asyncio.gather(writer("x", 15), writer("y", 15))
        site = await store.get_site("s")
        assert site is not None
        assert await store.counts(site.id, ["/a"]) == {"/a": 30}

    run(url, work)


def test_moderator_sessions_are_revoked_by_end_sessions_and_password_change(
        url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            mod = await tx.save_moderator("mod", "hash-1", NOW)
            other = await tx.save_moderator("other", "hash-1", NOW)
        assert await store.get_moderator_session(mod.id) == (mod, 0)
        async with store.write() as tx:
            await tx.end_sessions(mod.id)
        assert await store.get_moderator_session(mod.id) == (mod, 1)
        async with store.write() as tx:
            changed = await tx.save_moderator("mod", "hash-2", NOW)
        assert await store.get_moderator_session(mod.id) == (changed, 2)
        # A rolled-back logout revokes nothing; other moderators are untouched.
        with pytest.raises(RuntimeError):
            async with store.write() as tx:
                await tx.end_sessions(mod.id)
                raise RuntimeError("refused half-way")
        assert await store.get_moderator_session(mod.id) == (changed, 2)
        assert await store.get_moderator_session(other.id) == (other, 0)
        assert await store.get_moderator_session(other.id + mod.id + 100) is None

    run(url, work)
