"""Property tests of the discussion tree, through the public API.

Any sequence of posts, replies and deletions (by token) must keep: ``thread.count`` equal to
the approved items all pages return (and to the counts endpoint), every depth within the
site's ``max_depth``, and the display order depth-first with replies oldest first.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api
from tests.tree_checks import check_listing

SITES = {"d1": 1, "d2": 2, "d3": 3, "default": 5}
MODERATED = "links"  # a site with max_depth 5 that holds comments with links

POST = st.tuples(st.just("post"), st.none() | st.integers(0, 40), st.booleans(),
                 st.integers(0, 3))
DELETE = st.tuples(st.just("delete"), st.integers(0, 40))
# ("post", index of the comment answered or None, with a link, seconds later), or
# ("delete", index of the comment deleted).
Operation = tuple[Literal["post"], int | None, bool, int] | tuple[Literal["delete"], int]
OPERATIONS = st.lists(st.one_of(POST, POST, DELETE), min_size=1, max_size=30)


@dataclass
class Posted:
    id: int
    token: str
    depth: int
    parent: int | None
    approved: bool
    alive: bool = True


def run_operations(api: Api, site: str, max_depth: int, uri: str,
                   operations: list[Operation]) -> list[Posted]:
    """Apply the operations, checking each answer against a model; returns the model."""
    posted: list[Posted] = []
    for op in operations:
        if op[0] == "post":
            _, target_index, with_link, seconds = op
            api.clock.advance(seconds=seconds)  # 0: posted in the same instant
            target = posted[target_index % len(posted)] if posted and target_index is not None \
                else None
            text = "voir https://example.org" if with_link else "un avis"
            body = {"uri": uri, "site": site, "text": text,
                    "parent": target.id if target else None}
            response = api.client.post("/api/v1/comments", json=body)
            if target is not None and not (target.approved and target.alive):
                assert response.status_code == 422, response.text
                continue
            assert response.status_code == 201, response.text
            comment = response.json()["comment"]
            if target is None:
                assert (comment["parent"], comment["reply_to"], comment["depth"]) == (None,
                                                                                      None, 0)
            else:
                nests = target.depth + 1 < max_depth
                assert comment["reply_to"] == target.id
                assert comment["parent"] == (target.id if nests else target.parent)
                assert comment["depth"] == (target.depth + 1 if nests else target.depth)
            assert comment["depth"] <= max_depth - 1
            approved = not (site == MODERATED and with_link)
            assert comment["status"] == ("approved" if approved else "pending")
            posted.append(Posted(comment["id"], response.json()["token"], comment["depth"],
                                 comment["parent"], approved))
        elif posted:
            victim = posted[op[1] % len(posted)]
            response = api.delete(victim.id, victim.token)
            if victim.approved and victim.alive:
                assert response.status_code == 204, response.text
            elif not victim.alive:  # ids are never reused, so it stays gone
                assert response.status_code == 404, response.text
            else:  # pending: gone already if an ancestor's subtree went
                assert response.status_code in (204, 404), response.text
            victim.alive = False
    return posted


def check_thread(api: Api, site: str, max_depth: int, uri: str, posted: list[Posted], sort: str,
                 limit: int) -> None:
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"uri": uri, "site": site, "sort": sort, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = api.get("/api/v1/comments", params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            break
    counts = api.get("/api/v1/counts", params={"uri": uri, "site": site}).json()["counts"]
    thread = api.get("/api/v1/threads", params={"uri": uri, "site": site}).json()
    assert set(counts) == {uri}
    expected = {p.id for p in posted if p.approved and p.alive}
    check_listing(pages, counts[uri], thread["count"], expected, max_depth, sort, limit)


def test_any_sequence_of_posts_and_deletions_keeps_the_tree_sound(api: Api) -> None:
    for slug, depth in SITES.items():
        api.site_settings(slug, max_depth=depth)
    api.site_settings(MODERATED, moderation="links")
    sites = {**SITES, MODERATED: 5}
    uris = (f"/property/{n}" for n in itertools.count())

    @settings(max_examples=100, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(site=st.sampled_from(sorted(sites)), operations=OPERATIONS,
           sort=st.sampled_from(["oldest", "newest", "top"]), limit=st.integers(1, 4))
    def check(site: str, operations: list[Operation], sort: str, limit: int) -> None:
        uri = next(uris)
        posted = run_operations(api, site, sites[site], uri, operations)
        check_thread(api, site, sites[site], uri, posted, sort, limit)

    check()
