"""A real `palabre serve --workers 2`: a write in one worker is seen by the next read in any.

Each worker keeps serialised threads in its own memory; these tests read through fresh
connections (so the kernel spreads them over both workers) right after a write made
through one worker, or by the CLI from another process.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import Server, clean_env, palabre

pytestmark = pytest.mark.server

READS = 20


def listing(server: Server, uri: str, **headers: str) -> httpx.Response:
    response = server.get("/api/v1/comments", params={"uri": uri}, headers=headers)
    assert response.status_code in (200, 304), response.text
    return response


def warm(server: Server, uri: str) -> str:
    """Read the thread often enough that both workers hold it in their cache."""
    etags = {listing(server, uri).headers["etag"] for _ in range(4 * READS)}
    assert len(etags) == 1
    return etags.pop()


def test_health(server: Server) -> None:
    assert server.get("/healthz").json() == {"status": "ok"}


def test_a_post_is_seen_by_every_next_read(server: Server) -> None:
    first = server.post("/api/v1/comments", json={"uri": "/coherence", "text": "un"})
    assert first.status_code == 201
    etag = warm(server, "/coherence")
    second = server.post("/api/v1/comments", json={"uri": "/coherence", "text": "deux"})
    assert second.status_code == 201
    new_id = second.json()["comment"]["id"]
    for _ in range(READS):
        page = listing(server, "/coherence").json()
        assert page["thread"]["count"] == 2
        assert new_id in [c["id"] for c in page["comments"]]
        assert listing(server, "/coherence", **{"If-None-Match": etag}).status_code == 200


def test_a_vote_and_a_deletion_are_seen_by_every_next_read(server: Server) -> None:
    posted = server.post("/api/v1/comments", json={"uri": "/votes", "text": "x"}).json()
    comment_id = posted["comment"]["id"]
    warm(server, "/votes")
    with httpx.Client(base_url=server.url) as client:
        # The server trusts no proxy, so every request here is the author: no self-vote.
        voted = client.post(f"/api/v1/comments/{comment_id}/vote", json={"value": 1})
    assert voted.status_code == 403
    with httpx.Client(base_url=server.url) as client:
        deleted = client.delete(f"/api/v1/comments/{comment_id}",
                                headers={"Authorization": f"Bearer {posted['token']}"})
    assert deleted.status_code == 204
    for _ in range(READS):
        page = listing(server, "/votes").json()
        assert page["comments"] == [] and page["thread"]["count"] == 0


def test_cli_close_is_seen_by_every_next_read(server: Server) -> None:
    assert server.post("/api/v1/comments", json={"uri": "/closing", "text": "x"}
                       ).status_code == 201
    warm(server, "/closing")
    done = subprocess.run(palabre("thread", "close", "--uri", "/closing", "--database",
                                  server.database_url),
                          env=clean_env(), capture_output=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr.decode()
    for _ in range(READS):
        assert listing(server, "/closing").json()["thread"]["closed"] is True
        threads = server.get("/api/v1/threads", params={"uri": "/closing"}).json()
        assert threads["closed"] is True
    refused = server.post("/api/v1/comments", json={"uri": "/closing", "text": "x"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "thread_closed"
    done = subprocess.run(palabre("thread", "open", "--uri", "/closing", "--database",
                                  server.database_url),
                          env=clean_env(), capture_output=True, timeout=30, check=False)
    assert done.returncode == 0
    for _ in range(READS):
        assert listing(server, "/closing").json()["thread"]["closed"] is False


def test_the_generated_secret_is_kept_beside_the_database_and_never_logged(server: Server) -> None:
    path = Path(server.database_url.removeprefix("sqlite:///") + ".secret")
    secret = path.read_text("utf-8").strip()
    assert secret
    assert secret not in server.log.read_text(errors="replace")


def test_errors_from_a_real_server_are_json(server: Server) -> None:
    response = server.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "server" not in {k.lower() for k in response.headers}
