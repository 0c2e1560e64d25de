"""POST /api/v1/comments: creation, validation, media types, sizes, rate limits, closing,
placement past the maximum depth, moderation."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from palabre.domain import threads
from palabre.domain.identity import SYSTEM
from tests.conftest import Api, AppFactory


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    return error


def test_post_answers_201_with_comment_and_token(api: Api) -> None:
    response = api.client.post("/api/v1/comments", json={
        "site": "default", "uri": "/a", "parent": None, "text": "*Bonjour*",
        "author": "Jeanne", "email": "jeanne@example.org", "website": "https://example.org",
        "title": "Un article", "notify": False})
    assert response.status_code == 201
    data = response.json()
    assert set(data) == {"comment", "token"}
    assert isinstance(data["token"], str) and data["token"]
    comment = data["comment"]
    assert comment["author"] == "Jeanne"
    assert comment["website"] == "https://example.org"
    assert comment["html"] == "<p><em>Bonjour</em></p>"
    assert comment["status"] == "approved"
    assert (comment["likes"], comment["dislikes"]) == (0, 0)
    assert api.page("/a")["comments"] == [comment]


def test_only_uri_and_text_are_required(api: Api) -> None:
    comment = api.comment("/a", "Juste un texte")
    assert comment["author"] == "" and comment["website"] == ""


def test_first_comment_creates_the_thread_with_its_title(api: Api) -> None:
    assert api.thread("/a")["created"] is None
    api.comment("/a", title="Réforme des retraites")
    thread = api.thread("/a")
    assert thread["title"] == "Réforme des retraites"
    assert thread["created"] is not None


def test_comment_ids_are_unique_across_threads_and_sites(api: Api) -> None:
    api.site_settings("blog")
    seen = {api.comment("/a")["id"], api.comment("/b")["id"],
            api.comment("/a", site="blog")["id"]}
    assert len(seen) == 3


LONG = "x" * 10_001


@pytest.mark.parametrize(("body", "field"), [
    ({"uri": "/a", "text": ""}, "text"),
    ({"uri": "/a", "text": "   \n\t  "}, "text"),
    ({"uri": "/a"}, "text"),
    ({"uri": "/a", "text": 42}, "text"),
    ({"uri": "/a", "text": LONG}, "text"),
    ({"uri": "/a", "text": "ok", "author": "n" * 101}, "author"),
    ({"uri": "/a", "text": "ok", "email": "not-an-email"}, "email"),
    ({"uri": "/a", "text": "ok", "email": "a@b"}, "email"),
    ({"uri": "/a", "text": "ok", "email": "<a@b.org>"}, "email"),
    ({"uri": "/a", "text": "ok", "website": "javascript:alert(1)"}, "website"),
    ({"uri": "/a", "text": "ok", "website": "not a website"}, "website"),
    ({"uri": "/a", "text": "ok", "website": "ftp://example.org"}, "website"),
    ({"uri": "/a", "text": "ok", "website": "https://exa\x00mple.org"}, "website"),
    ({"uri": "/a", "text": "ok", "website": "https://example.org/\x7f"}, "website"),
    ({"uri": "/a", "text": "ok", "email": "jeanne\x00@example.org"}, "email"),
    ({"uri": "/a", "text": "ok", "parent": 999}, "parent"),
    ({"uri": "/a", "text": "ok", "parent": 0}, "parent"),
    ({"uri": "/a", "text": "ok", "parent": "1"}, "parent"),
    ({"uri": "/a", "text": "ok", "parent": 2**63}, "parent"),
    ({"uri": "/a", "text": "ok", "site": "nope"}, "site"),
    ({"uri": "", "text": "ok"}, "uri"),
    ({"text": "ok"}, "uri"),
])
def test_invalid_input(api: Api, body: dict[str, object], field: str) -> None:
    error = error_of(api.client.post("/api/v1/comments", json=body), 422)
    assert error["code"] == "invalid_input"
    assert error["field"] == field
    # A refused comment leaves nothing behind, not even its thread.
    assert api.thread("/a")["created"] is None


def test_limits_are_inclusive(api: Api) -> None:
    api.comment("/a", "x" * 10_000, author="n" * 100)


def test_text_limit_is_the_sites(api: Api) -> None:
    api.site_settings(max_text_length=20)
    api.comment("/a", "x" * 20)
    error = error_of(api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x" * 21}),
                     422)
    assert error["code"] == "invalid_input"


def test_parent_from_another_thread_is_refused(api: Api) -> None:
    elsewhere = api.comment("/b")
    error = error_of(api.client.post("/api/v1/comments", json={
        "uri": "/a", "text": "ok", "parent": elsewhere["id"]}), 422)
    assert error["code"] == "invalid_input"
    assert error["field"] == "parent"


def test_parent_from_another_site_is_refused(api: Api) -> None:
    api.site_settings("blog")
    elsewhere = api.comment("/a", site="blog")
    error = error_of(api.client.post("/api/v1/comments", json={
        "uri": "/a", "text": "ok", "parent": elsewhere["id"]}), 422)
    assert error["code"] == "invalid_input"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "text/json"])
@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/api/v1/comments"),
    ("PATCH", "/api/v1/comments/{id}"),
    ("POST", "/api/v1/comments/{id}/vote"),
    ("DELETE", "/api/v1/comments/{id}"),
])
def test_writes_need_a_json_content_type(api: Api, method: str, path: str,
                                        content_type: str | None) -> None:
    posted = api.post()
    headers = {"Authorization": f"Bearer {posted['token']}", "X-Forwarded-For": "192.0.2.7"}
    if content_type:
        headers["Content-Type"] = content_type
    body = b'{"uri": "/a", "text": "sneaky", "value": 1}'
    response = api.request(method, path.format(id=posted["comment"]["id"]), content=body,
                           headers=headers)
    assert error_of(response, 415)["code"] == "unsupported_media_type"
    comments = api.page("/a")["comments"]
    assert len(comments) == 1
    assert comments[0]["html"] == "<p>Bonjour</p>" and comments[0]["likes"] == 0


def test_json_content_type_with_charset_is_accepted(api: Api) -> None:
    response = api.client.post("/api/v1/comments", content=b'{"uri": "/a", "text": "ok"}',
                               headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 201


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"", b'{"uri": "/a", '])
def test_malformed_json_is_invalid_input(api: Api, body: bytes) -> None:
    response = api.client.post("/api/v1/comments", content=body,
                               headers={"Content-Type": "application/json"})
    assert error_of(response, 422)["code"] == "invalid_input"


def test_body_too_large(make_api: AppFactory) -> None:
    api = make_api(max_body_bytes=1000)
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x" * 2000})
    assert error_of(response, 413)["code"] == "payload_too_large"
    api.comment("/a", "x" * 500)


def test_body_too_large_without_content_length(make_api: AppFactory) -> None:
    api = make_api(max_body_bytes=1000)

    def chunks() -> Iterator[bytes]:
        yield b'{"uri": "/a", "text": "'
        for _ in range(10):
            yield b"x" * 200
        yield b'"}'

    response = api.client.post("/api/v1/comments", content=chunks(),
                               headers={"Content-Type": "application/json"})
    assert error_of(response, 413)["code"] == "payload_too_large"
    assert api.thread("/a")["count"] == 0


def test_default_body_limit(api: Api) -> None:
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x" * 200_000})
    assert error_of(response, 413)["code"] == "payload_too_large"


def test_rate_limit_answers_429_with_retry_after(make_api: AppFactory) -> None:
    api = make_api(post_rate_limit=2, rate_window_seconds=60)
    api.comment()
    api.comment()
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "encore"})
    assert error_of(response, 429)["code"] == "rate_limited"
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 61
    assert api.thread("/a")["count"] == 2
    # Other clients are not affected, and the same client may post again after the window.
    api.comment(client_ip="192.0.2.10")
    api.clock.advance(seconds=retry_after)
    api.comment()


def test_write_rate_limit_covers_votes(make_api: AppFactory) -> None:
    api = make_api(write_rate_limit=2)
    comment = api.comment()
    assert api.vote(comment["id"], 1).status_code == 200
    assert api.vote(comment["id"], -1).status_code == 200
    response = api.vote(comment["id"], 0)
    assert error_of(response, 429)["code"] == "rate_limited"
    assert int(response.headers["retry-after"]) >= 1


def test_closed_thread_refuses_comments(api: Api) -> None:
    api.comment("/a")
    api.page("/a")  # cached before the close
    api.domain(lambda ctx: threads.set_closed(ctx, "default", "/a", True, SYSTEM))
    assert api.thread("/a")["closed"] is True
    response = api.client.post("/api/v1/comments", json={"uri": "/a#x", "text": "trop tard"})
    assert error_of(response, 403)["code"] == "thread_closed"
    assert api.thread("/a")["count"] == 1


def test_closing_a_never_commented_page_refuses_comments(api: Api) -> None:
    api.domain(lambda ctx: threads.set_closed(ctx, "default", "/a", True, SYSTEM))
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x"})
    assert error_of(response, 403)["code"] == "thread_closed"


def test_reopened_thread_accepts_comments(api: Api) -> None:
    api.comment("/a")
    api.domain(lambda ctx: threads.set_closed(ctx, "default", "/a", True, SYSTEM))
    api.domain(lambda ctx: threads.set_closed(ctx, "default", "/a", False, SYSTEM))
    assert api.thread("/a")["closed"] is False
    api.comment("/a")


def test_replies_are_refused_on_a_closed_thread(api: Api) -> None:
    parent = api.comment("/a")
    api.domain(lambda ctx: threads.set_closed(ctx, "default", "/a", True, SYSTEM))
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x",
                                                          "parent": parent["id"]})
    assert error_of(response, 403)["code"] == "thread_closed"


def test_thread_closes_after_close_after_days(api: Api) -> None:
    api.site_settings(close_after_days=3)
    api.comment("/a")
    api.clock.advance(days=2, hours=23)
    api.comment("/a")
    page = api.page("/a")
    assert page["thread"]["closed"] is False
    api.clock.advance(hours=1, seconds=1)
    # The cached page turns closed at the deadline without any write.
    assert api.page("/a")["thread"]["closed"] is True
    assert api.get("/api/v1/threads", params={"uri": "/a"}).json()["closed"] is True
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "trop tard"})
    assert error_of(response, 403)["code"] == "thread_closed"
    # A new page on the same site is open: its own thread starts its own clock.
    api.comment("/b")


def test_close_after_days_zero_never_closes(api: Api) -> None:
    api.comment("/a")
    api.clock.advance(days=3650)
    api.comment("/a")
    assert api.thread("/a")["closed"] is False


def chain(api: Api, length: int) -> list[dict[str, Any]]:
    made = [api.comment("/a")]
    for _ in range(length - 1):
        made.append(api.reply(made[-1]["id"]))
    return made


def test_replies_nest_up_to_max_depth(api: Api) -> None:
    made = chain(api, 5)
    assert [c["depth"] for c in made] == [0, 1, 2, 3, 4]
    for parent, child in itertools.pairwise(made):
        assert child["parent"] == parent["id"] == child["reply_to"]


def test_reply_to_the_deepest_level_hangs_under_its_parent(api: Api) -> None:
    made = chain(api, 5)
    deepest = made[-1]
    reply = api.reply(deepest["id"])
    assert reply["depth"] == 4
    assert reply["parent"] == made[3]["id"]
    assert reply["reply_to"] == deepest["id"]
    again = api.reply(reply["id"])
    assert again["depth"] == 4
    assert again["parent"] == made[3]["id"]
    assert again["reply_to"] == reply["id"]
    listed = api.page("/a")["comments"]
    assert [c["id"] for c in listed] == [c["id"] for c in made] + [reply["id"], again["id"]]
    assert max(c["depth"] for c in listed) == 4
    assert {c["id"]: c["reply_to"] for c in listed}[again["id"]] == reply["id"]


@pytest.mark.parametrize("max_depth", [1, 2, 3])
def test_site_max_depth(api: Api, max_depth: int) -> None:
    api.site_settings(max_depth=max_depth)
    made = chain(api, max_depth + 3)
    assert [c["depth"] for c in made] == [min(i, max_depth - 1) for i in range(len(made))]
    for answered, reply in itertools.pairwise(made):
        assert reply["reply_to"] == answered["id"]
    listed = api.page("/a")["comments"]
    assert all(c["depth"] <= max_depth - 1 for c in listed)
    assert api.thread("/a")["count"] == len(made)


def test_pending_comment_is_answered_but_never_listed(api: Api) -> None:
    api.site_settings(moderation="all")
    posted = api.post("/a", "En attente")
    assert posted["comment"]["status"] == "pending"
    assert posted["token"]
    page = api.page("/a")
    assert page["comments"] == []
    assert page["thread"]["count"] == 0
    assert api.get("/api/v1/counts", params={"uri": "/a"}).json()["counts"] == {"/a": 0}
    assert posted["comment"]["id"] not in [c["id"] for c in api.all_comments("/a")]


def test_pending_comment_cannot_be_replied_to(api: Api) -> None:
    api.site_settings(moderation="all")
    pending = api.comment("/a")
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x",
                                                          "parent": pending["id"]})
    assert error_of(response, 422)["code"] == "invalid_input"


def test_links_moderation_holds_only_comments_with_links(api: Api) -> None:
    api.site_settings(moderation="links")
    assert api.comment("/a", "Sans lien")["status"] == "approved"
    assert api.comment("/a", "Voir https://example.org")["status"] == "pending"
    assert api.thread("/a")["count"] == 1


def test_first_time_moderation_holds_new_authors_only(api: Api) -> None:
    api.site_settings(moderation="first_time")
    assert api.comment("/a", email="new@example.org")["status"] == "pending"
    assert api.thread("/a")["count"] == 0


def test_blocked_words_are_refused(api: Api) -> None:
    api.site_settings(blocked_words=["casino"])
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "Un CASINO"})
    assert error_of(response, 422)["code"] == "invalid_input"
