"""The moderation desk over HTTP: the public additions of the contract (reports,
``featured``, ``staff``, reserved names, duplicates, votes on closed threads) and the
moderator API behind the admin UI (queues, featuring, sanctions, undo, audit, roles)."""

from __future__ import annotations

from typing import Any

import httpx

from palabre.domain import threads
from palabre.domain.identity import SYSTEM
from palabre.domain.moderators import save_moderator
from tests.api.test_moderation_queue import JSON, moderator
from tests.api.test_moderators import PASSWORD
from tests.conftest import Api

__all__ = ["moderator"]  # the fixture, shared with test_moderation_queue


def report(api: Api, comment_id: int, client_ip: str, **body: Any) -> httpx.Response:
    with api.as_reader():
        return api.request("POST", f"/api/v1/comments/{comment_id}/report",
                           json={"reason": "abusive", **body},
                           headers={"X-Forwarded-For": client_ip})


def admin(api: Api, method: str, url: str, expect: int = 200, **kwargs: Any) -> Any:
    response = api.request(method, url, **{"headers": JSON, **kwargs})
    assert response.status_code == expect, response.text
    return response.json() if response.content else None


def test_three_reports_hide_a_comment_until_a_moderator_restores_it(moderator: Api) -> None:
    api = moderator
    top = api.comment("/a", "Sujet", client_ip="203.0.113.1")
    reply = api.reply(top["id"], client_ip="203.0.113.2")
    assert report(api, top["id"], "203.0.113.10").status_code == 204
    assert report(api, top["id"], "203.0.113.10", reason="spam").status_code == 204
    assert report(api, top["id"], "203.0.113.11", note="insultant").status_code == 204
    assert api.thread()["count"] == 2
    assert report(api, top["id"], "203.0.113.12").status_code == 204
    page = api.page()
    assert page["thread"]["count"] == 1
    assert [(c["id"], c["status"], c["html"]) for c in page["comments"]] == [
        (top["id"], "deleted", ""), (reply["id"], "approved", reply["html"])]
    # Held now: a fourth reader finds nothing to report.
    assert report(api, top["id"], "203.0.113.13").status_code == 404
    queue = admin(api, "GET", "/api/admin/queue")["comments"]
    assert queue[0]["id"] == top["id"] and queue[0]["held"] == ["reports"]
    assert sorted(r["reason"] for r in queue[0]["reports"]) == ["abusive", "abusive", "spam"]
    assert queue[0]["thread"]["uri"] == "/a" and queue[0]["history"]["pending"] == 1
    admin(api, "POST", f"/api/admin/comments/{top['id']}/approve")
    assert api.thread()["count"] == 2 and api.page()["comments"][0]["html"] == top["html"]
    assert admin(api, "GET", "/api/admin/queue", params={"kind": "reported"})["comments"] == []


def test_report_refusals(api: Api) -> None:
    top = api.comment()
    bad = report(api, top["id"], "203.0.113.3", reason="boring")
    assert bad.status_code == 422 and bad.json()["error"]["reason"] == "report_reason_invalid"
    assert report(api, top["id"], "203.0.113.3", note="x" * 501).status_code == 422
    assert report(api, 999, "203.0.113.3").status_code == 404
    french = api.request("POST", f"/api/v1/comments/{top['id']}/report?lang=fr",
                         json={"reason": "nope"})
    assert french.json()["error"]["message"] == "Choisissez l'un des motifs proposés."
    api.domain(lambda ctx: threads.set_closed(ctx, "default", "/a", True, SYSTEM))
    closed = report(api, top["id"], "203.0.113.4")
    assert closed.status_code == 403 and closed.json()["error"]["code"] == "thread_closed"
    vote = api.vote(top["id"], 1)
    assert vote.status_code == 403 and vote.json()["error"]["code"] == "thread_closed"


def test_staff_featured_reserved_names_and_duplicates(moderator: Api) -> None:
    api = moderator
    api.site_settings(staff_label="La rédaction", duplicate_window_seconds=300)
    staff = api.comment("/a", "Mise au point", staff=True, author="La rédaction")
    assert staff["staff"] is True and staff["featured"] is False
    refused = api.post("/a", "Je suis la rédaction", expect=422, author="la REDACTION")
    assert refused["error"]["reason"] == "name_reserved"
    reader = api.comment("/a", "Premier !", client_ip="203.0.113.5")
    again = api.post("/b", "Premier !", expect=422, client_ip="203.0.113.5")
    assert again["error"]["reason"] == "duplicate"
    admin(api, "POST", f"/api/admin/comments/{reader['id']}/feature")
    page = api.page()
    assert page["thread"]["featured"] == 1 and page["thread"]["staff_label"] == "La rédaction"
    picks = api.page(featured="only")["comments"]
    assert [(c["id"], c["featured"]) for c in picks] == [(reader["id"], True)]
    assert api.get("/api/v1/comments", params={"uri": "/a", "featured": "x"}).status_code == 422
    undone = admin(api, "POST", "/api/admin/undo", json={"site": "default"})
    assert undone["comment"]["featured"] is False and api.page(featured="only")[
        "comments"] == []


def test_a_banned_author_is_refused_and_the_ban_can_be_lifted(moderator: Api) -> None:
    api = moderator
    bad = api.comment("/a", "Troll", client_ip="203.0.113.6", email="troll@example.org")
    made = admin(api, "POST", f"/api/admin/comments/{bad['id']}/sanction", 201,
                 json={"kind": "ban", "reason": "insultes"})["sanctions"]
    assert {s["kind"] for s in made} == {"email", "client"}
    refused = api.post("/a", "Encore", expect=403, client_ip="203.0.113.6")
    assert refused["error"]["reason"] == "banned"
    listed = admin(api, "GET", "/api/admin/sanctions")["sanctions"]
    assert sorted(s["id"] for s in listed) == sorted(s["id"] for s in made)
    for sanction in made:
        admin(api, "DELETE", f"/api/admin/sanctions/{sanction['id']}", 204)
    api.comment("/a", "De retour", client_ip="203.0.113.6")
    bad_kind = admin(api, "POST", f"/api/admin/comments/{bad['id']}/sanction", 422,
                     json={"kind": "exile"})
    assert bad_kind["error"]["field"] == "kind"
    actions = [e["action"] for e in admin(api, "GET", "/api/admin/audit")["entries"]]
    assert actions[:3] == ["lift", "lift", "ban"]


def test_a_moderator_of_one_site_is_refused_on_another(moderator: Api) -> None:
    api = moderator
    api.site_settings("autre")
    api.domain(lambda ctx: save_moderator(ctx, "paul", PASSWORD))
    admin(api, "POST", "/api/admin/moderators/paul", json={"role": "moderator",
                                                           "sites": ["autre"]})
    listed = admin(api, "GET", "/api/admin/moderators")["moderators"]
    assert [(m["username"], m["role"]) for m in listed] == [
        ("claire", "admin"), ("paul", "moderator")]
    here = api.comment("/a", "Ici")
    assert api.client.post("/api/admin/login", json={"username": "paul",
                                                     "password": PASSWORD}).status_code == 200
    refused = api.request("POST", f"/api/admin/comments/{here['id']}/reject", headers=JSON)
    assert refused.status_code == 403
    assert api.get("/api/admin/queue").status_code == 403
    assert api.get("/api/admin/queue", params={"site": "autre"}).status_code == 200
    assert api.get("/api/admin/moderators").status_code == 403
    assert api.request("POST", "/api/admin/moderators/paul", headers=JSON,
                       json={"role": "admin"}).status_code == 403
