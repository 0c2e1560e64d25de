"""A lively news-site discussion, over HTTP against a real server: 34 comments nesting to
depth 3, posted by many readers, then listed, counted, voted on, and closed by a moderator."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import Server, clean_env, palabre

pytestmark = pytest.mark.server

URI = "/2026/11/24/velo-cargo-ville"
TITLE = "Vélo-cargo : la ville veut en faire l'utilitaire du centre"
# (parent index or None, author): 34 comments, conversations reaching depth 3.
SHAPE = [(None, "Margaux"), (0, "Gégé"), (1, "Margaux"), (2, "Gégé"), (None, "Théo"),
         (4, ""), (5, "Théo"), (None, "Chloé"), (7, "Alain"), (8, "Chloé"), (9, "Alain"),
         (7, "Nadia"), (None, "Fred"), (12, "Sam"), (None, ""), (14, "Lucie"), (15, "Paul"),
         (16, "Lucie"), (None, "Inès"), (18, "Marc"), (None, "Yves"), (20, "Zoé"), (21, "Yves"),
         (22, "Zoé"), (None, "Léa"), (24, "Hugo"), (24, "Rémi"), (26, "Léa"), (None, "Omar"),
         (28, "Jade"), (29, "Omar"), (None, "Bruno"), (31, "Anne"), (None, "La rédaction")]


def reader(index: int) -> dict[str, str]:
    """Each reader posts from an address of their own, as behind the site's proxy."""
    return {"X-Forwarded-For": f"203.0.113.{index + 1}"}


@pytest.fixture(scope="module")
def discussion(server: Server) -> list[dict[str, Any]]:
    posted: list[dict[str, Any]] = []
    for index, (parent, author) in enumerate(SHAPE):
        body = {"uri": URI + "#comments", "title": TITLE, "author": author,
                "text": f"Avis n°{index + 1} sur le *vélo-cargo*.",
                "parent": posted[parent]["id"] if parent is not None else None}
        response = server.post("/api/v1/comments", json=body, headers=reader(index))
        assert response.status_code == 201, response.text
        posted.append(response.json()["comment"])
    return posted


def test_the_discussion_is_listed_depth_first_and_counted_exactly(
        server: Server, discussion: list[dict[str, Any]]) -> None:
    assert len(discussion) == 34
    assert max(c["depth"] for c in discussion) == 3
    page = server.get("/api/v1/comments", params={"uri": URI}).json()
    assert page["thread"]["count"] == 34
    assert page["thread"]["title"] == TITLE
    listed = page["comments"]
    assert sorted(c["id"] for c in listed) == sorted(c["id"] for c in discussion)
    for before, after in itertools.pairwise(listed):
        assert after["depth"] <= before["depth"] + 1
        if after["depth"] == before["depth"] + 1:
            assert after["parent"] == before["id"]
    counts = server.get("/api/v1/counts", params=[("uri", URI), ("uri", "/elsewhere")]).json()
    assert counts == {"counts": {URI: 34, "/elsewhere": 0}}
    thread = server.get("/api/v1/threads", params={"uri": URI}).json()
    assert thread["count"] == 34 and thread["closed"] is False


def test_readers_vote_and_the_top_sort_follows(server: Server,
                                               discussion: list[dict[str, Any]]) -> None:
    liked = discussion[31]  # Bruno's comment, a top-level one
    for voter in range(3):
        response = server.post(f"/api/v1/comments/{liked['id']}/vote", json={"value": 1},
                               headers={"X-Forwarded-For": f"198.51.100.{voter + 1}"})
        assert response.status_code == 200, response.text
    assert response.json() == {"likes": 3, "dislikes": 0}
    top = server.get("/api/v1/comments", params={"uri": URI, "sort": "top"}).json()
    assert top["comments"][0]["id"] == liked["id"]


def test_a_moderator_closes_the_discussion(server: Server, discussion: list[dict[str, Any]],
                                           tmp_path: Path) -> None:
    create = subprocess.run(
        palabre("admin", "moderator", "redaction", "--password-stdin", "--database",
                server.database_url),
        input="a long enough password\n", capture_output=True, text=True, env=clean_env(),
        timeout=60, check=False)
    assert create.returncode == 0, create.stderr
    login = server.post("/api/admin/login", json={"username": "redaction",
                                                  "password": "a long enough password"})
    assert login.status_code == 200, login.text
    cookie = {"Cookie": f"palabre_session={login.cookies['palabre_session']}"}
    closed = server.post("/api/admin/threads/close", json={"uri": URI}, headers=cookie)
    assert closed.status_code == 200 and closed.json()["thread"]["closed"] is True
    page = server.get("/api/v1/comments", params={"uri": URI}).json()
    assert page["thread"]["closed"] is True and page["thread"]["count"] == 34
    refused = server.post("/api/v1/comments", json={"uri": URI, "text": "Trop tard ?"},
                          headers=reader(99))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "thread_closed"
    fragment = server.get("/embed/thread.html", params={"uri": URI, "lang": "en"}).text
    assert "Comments are closed." in fragment and "34 comments on" in fragment
