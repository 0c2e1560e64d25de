"""The widget shows the server's own error message (already in the reader's language), so its
bundle carries only the messages of errors it finds out by itself."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Route, expect

from .conftest import ROOT, Host, Reader, Server, wait_for_thread

pytestmark = pytest.mark.browser


def test_the_server_message_is_shown(server: Server, host: Host, reader: Reader) -> None:
    page = reader.page
    proxy: list[bool] = []  # once set, a proxy answers instead of the API

    def refuse(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
        elif proxy:
            route.fulfill(status=502, body="<html>Bad gateway</html>",
                          content_type="text/html",
                          headers=host.write_cors)
        else:
            route.fulfill(status=403, json={"error": {
                "code": "forbidden", "reason": "suspended",
                "message": "Vous ne pouvez pas commenter avant le 3 décembre."}},
                headers=host.write_cors)

    page.route(f"{server.base}/api/v1/comments?*", refuse)
    page.goto(host.page(uri="/widget-errors/server", lang="fr"))
    wait_for_thread(page)
    form = page.get_by_role("form", name="Laisser un commentaire")
    form.get_by_label("Commentaire").fill("Gardé quoi qu'il arrive")
    form.get_by_role("button", name="Publier").click()
    alert = form.get_by_role("alert")
    expect(alert).to_have_text("Vous ne pouvez pas commenter avant le 3 décembre.")
    # An answer that is not the API's (a proxy's page) reads as the widget's own message.
    proxy.append(True)
    form.get_by_role("button", name="Publier").click()
    expect(alert).to_have_text("Une erreur est survenue sur le serveur.")
    expect(form.get_by_label("Commentaire")).to_have_value("Gardé quoi qu'il arrive")


def test_the_bundle_carries_only_the_widget_own_error_messages() -> None:
    bundle = (ROOT / "palabre" / "static" / "widget.js").read_text("utf-8")
    catalogue = json.loads((ROOT / "palabre" / "locales" / "en.json").read_text("utf-8"))
    shipped = set(re.findall(r'"(error\.[a-z_]+)"', bundle))
    assert shipped == {"error.network", "error.text_empty", "error.internal_error"}
    assert catalogue["error.rate_limited"] not in bundle
    assert catalogue["report.thanks"] in bundle


def test_are_you_sure_asks_again_until_submitted_for_review(server: Server, host: Host,
                                                            reader: Reader) -> None:
    """A 422 with reason confirm_required shows the server's message with Edit and Submit for
    review; posting with the form's own button asks again, Submit for review sends the text as
    it stands with confirm: true. (tests/browser/test_widget_assist.py: the real server.)"""
    page = reader.page
    bodies: list[dict[str, object]] = []

    def nudge(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        body = dict(route.request.post_data_json or {})
        bodies.append(body)
        if body.get("confirm"):
            route.fallback()
        else:
            route.fulfill(status=422, json={"error": {
                "code": "invalid_input", "reason": "confirm_required", "field": "text",
                "message": "This comment may break the site's rules."}},
                headers=host.write_cors)

    page.route(f"{server.base}/api/v1/comments?*", nudge)
    page.goto(host.page(uri="/widget-errors/nudge"))
    wait_for_thread(page)
    form = page.get_by_role("form", name="Leave a comment")
    text = form.get_by_role("textbox", name="Comment", exact=True)
    post = form.get_by_role("button", name="Post comment")
    submit = form.get_by_role("button", name="Submit for review")
    text.fill("Borderline")
    post.click()
    expect(form.get_by_role("alert")).to_have_text("This comment may break the site's rules.")
    expect(form.get_by_role("button", name="Edit")).to_be_focused()
    expect(text).not_to_have_attribute("aria-invalid", "true")  # the field is not wrong
    text.fill("Borderline, reworded")
    with page.expect_response(lambda r: r.request.method == "POST"):
        post.click()  # the form's own button: asked again, never confirmed silently
    expect(submit).to_be_visible()
    submit.click()
    expect(page.locator(".palabre-list .palabre-body")).to_have_text("Borderline, reworded")
    expect(submit).to_be_hidden()
    assert [b.get("confirm") for b in bodies] == [None, None, True]
    assert [b["text"] for b in bodies] == ["Borderline", "Borderline, reworded",
                                           "Borderline, reworded"]
