"""The moderation queue: pending comments wait, a moderator approves, rejects or marks spam."""

from __future__ import annotations

import httpx
import pytest

from palabre.domain.moderators import save_moderator
from tests.api.test_moderators import PASSWORD, login
from tests.conftest import Api

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def moderator(api: Api) -> Api:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    assert login(api).status_code == 200
    return api


def act(api: Api, comment_id: int, action: str) -> httpx.Response:
    response: httpx.Response = api.client.post(f"/api/admin/comments/{comment_id}/{action}",
                                               headers=JSON)
    return response


def test_pending_comments_wait_in_the_queue_until_approved(moderator: Api) -> None:
    api = moderator
    api.site_settings(moderation="all")
    held = api.post("/a", "À relire", email="jeanne@example.org")["comment"]
    assert held["status"] == "pending"
    assert api.thread("/a")["count"] == 0
    queue = api.get("/api/admin/queue").json()["comments"]
    assert [(c["id"], c["email"], c["text"]) for c in queue] == [
        (held["id"], "jeanne@example.org", "À relire")]
    approved = act(api, held["id"], "approve")
    assert approved.status_code == 200 and approved.json()["comment"]["status"] == "approved"
    assert api.get("/api/admin/queue").json()["comments"] == []
    page = api.page("/a")
    assert page["thread"]["count"] == 1 and page["comments"][0]["id"] == held["id"]


@pytest.mark.parametrize("action", ["reject", "spam"])
def test_rejected_and_spam_comments_never_show(moderator: Api, action: str) -> None:
    api = moderator
    api.site_settings(moderation="all")
    held = api.post("/a", "Achetez maintenant")["comment"]
    assert act(api, held["id"], action).json()["comment"]["status"] == {
        "reject": "rejected", "spam": "spam"}[action]
    assert api.page("/a")["comments"] == [] and api.thread("/a")["count"] == 0
    assert act(api, held["id"], "approve").status_code == 404


def test_rejecting_a_comment_with_replies_leaves_a_placeholder(moderator: Api) -> None:
    api = moderator
    parent = api.comment("/a", "Premier")
    reply = api.reply(parent["id"], "/a", "Réponse")
    assert act(api, parent["id"], "reject").status_code == 200
    listed = api.page("/a")["comments"]
    assert [(c["id"], c["status"], c["html"]) for c in listed] == [
        (parent["id"], "deleted", ""), (reply["id"], "approved", "<p>Réponse</p>")]
    assert api.thread("/a")["count"] == 1
    assert act(api, reply["id"], "spam").status_code == 200
    assert api.page("/a")["comments"] == [] and api.thread("/a")["count"] == 0


def test_a_reply_whose_parent_was_rejected_cannot_be_approved(moderator: Api) -> None:
    api = moderator
    parent = api.comment("/a", "Premier")
    api.site_settings(moderation="all")
    held = api.reply(parent["id"], "/a", "En attente")
    assert act(api, parent["id"], "reject").status_code == 200
    refused = act(api, held["id"], "approve")
    assert refused.status_code == 422 and refused.json()["error"]["reason"] == "parent_not_found"


def test_only_moderators_moderate(api: Api) -> None:
    api.site_settings(moderation="all")
    held = api.post("/a", "À relire")["comment"]
    assert act(api, held["id"], "approve").status_code == 401
    assert api.get("/api/admin/queue").status_code == 401
    assert api.page("/a")["comments"] == []


def test_unknown_action_and_missing_json_are_refused(moderator: Api) -> None:
    api = moderator
    comment = api.comment("/a")
    assert act(api, comment["id"], "promote").status_code == 422
    bare = api.client.post(f"/api/admin/comments/{comment['id']}/approve")
    assert bare.status_code == 415
