"""The XSS corpus (tests/browser/xss_corpus.py) through every surface, in a real Chromium.

Hundreds of hostile names, texts, websites, titles, emails, report notes and an imported
WordPress file are stored once (module fixture); then the widget on a host page, the no-JS
fragment, the demo page, the Atom feeds and the moderation desk are opened and their whole
DOM is walked: no dialog, no ``window.__pwned``, no ``on*`` attribute, no script but the page's
own, no ``javascript:``/``vbscript:``/``data:`` URL, no style that loads or evaluates, and
each name, title and text still there, as text.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page

from palabre.domain.context import Context
from palabre.domain.identity import SYSTEM
from palabre.domain.sites import change_settings, ensure_site
from palabre.settings import SiteSettings
from tests.conftest import run

from . import xss_corpus as corpus_
from .conftest import Host, Server, new_client

pytestmark = pytest.mark.browser
SITE, DESK, IMPORTED = "xss", "xss-desk", "xss-import"
PER_THREAD = 48  # below the widget's first page (50 top-level comments)
PASSWORD = "a long corpus password"
NO_CHALLENGE = ("pow_difficulty", "min_submit_seconds")
REFUSALS = {"website_invalid", "email_invalid"}  # the only refusals a payload may meet
MODERATOR = "corpus-desk"
DEMO_URI = "/2026/11/23/marche-de-noel-place-des-halles"
# What sanitised bodies may hold (anything else means raw HTML got through).
BODY_TAGS = {"a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
             "hr", "li", "ol", "p", "pre", "s", "strong", "ul", "table", "thead", "tbody",
             "tr", "th", "td"}

# One walk of a document (and of any shadow root or template) for everything that could run.
WALK = r"""(origin) => {
  const bad = [];
  const URLS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background',
    'poster', 'srcdoc', 'ping', 'lowsrc', 'dynsrc', 'codebase', 'cite', 'srcset', 'to',
    'values', 'from', 'by', 'content'];
  const OWN = ['/widget.js', '/admin/static/admin.js'];
  // What URL parsers skip or browsers may ignore: stricter than trimming.
  const blank = new RegExp('[\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u180e\\u2000-\\u200f'
    + '\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]', 'g');
  const squeeze = (v) => v.replace(blank, '').toLowerCase();
  const show = (el) => el.outerHTML.slice(0, 200);
  const own = (el) => {
    if (!el.src) return false;
    const url = new URL(el.src);
    return url.origin === origin && OWN.includes(url.pathname) && !el.textContent.trim();
  };
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      for (const a of el.attributes) {
        const name = a.name.toLowerCase();
        if (name.startsWith('on')) bad.push(`handler ${name}: ${show(el)}`);
        const value = squeeze(a.value);
        const icon = el.matches('link[rel=icon]') && a.value === 'data:,';
        if ((URLS.includes(name) || name.endsWith(':href')) && !icon
            && /(^|url=)(javascript|vbscript|livescript|data):/.test(value)) {
          bad.push(`url ${name}: ${show(el)}`);
        }
        if (name === 'style' && /expression|javascript:|url\(|binding|behavior/.test(value)) {
          bad.push(`style: ${show(el)}`);
        }
      }
      if (el.localName === 'script' && !own(el)) bad.push(`script: ${show(el)}`);
      if (['iframe', 'frame', 'object', 'embed', 'base', 'meta'].includes(el.localName)
          && el.closest('body')) bad.push(`element: ${show(el)}`);
      if (el.shadowRoot) visit(el.shadowRoot);
      if (el.localName === 'template') visit(el.content);
    }
  };
  visit(document);
  const tags = new Set();
  for (const body of document.querySelectorAll('.palabre-body, .palabre-message, .card .body')) {
    for (const el of body.querySelectorAll('*')) tags.add(el.localName);
  }
  const pwned = window.__pwned === undefined ? null : String(window.__pwned);
  return {bad, tags: [...tags].sort(), pwned,
          elements: document.querySelectorAll('*').length};
}"""

# Names and texts as the page shows them, by comment id (widget, fragment and desk alike).
SHOWN = r"""(selectors) => Object.fromEntries([...document.querySelectorAll(selectors.item)].map(
  (el) => [el.id.replace(/^comment-/, '').replace(/-who$/, ''),
           [el.querySelector(selectors.name)?.textContent ?? null,
            el.querySelector(selectors.body)?.textContent ?? '',
            el.querySelector(selectors.link)?.getAttribute('href') ?? null,
            selectors.mail ? el.querySelector(selectors.mail)?.textContent ?? null : null,
            selectors.mail ? el.querySelector(selectors.mail)?.getAttribute('href') ?? null
                           : null]]))"""
WIDGET = {"item": "#palabre-thread .palabre-comment",
          "name": ":scope > .palabre-meta .palabre-author", "body": ":scope > .palabre-body",
          "link": ":scope > .palabre-meta a.palabre-author"}
FRAGMENT = {"item": ".palabre-static .palabre-comment",
            "name": ":scope > article > header .palabre-author",
            "body": ":scope > article > .palabre-body",
            "link": ":scope > article > header a.palabre-author"}
CARDS = {"item": "article.card", "name": "h2", "body": ".body",
         "link": ".meta a[rel~=nofollow]", "mail": ".meta a[href^='mailto:']"}


@dataclass
class Posted:
    id: int
    site: str
    uri: str
    author: str  # as the API stored it (whitespace collapsed, control characters gone)
    mark: str
    status: str = "approved"
    website: str = ""  # as stored
    email: str = ""  # as sent (the API never shows it back), when accepted


@dataclass
class Corpus:
    """What was stored, where, and what the API refused."""

    payloads: set[str] = field(default_factory=set)
    comments: dict[int, Posted] = field(default_factory=dict)
    threads: dict[str, list[str]] = field(default_factory=dict)  # site -> uris
    titles: dict[tuple[str, str], str] = field(default_factory=dict)  # (site, uri) -> title
    refused: Counter[str] = field(default_factory=Counter)
    websites: list[str] = field(default_factory=list)  # the ones accepted, as stored
    checks: Counter[str] = field(default_factory=Counter)


class Poster:
    """Posts as a new reader each time, answering the "are you sure?" nudge."""

    def __init__(self, server: Server, found: Corpus) -> None:
        self.base = server.base
        self.found = found
        self.http = httpx.Client(timeout=30)
        self.marks = itertools.count()
        self.reason = ""

    def post(self, site: str, uri: str, text: str, **fields: str | int) -> dict[str, Any] | None:
        mark = f"xss-mark-{next(self.marks)}"
        body = {"site": site, "uri": uri, "text": f"{text}\n\n{mark}", **fields}
        answer = self.send(body)
        if answer.status_code == 422 and answer.json()["error"].get("reason") == "confirm_required":
            answer = self.send({**body, "confirm": True})
        self.reason = ""
        if answer.status_code != 201:
            assert answer.status_code == 422, answer.text
            self.reason = answer.json()["error"].get("reason", "?")
            # A NUL is refused outright (no text, name or title keeps one).
            assert self.reason in REFUSALS or "\x00" in text, (self.reason, body)
            self.found.refused[self.reason] += 1
            return None
        comment: dict[str, Any] = answer.json()["comment"]
        self.found.comments[comment["id"]] = Posted(
            comment["id"], site, uri, comment["author"], mark, comment["status"],
            comment["website"], str(fields.get("email", "")).strip())
        self.found.threads.setdefault(site, [])
        if uri not in self.found.threads[site]:
            self.found.threads[site].append(uri)
        return comment

    def send(self, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(f"{self.base}/api/v1/comments", json=body,
                              headers={"X-Forwarded-For": new_client()})


def post_public(poster: Poster, found: Corpus) -> None:
    """Texts (with names cycling) and websites on SITE, PER_THREAD a thread, each thread
    titled; then one thread per remaining title, newest, so the site's feed shows them."""
    texts, names, titles = corpus_.texts(), corpus_.names(), corpus_.titles()
    hostile = set(corpus_.hostile_urls())
    sites = [("website", w) for w in corpus_.websites()]
    items = [("text", t) for t in texts] + sites
    found.payloads.update(texts + names + titles + corpus_.websites())
    for n, (kind, value) in enumerate(items):
        uri = f"/xss/{n // PER_THREAD}"
        title = titles[n // PER_THREAD]
        fields = {"author": names[n % len(names)], "title": title}
        if kind == "website":
            comment = poster.post(SITE, uri, f"website {n}", website=value, **fields)
            check_website(found, value, comment)
            # A scheme without "//" is read as a host name (https:// put before it): kept
            # only when that makes a valid https address.
            if value in hostile and comment is not None:
                assert comment["website"] == "https://" + value.strip(), value
        else:
            poster.post(SITE, uri, value, **fields)
        found.titles[(SITE, uri)] = title
    parent: int | None = None  # a chain deeper than max_depth: replies say whom they answer
    for n, name in enumerate(names[:30]):
        linked: dict[str, str | int] = {"parent": parent} if parent else {"title": titles[-1]}
        reply = poster.post(SITE, "/xss/replies", f"reply {n}", author=name, **linked)
        assert reply is not None
        parent = reply["id"]
    found.titles[(SITE, "/xss/replies")] = titles[-1]
    found.payloads.update(corpus_.uris())
    for n, uri in enumerate(corpus_.uris()):
        assert poster.post(SITE, uri, f"at an odd address {n}") is not None
        assert poster.post(DESK, uri, f"held at an odd address {n}") is not None
    used = -(-len(items) // PER_THREAD)
    for n, title in enumerate(titles[used:]):
        uri = f"/xss/title/{n}"
        assert poster.post(SITE, uri, f"titled {n}", title=title) is not None
        found.titles[(SITE, uri)] = title


def check_website(found: Corpus, value: str, comment: dict[str, Any] | None) -> None:
    if comment is None:
        return
    stored = comment["website"]
    assert stored.lower().startswith(("http://", "https://")), (value, stored)
    assert not set(stored) & set(" \t\n<>\"'`"), stored
    found.websites.append(stored)


def post_held(poster: Poster, found: Corpus) -> None:
    """On DESK (every comment held): every name with every email in turn, a quarter of the
    texts, titles spread over threads; then reports with hostile notes on SITE."""
    texts, names, titles, emails = (corpus_.texts()[::4], corpus_.names(), corpus_.titles(),
                                    corpus_.emails())
    found.payloads.update(emails)
    for n in range(max(len(texts), len(names))):
        uri = f"/desk/{n % len(titles)}"
        email = emails[n % len(emails)]
        website = found.websites[n % len(found.websites)]
        comment = poster.post(DESK, uri, texts[n % len(texts)], author=names[n % len(names)],
                              email=email, website=website, title=titles[n % len(titles)])
        if comment is None and poster.reason == "email_invalid":
            comment = poster.post(DESK, uri, texts[n % len(texts)], website=website,
                                  author=names[n % len(names)], title=titles[n % len(titles)])
        if comment is None:
            continue
        assert comment["status"] == "pending"
        found.titles.setdefault((DESK, uri), titles[n % len(titles)])
    public = [c for c in found.comments.values() if c.site == SITE]
    for n, note in enumerate(corpus_.breakout_texts()[:25]):
        answer = poster.http.post(f"{poster.base}/api/v1/comments/{public[n].id}/report",
                                  json={"reason": "other", "note": note[:500]},
                                  headers={"X-Forwarded-For": new_client()})
        assert answer.status_code == 204, answer.text


def import_file(server: Server, found: Corpus, folder: Path) -> None:
    """A WordPress export full of payloads, imported by the CLI into the running database."""
    bodies, names, titles, sites = (corpus_.html_bodies(), corpus_.names(), corpus_.titles(),
                                    corpus_.websites())
    found.payloads.update(bodies)
    per_item = 12
    items = [corpus_.WxrItem(
        post_id=100 + i, title=titles[i % len(titles)],
        link=f"https://blog.example.org/imported/{i}/",
        comments=tuple(corpus_.WxrComment(
            id=1000 + n, author=names[n % len(names)], email=corpus_.emails()[n % 11],
            url=sites[n % len(sites)], content=f"{bodies[n]}<p>xss-import-{n}</p>",
            approved="0" if n % 6 == 0 else "1")
            for n in range(i * per_item, min(len(bodies), (i + 1) * per_item))))
        for i in range(-(-len(bodies) // per_item))]
    path = folder / "hostile.xml"
    path.write_text(corpus_.wxr_document(items), encoding="utf-8")
    report = server.cli("import", "wordpress", str(path), "--site", IMPORTED)
    assert f"imported {len(bodies)} comments" in report, report
    found.threads[IMPORTED] = [f"/imported/{i}/" for i in range(len(items))]
    for i, item in enumerate(items):
        uri = f"/imported/{i}/"
        found.titles[(IMPORTED, uri)] = item.title
        record_imported(server, found, IMPORTED, uri)


def import_disqus(server: Server, found: Corpus, folder: Path) -> None:
    """A Disqus export: hostile titles, names, emails and HTML messages, half as replies."""
    bodies, names, titles = corpus_.html_bodies()[1::4], corpus_.names(), corpus_.titles()
    threads = {i: (f"https://blog.example.org/disqus/{i}/", titles[(i * 7) % len(titles)])
               for i in range(5)}
    posts = [corpus_.DisqusPost(
        id=9000 + n, thread=n % 5, parent=9000 + n - 5 if n >= 5 and n % 2 else None,
        author=names[(n * 5) % len(names)], email=corpus_.emails()[n % 11],
        message=f"{body}<p>xss-import-{9000 + n}</p>") for n, body in enumerate(bodies)]
    path = folder / "hostile-disqus.xml"
    path.write_text(corpus_.disqus_document(threads, posts), encoding="utf-8")
    report = server.cli("import", "disqus", str(path), "--site", IMPORTED)
    assert f"imported {len(posts)} comments" in report, report
    for i, (_, title) in threads.items():
        uri = f"/disqus/{i}/"
        found.threads[IMPORTED].append(uri)
        found.titles[(IMPORTED, uri)] = title
        record_imported(server, found, IMPORTED, uri)
    found.payloads.update(bodies)


def record_imported(server: Server, found: Corpus, site: str, uri: str) -> None:
    """Remember the published comments of an imported thread, by the mark each one ends with."""
    answer = httpx.get(f"{server.base}/api/v1/comments",
                       params={"site": site, "uri": uri, "limit": "200"})
    for c in answer.json()["comments"]:
        mark = re.search(r"xss-(?:import|demo)-\d+", c["html"])
        if mark:
            found.comments[c["id"]] = Posted(c["id"], site, uri, c["author"], mark.group(),
                                               c["status"], c["website"])


def import_demo(server: Server, found: Corpus, folder: Path) -> None:
    """Markdown edge cases added to a demo article (through the importer: the demo's site
    stays as the other tests set it)."""
    texts, names = corpus_.markdown_texts()[:20], corpus_.names()
    item = corpus_.WxrItem(post_id=1, title="Marché de Noël",
                           link=f"https://demo.example.org{DEMO_URI}", comments=tuple(
        corpus_.WxrComment(id=5000 + n, author=names[n], email="", url="",
                           content=f"<p>{html.escape(text)}</p><p>xss-demo-{n}</p>",
                           approved="1") for n, text in enumerate(texts)))
    path = folder / "demo.xml"
    path.write_text(corpus_.wxr_document([item]), encoding="utf-8")
    report = server.cli("import", "wordpress", str(path), "--site", "default")
    assert f"imported {len(texts)} comments" in report, report
    record_imported(server, found, "default", DEMO_URI)


def create_sites(server: Server, sites: dict[str, dict[str, object]]) -> None:
    """The corpus's own sites, made in-process as the CLI would (one process start instead
    of one per setting). Readers' posts there need no proof of work when the server asks for
    one: the corpus is about what is shown, not about who may post."""
    known = {f.name for f in dataclasses.fields(SiteSettings)}
    off = {name: 0 for name in NO_CHALLENGE if name in known}

    async def make(ctx: Context) -> None:
        for slug, settings in sites.items():
            await ensure_site(ctx.storage, slug)
            await change_settings(ctx, slug, {**settings, **off}, SYSTEM)

    # Playwright's event loop runs in this thread: the work gets a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(run, server.database, make).result()


@pytest.fixture(scope="module")
def corpus(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    create_sites(server, {
        SITE: {"duplicate_window_seconds": 0, "site_url": "https://news.example.org",
               "max_depth": 1},
        DESK: {"moderation": "all", "duplicate_window_seconds": 0},
        IMPORTED: {}})
    found = Corpus()
    poster = Poster(server, found)
    try:
        post_public(poster, found)
        post_held(poster, found)
    finally:
        poster.http.close()
    folder = tmp_path_factory.mktemp("import")
    import_file(server, found, folder)
    import_disqus(server, found, folder)
    import_demo(server, found, folder)
    assert len(found.payloads) >= 500
    return found


@dataclass
class Watched:
    page: Page
    origin: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def walk(self, corpus: Corpus, where: str) -> dict[str, Any]:
        """Walk the page as it is; fail on anything that runs or could."""
        self.page.wait_for_timeout(20)  # lets an onerror or a timer fire, if any
        found: dict[str, Any] = self.page.evaluate(WALK, self.origin)
        assert self.dialogs == [], (where, self.dialogs)
        assert found["pwned"] is None, where
        assert found["bad"] == [], (where, found["bad"][:10])
        assert set(found["tags"]) <= BODY_TAGS, (where, set(found["tags"]) - BODY_TAGS)
        corpus.checks["pages walked"] += 1
        corpus.checks["elements walked"] += found["elements"]
        return found

    def shown(self, corpus: Corpus, selectors: dict[str, str], expected: list[int],
              where: str) -> None:
        """Each comment there: its name as the API stored it, its mark, its website and
        its email (where shown) as they were stored, all as text or plain attributes."""
        shown: dict[str, list[str | None]] = self.page.evaluate(SHOWN, selectors)
        for comment_id in expected:
            posted = corpus.comments[comment_id]
            name, body, href, mail, mailto = shown.get(str(comment_id), [None, "", None, None,
                                                                         None])
            assert body is not None and posted.mark in body, (where, comment_id, body)
            if posted.author:
                assert name == posted.author, (where, comment_id, name, posted.author)
            if href is not None or posted.website.startswith(("http://", "https://")):
                assert href == posted.website, (where, comment_id, href, posted.website)
                corpus.checks["websites shown as they were stored"] += 1
            if "mail" in selectors and posted.email:
                assert (mail, mailto) == (posted.email, f"mailto:{posted.email}"), where
                corpus.checks["emails shown as text"] += 1
            corpus.checks["comments shown as text"] += 1


@pytest.fixture
def watched(browser: Browser, server: Server) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.set_default_timeout(10000)
    page = context.new_page()
    found = Watched(page, server.base)
    page.on("dialog", found.dialog)
    page.on("pageerror", lambda exc: found.errors.append(str(exc)))
    yield found
    context.close()
    assert found.dialogs == [], found.dialogs
    assert found.errors == [], found.errors


def ids_of(corpus: Corpus, uri: str, site: str) -> list[int]:
    """The published comments of a thread, as stored by the fixture."""
    return [c.id for c in corpus.comments.values()
            if (c.site, c.uri, c.status) == (site, uri, "approved")]


def report(corpus: Corpus, surface: str) -> None:
    counts = ", ".join(f"{v} {k}" for k, v in sorted(corpus.checks.items()))
    print(f"\n{surface}: {len(corpus.payloads)} distinct payloads; refused at input: "
          f"{dict(corpus.refused)}; checks: {counts}")


def heading_has_title(page: Page, selector: str, server: Server, site: str, uri: str) -> None:
    thread = httpx.get(f"{server.base}/api/v1/threads", params={"site": site, "uri": uri}).json()
    assert thread["title"], (site, uri)
    heading = page.locator(selector).first.text_content() or ""
    assert thread["title"] in heading, (site, uri, heading, thread["title"])


def replies_name_whom_they_answer(corpus: Corpus, page: Page) -> None:
    links: list[list[str]] = page.locator(".palabre-reply-to").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.textContent])")
    for href, text in links:
        answered = corpus.comments[int(href.removeprefix("#comment-"))]
        assert text == f"in reply to {answered.author or 'Anonymous'}", (href, text)
        corpus.checks["'in reply to' names shown as text"] += 1


def test_the_widget_shows_every_payload_as_text(
        corpus: Corpus, server: Server, host: Host, watched: Watched) -> None:
    page = watched.page
    for site in (SITE, IMPORTED):
        for uri in corpus.threads[site]:
            if uri.startswith("/xss/title/") or uri in corpus_.uris():
                continue  # one comment each: the fragment, the feed and the desk cover them
            page.goto(host.page(uri=uri, script=f'data-palabre-site="{site}"'))
            page.wait_for_selector("#palabre-thread .palabre-heading")
            page.wait_for_function(
                "!document.querySelector('#palabre-thread .palabre-list[aria-busy]')")
            watched.walk(corpus, f"widget {site} {uri}")
            heading_has_title(page, "#palabre-thread .palabre-heading", server, site, uri)
            watched.shown(corpus, WIDGET, ids_of(corpus, uri, site), f"widget {uri}")
            replies_name_whom_they_answer(corpus, page)
    report(corpus, "widget")


def test_the_fragment_shows_every_payload_as_text(
        corpus: Corpus, server: Server, watched: Watched) -> None:
    """Each site's fragments included in one page, as a server-side include puts them
    (one page load instead of dozens); the first also opened on its own."""
    page = watched.page
    for site in (SITE, IMPORTED):
        uris = corpus.threads[site]
        parts = [httpx.get(f"{server.base}/embed/thread.html", params={"site": site, "uri": uri})
                 for uri in uris]
        assert {part.status_code for part in parts} == {200}
        page.goto(f"{server.base}/embed/thread.html?" + urlencode({"site": site, "uri": uris[0]}))
        watched.walk(corpus, f"fragment {site} {uris[0]}")
        page.set_content('<!doctype html><html lang="en"><meta charset="utf-8"><body>' + "".join(
            f'<section id="thread-{n}">{part.text}</section>' for n, part in enumerate(parts)))
        watched.walk(corpus, f"fragments of {site}")
        expected: list[int] = []
        for n, uri in enumerate(uris):
            if (site, uri) in corpus.titles:
                heading_has_title(page, f"#thread-{n} .palabre-heading", server, site, uri)
            expected += ids_of(corpus, uri, site)
        watched.shown(corpus, FRAGMENT, expected, f"fragments of {site}")
        replies_name_whom_they_answer(corpus, page)
    report(corpus, "fragment")


def test_the_demo_page_shows_payloads_as_text(
        corpus: Corpus, server: Server, watched: Watched) -> None:
    page = watched.page
    page.route("**/widget.js", lambda route: route.abort())  # the page as no-JS readers see it
    page.goto(f"{server.base}/demo{DEMO_URI}")
    watched.walk(corpus, "demo, server-rendered")
    expected = ids_of(corpus, DEMO_URI, "default")
    assert len(expected) == 20
    watched.shown(corpus, FRAGMENT, expected, "demo fragment")
    page.unroute("**/widget.js")
    page.reload()
    page.wait_for_selector("#palabre-thread > .palabre-heading")
    page.wait_for_function("!document.querySelector('#palabre-thread .palabre-list[aria-busy]')")
    watched.walk(corpus, "demo, widget")
    watched.shown(corpus, WIDGET, expected, "demo widget")
    report(corpus, "demo")


# Every feed fetched and parsed in the page: only Atom's elements and attributes, links
# to http(s) or to the site's paths, and each entry's html content walked as a document.
FEED = r"""async (urls) => {
  const ATOM = 'http://www.w3.org/2005/Atom';
  const ELEMENTS = ['feed', 'id', 'title', 'updated', 'link', 'entry', 'author', 'name',
                    'published', 'content'];
  const ATTRIBUTES = ['xmlns', 'xml:lang', 'rel', 'href', 'type'];
  const bad = [];
  let entries = 0, contents = 0;
  for (const url of urls) {
    const xml = new DOMParser().parseFromString(await (await fetch(url)).text(), 'application/xml');
    if (xml.querySelector('parsererror')) { bad.push(`not XML: ${url}`); continue; }
    for (const el of xml.getElementsByTagName('*')) {
      if (el.namespaceURI !== ATOM || !ELEMENTS.includes(el.localName)) {
        bad.push(`element ${el.tagName}`);
      }
      for (const a of el.attributes) {
        if (!ATTRIBUTES.includes(a.name)) bad.push(`attribute ${a.name}`);
      }
      const href = el.getAttribute('href');
      if (href !== null && !/^(https?:\/\/|\/)/i.test(href)) bad.push(`link ${href}`);
    }
    for (const entry of xml.getElementsByTagName('entry')) entries += 1;
    for (const content of xml.getElementsByTagName('content')) {
      contents += 1;
      const doc = new DOMParser().parseFromString(content.textContent, 'text/html');
      for (const el of doc.body.querySelectorAll('*')) {
        if (!BODY.includes(el.localName)) bad.push(`content tag ${el.outerHTML.slice(0, 120)}`);
        for (const a of el.attributes) {
          if (!['href', 'rel', 'title'].includes(a.name)) bad.push(`content attribute ${a.name}`);
          if (a.name === 'href' && !/^(https?:|mailto:|#|\/)/i.test(a.value.trim())) {
            bad.push(`content href ${a.value}`);
          }
        }
      }
    }
  }
  return {bad, entries, contents};
}"""


def test_the_feeds_hold_only_atom_and_safe_html(
        corpus: Corpus, server: Server, watched: Watched) -> None:
    page = watched.page
    urls = [f"/api/v1/feed.atom?site={SITE}", f"/api/v1/feed.atom?site={IMPORTED}",
            *("/api/v1/feed.atom?" + urlencode({"site": SITE, "uri": u})
              for u in corpus.threads[SITE] if not u.startswith("/xss/title/"))]
    page.goto(server.base + urls[0])  # opened as a reader would: nothing runs
    watched.walk(corpus, "feed opened")
    script = FEED.replace("BODY.includes", f"{sorted(BODY_TAGS)!r}.includes")
    found: dict[str, Any] = page.evaluate(script, urls)
    assert found["bad"] == [], found["bad"][:10]
    assert found["entries"] == found["contents"] > 600
    corpus.checks["feed entries parsed"] += found["entries"]
    assert page.evaluate("window.__pwned") is None
    report(corpus, "feeds")


def test_the_walk_sees_what_it_looks_for(server: Server, watched: Watched) -> None:
    """The checks above can fail: each planted fault is reported by the walk."""
    planted = ['<img src=x onerror="1">', '<a href=" JaVa&#x09;script:1">a</a>',
               '<form action="data:text/html,x"></form>', "<script>1</script>",
               '<svg><a xlink:href="vbscript:1"><text>t</text></a></svg>',
               '<div style="background:url(javascript:1)">s</div>', "<iframe></iframe>",
               '<template><b onclick="1">t</b></template>']
    page = watched.page
    page.goto(f"{server.base}/embed/thread.html?site={SITE}&uri=/nothing")
    for fault in planted:
        page.evaluate("html => { document.body.insertAdjacentHTML('beforeend', html); }", fault)
        found: dict[str, Any] = page.evaluate(WALK, server.base)
        assert len(found["bad"]) == 1, (fault, found["bad"])
        page.evaluate("() => document.body.lastChild.remove()")
    page.evaluate("() => { document.body.insertAdjacentHTML('beforeend',"
                  " '<div class=palabre-body><img></div>'); window.__pwned = 1; }")
    found = page.evaluate(WALK, server.base)
    assert found["tags"] == ["img"] and found["pwned"] == "1"


CARD_FACTS = r"""() => Object.fromEntries([...document.querySelectorAll('article.card')].map(
  (el) => [el.id.replace(/^comment-/, ''),
           [el.querySelector('.article a, .article span')?.textContent ?? '',
            el.querySelector('.facts')?.textContent ?? '']]))"""


@pytest.fixture(scope="module")
def moderator(server: Server) -> str:
    done = subprocess.run([server.palabre, "admin", "moderator", MODERATOR, "--password-stdin",
                           "--database", server.database], input=PASSWORD + "\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return MODERATOR


@pytest.fixture(scope="module")
def desk(server: Server, browser: Browser, corpus: Corpus, moderator: str) -> Iterator[Watched]:
    """A moderator signed in through the form, once for the desk's tests (whose pages must
    raise no error either)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    context.set_default_timeout(10000)
    found = Watched(context.new_page(), server.base)
    found.page.on("dialog", found.dialog)
    found.page.on("pageerror", lambda exc: found.errors.append(str(exc)))
    found.page.goto(f"{server.base}/admin/login")
    found.page.get_by_label("Username").fill(moderator)
    found.page.get_by_label("Password").fill(PASSWORD)
    found.page.get_by_label("Password").press("Enter")
    found.page.wait_for_url("**/admin/queue/**")
    yield found
    context.close()
    assert found.dialogs == [], found.dialogs
    assert found.errors == [], found.errors


def titles_of(server: Server, site: str, uris: set[str]) -> dict[str, str]:
    """Each thread's label on the desk: its title, else its (normalised) address."""
    found = {}
    for uri in uris:
        thread = httpx.get(f"{server.base}/api/v1/threads",
                           params={"site": site, "uri": uri}).json()
        found[uri] = thread["title"] or thread["uri"]
    return found


def walk_queue(desk: Watched, corpus: Corpus, server: Server, site: str,
               kind: str) -> dict[int, list[str]]:
    """Every page of a queue walked; each card's name and mark checked, and its thread's
    title; returns the cards' article labels and facts by comment id."""
    facts: dict[int, list[str]] = {}
    for number in itertools.count(1):
        desk.page.goto(f"{server.base}/admin/queue/{kind}?site={site}&page={number}")
        desk.walk(corpus, f"queue {kind} {site} page {number}")
        shown: dict[str, list[str | None]] = desk.page.evaluate(SHOWN, CARDS)
        here = [int(i) for i in shown if int(i) in corpus.comments]
        desk.shown(corpus, CARDS, here, f"queue {kind} {site}")
        page_facts: dict[str, list[str]] = desk.page.evaluate(CARD_FACTS)
        facts.update({int(i): v for i, v in page_facts.items()})
        if desk.page.locator("a[rel=next]").count() == 0:
            break
    titles = titles_of(server, site, {corpus.comments[i].uri for i in facts
                                      if i in corpus.comments})
    for comment_id, (label, _) in facts.items():
        if comment_id in corpus.comments:
            assert label == titles[corpus.comments[comment_id].uri], (comment_id, label)
            corpus.checks["titles shown as text"] += 1
    return facts


def test_the_desk_shows_every_payload_as_text(
        corpus: Corpus, server: Server, desk: Watched) -> None:
    held = {i for i, c in corpus.comments.items() if c.site == DESK}
    assert len(held) > 100
    assert set(walk_queue(desk, corpus, server, DESK, "pending")) == held
    reported = walk_queue(desk, corpus, server, SITE, "reported")
    notes = [" ".join(n.split())[:30] for n in corpus_.breakout_texts()[:25]]
    everything = " ".join(" ".join(facts for _, facts in reported.values()).split())
    assert [n for n in notes if n not in everything] == []
    corpus.checks["report notes shown as text"] += len(notes)
    walk_queue(desk, corpus, server, IMPORTED, "pending")
    report(corpus, "desk queues")


def test_the_desk_edit_and_thread_pages_keep_payloads_in_their_fields(
        corpus: Corpus, server: Server, desk: Watched) -> None:
    page = desk.page
    held = [c for c in corpus.comments.values() if c.site == DESK]
    for posted in held[:6]:
        page.goto(f"{server.base}/admin/comments/{posted.id}/edit")
        desk.walk(corpus, f"edit {posted.id}")
        assert posted.mark in page.locator("#e-text").input_value()
        corpus.checks["edit fields holding their text"] += 1
    odd = {c.uri for c in held if not c.uri.startswith("/desk/")}
    uris = [*sorted(odd), "/desk/0", "/desk/1"]
    for uri in uris:
        thread = httpx.get(f"{server.base}/api/v1/threads",
                           params={"site": DESK, "uri": uri}).json()
        page.goto(f"{server.base}/admin/threads?" + urlencode({"site": DESK, "uri": uri}))
        desk.walk(corpus, f"thread {uri}")
        label = thread["title"] or thread["uri"]
        assert page.locator("#thread-heading").text_content() == label, (uri, label)
        assert page.locator("#t-title").input_value() == thread["title"]
        corpus.checks["thread pages holding their title"] += 1
    report(corpus, "desk edit and thread pages")


def test_the_desk_sanctions_and_audit_pages_keep_payloads_as_text(
        corpus: Corpus, server: Server, desk: Watched) -> None:
    page = desk.page
    why = corpus_.breakout_texts()[2]
    page.goto(f"{server.base}/admin/queue/pending?site={DESK}")
    card = page.locator("article.card").first
    card.locator("details.sanction summary").click()
    card.locator("input[name=why]").fill(why)
    card.locator("details.sanction button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("article.card").first.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    page.goto(f"{server.base}/admin/sanctions?site={DESK}")
    desk.walk(corpus, "sanctions")
    assert why in (page.locator("main table").text_content() or "")
    for path in (f"/admin/audit?site={DESK}", "/admin/audit", f"/admin/dashboard?site={DESK}",
                 f"/admin/threads?site={DESK}", f"/admin/settings?site={DESK}"):
        page.goto(server.base + path)
        desk.walk(corpus, path)
    report(corpus, "sanctions, audit, dashboard")


# The widget's own Markdown preview (built in the browser, not by the server) of every text.
PREVIEW = r"""([texts, origin]) => {
  const walk = WALK;
  const field = document.querySelector('#palabre-thread textarea[name=text]');
  const shown = document.querySelector('#palabre-thread .palabre-preview');
  const bad = [];
  let elements = 0;
  texts.forEach((text, n) => {
    field.value = `${text}\n\npreview-mark-${n}`;
    field.dispatchEvent(new Event('input', {bubbles: true}));
    const found = walk(origin);
    elements += found.elements;
    bad.push(...found.bad, ...found.tags.filter((t) => !TAGS.includes(t)).map((t) => `tag ${t}`));
    if (found.pwned !== null) bad.push(`pwned by ${n}`);
    if (!shown.textContent.includes(`preview-mark-${n}`)) bad.push(`mark ${n} missing`);
  });
  return {bad, elements};
}"""


def test_the_widget_preview_shows_every_text_as_text(
        corpus: Corpus, server: Server, host: Host, watched: Watched) -> None:
    page = watched.page
    page.goto(host.page(uri="/xss/preview", script=f'data-palabre-site="{SITE}"'))
    page.wait_for_selector("#palabre-thread .palabre-heading")
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_role("button", name="Preview").click()
    script = PREVIEW.replace("WALK", WALK).replace("TAGS", repr(sorted(BODY_TAGS)))
    texts = corpus_.texts()
    found: dict[str, Any] = page.evaluate(script, [texts, server.base])
    page.wait_for_timeout(100)
    assert found["bad"] == [], found["bad"][:10]
    assert page.evaluate("window.__pwned") is None
    corpus.checks["previews walked"] += len(texts)
    corpus.checks["elements walked"] += found["elements"]
    report(corpus, "widget preview")
