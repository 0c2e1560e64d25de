"""A page of a thread read on its own (its top-level comments and their replies, the count
from an index) answers byte for byte what the same page cut from the whole thread's tree
answers, for random trees on every backend: every sort, every page along the cursors,
cursors at and beside each top-level comment, the thread's count and featured count.

The trees are stored as they are (``restore_comment``), so they hold what the domain
would rarely leave: held and rejected comments above approved replies, placeholders,
equal and one-microsecond-apart creation times, votes and featured comments.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palabre.domain import threads
from palabre.domain.context import Context
from palabre.domain.models import Comment, CommentId, Site, Sort, Status, Thread, ThreadId
from palabre.domain.ports import Storage, WriteTx
from palabre.domain.sites import ensure_site
from palabre.domain.threads import ThreadPage
from palabre.domain.tree import Tree, root_key, sort_keys
from palabre.settings import ServerConfig
from palabre.web.api.serialise import dumps, page_json, thread_json
from tests.conftest import SECRET, START, TEST_SITE_SETTINGS, Clock
from tests.storage.conftest import Backend

STATUSES = st.sampled_from([Status.APPROVED] * 6 + [Status.PENDING, Status.DELETED,
                                                   Status.REJECTED, Status.SPAM])
# Creation times in microseconds after the start: equal and neighbouring ones included.
OFFSETS = st.sampled_from([0, 1, 2, 999_999, 1_000_000, 1_000_001, 59_000_000, 3_600_000_123])
ITEM = st.tuples(st.none() | st.integers(0, 60), STATUSES, OFFSETS, st.booleans(),
                 st.integers(0, 3), st.integers(0, 2))
TREES = st.lists(ITEM, min_size=1, max_size=40)
LIMITS = st.lists(st.integers(1, 6), min_size=1, max_size=2)


def comments_of(thread_id: ThreadId, first_id: int, items: list[tuple[Any, ...]]
                ) -> list[Comment]:
    made: list[Comment] = []
    for n, (parent, status, offset, featured, likes, dislikes) in enumerate(items):
        above = made[parent % len(made)] if made and parent is not None else None
        made.append(Comment(
            CommentId(first_id + n), thread_id, above.id if above else None,
            above.id if above else None, (above.root or above.id) if above else None,
            above.depth + 1 if above else 0, f"auteur {n}", "", "", "", f"<p>{n}</p>",
            START + timedelta(microseconds=offset + (n % 3)), None, likes, dislikes, status,
            "", "", featured and status is Status.APPROVED, n % 5 == 0))
    return made


async def whole(ctx: Context, site: Site, thread: Thread, sort: Sort, limit: int,
                cursor: str | None) -> ThreadPage:
    """The page as it was always cut: from the whole thread's tree."""
    visible = await ctx.storage.visible_comments(thread.id)
    tree = Tree.build(threads._readable(visible), sort)
    comments, next_cursor = threads._whole_page(tree, sort, limit, cursor)
    return ThreadPage(threads._info(site, thread.uri, thread, tree.tally(), ctx.clock()),
                      comments, next_cursor)


def cursors(sort: Sort, tree: Tree) -> list[str]:
    """Cursors at each top-level comment, a microsecond either side, and past the end."""
    found = []
    for n, root in enumerate(tree.roots):
        for shift in (-1, 0, 1):
            key = (root.id, root.created + timedelta(microseconds=shift), root.score)
            found.append(threads._encode_cursor(sort, key, n + shift + 1))
    return found


