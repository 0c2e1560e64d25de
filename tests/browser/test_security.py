"""Hostile input never runs: names, texts, websites, titles and previews stay text."""

from __future__ import annotations

import html

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import Host, Reader, Server, new_client, wait_for_thread

pytestmark = pytest.mark.browser

NAME = """<img src=x onerror="window.__pwned='name';alert('name')">"""
TEXT = """<script>window.__pwned='script';alert('script')</script>

<img src=x onerror="window.__pwned='img';alert('img')">

[click me](javascript:alert('link')) and <a href="javascript:alert('a')">raw link</a>

<svg onload="alert('svg')"></svg> `<b onclick=alert(1)>code</b>`"""
WEBSITES = [
    "javascript:alert('website')",
    'https://example.org/"><script>alert(1)</script>',
    "data:text/html,<script>alert(1)</script>",
]


def test_hostile_comments_stay_text(server: Server, host: Host, reader: Reader) -> None:
    uri = "/security/xss"
    hostile = server.post(uri, TEXT, author=NAME)["comment"]
    server.post(uri, "An innocent reply", author=NAME, parent=hostile["id"])
    for website in WEBSITES:
        answer = httpx.post(f"{server.base}/api/v1/comments",
                            json={"uri": uri, "text": "hi", "website": website},
                            headers={"X-Forwarded-For": new_client()})
        assert answer.status_code == 422, website
        assert answer.json()["error"]["reason"] == "website_invalid"

    page = reader.page
    page.goto(host.page(uri=uri))
    wait_for_thread(page)
    thread = page.locator("#palabre-thread")
    comment = thread.locator(f"#comment-{hostile['id']}")
    expect(comment.locator("> .palabre-meta .palabre-author")).to_have_text(NAME)
    expect(comment.locator("> .palabre-body")).to_contain_text("<script>")
    expect(comment.locator("> .palabre-body")).to_contain_text("<img src=x")
    expect(comment.get_by_role("link", name="in reply to")).to_have_count(0)

    # Hover and click everything that could carry a handler.
    for element in comment.locator("> .palabre-body *").all():
        element.hover()
    assert thread.locator("script, img, svg:not(.palabre-avatar), iframe, [onerror], [onload],"
                          " [onclick]").count() == 0
    hrefs = thread.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    assert not [href for href in hrefs if not href.startswith(("http:", "https:", "mailto:"))]
    thread.get_by_text("click me").click()
    thread.get_by_text("raw link").click()

    # The reader's own preview of hostile text is text too.
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_role("button", name="Preview").click()
    form.get_by_label("Comment").fill(TEXT)
    preview = form.locator(".palabre-preview")
    expect(preview).to_contain_text("<script>window.__pwned")
    expect(preview.get_by_text("click me")).to_have_count(1)
    assert preview.locator("a").count() == 0
    assert preview.locator("script, img, svg, [onerror]").count() == 0
    form.get_by_label("Name (optional)").fill(NAME)
    form.get_by_role("button", name="Post comment").click()
    mine = thread.locator(".palabre-list > .palabre-comment").nth(1)
    expect(mine.locator("> .palabre-meta .palabre-author")).to_have_text(NAME)

    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert reader.console == []


def test_hostile_title_stays_text(server: Server, host: Host, reader: Reader) -> None:
    title = "<img src=x onerror=alert('title')> & co"
    section = (f'<section id="palabre-thread" data-palabre-uri="/security/title"'
               f' data-palabre-title="{html.escape(title)}"></section>')
    page = reader.page
    page.goto(host.page(section, thread=False))
    wait_for_thread(page)
    expect(page.locator(".palabre-heading")).to_have_text(f"0 comments on ‘{title}’")
    assert page.locator("#palabre-thread img").count() == 0
    assert reader.console == []


def test_the_widget_works_under_a_strict_content_security_policy(
        server: Server, host: Host, reader: Reader) -> None:
    """A host page allowing nothing inline, scripts, styles and requests from Palabre only."""
    uri = "/csp/article"
    server.post(uri, "Sous une politique stricte")
    origin = server.base
    policy = (f"default-src 'none'; script-src {origin}; style-src {origin}; "
              f"connect-src {origin}; img-src {origin} data:")
    page = reader.page
    page.goto(host.page(uri=uri, head=f'<meta http-equiv="Content-Security-Policy" '
                                       f'content="{policy}">'))
    wait_for_thread(page)
    expect(page.locator(".palabre-comment")).to_have_count(1)
    wrap = page.eval_on_selector(".palabre", "s => getComputedStyle(s).overflowWrap")
    assert wrap == "anywhere"  # the widget's own style sheet applies (the default: normal)
    assert not [m for m in reader.console if "Content Security Policy" in m], reader.console
