"""Errors and closed threads: every refusal is shown in the reader's language, text kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from .conftest import POST_RATE_LIMIT, Host, Reader, Server, wait_for_thread

pytestmark = pytest.mark.browser


def open_form(page: Page, url: str, name: str = "Leave a comment") -> Locator:
    page.goto(url)
    wait_for_thread(page)
    return page.get_by_role("form", name=name)


def test_rate_limit_keeps_the_text(server: Server, host: Host, reader: Reader) -> None:
    uri = "/errors/rate"
    for n in range(POST_RATE_LIMIT):
        server.post(uri, f"Comment {n}", client=reader.client)
    form = open_form(reader.page, host.page(uri=uri))
    text = form.get_by_label("Comment")
    text.fill("One comment too many")
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Too many requests. Please wait a moment and try again.")
    expect(text).to_have_value("One comment too many")
    expect(reader.page.locator(".palabre-list > .palabre-comment")).to_have_count(5)


def test_validation_errors_name_the_field(server: Server, host: Host, reader: Reader) -> None:
    form = open_form(reader.page, host.page(uri="/errors/invalid"))
    text = form.get_by_label("Comment")
    submit = form.get_by_role("button", name="Post comment")
    alert = form.locator(".palabre-error[role=alert]")

    submit.click()
    expect(alert).to_have_text("The comment is empty.")
    expect(text).to_have_attribute("aria-invalid", "true")
    expect(text).to_be_focused()

    long_text = "x" * 10_001
    text.fill(long_text)
    submit.click()
    expect(alert).to_have_text("The comment is too long (10000 characters at most).")
    expect(text).to_have_value(long_text)

    text.fill("A fine comment")
    email = form.get_by_label("Email (optional, never shown)")
    email.fill("not an email")
    submit.click()
    expect(alert).to_have_text("The email address is not valid.")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", alert.get_attribute("id") or "")
    expect(text).not_to_have_attribute("aria-invalid", "true")
    expect(text).to_have_value("A fine comment")

    email.fill("")
    form.get_by_label("Name (optional)").fill("n" * 101)
    submit.click()
    expect(alert).to_have_text("The name is too long (100 characters at most).")

    form.get_by_label("Name (optional)").fill("Jeanne")
    submit.click()
    expect(alert).to_be_empty()
    expect(reader.page.locator(".palabre-list .palabre-body")).to_have_text("A fine comment")


def test_validation_errors_in_french(server: Server, host: Host, reader: Reader) -> None:
    form = open_form(reader.page, host.page(uri="/errors/fr", lang="fr"),
                     name="Laisser un commentaire")
    form.get_by_label("Commentaire").fill("Bonjour")
    form.get_by_label("Site web (facultatif)").fill("javascript:alert(1)")
    form.get_by_role("button", name="Publier").click()
    expect(form.get_by_role("alert")).to_have_text(
        "L’adresse du site web n’est pas valide.")
    form.get_by_label("Commentaire").fill("y" * 10_001)
    form.get_by_label("Site web (facultatif)").fill("")
    form.get_by_role("button", name="Publier").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Le commentaire est trop long (10000 caractères au plus).")


@pytest.mark.parametrize(("lang", "message", "heading"), [
    ("en", "Comments are closed.", "1 comment on ‘An article’"),
    ("fr", "Les commentaires sont fermés.", "1 commentaire sur « An article »"),
])
def test_closed_thread(server: Server, host: Host, reader: Reader, lang: str, message: str,
                       heading: str) -> None:
    uri = f"/errors/closed-{lang}"
    server.post(uri, "Said before closing")
    server.cli("thread", "close", "--uri", uri)
    page = reader.page
    page.goto(host.page(uri=uri, lang=lang))
    wait_for_thread(page)
    expect(page.locator(".palabre-heading")).to_have_text(heading)
    expect(page.locator(".palabre-closed")).to_have_text(message)
    expect(page.locator("form")).to_have_count(0)
    expect(page.locator("[data-act=reply]")).to_have_count(0)
    expect(page.locator("[data-act=like]")).to_have_count(0)


def test_thread_closed_while_writing(server: Server, host: Host, reader: Reader) -> None:
    uri = "/errors/closing"
    server.post(uri, "Open for now")
    form = open_form(reader.page, host.page(uri=uri))
    form.get_by_label("Comment").fill("Just in time?")
    server.cli("thread", "close", "--uri", uri)
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_have_text("Comments are closed on this page.")
    expect(form.get_by_label("Comment")).to_have_value("Just in time?")


def test_unreachable_server_offers_a_retry(server: Server, host: Host, reader: Reader) -> None:
    page = reader.page
    blocked = True

    def route(route: object) -> None:
        if blocked:
            route.abort()  # type: ignore[attr-defined]
        else:
            route.fallback()  # type: ignore[attr-defined]

    page.route(f"{server.base}/api/v1/comments?*", route)
    page.goto(host.page(uri="/errors/offline"))
    alert = page.locator("#palabre-thread").get_by_role("alert")
    expect(alert).to_contain_text(
        "The server could not be reached. Check your connection and try again.")
    blocked = False
    alert.get_by_role("button", name="Try again").click()
    wait_for_thread(page)
    expect(page.locator(".palabre-empty")).to_have_text("No comments yet.")


CODES = {
    "invalid_input": (422, "Some fields are not valid."),
    "not_found": (404, "Not found."),
    "thread_closed": (403, "Comments are closed on this page."),
    "edit_window_expired": (403, "This comment can no longer be edited."),
    "forbidden": (403, "You are not allowed to do this."),
    "unauthorized": (401, "You need to be signed in to do this."),
    "rate_limited": (429, "Too many requests. Please wait a moment and try again."),
    "payload_too_large": (413, "The request is too large."),
    "unsupported_media_type": (415, "Requests must be sent as JSON."),
    "internal_error": (500, "Something went wrong on the server."),
}


def posts(server: Server) -> re.Pattern[str]:
    """The widget's comment POSTs (which name their site: /api/v1/comments?site=…)."""
    return re.compile(re.escape(f"{server.base}/api/v1/comments") + r"(\?.*)?$")


def test_every_error_code_shows_the_servers_message(server: Server, host: Host,
                                                   reader: Reader) -> None:
    """Each code of the contract, answered to a POST, shows the message the server sent
    (already in the reader's language: tests/api/test_errors.py checks those)."""
    page = reader.page
    answer: dict[str, Any] = {}  # the status and the error envelope to answer with

    def refuse(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        route.fulfill(status=answer["status"], json={"error": answer["error"]},
                      headers=host.write_cors)

    page.route(posts(server), refuse)
    form = open_form(page, host.page(uri="/errors/codes"))
    alert = form.locator(".palabre-error[role=alert]")
    form.get_by_label("Comment").fill("Kept whatever happens")
    for code, (status, message) in CODES.items():
        answer.update(status=status, error={"code": code, "message": message})
        form.get_by_role("button", name="Post comment").click()
        expect(alert).to_have_text(message)
        expect(form.get_by_label("Comment")).to_have_value("Kept whatever happens")
        alert.evaluate("el => { el.textContent = '' }")
    # An answer that is not the JSON envelope (a proxy's HTML page) still reads well.
    page.unroute(posts(server), refuse)
    page.route(posts(server), lambda route: route.fulfill(
        status=502, body="<html>Bad gateway</html>", content_type="text/html",
        headers=host.write_cors)
        if route.request.method == "POST" else route.fallback())
    form.get_by_role("button", name="Post comment").click()
    expect(alert).to_have_text("Something went wrong on the server.")
