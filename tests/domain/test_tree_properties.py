"""Property tests of the discussion tree on the domain itself (in memory, no HTTP).

The same sequences as the HTTP property test (tests/api/test_tree_properties.py), run
through the domain operations: ``thread.count`` equals the approved items all pages
return (and the counts), depths stay within ``max_depth``, replies are placed as the
contract says, and the order is depth-first with replies oldest first.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palabre.domain import comments, threads
from palabre.domain.errors import InvalidInput, NotFound
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.inputs import CommentDraft
from palabre.domain.models import Comment, Sort
from palabre.domain.sites import change_settings, ensure_site
from tests.conftest import TEST_SITE_SETTINGS
from tests.domain.conftest import Domain
from tests.tree_checks import check_listing

SITES = {"d1": 1, "d2": 2, "d3": 3, "default": 5, "links": 5}
POST = st.tuples(st.just("post"), st.none() | st.integers(0, 40), st.booleans(),
                 st.integers(0, 3))
DELETE = st.tuples(st.just("delete"), st.integers(0, 40))
OPERATIONS = st.lists(st.one_of(POST, POST, DELETE), min_size=1, max_size=30)


@dataclass
class Posted:
    comment: Comment
    token: str
    alive: bool = True


def as_json(comment: Comment) -> dict[str, Any]:
    return {"id": comment.id, "parent": comment.parent, "depth": comment.depth,
            "status": comment.status.value, "author": comment.author, "html": comment.html}


async def apply(domain: Domain, site: str, uri: str, max_depth: int,
                operations: list[tuple[Any, ...]]) -> list[Posted]:
    posted: list[Posted] = []
    for n, op in enumerate(operations):
        if op[0] == "post":
            _, index, with_link, seconds = op
            domain.clock.advance(seconds=seconds)
            target = posted[index % len(posted)] if posted and index is not None else None
            text = "voir https://example.org" if with_link else "un avis"
            draft = CommentDraft(site=site, uri=uri, text=text,
                                 parent=target.comment.id if target else None)
            shown = target is None or (target.alive and target.comment.status == "approved")
            try:
                made = await comments.post_comment(domain.ctx, draft, Actor(client=f"c{n}"))
            except InvalidInput:
                assert not shown
                continue
            assert shown
            c = made.comment
            if target is not None:
                nests = target.comment.depth + 1 < max_depth
                assert c.reply_to == target.comment.id
                assert c.parent == (target.comment.id if nests else target.comment.parent)
            assert c.status == ("pending" if site == "links" and with_link else "approved")
            posted.append(Posted(c, made.token))
        elif posted:
            victim = posted[op[1] % len(posted)]
            author = Actor(client="x", token=victim.token)
            try:
                await comments.delete_comment(domain.ctx, victim.comment.id, author)
            except NotFound:
                assert not victim.alive or victim.comment.status == "pending"
            victim.alive = False
    return posted


async def listing(domain: Domain, site: str, uri: str, sort: str,
                  limit: int) -> tuple[list[dict[str, Any]], int, int]:
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await threads.thread_page(domain.ctx, site, uri, Sort(sort), limit, cursor)
        pages.append({"thread": {"count": page.thread.count},
                      "comments": [as_json(c) for c in page.comments]})
        cursor = page.next_cursor
        if cursor is None:
            break
    counts = await threads.counts(domain.ctx, site, [uri])
    info = await threads.thread_info(domain.ctx, site, uri)
    return pages, counts[uri], info.count


def test_any_sequence_of_posts_and_deletions_keeps_the_tree_sound(domain: Domain) -> None:
    async def configure() -> None:
        for slug, depth in SITES.items():
            await ensure_site(domain.storage, slug, settings=TEST_SITE_SETTINGS)
            await change_settings(domain.ctx, slug, {"max_depth": depth}, SYSTEM)
        await change_settings(domain.ctx, "links", {"moderation": "links"}, SYSTEM)

    domain.run(configure())
    uris = (f"/property/{n}" for n in itertools.count())

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(site=st.sampled_from(sorted(SITES)), operations=OPERATIONS,
           sort=st.sampled_from(["oldest", "newest", "top"]), limit=st.integers(1, 4))
    def check(site: str, operations: list[tuple[Any, ...]], sort: str, limit: int) -> None:
        uri = next(uris)
        posted = domain.run(apply(domain, site, uri, SITES[site], operations))
        pages, counts, count = domain.run(listing(domain, site, uri, sort, limit))
        expected = {p.comment.id for p in posted
                    if p.alive and p.comment.status == "approved"}
        check_listing(pages, counts, count, expected, SITES[site], sort, limit)

    check()

