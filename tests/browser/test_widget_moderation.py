"""The widget's side of moderation: reporting a comment, editor's picks, staff badges, the
thread's message and the closed notice."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from .conftest import Host, Reader, Server, new_client, wait_for_thread
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser

REASONS = ["offensive", "abusive", "spam", "off_topic", "illegal", "other"]
REASONS_EN = ["Offensive", "Abusive or harassing", "Spam", "Off topic", "Illegal", "Other"]
REASONS_FR = ["Injurieux", "Abusif ou harcelant", "Spam", "Hors sujet", "Illégal", "Autre"]


@pytest.fixture(scope="module")
def moderator(server: Server) -> Iterator[httpx.Client]:
    """A signed-in moderator's HTTP client (its session cookie), for the tests' setup."""
    done = subprocess.run(
        [server.palabre, "admin", "moderator", "widget-desk", "--password-stdin",
         "--database", server.database],
        input="a long enough password\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    server.cli("admin", "access", "widget-desk", "--role", "admin")
    with httpx.Client(base_url=server.base, headers={"X-Forwarded-For": new_client()}) as client:
        answer = client.post("/api/admin/login", json={"username": "widget-desk",
                                                       "password": "a long enough password"})
        assert answer.status_code == 200, answer.text
        yield client


def open_thread(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_thread(page)


def test_report_with_the_keyboard(server: Server, host: Host, reader: Reader) -> None:
    uri = "/moderation/report"
    first = server.post(uri, "Buy cheap pills", author="Spammer")["comment"]
    second = server.post(uri, "A fair point", author="Paul")["comment"]
    page = reader.page
    open_thread(page, host.page(uri=uri))
    report = page.locator(f"#comment-{first['id']}").get_by_role("button", name="Report")
    report.focus()
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog", name="Report this comment")
    expect(dialog).to_be_visible()
    radios = dialog.get_by_role("radio")
    expect(radios).to_have_count(6)
    for n, (label, value) in enumerate(zip(REASONS_EN, REASONS, strict=True)):
        expect(radios.nth(n)).to_have_accessible_name(label)
        expect(radios.nth(n)).to_have_attribute("value", value)
    expect(dialog.get_by_role("radio", name="Offensive")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(dialog.get_by_role("radio", name="Spam")).to_be_checked()
    page.keyboard.press("Tab")
    note = dialog.get_by_label("Note for the moderators (optional)")
    expect(note).to_be_focused()
    expect(note).to_have_attribute("maxlength", "500")
    page.keyboard.type("Same text on every article")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Send")).to_be_focused()
    with page.expect_request(lambda r: r.method == "POST" and "/report" in r.url) as sent:
        page.keyboard.press("Enter")
    assert sent.value.post_data_json == {"reason": "spam", "note": "Same text on every article"}
    assert f"/api/v1/comments/{first['id']}/report?site=default" in sent.value.url

    expect(dialog).to_be_hidden()
    expect(page.locator(".palabre-live")).to_have_text(
        "Thank you: the moderators will look at it.")
    reported = page.locator(f"#comment-{first['id']}")
    expect(reported.locator(".palabre-note")).to_have_text(
        "Thank you: the moderators will look at it.")
    expect(reported.locator(".palabre-reported")).to_have_text("Reported")
    expect(reported.get_by_role("button", name="Report")).to_have_count(0)
    expect(reported).to_be_focused()

    # Escape closes the dialog without a request; the focus goes back to the button.
    other = page.locator(f"#comment-{second['id']}").get_by_role("button", name="Report")
    other.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(other).to_be_focused()

    # Still "Reported" after a reload; one's own comments cannot be reported.
    page.reload()
    wait_for_thread(page)
    expect(reported.locator(".palabre-reported")).to_have_text("Reported")
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_label("Comment").fill("Mine")
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator(".palabre-list > .palabre-comment").last
    expect(mine.locator(".palabre-body")).to_have_text("Mine")
    expect(mine.get_by_role("button", name="Report")).to_have_count(0)


def test_report_in_french_shows_the_server_message(server: Server, host: Host,
                                                   reader: Reader) -> None:
    uri = "/moderation/signaler"
    comment = server.post(uri, "Un avis")["comment"]
    page = reader.page
    open_thread(page, host.page(uri=uri, lang="fr"))
    page.locator(f"#comment-{comment['id']}").get_by_role("button", name="Signaler").click()
    dialog = page.get_by_role("dialog", name="Signaler ce commentaire")
    expect(dialog.get_by_role("group", name="Motif")).to_be_visible()
    for label in REASONS_FR:
        expect(dialog.get_by_role("radio", name=label)).to_have_count(1)
    expect(dialog.get_by_label("Note pour la modération (facultatif)")).to_be_visible()
    # No reason chosen: the server refuses, in French, and the dialog stays open.
    dialog.get_by_role("button", name="Envoyer").click()
    expect(dialog.get_by_role("alert")).to_have_text("Choisissez l'un des motifs proposés.")
    dialog.get_by_role("radio", name="Hors sujet").check()
    dialog.get_by_role("button", name="Envoyer").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".palabre-live")).to_have_text("Merci : la modération va l'examiner.")
    expect(page.locator(f"#comment-{comment['id']} .palabre-reported")).to_have_text("Signalé")


def test_editors_picks_and_staff_badges(server: Server, host: Host, reader: Reader,
                                        moderator: httpx.Client, axe_source: str) -> None:
    site = server.create_site("picks", staff_label="La Rédaction du Desk")  # its own site
    uri = "/moderation/picks"
    first = server.post(uri, "An ordinary comment", site=site)["comment"]
    picked = server.post(uri, "A **remarkable** comment", site=site, author="Jeanne")["comment"]
    staff = moderator.post("/api/v1/comments", json={
        "site": site, "uri": uri, "text": "Thanks, we corrected the article.",
        "author": "Marie", "parent": first["id"]})
    assert staff.status_code == 201, staff.text
    assert staff.json()["comment"]["staff"] is True
    featured = moderator.post(f"/api/admin/comments/{picked['id']}/feature", json={})
    assert featured.status_code == 200, featured.text

    page = reader.page
    open_thread(page, host.page(uri=uri, script=f'data-palabre-site="{site}"'))
    picks = page.get_by_role("region", name="Editor's picks")
    expect(picks.locator(".palabre-comment")).to_have_count(1)
    expect(picks.locator(".palabre-body strong")).to_have_text("remarkable")
    link = picks.get_by_role("link", name="See it in the discussion")
    expect(link).to_have_attribute("href", f"#comment-{picked['id']}")
    expect(picks.locator(f"#comment-{picked['id']}")).to_have_count(0)  # ids stay unique
    expect(page.locator(f"#comment-{picked['id']} > .palabre-meta .palabre-badge")).to_have_text(
        "Editor's pick")
    staff_id = staff.json()["comment"]["id"]
    expect(page.locator(f"#comment-{staff_id} > .palabre-meta .palabre-badge")).to_have_text(
        "La Rédaction du Desk")
    expect(page.locator(f"#comment-{first['id']} > .palabre-meta .palabre-badge")).to_have_count(0)
    link.click()
    expect(page.locator(f"#comment-{picked['id']}")).to_be_focused()

    # A dialog open over badges and picks: nothing serious for axe.
    page.locator(f"#comment-{first['id']}").get_by_role("button", name="Report").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert serious_violations(page, axe_source) == []


def test_staff_badge_default_label_in_french(server: Server, host: Host, reader: Reader,
                                             moderator: httpx.Client) -> None:
    uri = "/moderation/staff-fr"
    answer = moderator.post("/api/v1/comments", json={"uri": uri, "text": "Bonjour"})
    assert answer.status_code == 201, answer.text
    page = reader.page
    open_thread(page, host.page(uri=uri, lang="fr"))
    expect(page.locator(".palabre-badge")).to_have_text("Rédaction")
    expect(page.locator(".palabre-picks")).to_have_count(0)


def test_thread_message_and_closed_notice(server: Server, host: Host, reader: Reader,
                                          moderator: httpx.Client, axe_source: str) -> None:
    uri = "/moderation/closed"
    server.post(uri, "Said before closing")
    for path, extra in (("options", {"message": "This debate is **over**, see [the follow-up]"
                                                "(https://example.org)."}), ("close", {})):
        answer = moderator.post(f"/api/admin/threads/{path}", json={"uri": uri, **extra})
        assert answer.status_code == 200, answer.text
    page = reader.page
    open_thread(page, host.page(uri=uri))
    message = page.locator(".palabre-message")
    expect(message.locator("strong")).to_have_text("over")
    expect(message.get_by_role("link", name="the follow-up")).to_have_attribute(
        "href", "https://example.org")
    notice = page.get_by_role("status")
    expect(notice).to_have_text("Comments are closed.")
    # The message and the notice come first, above the list.
    assert page.evaluate("""() => {
        const order = [...document.querySelectorAll(
            '.palabre-message, .palabre-closed, .palabre-list')].map(el => el.className);
        return order.join(' | ');
    }""") == "palabre-message palabre-body | palabre-closed | palabre-list"
    expect(page.locator("#palabre-thread form")).to_have_count(0)
    expect(page.locator("#palabre-thread .palabre-list button")).to_have_count(0)
    assert serious_violations(page, axe_source) == []


def test_a_name_typed_once_fills_the_reply_forms(server: Server, host: Host,
                                                 reader: Reader) -> None:
    uri = "/moderation/names"
    a = server.post(uri, "First", author="Paul")["comment"]
    b = server.post(uri, "Second", author="Marie")["comment"]
    page = reader.page
    open_thread(page, host.page(uri=uri))
    page.locator(f"#comment-{a['id']}").get_by_role("button", name="Reply").click()
    early = page.get_by_role("form", name="Reply to Paul")
    early.get_by_label("Website (optional)").fill("https://mine.example.org")
    main = page.get_by_role("form", name="Leave a comment")
    main.get_by_label("Name (optional)").fill("Jeanne")
    main.get_by_label("Email (optional, never shown)").fill("jeanne@example.org")
    main.get_by_label("Website (optional)").fill("https://jeanne.example.org")
    main.get_by_label("Comment").focus()
    # Into the reply form already open, where empty (the website typed there stays)...
    expect(early.get_by_label("Name (optional)")).to_have_value("Jeanne")
    expect(early.get_by_label("Email (optional, never shown)")).to_have_value(
        "jeanne@example.org")
    expect(early.get_by_label("Website (optional)")).to_have_value("https://mine.example.org")
    # ...and into one opened afterwards, before anything was posted.
    page.locator(f"#comment-{b['id']}").get_by_role("button", name="Reply").click()
    late = page.get_by_role("form", name="Reply to Marie")
    expect(late.get_by_label("Name (optional)")).to_have_value("Jeanne")


def test_every_write_names_its_site(server: Server, host: Host, reader: Reader) -> None:
    site = server.create_site("writes")
    uri = "/moderation/writes"
    theirs = server.post(uri, "Someone else's", site=site)["comment"]
    page = reader.page
    writes: list[str] = []
    page.on("request", lambda r: writes.append(f"{r.method} {r.url}")
            if r.method in ("POST", "PATCH", "DELETE") else None)
    open_thread(page, host.page(uri=uri, script=f'data-palabre-site="{site}"'))
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_label("Comment").fill("Mine")
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator(".palabre-list > .palabre-comment").last
    expect(mine.locator(".palabre-body")).to_have_text("Mine")
    mine.get_by_role("button", name="Edit").click()
    editor = page.get_by_role("form", name="Edit your comment")
    editor.get_by_label("Comment").fill("Mine, edited")
    editor.get_by_role("button", name="Save").click()
    expect(mine.locator(".palabre-edited")).to_be_visible()
    other = page.locator(f"#comment-{theirs['id']}")
    other.locator("[data-act=like]").click()
    expect(other.locator("[data-act=like]")).to_have_attribute("aria-pressed", "true")
    other.get_by_role("button", name="Report").click()
    page.get_by_role("dialog").get_by_role("radio", name="Other").check()
    page.get_by_role("dialog").get_by_role("button", name="Send").click()
    expect(other.locator(".palabre-reported")).to_be_visible()
    mine.get_by_role("button", name="Delete").click()
    mine.get_by_role("button", name="Delete").click()
    expect(page.locator(".palabre-live")).to_have_text("Your comment was deleted.")

    assert [w.split(" ")[0] for w in writes] == ["POST", "PATCH", "POST", "POST", "DELETE"]
    for write in writes:
        assert f"?site={site}" in write, write
