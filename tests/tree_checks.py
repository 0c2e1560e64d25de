"""The invariants of a thread's listing, shared by the tree property tests through HTTP
(tests/api) and on the domain directly (tests/domain).

``pages`` are the pages a reader gets, each ``{"thread": {"count"}, "comments": [...]}``
with comment objects as the API has them; ``counts`` what the counts endpoint says.
"""

from __future__ import annotations

import itertools
from collections.abc import Set
from typing import Any


def check_listing(pages: list[dict[str, Any]], counts: int, thread_count: int,
                  expected: Set[int], max_depth: int, sort: str, limit: int) -> None:
    items = [c for page in pages for c in page["comments"]]
    approved = [c for c in items if c["status"] == "approved"]

    # thread.count is exact, on every page, and the counts endpoint agrees.
    assert {page["thread"]["count"] for page in pages} == {len(approved)}
    assert {c["id"] for c in approved} == expected
    assert len({c["id"] for c in items}) == len(items)
    assert counts == len(approved)
    assert thread_count == len(approved)

    # Only approved items and placeholders, each placeholder over an approved reply.
    assert {c["status"] for c in items} <= {"approved", "deleted"}
    by_id = {c["id"]: c for c in items}
    for c in items:
        if c["status"] == "deleted":
            assert c["author"] == "" and c["html"] == ""
            assert has_approved_below(c["id"], items), c

    # Depth within the site's maximum, consistent with the parent.
    for c in items:
        assert 0 <= c["depth"] <= max_depth - 1
        if c["parent"] is None:
            assert c["depth"] == 0
        else:
            assert c["parent"] in by_id, "every listed reply's parent is listed"
            assert c["depth"] == by_id[c["parent"]]["depth"] + 1

    # Depth-first: each item's parent is on the path to the item before it.
    path: list[int] = []
    for c in items:
        if c["parent"] is None:
            path = [c["id"]]
            continue
        assert c["parent"] in path, (c, path)
        path = [*path[:path.index(c["parent"]) + 1], c["id"]]

    # Replies oldest first under each parent; top-level order as the sort says.
    for parent, group in itertools.groupby(
            sorted((c for c in items if c["parent"] is not None), key=lambda c: c["parent"]),
            key=lambda c: c["parent"]):
        siblings = [c["id"] for c in items if c["parent"] == parent]
        assert siblings == sorted(siblings) == sorted(c["id"] for c in group)
    roots = [c["id"] for c in items if c["parent"] is None]
    assert roots == sorted(roots, reverse=sort == "newest")
    for page in pages[:-1]:
        assert sum(c["parent"] is None for c in page["comments"]) == limit


def has_approved_below(comment_id: int, items: list[dict[str, Any]]) -> bool:
    children = [c for c in items if c["parent"] == comment_id]
    return any(c["status"] == "approved" or has_approved_below(c["id"], items)
               for c in children)


