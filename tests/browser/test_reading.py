"""Reading a discussion: the nested thread, its heading, counts, sorting, pages, permalinks."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import Host, Reader, Server, new_client, wait_for_thread

pytestmark = pytest.mark.browser


def test_a_nested_thread_is_shown_with_its_count(server: Server, host: Host,
                                                 reader: Reader) -> None:
    a = server.post("/read/nested", "First *comment*", author="Jeanne")["comment"]
    b = server.post("/read/nested", "A reply", author="Paul", parent=a["id"])["comment"]
    c = server.post("/read/nested", "Deeper", parent=b["id"])["comment"]
    d = server.post("/read/nested", "Another topic", author="Marie",
                    website="https://example.org/marie")["comment"]
    server.post("/read/elsewhere", "Somewhere else")
    page = reader.page
    page.goto(host.page(
        '<p><span data-palabre-count="/read/nested">…</span> ·'
        ' <span class="elsewhere" data-palabre-count="/read/elsewhere"></span> ·'
        ' <span class="none" data-palabre-count="/read/nothing"></span></p>',
        uri="/read/nested", title="Cargo bikes"))
    wait_for_thread(page)

    expect(page.locator(".palabre-heading")).to_have_text("4 comments on ‘Cargo bikes’")
    expect(page.locator('span[data-palabre-count="/read/nested"]')).to_have_text("4 comments")
    expect(page.locator("span.elsewhere")).to_have_text("1 comment")
    expect(page.locator("span.none")).to_have_text("0 comments")

    top = page.locator(".palabre-list > .palabre-comment")
    expect(top).to_have_count(2)
    assert top.nth(0).get_attribute("id") == f"comment-{a['id']}"
    nested = page.locator(f"#comment-{a['id']} > .palabre-replies > #comment-{b['id']}"
                          f" > .palabre-replies > #comment-{c['id']}")
    expect(nested).to_have_count(1)
    expect(nested.locator(".palabre-author")).to_have_text("Anonymous")
    expect(page.locator(f"#comment-{a['id']} > .palabre-body em")).to_have_text("comment")
    link = page.locator(f"#comment-{d['id']} a.palabre-author")
    expect(link).to_have_attribute("href", "https://example.org/marie")
    expect(link).to_have_attribute("rel", "nofollow ugc noopener")

    time = page.locator(f"#comment-{a['id']} > .palabre-meta time")
    expect(time).to_have_text("now")
    assert time.get_attribute("datetime") == a["created"]
    assert a["created"][:4] in (time.get_attribute("title") or "")
    expect(page.locator(f"#comment-{a['id']} > .palabre-meta .palabre-date")).to_have_attribute(
        "href", f"#comment-{a['id']}")


def test_french_heading_counts_and_dates(server: Server, host: Host, reader: Reader) -> None:
    server.post("/read/fr", "Premier")
    server.post("/read/fr", "Deuxième")
    page = reader.page
    page.goto(host.page('<span data-palabre-count="/read/fr"></span>', uri="/read/fr",
                        title="Vélo-cargo", lang="fr"))
    wait_for_thread(page)
    expect(page.locator(".palabre-heading")).to_have_text("2 commentaires sur « Vélo-cargo »")
    expect(page.locator("span[data-palabre-count]")).to_have_text("2 commentaires")
    expect(page.locator(".palabre-list time").first).to_have_text("maintenant")
    expect(page.locator("#palabre-thread")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Publier")).to_be_visible()


def test_language_comes_from_the_embed_then_the_page(server: Server, host: Host,
                                                     reader: Reader) -> None:
    page = reader.page
    page.goto(host.page(uri="/read/lang", lang="en", script='data-palabre-lang="fr"'))
    wait_for_thread(page)
    expect(page.locator(".palabre-heading")).to_have_text("0 commentaire sur « An article »")
    expect(page.locator(".palabre-empty")).to_have_text("Aucun commentaire pour l’instant.")


def test_counts_without_a_thread_on_the_page(server: Server, host: Host,
                                             reader: Reader) -> None:
    for _ in range(3):
        server.post("/read/counted", "Hello")
    page = reader.page
    spans = "".join(f'<li><span data-palabre-count="/read/counted{n}"></span></li>'
                    for n in ("", "/other"))
    page.goto(host.page(f"<ul>{spans}</ul>", thread=False))
    expect(page.locator("li span").nth(0)).to_have_text("3 comments")
    expect(page.locator("li span").nth(1)).to_have_text("0 comments")


def test_pages_sorting_and_a_permalink_on_a_later_page(server: Server, host: Host,
                                                       reader: Reader) -> None:
    uri = "/read/many"
    ids = [server.post(uri, f"Comment number {n}", author=f"Reader {n}")["comment"]["id"]
           for n in range(1, 53)]
    server.post(uri, "A reply on the last page", parent=ids[-1])
    page = reader.page
    url = host.page(uri=uri)

    # A permalink to a comment of the second page loads it, scrolls to it and highlights it.
    page.goto(f"{url}#comment-{ids[-1]}")
    target = page.locator(f"#comment-{ids[-1]}")
    expect(target).to_have_class("palabre-comment palabre-target")
    expect(target).to_be_in_viewport()
    expect(target).to_be_focused()
    expect(page.locator(".palabre-list > .palabre-comment")).to_have_count(52)
    expect(page.locator(".palabre-more")).to_be_hidden()

    # One far down the first page, in a thread the browser had not laid out yet.
    page.goto(f"{url}#comment-{ids[39]}")
    target = page.locator(f"#comment-{ids[39]}")
    # (laid out lazily at first: palabre-lazy comes off once the page has settled)
    expect(target).to_have_class(re.compile(r"\bpalabre-target\b"))
    expect(target).to_be_in_viewport()
    expect(target).to_be_focused()

    page.goto(url)
    wait_for_thread(page)
    top = page.locator(".palabre-list > .palabre-comment")
    expect(top).to_have_count(50)
    more = page.get_by_role("button", name="Load more comments")
    more.focus()
    page.keyboard.press("Enter")
    expect(top).to_have_count(52)
    expect(more).to_be_hidden()
    expect(page.locator(".palabre-live")).to_have_text("3 more comments shown.")

    page.get_by_label("Sort by").select_option("newest")
    expect(top.first.locator("> .palabre-body")).to_have_text("Comment number 52")
    expect(top).to_have_count(50)


def test_top_sort_follows_votes(server: Server, host: Host, reader: Reader) -> None:
    uri = "/read/top"
    first = server.post(uri, "Old and plain")["comment"]
    liked = server.post(uri, "Liked a lot")["comment"]
    for _ in range(2):
        httpx.post(f"{server.base}/api/v1/comments/{liked['id']}/vote", json={"value": 1},
                   headers={"X-Forwarded-For": new_client()}).raise_for_status()
    page = reader.page
    page.goto(host.page(uri=uri))
    wait_for_thread(page)
    top = page.locator(".palabre-list > .palabre-comment")
    expect(top.first).to_have_id(f"comment-{first['id']}")
    page.get_by_label("Sort by").select_option("top")
    expect(top.first).to_have_id(f"comment-{liked['id']}")
    expect(top.first.get_by_role("button", name="Like 2", exact=True)).to_be_visible()


def test_theme_follows_the_reader_unless_forced(server: Server, host: Host,
                                                reader: Reader) -> None:
    page = reader.page
    background = "getComputedStyle(document.getElementById('palabre-thread')).backgroundColor"
    page.emulate_media(color_scheme="dark")
    page.goto(host.page(uri="/read/theme"))
    wait_for_thread(page)
    assert page.evaluate(background) == "rgb(24, 27, 31)"
    page.goto(host.page(uri="/read/theme", script='data-palabre-theme="light"'))
    wait_for_thread(page)
    assert page.evaluate(background) == "rgba(0, 0, 0, 0)"
    page.emulate_media(color_scheme="light")
    page.goto(host.page(uri="/read/theme", script='data-palabre-theme="dark"'))
    wait_for_thread(page)
    assert page.evaluate(background) == "rgb(24, 27, 31)"
    # A page themes the widget through custom properties, set on any ancestor.
    page.goto(host.page(uri="/read/theme",
                        head="<style>:root { --palabre-accent: rgb(200, 0, 0) }</style>"))
    wait_for_thread(page)
    submit = "getComputedStyle(document.querySelector('.palabre-submit')).backgroundColor"
    assert page.evaluate(submit) == "rgb(200, 0, 0)"