async def compare(ctx: Context, site: Site, uri: str, limits: list[int]) -> None:
    thread = await ctx.storage.get_thread(site.id, uri)
    assert thread is not None
    for sort in Sort:
        tree = Tree.build(threads._readable(await ctx.storage.visible_comments(thread.id)),
                          sort)
        assert [root_key(c) for c in tree.roots] == sort_keys(
            await ctx.storage.visible_roots(thread.id), sort)
        for limit in limits:
            chain: list[str | None] = [None]
            while chain[-1] is not None or len(chain) == 1:
                page = await threads.thread_page(ctx, site.slug, uri, sort, limit, chain[-1])
                expected = await whole(ctx, site, thread, sort, limit, chain[-1])
                assert dumps(page_json(page)) == dumps(page_json(expected))
                chain.append(page.next_cursor)
            for cursor in cursors(sort, tree):
                page = await threads.thread_page(ctx, site.slug, uri, sort, limit, cursor)
                expected = await whole(ctx, site, thread, sort, limit, cursor)
                assert dumps(page_json(page)) == dumps(page_json(expected))
    info = await threads.thread_info(ctx, site.slug, uri)
    first = await threads.thread_page(ctx, site.slug, uri, Sort.OLDEST, 200, None)
    assert dumps(thread_json(info)) == dumps(thread_json(first.thread))


def test_a_page_read_alone_is_the_page_cut_from_the_whole_thread(backend: Backend) -> None:
    loop = asyncio.new_event_loop()
    storage = backend.open()
    ctx = Context(storage=storage, secret=SECRET, clock=Clock(START + timedelta(days=1)),
                  config=ServerConfig(post_rate_limit=0, write_rate_limit=0))
    numbers = itertools.count()

    async def store_and_compare(site: Site, items: list[tuple[Any, ...]],
                                limits: list[int]) -> None:
        n = next(numbers)
        uri = f"/paged/{n}"
        async with storage.write() as tx:
            thread = await tx.get_or_create_thread(site.id, uri, "", START)
            for comment in comments_of(thread.id, 1 + n * 100, items):
                await tx.restore_comment(comment, False)
        await compare(ctx, site, uri, limits)

    @settings(max_examples=150 if backend.name == "memory" else 40, deadline=None,
              database=None, suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.function_scoped_fixture])
    @given(items=TREES, limits=LIMITS)
    def check(items: list[tuple[Any, ...]], limits: list[int]) -> None:
        loop.run_until_complete(store_and_compare(site, items, limits))

    try:
        site = loop.run_until_complete(ensure_site(storage, settings=TEST_SITE_SETTINGS))
        check()
    finally:
        loop.run_until_complete(storage.close())
        loop.close()


def test_every_change_to_a_comment_is_read_at_once(backend: Backend) -> None:
    """Reads keep the comments they made by version (``rev``): each kind of change gives
    the row a new one, so the next read shows it."""

    async def work(storage: Storage) -> None:
        site = await ensure_site(storage, settings=TEST_SITE_SETTINGS)
        async with storage.write() as tx:
            thread = await tx.get_or_create_thread(site.id, "/versions", "", START)
            first, reply = comments_of(thread.id, 1, [(None, Status.APPROVED, 0, False, 0, 0),
                                                      (0, Status.APPROVED, 5, False, 0, 0)])
            await tx.restore_comment(first, False)
            await tx.restore_comment(reply, False)

        async def shown() -> dict[int, tuple[Any, ...]]:
            return {c.id: (c.html, c.likes, c.status, c.featured, c.edited)
                    for c in await storage.visible_comments(thread.id)}

        changes: list[Callable[[WriteTx], Awaitable[Any]]] = [
            lambda tx: tx.update_comment_text(first.id, "b", "<p>b</p>", START),
            lambda tx: tx.set_vote(first.id, "voter", 1),
            lambda tx: tx.set_featured(first.id, True),
            lambda tx: tx.hold_comment(reply.id, ("links",)),
            lambda tx: tx.set_comment_status(reply.id, Status.APPROVED),
            lambda tx: tx.blank_comment(first.id),
        ]
        seen = [await shown()]
        for change in changes:
            async with storage.write() as tx:
                await change(tx)
            now = await shown()
            assert now != seen[-1]
            assert now == await shown()
            seen.append(now)
        assert seen[-1][first.id][2] is Status.DELETED

    backend.run(work)
