"""The assistant in a running server: a site with enough decisions gets its own model,
trained by a child process the server starts, while readers keep posting; every post is
acknowledged and stored, and the server then scores with the new model."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from palabre.assist import starter
from palabre.domain.comments import store_comment
from palabre.domain.context import Context
from palabre.domain.inputs import parse_comment_draft
from palabre.domain.models import CommentId, Status
from tests.assist.conftest import put_starter
from tests.conftest import run
from tests.server.conftest import clean_env, make_test_site, serving

pytestmark = pytest.mark.server


async def decided(ctx: Context) -> None:
    """The site's history: 400 comments of the shipped set, decided as labelled."""
    site = await ctx.site("default")
    async with ctx.storage.write() as tx:
        thread = await tx.get_or_create_thread(site.id, "/archives", "Archives", ctx.clock())
        for n, comment in enumerate(starter.load()[:400]):
            draft = parse_comment_draft({"uri": "/archives", "text": comment.text})
            await store_comment(tx, site, thread, draft, client=f"c{n}",
                                at=ctx.clock() - timedelta(days=30, minutes=-n),
                                status=Status.REJECTED if comment.refused
                                else Status.APPROVED)


def post_steadily(url: str, stop: threading.Event, acknowledged: list[int]) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        n = 0
        while not stop.is_set():
            n += 1
            answer = client.post("/api/v1/comments", json={
                "uri": "/direct", "text": f"Commentaire numéro {n}, merci pour le suivi"})
            assert answer.status_code == 201, answer.text
            acknowledged.append(answer.json()["comment"]["id"])
            time.sleep(0.05)


def test_a_sites_model_is_trained_in_the_background_while_posts_flow(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'palabre.db'}"
    make_test_site(database_url)
    run(database_url, put_starter)
    run(database_url, decided)
    env = {**clean_env(), "PALABRE_ASSIST": "true", "PALABRE_ASSIST_CHECK_SECONDS": "1"}
    options = ("--workers", "2", "--database", database_url, "--post-rate-limit", "0",
               "--trusted-proxies", "127.0.0.1")
    stop, acknowledged = threading.Event(), list[int]()
    with serving(tmp_path / "server.log", *options, env=env) as url:
        poster = threading.Thread(target=post_steadily, args=(url, stop, acknowledged))
        poster.start()
        try:
            deadline = time.monotonic() + 90
            while run(database_url, lambda ctx: ctx.storage.latest_model_version(1)) is None:
                assert poster.is_alive(), "a post failed while the model was training"
                assert time.monotonic() < deadline, "no site model after 90 s"
                time.sleep(0.5)
            time.sleep(1.5)  # past every worker's refresh (1 s here)
        finally:
            stop.set()
            poster.join(timeout=15)
        own = run(database_url, lambda ctx: ctx.storage.latest_model_version(1))
        answer = httpx.post(f"{url}/api/v1/comments", json={
            "uri": "/direct", "text": "Toujours le même avis, merci"}, timeout=10)
        assert answer.status_code == 201
        newest = answer.json()["comment"]["id"]
    assert len(acknowledged) >= 10
    counts = run(database_url, lambda ctx: ctx.storage.counts(1, ["/direct"]))
    assert counts == {"/direct": len(acknowledged) + 1}  # every acknowledged post is there
    verdicts = run(database_url, lambda ctx: ctx.storage.verdicts_of([*acknowledged, newest]))
    assert set(verdicts) == {*acknowledged, newest}  # every post scored, none lost
    assert verdicts[newest][0].model == own and str(own).startswith("site1-")
    found = run(database_url, lambda ctx: ctx.storage.get_comment(CommentId(newest)))
    assert found is not None and found.status is Status.APPROVED
