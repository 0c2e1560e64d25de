"""The moderation desk in a real Chromium: sign in, approve, keyboard-only moderation,
closing a thread, axe on every page, and the pictures docs/moderation.md shows.

Pictures go to bench/.work/screenshots/, or to PALABRE_SCREENSHOTS
(`PALABRE_SCREENSHOTS=docs/screenshots` refreshes the committed ones).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from palabre.settings import SiteSettings

from .conftest import ROOT, Server

pytestmark = pytest.mark.browser
PASSWORD = "a long desk password"
SITE = "desk"
_uris = (f"/desk/{n}" for n in itertools.count())


@dataclass
class Desk:
    """A moderator's browser on the desk, and what its pages complained of."""

    page: Page
    base: str
    problems: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)


@pytest.fixture(scope="module")
def desk_site(server: Server) -> str:
    """A site of its own holding every comment (the other tests' site stays as it is)."""
    # Readers post without a proof of work here, when the server would ask for one.
    known = {f.name for f in dataclasses.fields(SiteSettings)}
    off = {name: 0 for name in ("pow_difficulty", "min_submit_seconds") if name in known}
    server.create_site(SITE, moderation="all", site_url="https://news.example.org", **off)
    done = subprocess.run([server.palabre, "admin", "moderator", "redaction", "--password-stdin",
                           "--database", server.database], input=PASSWORD + "\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return SITE


def watch(desk: Desk, message: ConsoleMessage) -> None:
    if message.type in ("error", "warning"):
        desk.problems.append(message.text)


@pytest.fixture
def desk(browser: Browser, server: Server, desk_site: str) -> Iterator[Desk]:
    """Signed in through the form, with the keyboard only; fails on any console error
    (a Content-Security-Policy violation is one)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    context.set_default_timeout(5000)
    found = Desk(context.new_page(), server.base)
    found.page.on("console", lambda m: watch(found, m))
    found.page.on("pageerror", lambda exc: found.problems.append(str(exc)))
    found.open(f"/admin/queue/pending?site={SITE}")
    expect(found.page).to_have_url(f"{server.base}/admin/login?next=%2Fadmin%2Fqueue"
                                   f"%2Fpending%3Fsite%3D{SITE}")
    expect(found.page.get_by_label("Username")).to_be_focused()
    found.page.keyboard.type("redaction")
    found.page.keyboard.press("Tab")
    found.page.keyboard.type(PASSWORD)
    found.page.keyboard.press("Enter")
    expect(found.page.get_by_role("heading", level=1)).to_have_text(f"Pending — {SITE}")
    yield found
    context.close()
    assert found.problems == [], found.problems


def held(server: Server, uri: str, text: str, **fields: Any) -> dict[str, Any]:
    comment: dict[str, Any] = server.post(uri, text, site=SITE, **fields)["comment"]
    assert comment["status"] == "pending"
    return comment


def public(server: Server, uri: str) -> list[int]:
    return [c["id"] for c in server.comments(uri, site=SITE)["comments"]]


def test_an_approved_comment_shows_in_the_public_thread(server: Server, desk: Desk) -> None:
    uri = next(_uris)
    comment = held(server, uri, "Un avis *argumenté*", author="Jeanne")
    desk.page.reload()
    card = desk.page.locator(f"#comment-{comment['id']}")
    expect(card.locator(".body em")).to_have_text("argumenté")
    card.get_by_role("button", name="Approve").click()
    expect(desk.page.get_by_role("status")).to_have_text("Comment approved.")
    expect(desk.page.locator(f"#comment-{comment['id']}")).to_have_count(0)
    thread = desk.page.context.new_page()
    thread.goto(f"{server.base}/embed/thread.html?site={SITE}&uri={uri}")
    expect(thread.locator(f"#comment-{comment['id']}")).to_contain_text("Un avis argumenté")
    thread.close()


def test_a_queue_is_moderated_with_the_keyboard_alone(server: Server, desk: Desk) -> None:
    uri = next(_uris)
    first = held(server, uri, "Premier à relire")
    second = held(server, uri, "Second à relire")
    desk.open(f"/admin/queue/pending?site={SITE}&article={uri}")
    keyboard = desk.page.keyboard
    keyboard.press("j")
    expect(desk.page.locator(f"#comment-{first['id']}")).to_be_focused()
    keyboard.press("j")
    keyboard.press("k")
    keyboard.press("a")
    expect(desk.page.get_by_role("status")).to_have_text("Comment approved.")
    # The desk carries on where it was: the next card has the focus.
    expect(desk.page.locator(f"#comment-{second['id']}")).to_be_focused()
    keyboard.press("s")
    expect(desk.page.get_by_role("status")).to_have_text("Comment marked as spam.")
    assert public(server, uri) == [first["id"]]
    keyboard.press("?")
    expect(desk.page.locator("#shortcuts dl")).to_be_visible()


def test_a_thread_is_closed_from_the_desk(server: Server, desk: Desk) -> None:
    uri = next(_uris)
    held(server, uri, "Sur ce fil")
    desk.page.get_by_role("link", name="Threads").click()
    desk.page.get_by_label("Page address").fill(uri)
    desk.page.get_by_role("button", name="Find").click()
    desk.page.get_by_role("button", name="Close to new comments").click()
    expect(desk.page.get_by_role("status")).to_have_text("Thread closed.")
    answer = httpx.get(f"{server.base}/api/v1/threads", params={"site": SITE, "uri": uri})
    assert answer.json()["closed"] is True
    desk.page.get_by_role("button", name="Reopen").click()
    expect(desk.page.get_by_role("status")).to_have_text("Thread reopened.")


def violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's findings (injected through the debugging protocol: the page's policy
    rightly refuses inline scripts)."""
    page.evaluate(axe_source)
    found: list[dict[str, Any]] = page.evaluate("""async () => {
        const { violations } = await axe.run(document, { resultTypes: ['violations'] });
        return violations.map(v => ({ id: v.id, impact: v.impact,
            nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary) }));
    }""")
    return found


def screenshots() -> Path:
    folder = Path(os.environ.get("PALABRE_SCREENSHOTS") or ROOT / "bench" / ".work" / "screenshots")
    folder = folder if folder.is_absolute() else ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


PAGES = {
    "queue": f"/admin/queue/pending?site={SITE}",
    "threads": f"/admin/threads?site={SITE}&uri=/desk/axe",
    "settings": f"/admin/settings?site={SITE}",
    "moderators": "/admin/moderators",
    "sanctions": f"/admin/sanctions?site={SITE}",
    "audit": "/admin/audit",
    "dashboard": f"/admin/dashboard?site={SITE}",
    "webhooks": f"/admin/webhooks?site={SITE}",
    "assist": f"/admin/assist?site={SITE}",
    "risk": f"/admin/queue/pending?site={SITE}&order=risk&lang=en",
    "queue-fr": f"/admin/queue/pending?site={SITE}&lang=fr",
    "recent": f"/admin/queue/recent?site={SITE}&lang=en",
    "missing": "/admin/nowhere?lang=en",
}


def test_every_page_passes_axe_and_is_pictured(server: Server, desk: Desk,
                                               axe_source: str) -> None:
    held(server, "/desk/axe", "Une réponse avec [un lien](https://example.org) et du **gras**.",
         author="Jeanne Martin", email="jeanne@example.org", website="https://jeanne.example.org")
    promo = held(server, "/desk/axe", "Achetez maintenant !!!", author="Promo")
    # A sanction from the keyboard, so the sanctions page has one to show.
    desk.open(f"/admin/queue/pending?site={SITE}&q=Promo")
    desk.page.keyboard.press("j")
    desk.page.keyboard.press("b")
    kind = desk.page.locator(f"#kind-{promo['id']}")
    expect(kind).to_be_focused()
    kind.select_option("suspend")
    desk.page.locator(f"#why-{promo['id']}").fill("Publicité répétée")
    desk.page.locator(f"#comment-{promo['id']}").get_by_role("button", name="Sanction").click()
    expect(desk.page.get_by_role("status")).to_have_text("Author suspended.")
    folder = screenshots()
    pages = {**PAGES, "edit": f"/admin/comments/{promo['id']}/edit"}
    for name, path in pages.items():
        desk.open(path)
        if name == "settings":  # the page as it shows an error beside a field
            desk.page.get_by_label("Reply depth").fill("deep")
            desk.page.get_by_role("button", name="Save the settings").click()
            expect(desk.page.locator("#error-max_depth")).to_be_visible()
        if name == "webhooks":  # the page as it shows a new endpoint and its secret, once
            desk.page.get_by_label("URL").fill("https://hooks.example.org/in")
            desk.page.get_by_role("button", name="Add the endpoint").click()
            expect(desk.page.locator(".secret-value")).to_be_visible()
        found = violations(desk.page, axe_source)
        assert found == [], (name, found)
        if name in ("missing", "recent", "edit", "risk"):
            continue
        for label, width in (("desktop", 1100), ("phone", 390)):
            desk.page.set_viewport_size({"width": width, "height": 900})
            desk.page.screenshot(path=folder / f"admin-{name}-{label}.png",
                                 full_page=label == "desktop")
        desk.page.set_viewport_size({"width": 1100, "height": 900})
    # The error pages asked for (a setting refused, a missing page) answer 422 and 404.
    desk.problems[:] = [p for p in desk.problems
                        if "status of 404" not in p and "status of 422" not in p]


def test_signing_in_page_passes_axe(server: Server, browser: Browser, axe_source: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{server.base}/admin/login")
    assert violations(page, axe_source) == []
    page.screenshot(path=screenshots() / "admin-login-phone.png")
    context.close()


def test_the_desk_works_without_javascript(server: Server, browser: Browser,
                                           desk_site: str) -> None:
    uri = next(_uris)
    first, second = held(server, uri, "Sans script, un"), held(server, uri, "Sans script, deux")
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{server.base}/admin/login")
    page.get_by_label("Identifiant").fill("redaction")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{server.base}/admin/queue/pending?site={SITE}&q={uri}")
    page.locator(f"#comment-{first['id']}").get_by_role("button", name="Approuver").click()
    expect(page.get_by_role("status")).to_have_text("Commentaire approuvé.")
    page.get_by_label("Sélectionner le commentaire de Anonyme").check()
    page.get_by_label("Avec les commentaires sélectionnés").select_option("spam")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_role("status")).to_have_text("1 commentaire marqué comme indésirable.")
    assert public(server, uri) == [first["id"]]
    assert second["id"] not in public(server, uri)
    context.close()
