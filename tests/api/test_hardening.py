"""Defects a security review found, each pinned by a test (see the changelog's Security)."""

from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import START, TEST_SITE_SETTINGS, Api

MALFORMED_URIS = ["//[", "http://[/a", "//[::1/x", "https://[v1.x/", "http://a]b[/"]


@pytest.mark.parametrize("uri", MALFORMED_URIS)
def test_a_malformed_page_address_is_a_clear_422_everywhere(api: Api, uri: str) -> None:
    answers = [
        api.request("POST", "/api/v1/comments", json={"uri": uri, "text": "Bonjour"}),
        api.get("/api/v1/comments", params={"uri": uri}),
        api.get("/api/v1/threads", params={"uri": uri}),
        api.get("/api/v1/counts", params={"uri": uri}),
        api.get("/api/v1/feed.atom", params={"uri": uri}),
        api.get("/embed/thread.html", params={"uri": uri}),
    ]
    for answer in answers:
        assert answer.status_code == 422, (answer.request.url, answer.text)
        error = answer.json()["error"]
        assert (error["code"], error["field"]) == ("invalid_input", "uri")


@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\ufdd0", "\x0b", "\x1f", "\U0001fffe"])
def test_characters_xml_forbids_never_break_the_feed(api: Api, bad: str) -> None:
    api.post("/a", f"Texte {bad} piégé", author=f"Nom{bad}", title=f"Titre{bad}")
    feed = api.get("/api/v1/feed.atom", params={"uri": "/a"})
    site = api.get("/api/v1/feed.atom")
    for answer in (feed, site):
        root = ET.fromstring(answer.content)  # well-formed, or this raises
        assert bad not in answer.text
        assert root.find("{http://www.w3.org/2005/Atom}entry") is not None
    comment = api.page("/a")["comments"][0]
    assert bad not in comment["html"] + comment["author"]


@pytest.mark.parametrize("website", ["https://example.org:80@evil.example/",
                                     "https://user:pass@example.org/", "http://a@b.example"])
def test_a_website_with_credentials_is_refused(api: Api, website: str) -> None:
    error = api.post("/a", "Bonjour", website=website, expect=422)["error"]
    assert (error["reason"], error["field"]) == ("website_invalid", "website")


@pytest.mark.parametrize("website", ["https://javascript&colon;window.x=1;alert(1)",
                                     "https://ex(ample).org", "http://exa;mple.org"])
def test_a_website_whose_host_is_no_host_name_is_refused(api: Api, website: str) -> None:
    error = api.post("/a", "Bonjour", website=website, expect=422)["error"]
    assert (error["reason"], error["field"]) == ("website_invalid", "website")
    kept = api.comment("/a", "Salut", website="HTTPS://Café.EXAMPLE.fr/Page")
    assert kept["website"] == "HTTPS://Café.EXAMPLE.fr/Page"


def test_the_fragment_links_only_web_addresses_whatever_is_stored() -> None:
    """The template checks the scheme itself, whatever let a website in (an old row)."""
    from palabre.domain.models import Comment, CommentId, Status, ThreadId
    from palabre.domain.threads import ThreadInfo
    from palabre.web.embed.pages import env, fragment_context

    def comment(n: int, website: str) -> Comment:
        return Comment(CommentId(n), ThreadId(1), None, None, None, 0, f"Nom{n}", "", website,
                       "", "<p>x</p>", START, None, 0, 0, Status.APPROVED, "", "a")

    info = ThreadInfo(1, "default", "/a", "T", False, 2, START, 1, None, 900)
    html = env.get_template("thread.html").render(fragment_context(
        info, [comment(1, "javascript:alert(1)"), comment(2, "HTTPS://example.org/")], "en"))
    assert "javascript:" not in html
    assert 'href="HTTPS://example.org/"' in html


def test_the_sqlite_file_is_private_and_an_erased_email_leaves_no_bytes(tmp_path: Path) -> None:
    import asyncio
    import sqlite3

    from palabre.domain import comments
    from palabre.domain.authors import erase_author
    from palabre.domain.context import Context
    from palabre.domain.identity import SYSTEM, Actor
    from palabre.domain.inputs import CommentDraft
    from palabre.domain.sites import ensure_site
    from palabre.storage import migrate, open_storage

    database = tmp_path / "private.db"
    url = f"sqlite:///{database}"
    email = "lecteur.discret@example.org"
    old = os.umask(0o022)
    try:
        migrate.upgrade(url)

        async def work() -> None:
            ctx = Context(storage=open_storage(url), secret="s")
            try:
                await ensure_site(ctx.storage, settings=TEST_SITE_SETTINGS)
                draft = CommentDraft(uri="/a", text="Un avis", email=email)
                await comments.post_comment(ctx, draft, Actor(client="c"))
                await erase_author(ctx, email, SYSTEM)
            finally:
                await ctx.storage.close()

        asyncio.run(work())
    finally:
        os.umask(old)
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in tmp_path.iterdir():
        assert email.encode() not in path.read_bytes(), path.name


@pytest.mark.parametrize(("lang", "expected"), [("fr", "25 novembre 2026 à 08:00 UTC"),
                                                ("en", "25 November 2026, 08:00 UTC")])
def test_the_no_js_fragment_shows_readable_dates(api: Api, lang: str, expected: str) -> None:
    api.comment("/a")
    html = api.get("/embed/thread.html", params={"uri": "/a", "lang": lang}).text
    assert f'<time datetime="2026-11-25T08:00:00Z">{expected}</time>' in html
