"""GET /api/v1/comments and /api/v1/threads: URIs, display order, sorting, pages, ETags."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Api, dump_database

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# The contract's keys, plus the site's edit window (an extra the widget uses).
THREAD_KEYS = {"site", "uri", "title", "closed", "count", "created", "edit_window_seconds",
               "featured", "staff_label", "message"}
COMMENT_KEYS = {"id", "parent", "reply_to", "depth", "author", "website", "avatar", "html",
                "created", "edited", "likes", "dislikes", "status", "featured", "staff"}


def ids(comments: list[dict[str, Any]]) -> list[int]:
    return [c["id"] for c in comments]


@pytest.mark.parametrize("alias", ["/a/b#comments", "https://example.org/a/b",
                                   "http://example.org:8080/a/b?utm=x#comments", "/a/%62",
                                   "/a/./b", "/a/c/../b", " /a/b "])
def test_uri_aliases_are_the_same_thread(api: Api, alias: str) -> None:
    posted = api.comment("/a/b")
    page = api.page(alias)
    assert page["thread"]["uri"] == "/a/b"
    assert page["thread"]["count"] == 1
    assert ids(page["comments"]) == [posted["id"]]


def test_posting_to_an_alias_joins_the_thread(api: Api) -> None:
    api.comment("/a/b")
    api.comment("https://example.org/a/b#comments")
    assert api.thread("/a/b")["count"] == 2


def test_percent_encoding_is_normalised(api: Api) -> None:
    api.comment("/caf%C3%A9")
    for alias in ("/café", "/caf%c3%a9", "/caf%C3%A9"):
        assert api.thread(alias)["count"] == 1
    assert api.thread("/café")["uri"] == "/caf%C3%A9"


def test_trailing_slash_and_other_paths_are_distinct_threads(api: Api) -> None:
    api.comment("/a/b")
    assert api.thread("/a/b/")["count"] == 0
    assert api.thread("/a")["count"] == 0


def test_comment_and_thread_objects_have_the_contract_shape(api: Api) -> None:
    api.comment("/a", title="Un titre")
    page = api.page("/a")
    assert set(page) == {"thread", "comments", "next_cursor"}
    assert set(page["thread"]) == THREAD_KEYS
    assert page["thread"]["site"] == "default"
    assert page["thread"]["title"] == "Un titre"
    assert RFC3339.match(page["thread"]["created"])
    comment = page["comments"][0]
    assert set(comment) >= COMMENT_KEYS
    assert RFC3339.match(comment["created"])
    assert comment["edited"] is None
    assert comment["depth"] == 0 and comment["parent"] is None and comment["reply_to"] is None
    assert isinstance(comment["id"], int) and comment["id"] > 0


def build_tree(api: Api) -> dict[str, int]:
    """A(t0) B(t1) A1(t2, A) B1(t3, B) A2(t4, A) A1a(t5, A1), each a minute apart."""
    made: dict[str, int] = {}

    def add(name: str, parent: str | None = None) -> None:
        api.clock.advance(minutes=1)
        posted = api.reply(made[parent], text=name) if parent else api.comment(text=name)
        made[name] = posted["id"]

    add("A")
    add("B")
    add("A1", "A")
    add("B1", "B")
    add("A2", "A")
    add("A1a", "A1")
    return made


def names(made: dict[str, int], comments: list[dict[str, Any]]) -> list[str]:
    by_id = {v: k for k, v in made.items()}
    return [by_id[c["id"]] for c in comments]


def test_flat_depth_first_order_with_replies_oldest_first(api: Api) -> None:
    made = build_tree(api)
    comments = api.page("/a")["comments"]
    assert names(made, comments) == ["A", "A1", "A1a", "A2", "B", "B1"]
    assert [c["depth"] for c in comments] == [0, 1, 2, 1, 0, 1]


def test_sort_newest_orders_top_level_only(api: Api) -> None:
    made = build_tree(api)
    comments = api.page("/a", sort="newest")["comments"]
    assert names(made, comments) == ["B", "B1", "A", "A1", "A1a", "A2"]


def test_sort_oldest_is_the_default(api: Api) -> None:
    build_tree(api)
    assert api.page("/a", sort="oldest")["comments"] == api.page("/a")["comments"]


def test_sort_top_by_score_ties_oldest_first(api: Api) -> None:
    roots = []
    for _ in range(4):
        api.clock.advance(minutes=1)
        roots.append(api.comment()["id"])
    r1, r2, r3, r4 = roots
    votes = {r2: [1, 1], r3: [1, 1, 1, -1], r4: [1]}
    for comment_id, values in votes.items():
        for n, value in enumerate(values):
            assert api.vote(comment_id, value, client_ip=f"198.51.100.{n + 1}").status_code == 200
    api.clock.advance(minutes=1)
    old_reply = api.reply(r1)["id"]
    api.clock.advance(minutes=1)
    new_reply = api.reply(r1)["id"]
    for n in range(3):
        api.vote(new_reply, 1, client_ip=f"198.51.100.{n + 1}")
    comments = api.page("/a", sort="top")["comments"]
    assert ids(comments) == [r2, r3, r4, r1, old_reply, new_reply]


def test_unknown_sort_is_refused(api: Api) -> None:
    response = api.get("/api/v1/comments", params={"uri": "/a", "sort": "best"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def make_forest(api: Api, roots: int = 7) -> dict[int, str]:
    """``roots`` top-level comments, the i-th with i replies (some nested); id -> token."""
    tokens: dict[int, str] = {}
    for i in range(roots):
        api.clock.advance(minutes=1)
        posted = api.post(text=f"root {i}")
        root = parent = posted["comment"]["id"]
        tokens[root] = posted["token"]
        for j in range(i):
            posted = api.post(text=f"reply {i}.{j}", parent=parent if j % 2 else root)
            parent = posted["comment"]["id"]
            tokens[parent] = posted["token"]
    return tokens


@pytest.mark.parametrize("sort", ["oldest", "newest", "top"])
def test_pages_together_are_the_whole_thread(api: Api, sort: str) -> None:
    make_forest(api)
    whole = api.page("/a", sort=sort, limit=200)
    assert whole["next_cursor"] is None
    pages = []
    cursor = None
    while True:
        params = {"sort": sort, "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.page("/a", **params)
        pages.append(page["comments"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor
    assert [sum(c["depth"] == 0 for c in p) for p in pages] == [3, 3, 1]
    assert [c for p in pages for c in p] == whole["comments"]


def test_limit_counts_top_level_comments_each_with_all_its_replies(api: Api) -> None:
    make_forest(api, roots=4)
    first = api.page("/a", limit=2)["comments"]
    assert [c["depth"] == 0 for c in first].count(True) == 2
    assert len(first) == 1 + 2  # root 0 alone, root 1 with its reply
    assert first[-1]["depth"] == 1


def test_default_limit_is_fifty_top_level_comments(api: Api) -> None:
    for _ in range(51):
        api.comment()
    page = api.page("/a")
    assert len(page["comments"]) == 50
    assert page["next_cursor"] is not None
    rest = api.page("/a", cursor=page["next_cursor"])
    assert len(rest["comments"]) == 1 and rest["next_cursor"] is None


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5"])
def test_bad_limit_is_refused(api: Api, limit: str) -> None:
    response = api.get("/api/v1/comments", params={"uri": "/a", "limit": limit})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("cursor", ["nonsense", "eyJ4IjoxfQ", "!!!"])
def test_forged_cursor_is_refused(api: Api, cursor: str) -> None:
    api.comment()
    response = api.get("/api/v1/comments", params={"uri": "/a", "cursor": cursor})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_count_is_the_approved_items_of_all_pages(api: Api) -> None:
    tokens = make_forest(api, roots=5)
    comments = api.all_comments("/a", limit=2)
    # A placeholder (deleted with approved replies) and a removed leaf must both be uncounted.
    with_replies = next(c for c in comments
                        if c["depth"] == 0 and any(r["parent"] == c["id"] for r in comments))
    assert api.delete(with_replies["id"], tokens[with_replies["id"]]).status_code == 204
    leaf = comments[-1]
    assert api.delete(leaf["id"], tokens[leaf["id"]]).status_code == 204
    comments = api.all_comments("/a", limit=2)
    approved = [c for c in comments if c["status"] == "approved"]
    assert any(c["status"] == "deleted" for c in comments)
    for limit in (1, 2, 50):
        assert api.page("/a", limit=limit)["thread"]["count"] == len(approved)
    assert api.thread("/a")["count"] == len(approved)


def test_never_seen_page_answers_empty_and_creates_nothing(api: Api, database_url: str) -> None:
    page = api.page("/never/seen", title="ignored")
    assert page == {"thread": {"site": "default", "uri": "/never/seen", "title": "",
                               "closed": False, "count": 0, "created": None,
                               "edit_window_seconds": 900, "featured": 0,
                               "staff_label": "", "message": ""},
                    "comments": [], "next_cursor": None}
    thread = api.get("/api/v1/threads", params={"uri": "/never/seen"}).json()
    assert thread["count"] == 0 and thread["closed"] is False
    api.get("/api/v1/counts", params={"uri": "/never/seen"})
    api.get("/embed/thread.html", params={"uri": "/never/seen"})
    assert dump_database(database_url)["threads"] == []


def test_etag_and_if_none_match(api: Api) -> None:
    api.comment()
    first = api.get("/api/v1/comments", params={"uri": "/a"})
    etag = first.headers["etag"]
    assert etag
    again = api.get("/api/v1/comments", params={"uri": "/a"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    listed = api.get("/api/v1/comments", params={"uri": "/a"},
                     headers={"If-None-Match": f'"other", {etag}'})
    assert listed.status_code == 304


@pytest.mark.parametrize("write", ["post", "vote", "edit", "delete", "close"])
def test_any_write_changes_the_etag(api: Api, write: str) -> None:
    from palabre.domain import threads
    from palabre.domain.identity import SYSTEM

    posted = api.post()
    comment_id, token = posted["comment"]["id"], posted["token"]
    first = api.get("/api/v1/comments", params={"uri": "/a"})
    etag = first.headers["etag"]
    if write == "post":
        api.comment()
    elif write == "vote":
        assert api.vote(comment_id, 1).status_code == 200
    elif write == "edit":
        assert api.patch(comment_id, token, "Modifié").status_code == 200
    elif write == "delete":
        assert api.delete(comment_id, token).status_code == 204
    else:
        api.domain(lambda ctx: threads.set_closed(ctx, "default", "/a", True, SYSTEM))
    after = api.get("/api/v1/comments", params={"uri": "/a"}, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    assert after.json() != first.json()


def test_each_page_and_sort_has_its_own_etag(api: Api) -> None:
    api.comment()
    api.comment()
    a = api.get("/api/v1/comments", params={"uri": "/a", "sort": "oldest"}).headers["etag"]
    b = api.get("/api/v1/comments", params={"uri": "/a", "sort": "newest"}).headers["etag"]
    assert a != b


def test_threads_endpoint(api: Api) -> None:
    api.comment("/a", title="Le titre")
    api.comment("/a")
    response = api.get("/api/v1/threads", params={"uri": "/a#comments"})
    assert response.status_code == 200
    thread = response.json()
    assert set(thread) == THREAD_KEYS
    assert thread == {**api.page("/a")["thread"]}
    assert thread["count"] == 2 and thread["title"] == "Le titre"


def test_site_parameter_defaults_to_default(api: Api) -> None:
    api.comment("/a")
    assert api.page("/a", site="default")["thread"]["count"] == 1
    assert api.page("/a")["thread"]["site"] == "default"


def test_threads_are_per_site(api: Api) -> None:
    api.site_settings("blog")
    api.comment("/a", site="blog")
    assert api.thread("/a", site="blog")["count"] == 1
    assert api.thread("/a")["count"] == 0


def test_unknown_site_is_refused_on_reads(api: Api) -> None:
    response = api.get("/api/v1/comments", params={"uri": "/a", "site": "nope"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_comments_posted_in_the_same_instant_keep_their_posting_order(api: Api) -> None:
    roots = [api.comment(text=f"root {n}")["id"] for n in range(3)]
    replies = [api.reply(roots[0], text=f"reply {n}")["id"] for n in range(3)]
    assert ids(api.page("/a")["comments"]) == [roots[0], *replies, roots[1], roots[2]]
    assert ids(api.page("/a", sort="top")["comments"]) == [roots[0], *replies, roots[1],
                                                           roots[2]]
    assert ids(api.page("/a", sort="newest")["comments"]) == [roots[2], roots[1], roots[0],
                                                              *replies]


@pytest.mark.parametrize("sort", ["oldest", "newest"])
def test_comments_posted_between_pages_neither_repeat_nor_hide_items(api: Api, sort: str) -> None:
    for _ in range(4):
        api.clock.advance(seconds=1)
        api.comment("/a")
    first = api.page("/a", sort=sort, limit=2)
    api.clock.advance(seconds=1)
    late = api.comment("/a")
    second = api.page("/a", sort=sort, limit=2, cursor=first["next_cursor"])
    first_ids = [c["id"] for c in first["comments"]]
    second_ids = [c["id"] for c in second["comments"]]
    assert not set(first_ids) & set(second_ids)
    assert len(second_ids) == 2
    if sort == "oldest":
        assert second["next_cursor"] is not None
        third = api.page("/a", sort=sort, limit=2, cursor=second["next_cursor"])
        assert [c["id"] for c in third["comments"]] == [late["id"]]
    else:
        assert late["id"] not in second_ids and second["next_cursor"] is None
