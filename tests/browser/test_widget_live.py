"""The widget's live updates (Server-Sent Events), its "notify me" box and a moderator's
comment posted through it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, Request, Route, expect

from .conftest import Host, Reader, Server, new_client, wait_for_thread

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def moderator(server: Server) -> Iterator[httpx.Client]:
    """A signed-in moderator's HTTP client (its session cookie)."""
    done = subprocess.run(
        [server.palabre, "admin", "moderator", "widget-live", "--password-stdin",
         "--database", server.database],
        input=f"{PASSWORD}\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    server.cli("admin", "access", "widget-live", "--role", "admin")
    with httpx.Client(base_url=server.base, headers={"X-Forwarded-For": new_client()}) as client:
        answer = client.post("/api/admin/login", json={"username": "widget-live",
                                                       "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        yield client


def open_live(page: Page, url: str) -> None:
    """Open the page and wait until its thread is shown and its stream has opened."""
    with page.expect_response(lambda r: "/api/v1/events" in r.url) as stream:
        page.goto(url)
        wait_for_thread(page)
    assert stream.value.status == 200


def test_new_comments_wait_behind_a_button(server: Server, host: Host, reader: Reader,
                                           moderator: httpx.Client) -> None:
    uri = "/live/new"
    first = server.post(uri, "Already here", author="Anne")["comment"]
    page = reader.page
    open_live(page, host.page(
        uri=uri, body=f'<p>Count: <span data-palabre-count="{uri}"></span></p>'))
    count = page.locator("[data-palabre-count]")
    expect(count).to_have_text("1 comment")

    # Another reader posts: counted, not inserted under the reader's eyes.
    second = server.post(uri, "Posted while you read", author="Paul")["comment"]
    button = page.get_by_role("button", name="1 new comment")
    expect(button).to_be_visible(timeout=2000)
    expect(page.locator(f"#comment-{second['id']}")).to_have_count(0)
    expect(page.locator(".palabre-heading")).to_have_text("2 comments on ‘An article’")
    expect(count).to_have_text("2 comments")
    third = server.post(uri, "And a reply", parent=second["id"])["comment"]
    expect(page.get_by_role("button", name="2 new comments")).to_be_visible(timeout=2000)

    page.get_by_role("button", name="2 new comments").click()
    shown = page.locator(f"#comment-{second['id']}")
    expect(shown).to_contain_text("Posted while you read")
    expect(shown).to_have_class("palabre-comment palabre-unseen")
    expect(shown).to_be_focused()
    expect(shown.locator(f"#comment-{third['id']}")).to_contain_text("And a reply")
    expect(page.locator(".palabre-fresh")).to_be_hidden()
    expect(page.locator(".palabre-comment")).to_have_count(3)  # nothing shown twice

    # An edit or a pick of a comment on screen shows in place.
    featured = moderator.post(f"/api/admin/comments/{first['id']}/feature", json={})
    assert featured.status_code == 200, featured.text
    expect(page.locator(f"#comment-{first['id']} > .palabre-meta .palabre-badge")).to_have_text(
        "Editor's pick", timeout=2000)

    # A moderator rejects the reply: it goes, and the counts follow.
    rejected = moderator.post(f"/api/admin/comments/{third['id']}/reject", json={})
    assert rejected.status_code == 200, rejected.text
    expect(page.locator(f"#comment-{third['id']}")).to_have_count(0, timeout=2000)
    expect(count).to_have_text("2 comments")
    expect(page.locator(".palabre-heading")).to_have_text("2 comments on ‘An article’")
    expect(page.locator(".palabre-fresh")).to_be_hidden()
    assert reader.console == []


def test_the_stream_closes_when_the_page_is_hidden(server: Server, host: Host,
                                                   reader: Reader) -> None:
    uri = "/live/hidden"
    page = reader.page
    open_live(page, host.page(uri=uri, lang="fr"))
    hide = """hidden => {
        Object.defineProperty(document, 'hidden', {value: hidden, configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }"""
    page.evaluate(hide, True)
    server.post(uri, "Pendant votre absence")
    page.wait_for_timeout(700)  # the event would have arrived by now, had the stream been open
    expect(page.locator(".palabre-fresh")).to_be_hidden()
    with page.expect_response(lambda r: "/api/v1/events" in r.url):
        page.evaluate(hide, False)
    server.post(uri, "Au retour")
    expect(page.get_by_role("button", name="1 nouveau commentaire")).to_be_visible(timeout=2000)


def test_a_reopened_stream_resumes_after_the_last_event_seen(server: Server, host: Host,
                                                             reader: Reader) -> None:
    """A new EventSource cannot send Last-Event-ID: the widget names the last id it saw in
    the URL (?last_event_id=), so what was posted while the page was hidden still comes."""
    uri = "/live/resume"
    page = reader.page
    open_live(page, host.page(uri=uri))
    server.post(uri, "Seen live")
    expect(page.get_by_role("button", name="1 new comment")).to_be_visible(timeout=2000)
    hide = """hidden => {
        Object.defineProperty(document, 'hidden', {value: hidden, configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }"""
    page.evaluate(hide, True)
    missed = server.post(uri, "Posted while hidden")["comment"]
    page.wait_for_timeout(300)
    with page.expect_response(lambda r: "/api/v1/events" in r.url) as reopened:
        page.evaluate(hide, False)
    assert "last_event_id=" in reopened.value.url
    expect(page.get_by_role("button", name="2 new comments")).to_be_visible(timeout=2000)
    page.get_by_role("button", name="2 new comments").click()
    expect(page.locator(f"#comment-{missed['id']}")).to_contain_text("Posted while hidden")
    assert reader.console == []


def test_the_stream_follows_the_thread_on_screen(server: Server, host: Host,
                                                 reader: Reader) -> None:
    """Below the fold, no stream; scrolled to, one; scrolled away, closed; back, a new one."""
    uri = "/live/scroll"
    page = reader.page
    streams: list[str] = []
    page.on("request", lambda r: streams.append(r.url) if "/api/v1/events" in r.url else None)
    page.goto(host.page(uri=uri, body='<div style="height: 3000px"></div>'))
    wait_for_thread(page)
    page.wait_for_timeout(500)
    assert streams == []
    thread = page.locator("#palabre-thread")
    with page.expect_response(lambda r: "/api/v1/events" in r.url):
        thread.scroll_into_view_if_needed()
    page.evaluate("scrollTo(0, 0)")
    page.wait_for_timeout(300)
    server.post(uri, "Posted while the thread was away")
    page.wait_for_timeout(700)
    with page.expect_response(lambda r: "/api/v1/events" in r.url):
        thread.scroll_into_view_if_needed()
    assert len(streams) == 2
    server.post(uri, "Posted on return")
    expect(page.get_by_role("button", name="1 new comment")).to_be_visible(timeout=2000)


def test_a_refused_stream_is_not_retried(server: Server, host: Host, reader: Reader) -> None:
    asked: list[str] = []

    def refuse(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=429, content_type="application/json", headers={
            "Access-Control-Allow-Origin": "*", "Retry-After": "1"},
            body=json.dumps({"error": {"code": "rate_limited", "message": "Too many streams"}}))

    page = reader.page
    page.route(f"{server.base}/api/v1/events**", refuse)
    page.goto(host.page(uri="/live/refused"))
    wait_for_thread(page)
    page.wait_for_timeout(4000)  # past the stream's 3 s retry delay
    assert len(asked) == 1
    expect(page.locator(".palabre-error")).to_have_count(2)  # the form's and the thread's, empty
    for error in page.locator(".palabre-error").all():
        expect(error).to_have_text("")


def test_no_notify_box_without_mail(server: Server, host: Host, reader: Reader) -> None:
    assert httpx.get(f"{server.base}/mail/options").json() == {"notify": False}
    page = reader.page
    with page.expect_response(lambda r: "/mail/options" in r.url) as options:
        page.goto(host.page(uri="/live/no-mail"))
        wait_for_thread(page)
    assert options.value.json() == {"notify": False}
    expect(page.get_by_label("Notify me of replies by email")).to_be_hidden()


def test_notify_box_sends_notify(server: Server, host: Host, reader: Reader) -> None:
    def mail_on(route: Route) -> None:
        route.fulfill(content_type="application/json", body='{"notify": true}',
                      headers={"Access-Control-Allow-Origin": "*"})

    page = reader.page
    page.route(f"{server.base}/mail/options**", mail_on)
    page.goto(host.page(uri="/live/mail", lang="fr"))
    wait_for_thread(page)
    box = page.get_by_label("Me prévenir des réponses par e-mail")
    expect(box).to_be_visible()
    page.get_by_label("Commentaire", exact=True).fill("Prévenez-moi")
    page.get_by_label("E-mail (facultatif, jamais affiché)").fill("lecteur@example.org")
    box.check()
    with page.expect_request(lambda r: r.method == "POST" and "/comments" in r.url) as sent:
        page.get_by_role("button", name="Publier").click()
    body = sent.value.post_data_json
    assert body is not None and body["notify"] is True
    expect(page.locator(".palabre-comment")).to_have_count(1)


def test_a_moderator_posts_as_staff(server: Server, host: Host, reader: Reader,
                                    moderator: httpx.Client) -> None:
    session = moderator.cookies.get("palabre_session")
    assert session
    reader.context.add_cookies([{"name": "palabre_session", "value": session,
                                 "url": server.base, "sameSite": "Strict", "httpOnly": True}])
    page = reader.page
    reads: list[Request] = []
    page.on("request", lambda r: reads.append(r) if r.method == "GET" else None)
    open_live(page, host.page(uri="/live/staff"))
    page.get_by_label("Comment", exact=True).fill("A word from the newsroom")
    with page.expect_request(lambda r: r.method == "POST" and "/comments" in r.url) as sent:
        page.get_by_role("button", name="Post comment").click()
    headers = sent.value.all_headers()
    assert f"palabre_session={session}" in headers.get("cookie", "")
    comment = page.locator(".palabre-comment")
    expect(comment.locator(".palabre-badge")).to_have_text("Staff")
    api_reads = [r for r in reads if r.url.startswith(server.base + "/api/v1/comments")]
    assert api_reads  # the thread's page was read, and without the cookie
    assert not any("cookie" in r.all_headers() for r in api_reads)
