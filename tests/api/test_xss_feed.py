"""The XSS corpus (tests/browser/xss_corpus.py) through the Atom feeds, parsed in-process:
only Atom's elements and attributes, links to http(s) or the site's paths, each entry's html
content sanitised (no tag, attribute or URL scheme outside what the renderer allows), and
names and titles kept as text."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree as ET

from palabre.settings import SiteSettings
from tests.browser import xss_corpus as corpus_
from tests.conftest import Api

ATOM = "{http://www.w3.org/2005/Atom}"
ELEMENTS = {f"{ATOM}{name}" for name in ("feed", "id", "title", "updated", "link", "entry",
                                         "author", "name", "published", "content")}
ATTRIBUTES = {"rel", "href", "type", "{http://www.w3.org/XML/1998/namespace}lang"}
CONTENT_TAGS = {"a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
                "hr", "li", "ol", "p", "pre", "s", "strong", "ul", "table", "thead", "tbody",
                "tr", "th", "td"}
PER_THREAD = 50  # a thread's feed holds its 50 newest comments


class ContentCheck(HTMLParser):
    """Collects whatever an entry's html holds beyond the renderer's safe subset."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in CONTENT_TAGS:
            self.bad.append(f"tag {tag}")
        for name, value in attrs:
            if name not in ("href", "rel", "title"):
                self.bad.append(f"attribute {name}={value!r}")
            squeezed = "".join(ch for ch in (value or "") if ord(ch) > 32).lower()
            if name == "href" and not squeezed.startswith(("http:", "https:", "mailto:", "#",
                                                           "/")):
                self.bad.append(f"href {value!r}")


def check_feed(xml: bytes) -> tuple[ET.Element, list[str]]:
    root = ET.fromstring(xml)
    bad: list[str] = []
    for element in root.iter():
        if element.tag not in ELEMENTS:
            bad.append(f"element {element.tag}")
        bad += [f"attribute {name}" for name in element.attrib if name not in ATTRIBUTES]
        href = element.get("href")
        if href is not None and not href.lower().startswith(("http://", "https://", "/")):
            bad.append(f"link {href}")
    for content in root.iter(f"{ATOM}content"):
        assert content.get("type") == "html"
        parser = ContentCheck()
        parser.feed(content.text or "")
        parser.close()
        bad += parser.bad
    return root, bad


def test_the_feeds_of_hostile_comments_hold_only_atom_and_safe_html(api: Api) -> None:
    known = {f.name for f in dataclasses.fields(SiteSettings)}
    # Readers post without a proof of work here, when the server would ask for one.
    off: dict[str, Any] = {name: 0 for name in ("pow_difficulty", "min_submit_seconds")
                           if name in known}
    api.site_settings("default", **off)
    texts, names, titles = corpus_.texts(), corpus_.names(), corpus_.titles()
    authors: dict[int, str] = {}
    for n, text in enumerate(texts):
        if "\x00" in text:
            continue  # refused at input (a NUL is never kept)
        uri = f"/xss/{n // PER_THREAD}"
        comment = api.comment(uri, text, author=names[n % len(names)],
                              title=titles[n // PER_THREAD])
        authors[comment["id"]] = comment["author"]
    checked = 0
    for t in range(-(-len(texts) // PER_THREAD)):
        uri = f"/xss/{t}"
        response = api.get("/api/v1/feed.atom", params={"uri": uri})
        assert response.status_code == 200, response.text
        root, bad = check_feed(response.content)
        assert bad == [], (uri, bad[:10])
        title = api.thread(uri)["title"]
        assert title and title in (root.findtext(f"{ATOM}title") or "")
        for entry in root.iter(f"{ATOM}entry"):
            comment_id = int((entry.findtext(f"{ATOM}id") or "").rpartition(":")[2])
            assert entry.findtext(f"{ATOM}author/{ATOM}name") == (authors[comment_id]
                                                                 or "Anonymous")
            assert (entry.findtext(f"{ATOM}title") or "").endswith(f" — {title}")
            checked += 1
    assert checked == len(authors) > 500
    print(f"\nfeeds: {checked} entries of {len(texts)} payloads checked")
