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
                          headers={"Access-Control-Allow-Origin": host.base})
        else:
            route.fulfill(status=403, json={"error": {
                "code": "forbidden", "reason": "suspended",
                "message": "Vous ne pouvez pas commenter avant le 3 décembre."}},
                headers={"Access-Control-Allow-Origin": host.base})

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
