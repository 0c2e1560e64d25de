"""The spam defence in a real browser: the widget fetches a challenge when its form is first
used, solves it with WebCrypto while the reader types, waits out the site's minimum time and
posts with the proof and an empty honeypot; a refused proof is fetched again, once."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Route, expect

from .conftest import Host, Reader, Server, wait_for_thread

pytestmark = pytest.mark.browser
WORK = 20000
WAIT = 2


@pytest.fixture(scope="module")
def guarded(server: Server) -> str:
    return server.create_site("gardee", pow_difficulty=WORK, min_submit_seconds=WAIT)


def open_form(page: Page, url: str) -> Any:
    page.goto(url)
    wait_for_thread(page)
    return page.get_by_role("form", name="Leave a comment")


def posted_bodies(page: Page) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.split("?")[0].endswith("/api/v1/comments"):
            bodies.append(json.loads(request.post_data or "{}"))

    page.on("request", seen)
    return bodies


def test_a_reader_posts_with_the_proof_solved_while_typing(
        server: Server, host: Host, reader: Reader, guarded: str) -> None:
    page = reader.page
    url = host.page(uri="/pow/one", script=f'data-palabre-site="{guarded}"')
    bodies = posted_bodies(page)
    form = open_form(page, url)
    with page.expect_request(lambda r: "/api/v1/challenge" in r.url) as asked:
        form.get_by_label("Comment").click()
    assert "uri=%2Fpow%2Fone" in asked.value.url
    started = time.monotonic()
    form.get_by_label("Comment").fill("Une preuve de travail, sans tiers")
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator(".palabre-list > .palabre-comment")
    expect(mine).to_have_count(1, timeout=20_000)
    assert time.monotonic() - started >= WAIT - 0.5  # the minimum time, waited out
    (body,) = bodies
    assert body["honeypot"] == ""
    proof = json.loads(base64.b64decode(body["proof"]))
    assert 0 <= proof["number"] <= WORK
    assert server.comments("/pow/one", site=guarded)["comments"][0]["html"] == (
        "<p>Une preuve de travail, sans tiers</p>")
    # The honeypot is out of sight and out of the tab order.
    trap = form.locator("input[name=subject]")
    expect(trap).to_have_attribute("aria-hidden", "true")
    expect(trap).to_have_attribute("tabindex", "-1")
    shown = trap.evaluate("e => [getComputedStyle(e).position, getComputedStyle(e).clipPath]")
    assert shown == ["absolute", "inset(50%)"]  # clipped to nothing, out of the flow


def test_a_refused_proof_is_fetched_again_once(
        server: Server, host: Host, reader: Reader, guarded: str) -> None:
    page = reader.page
    url = host.page(uri="/pow/two", script=f'data-palabre-site="{guarded}"')
    bodies = posted_bodies(page)
    spoiled: list[bool] = []

    def spoil_first(route: Route) -> None:
        if route.request.method == "POST" and not spoiled:
            spoiled.append(True)
            body = json.loads(route.request.post_data or "{}")
            route.continue_(post_data=json.dumps({**body, "proof": "bm9wZQ=="}))
        else:
            route.continue_()

    page.route("**/api/v1/comments?*", spoil_first)
    form = open_form(page, url)
    form.get_by_label("Comment").fill("Deuxième essai")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".palabre-list > .palabre-comment")).to_have_count(1, timeout=20_000)
    assert len(bodies) == 2 and bodies[0]["proof"] != bodies[1]["proof"]
    assert server.comments("/pow/two", site=guarded)["thread"]["count"] == 1
