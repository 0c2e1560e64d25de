"""The moderator side of PATCH/DELETE: a moderator's session edits or deletes any comment,
with no edit window."""

from __future__ import annotations

import httpx
import pytest

from palabre.domain.moderators import save_moderator
from tests.conftest import Api, AppFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def moderator(api: Api) -> Api:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    return api


def login(api: Api, password: str = PASSWORD) -> httpx.Response:
    response: httpx.Response = api.client.post("/api/admin/login",
                                               json={"username": "claire",
                                                     "password": password})
    return response


def test_moderator_edits_and_deletes_any_comment_past_the_window(moderator: Api) -> None:
    api = moderator
    comment = api.comment("/a", "Texte d'origine")
    reply = api.reply(comment["id"])
    api.clock.advance(days=30)
    assert login(api).status_code == 200
    edited = api.client.patch(f"/api/v1/comments/{comment['id']}", json={"text": "Modéré"})
    assert edited.status_code == 200
    assert edited.json()["comment"]["html"] == "<p>Modéré</p>"
    assert edited.json()["comment"]["edited"] is not None
    assert api.client.delete(f"/api/v1/comments/{comment['id']}").status_code == 204
    comments = api.page("/a")["comments"]
    assert [c["status"] for c in comments] == ["deleted", "approved"]
    assert api.thread("/a")["count"] == 1
    assert api.client.delete(f"/api/v1/comments/{reply['id']}").status_code == 204
    assert api.page("/a")["comments"] == []


def test_wrong_password_opens_no_session(moderator: Api) -> None:
    api = moderator
    comment = api.comment()
    response = login(api, "wrong password!")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    denied = api.client.delete(f"/api/v1/comments/{comment['id']}")
    assert denied.status_code == 401
    assert api.thread()["count"] == 1


def test_logout_ends_the_session(moderator: Api) -> None:
    api = moderator
    comment = api.comment()
    login(api)
    assert api.client.post("/api/admin/logout").status_code == 204
    api.client.cookies.clear()
    assert api.client.delete(f"/api/v1/comments/{comment['id']}").status_code == 401


def test_forged_session_cookie_is_ignored(moderator: Api) -> None:
    api = moderator
    comment = api.comment()
    api.client.cookies.set("palabre_session", "1.forged.signature")
    assert api.client.delete(f"/api/v1/comments/{comment['id']}").status_code == 401


def test_moderator_closes_and_reopens_threads(moderator: Api) -> None:
    api = moderator
    api.comment("/a")
    api.page("/a")
    assert api.client.post("/api/admin/threads/close", json={"uri": "/a"}).status_code == 401
    login(api)
    closed = api.client.post("/api/admin/threads/close", json={"uri": "/a#x"})
    assert closed.status_code == 200
    assert api.thread("/a")["closed"] is True
    api.post("/a", expect=403)
    api.client.post("/api/admin/threads/open", json={"uri": "/a"})
    assert api.thread("/a")["closed"] is False


def test_a_moderator_corrects_a_squatted_title_seen_by_the_next_read(make_api: AppFactory) -> None:
    api = make_api()
    api.post("/a", "Premier", title="Titre squatté")
    assert api.thread("/a")["title"] == "Titre squatté"  # cached now
    refused = api.request("POST", "/api/admin/threads/title",
                          json={"uri": "/a", "title": "Le vrai titre"})
    assert refused.status_code == 401
    api.domain(lambda ctx: save_moderator(ctx, "marie", "correct horse battery"))
    assert api.request("POST", "/api/admin/login", json={
        "username": "marie", "password": "correct horse battery"}).status_code == 200
    answer = api.request("POST", "/api/admin/threads/title",
                         json={"uri": "/a", "title": "Le vrai titre"})
    assert answer.status_code == 200 and answer.json()["thread"]["title"] == "Le vrai titre"
    assert api.thread("/a")["title"] == "Le vrai titre"
