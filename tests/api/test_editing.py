"""PATCH and DELETE /api/v1/comments/{id} with the author token."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx
import pytest

from palabre.domain import threads
from palabre.domain.identity import SYSTEM, AuthorTokens
from tests.conftest import SECRET, Api

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    code: str = error["code"]
    return code


def test_edit_with_token(api: Api) -> None:
    posted = api.post("/a", "Premier jet")
    comment_id = posted["comment"]["id"]
    api.clock.advance(minutes=5)
    response = api.patch(comment_id, posted["token"], "Version *revue*")
    assert response.status_code == 200
    edited = response.json()["comment"]
    assert set(response.json()) == {"comment"}
    assert edited["id"] == comment_id
    assert edited["html"] == "<p>Version <em>revue</em></p>"
    assert RFC3339.match(edited["edited"])
    assert edited["edited"] == "2026-11-25T08:05:00Z"
    assert edited["created"] == posted["comment"]["created"]
    assert api.page("/a")["comments"] == [edited]


def test_edit_without_token_is_unauthorized(api: Api) -> None:
    comment_id = api.comment()["id"]
    assert error_of(api.patch(comment_id, None, "x"), 401) == "unauthorized"
    assert api.page("/a")["comments"][0]["edited"] is None


@pytest.mark.parametrize("scheme", ["Basic", "Token", ""])
def test_edit_with_a_non_bearer_authorization_is_unauthorized(api: Api, scheme: str) -> None:
    posted = api.post()
    response = api.client.patch(f"/api/v1/comments/{posted['comment']['id']}",
                                json={"text": "x"},
                                headers={"Authorization": f"{scheme} {posted['token']}"})
    assert error_of(response, 401) == "unauthorized"


def test_edit_with_another_comments_token_is_forbidden(api: Api) -> None:
    mine = api.post()
    theirs = api.comment()
    assert error_of(api.patch(theirs["id"], mine["token"], "x"), 403) == "forbidden"


@pytest.mark.parametrize("token", ["garbage", "eyJjIjoxfQ.forged-signature"])
def test_edit_with_a_forged_token_is_forbidden(api: Api, token: str) -> None:
    comment_id = api.comment()["id"]
    assert error_of(api.patch(comment_id, token, "x"), 403) == "forbidden"


def created_of(comment: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(comment["created"].replace("Z", "+00:00"))


def test_token_from_another_server_secret_is_forbidden(api: Api) -> None:
    comment = api.comment()
    forged = AuthorTokens("some-other-secret").issue(comment["id"], created_of(comment))
    assert error_of(api.patch(comment["id"], forged, "x"), 403) == "forbidden"
    genuine = AuthorTokens(SECRET).issue(comment["id"], created_of(comment))
    assert api.patch(comment["id"], genuine, "x").status_code == 200


def test_old_token_never_authorises_a_later_comment_with_the_same_id(api: Api) -> None:
    old = api.post()
    assert api.delete(old["comment"]["id"], old["token"]).status_code == 204
    api.clock.advance(seconds=1)
    new = api.comment()
    assert new["id"] != old["comment"]["id"]
    assert error_of(api.delete(new["id"], old["token"]), 403) == "forbidden"
    assert api.thread()["count"] == 1


def test_comment_ids_are_never_reused(api: Api) -> None:
    old = api.post()
    api.delete(old["comment"]["id"], old["token"])
    assert api.comment()["id"] != old["comment"]["id"]


def test_edit_window_is_fifteen_minutes_by_default(api: Api) -> None:
    posted = api.post()
    comment_id, token = posted["comment"]["id"], posted["token"]
    api.clock.advance(seconds=900)
    assert api.patch(comment_id, token, "encore à temps").status_code == 200
    api.clock.advance(seconds=1)
    assert error_of(api.patch(comment_id, token, "trop tard"), 403) == "edit_window_expired"
    assert error_of(api.delete(comment_id, token), 403) == "edit_window_expired"
    assert api.page("/a")["comments"][0]["html"] == "<p>encore à temps</p>"


def test_edit_window_is_the_sites(api: Api) -> None:
    api.site_settings(edit_window_seconds=60)
    posted = api.post()
    api.clock.advance(seconds=61)
    code = error_of(api.patch(posted["comment"]["id"], posted["token"], "x"), 403)
    assert code == "edit_window_expired"


def test_edit_refuses_invalid_text(api: Api) -> None:
    posted = api.post()
    response = api.patch(posted["comment"]["id"], posted["token"], "   ")
    assert error_of(response, 422) == "invalid_input"


@pytest.mark.parametrize("comment_id", [999, 2**63, 10**30])
def test_edit_or_delete_unknown_comment_is_not_found(api: Api, comment_id: int) -> None:
    posted = api.post()
    assert error_of(api.patch(comment_id, posted["token"], "x"), 404) == "not_found"
    assert error_of(api.delete(comment_id, posted["token"]), 404) == "not_found"


def test_edit_is_allowed_on_a_closed_thread_within_the_window(api: Api) -> None:
    posted = api.post()
    api.domain(lambda ctx: threads.set_closed(ctx, "default", "/a", True, SYSTEM))
    assert api.patch(posted["comment"]["id"], posted["token"], "corrigé").status_code == 200


def test_delete_with_token(api: Api) -> None:
    keep = api.comment()
    posted = api.post()
    assert api.thread()["count"] == 2
    response = api.delete(posted["comment"]["id"], posted["token"])
    assert response.status_code == 204
    assert response.content == b""
    page = api.page()
    assert [c["id"] for c in page["comments"]] == [keep["id"]]
    assert page["thread"]["count"] == 1
    assert error_of(api.delete(posted["comment"]["id"], posted["token"]), 404) == "not_found"


def test_delete_without_or_with_wrong_token(api: Api) -> None:
    mine = api.post()
    theirs = api.comment()
    assert error_of(api.delete(theirs["id"], None), 401) == "unauthorized"
    assert error_of(api.delete(theirs["id"], mine["token"]), 403) == "forbidden"
    assert api.thread()["count"] == 2


def test_delete_with_a_json_body_is_accepted(api: Api) -> None:
    posted = api.post()
    response = api.client.request(
        "DELETE", f"/api/v1/comments/{posted['comment']['id']}", content=b"{}",
        headers={"Authorization": f"Bearer {posted['token']}",
                 "Content-Type": "application/json"})
    assert response.status_code == 204


def test_deleting_a_comment_with_approved_replies_leaves_a_placeholder(api: Api) -> None:
    parent = api.post("/a", "Parent", author="Jeanne", email="j@example.org",
                      website="https://example.org")
    reply = api.reply(parent["comment"]["id"], text="Réponse")
    assert api.thread()["count"] == 2
    assert api.delete(parent["comment"]["id"], parent["token"]).status_code == 204
    comments = api.page()["comments"]
    assert [c["id"] for c in comments] == [parent["comment"]["id"], reply["id"]]
    placeholder = comments[0]
    assert placeholder["status"] == "deleted"
    assert placeholder["author"] == "" and placeholder["html"] == ""
    assert placeholder["website"] == ""
    assert comments[1]["parent"] == placeholder["id"] and comments[1]["depth"] == 1
    assert api.thread()["count"] == 1


def test_placeholder_cannot_be_replied_to_or_voted_on(api: Api) -> None:
    parent = api.post()
    api.reply(parent["comment"]["id"])
    api.delete(parent["comment"]["id"], parent["token"])
    response = api.client.post("/api/v1/comments", json={
        "uri": "/a", "text": "x", "parent": parent["comment"]["id"]})
    assert error_of(response, 422) == "invalid_input"
    assert error_of(api.vote(parent["comment"]["id"], 1), 404) == "not_found"


def test_placeholder_is_pruned_when_its_last_reply_goes(api: Api) -> None:
    parent = api.post("/a", "Parent")
    first = api.post("/a", "R1", parent=parent["comment"]["id"])
    second = api.post("/a", "R2", parent=parent["comment"]["id"])
    api.delete(parent["comment"]["id"], parent["token"])
    assert api.thread()["count"] == 2
    api.delete(first["comment"]["id"], first["token"])
    comments = api.page()["comments"]
    assert [c["status"] for c in comments] == ["deleted", "approved"]
    assert api.thread()["count"] == 1
    api.delete(second["comment"]["id"], second["token"])
    page = api.page()
    assert page["comments"] == []
    assert page["thread"]["count"] == 0


def test_chain_of_placeholders_is_pruned_up_to_the_root(api: Api) -> None:
    top = api.post("/a", "top")
    middle = api.post("/a", "middle", parent=top["comment"]["id"])
    leaf = api.post("/a", "leaf", parent=middle["comment"]["id"])
    other = api.comment("/a", "other")
    api.delete(top["comment"]["id"], top["token"])
    api.delete(middle["comment"]["id"], middle["token"])
    assert [c["status"] for c in api.page()["comments"]] == ["deleted", "deleted", "approved",
                                                              "approved"]
    assert api.thread()["count"] == 2
    api.delete(leaf["comment"]["id"], leaf["token"])
    assert [c["id"] for c in api.page()["comments"]] == [other["id"]]
    assert api.thread()["count"] == 1


def test_deleting_a_comment_whose_replies_are_pending_removes_it(api: Api) -> None:
    parent = api.post("/a", "Parent")
    api.site_settings(moderation="all")
    api.comment("/a", "pending reply", parent=parent["comment"]["id"])
    api.delete(parent["comment"]["id"], parent["token"])
    assert api.page()["comments"] == []
    assert api.thread()["count"] == 0


def test_pending_comment_can_be_withdrawn_by_its_author(api: Api) -> None:
    api.site_settings(moderation="all")
    posted = api.post()
    assert api.delete(posted["comment"]["id"], posted["token"]).status_code == 204
    assert api.patch(posted["comment"]["id"], posted["token"], "x").status_code == 404


def test_placeholder_keeps_nothing_that_points_at_its_author(api: Api) -> None:
    posted = api.post("/a", "Parent", author="Jeanne", email="jeanne@example.org",
                      website="https://example.org/~jeanne")
    api.reply(posted["comment"]["id"], "/a", "Réponse")
    assert api.delete(posted["comment"]["id"], posted["token"]).status_code == 204
    placeholder = api.page("/a")["comments"][0]
    assert placeholder["status"] == "deleted"
    assert (placeholder["author"], placeholder["website"], placeholder["html"],
            placeholder["avatar"]) == ("", "", "", "")


def test_on_a_links_site_an_edit_cannot_slip_a_link_in(api: Api) -> None:
    api.site_settings(moderation="links")
    posted = api.post("/a", "Un avis sans lien")
    assert posted["comment"]["status"] == "approved"
    response = api.patch(posted["comment"]["id"], posted["token"], "voir https://spam.example")
    assert response.status_code == 422
    assert response.json()["error"]["reason"] == "edit_adds_link"
    assert api.page("/a")["comments"][0]["html"] == "<p>Un avis sans lien</p>"
    assert api.patch(posted["comment"]["id"], posted["token"], "Un avis, revu").status_code == 200
