"""The moderation assistant's "are you sure?" in a real browser, against the real server with
the starter model stored (`palabre assist train`): an insulting comment gets the server's
French message with "Modifier" (back to the text, kept) and "Soumettre à la modération"
(the same comment with `confirm` and a fresh proof of work, then held for review); a civil
comment is published straight away."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Request, expect

from .conftest import Host, Reader, Server, new_client, wait_for_thread
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser
SITE = "assistee"  # with a proof of work
PLAIN = "assistee-simple"  # without: the tests' own posts need none
INSULT = "Tu es un idiot fini, ferme-la espèce de crétin."
CIVIL = "Merci pour cet article très clair, j'ai appris beaucoup."
NUDGE_FR = ("Ce commentaire risque d'enfreindre les règles du site. Modifiez-le, ou "
            "soumettez-le quand même à la modération.")
WORK = 2000  # a small proof of work: each post solves its own challenge


def train(server: Server) -> None:
    """`palabre assist train` on the server's database (the server's own trainer may hold
    the lease for a moment: then try again)."""
    for _ in range(60):
        done = subprocess.run([server.palabre, "assist", "train", "--site", SITE,
                               "--database", server.database],
                              capture_output=True, text=True, timeout=300)
        if done.returncode == 0:
            return
        assert "another process is training" in done.stderr, done.stderr
        time.sleep(2)
    pytest.fail("the training lease stayed taken")


def nudges(server: Server) -> bool:
    """Whether the server asks "are you sure?" of the insult now (its workers look for a
    new model every 30 s at most)."""
    answer = httpx.post(f"{server.base}/api/v1/comments",
                        json={"site": SITE, "uri": "/assist/probe", "text": INSULT},
                        headers={"X-Forwarded-For": new_client()})
    return answer.status_code == 422 and answer.json()["error"]["reason"] == "confirm_required"


@pytest.fixture(scope="module")
def assisted(server: Server) -> str:
    server.create_site(SITE, assist_nudge_percent=60, pow_difficulty=WORK)
    server.create_site(PLAIN, assist_nudge_percent=60)
    train(server)
    for _ in range(60):  # at most the workers' refresh time, 30 s
        if nudges(server):
            return SITE
        time.sleep(1)
    pytest.fail("the server never used the stored model")


def posted(page: Page) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.split("?")[0].endswith("/api/v1/comments"):
            bodies.append(json.loads(request.post_data or "{}"))

    page.on("request", seen)
    return bodies


def open_form(page: Page, url: str, name: str) -> Any:
    page.goto(url)
    wait_for_thread(page)
    return page.get_by_role("form", name=name)


def test_the_nudge_in_french_edit_then_submit_for_review(
        server: Server, host: Host, reader: Reader, assisted: str, axe_source: str) -> None:
    uri = "/assist/nudge"
    page = reader.page
    bodies = posted(page)
    form = open_form(page, host.page(uri=uri, lang="fr", script=f'data-palabre-site="{assisted}"'),
                     "Laisser un commentaire")
    text = form.get_by_role("textbox", name="Commentaire", exact=True)
    text.fill(INSULT)
    form.get_by_role("button", name="Publier").click()

    message = form.get_by_role("alert")
    expect(message).to_have_text(NUDGE_FR, timeout=20_000)
    choice = form.get_by_role("group", name=NUDGE_FR)
    edit = choice.get_by_role("button", name="Modifier")
    confirm = choice.get_by_role("button", name="Soumettre à la modération")
    expect(edit).to_be_focused()
    expect(confirm).to_be_visible()
    expect(text).to_have_value(INSULT)
    expect(text).not_to_have_attribute("aria-invalid", "true")
    assert serious_violations(page, axe_source) == []

    # "Modifier": back to the text, kept as it was; the choice goes.
    page.keyboard.press("Enter")
    expect(text).to_be_focused()
    expect(text).to_have_value(INSULT)
    expect(confirm).to_be_hidden()

    # Asked again; this time "Soumettre à la modération", with the keyboard.
    form.get_by_role("button", name="Publier").click()
    expect(edit).to_be_focused(timeout=20_000)
    with page.expect_response(lambda r: r.request.method == "POST"
                              and "/api/v1/comments" in r.url) as answered:
        page.keyboard.press("Tab")
        expect(confirm).to_be_focused()
        page.keyboard.press("Enter")
    held = answered.value.json()["comment"]
    assert answered.value.status == 201 and held["status"] == "pending"
    assert len(bodies) == 3 and [b.get("confirm") for b in bodies] == [None, None, True]
    assert {b["text"] for b in bodies} == {INSULT}
    proofs = [json.loads(base64.b64decode(b["proof"])) for b in bodies]
    assert len({p["salt"] for p in proofs}) == 3  # a fresh challenge solved for each post

    expect(page.locator(".palabre-live")).to_have_text(
        "Votre commentaire est en attente de modération.")
    mine = page.locator(f"#comment-{held['id']}")
    expect(mine.locator(".palabre-pending")).to_have_text(
        "Votre commentaire est en attente de modération.")
    expect(text).to_have_value("")
    expect(confirm).to_be_hidden()
    assert server.comments(uri, site=assisted)["comments"] == []  # not public


def test_a_civil_comment_is_published_straight_away(
        server: Server, host: Host, reader: Reader, assisted: str) -> None:
    uri = "/assist/civil"
    page = reader.page
    bodies = posted(page)
    form = open_form(page, host.page(uri=uri, lang="fr", script=f'data-palabre-site="{assisted}"'),
                     "Laisser un commentaire")
    form.get_by_role("textbox", name="Commentaire", exact=True).fill(CIVIL)
    form.get_by_role("button", name="Publier").click()
    mine = page.locator(".palabre-list > .palabre-comment")
    expect(mine).to_have_count(1, timeout=20_000)
    expect(mine.locator(".palabre-body")).to_have_text(CIVIL)
    expect(form.get_by_role("button", name="Modifier")).to_have_count(0)  # in the form
    assert len(bodies) == 1 and "confirm" not in bodies[0]
    shown = int(str(mine.get_attribute("id")).removeprefix("comment-"))
    assert [c["id"] for c in server.comments(uri, site=assisted)["comments"]] == [shown]


def test_the_nudge_in_english_on_a_reply(server: Server, host: Host, reader: Reader,
                                         assisted: str) -> None:
    uri = "/assist/reply"
    first = server.post(uri, CIVIL, site=PLAIN)["comment"]
    page = reader.page
    page.goto(host.page(uri=uri, script=f'data-palabre-site="{PLAIN}"'))
    wait_for_thread(page)
    page.locator(f"#comment-{first['id']}").get_by_role("button", name="Reply").click()
    form = page.get_by_role("form", name="Reply to Anonymous")
    form.get_by_role("textbox", name="Comment", exact=True).fill(
        "You are a complete idiot, shut up moron.")
    form.get_by_role("button", name="Post reply").click()
    expect(form.get_by_role("alert")).to_contain_text("may break the site's rules",
                                                      timeout=20_000)
    expect(form.get_by_role("button", name="Edit")).to_be_focused()
    form.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".palabre-live")).to_have_text("Your comment is awaiting moderation.")
    assert [c["id"] for c in server.comments(uri, site=PLAIN)["comments"]] == [first["id"]]
