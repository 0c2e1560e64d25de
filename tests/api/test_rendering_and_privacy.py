"""What the API shows of a comment: sanitised HTML, safe links, an avatar, never the email."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.conftest import Api, dump_database


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs))


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("raw", [
    "<script>alert(1)</script>",
    "<b>gras</b>",
    '<img src=x onerror="alert(1)">',
    '<a href="https://example.org">lien</a>',
    "<iframe src=https://evil.example></iframe>",
])
def test_raw_html_is_shown_as_text(api: Api, raw: str) -> None:
    html = api.comment("/a", raw)["html"]
    parsed = parse(html)
    assert "".join(parsed.text) == raw
    assert set(parsed.tags) <= {"p", "a"}  # a URL inside the text may be linkified
    assert parsed.tags[0] == "p"
    assert api.page("/a")["comments"][0]["html"] == html


def test_markdown_is_rendered(api: Api) -> None:
    text = ("*em* **strong** `code`\n\n> cité\n\n- un\n- deux\n\n1. premier\n\n"
            "```\nbloc\n```\n\n~~barré~~")
    tags = set(parse(api.comment("/a", text)["html"]).tags)
    assert {"p", "em", "strong", "code", "blockquote", "ul", "ol", "li", "pre", "s"} <= tags


@pytest.mark.parametrize("text", [
    "[lien](https://example.org/page)",
    "https://example.org/page",
    "<https://example.org/page>",
    "[courriel](mailto:jeanne@example.org)",
])
def test_links_get_rel_nofollow_ugc_noopener(api: Api, text: str) -> None:
    links = parse(api.comment("/a", text)["html"]).links
    assert len(links) == 1
    assert links[0]["rel"] == "nofollow ugc noopener"
    href = links[0]["href"]
    assert href is not None
    assert href.split(":")[0] in {"https", "mailto"}


@pytest.mark.parametrize("text", [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)",
    "[x](/relative/path)",
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n\n[y][x]",
])
def test_only_http_https_mailto_links_survive(api: Api, text: str) -> None:
    html = api.comment("/a", text)["html"]
    for link in parse(html).links:
        assert (link.get("href") or "").split(":")[0].lower() in {"http", "https", "mailto"}
    assert 'href="javascript' not in html.lower()
    assert 'href="data' not in html.lower()


def test_email_is_never_returned(api: Api) -> None:
    email = "jeanne.secret@example.org"
    posted = api.post("/a", "Bonjour", author="Jeanne", email=email, title="Titre")
    token = posted["token"]
    comment_id = posted["comment"]["id"]
    assert "email" not in posted["comment"]
    bodies = [str(posted)]
    bodies.append(api.patch(comment_id, token, "Modifié").text)
    reply = api.post("/a", "Réponse", parent=comment_id, email=email)
    bodies.append(str(reply))
    for path, params in [
        ("/api/v1/comments", {"uri": "/a"}),
        ("/api/v1/comments", {"uri": "/a", "sort": "top"}),
        ("/api/v1/threads", {"uri": "/a"}),
        ("/api/v1/counts", {"uri": "/a"}),
        ("/api/v1/feed.atom", {}),
        ("/api/v1/feed.atom", {"uri": "/a"}),
        ("/embed/thread.html", {"uri": "/a"}),
    ]:
        response = api.get(path, params=params)
        assert response.status_code == 200
        bodies.append(response.text)
    for body in bodies:
        assert email not in body
        assert "jeanne.secret" not in body
    for comment in api.page("/a")["comments"]:
        assert "email" not in comment


def test_avatar_is_a_short_hex_seed_from_email_or_name(api: Api) -> None:
    a = api.comment("/a", email="jeanne@example.org", author="Jeanne")
    b = api.comment("/b", email="JEANNE@example.org ", author="Autre nom")
    c = api.comment("/a", email="paul@example.org", author="Jeanne")
    d = api.comment("/a", author="Sans courriel")
    e = api.comment("/c", author="Sans courriel")
    anonymous = api.comment("/a")
    for comment in (a, b, c, d, e, anonymous):
        assert comment["avatar"]
        int(comment["avatar"], 16)
        assert len(comment["avatar"]) <= 32
    assert a["avatar"] == b["avatar"]
    assert a["avatar"] != c["avatar"]
    assert d["avatar"] == e["avatar"] != a["avatar"]


def test_avatar_salt_is_per_site(api: Api) -> None:
    api.site_settings("blog")
    here = api.comment("/a", author="Sans courriel")
    there = api.comment("/a", author="Sans courriel", site="blog")
    assert here["avatar"] != there["avatar"]


def test_author_name_is_returned_as_given_not_as_html(api: Api) -> None:
    comment = api.comment("/a", author="<b>Jeanne</b> & Cie")
    assert comment["author"] == "<b>Jeanne</b> & Cie"


def test_client_addresses_are_never_stored(api: Api, database_url: str) -> None:
    address = "192.0.2.77"
    comment_id = api.comment("/a", client_ip=address)["id"]
    api.vote(comment_id, 1, client_ip="198.51.100.77")
    api.vote(comment_id, -1, client_ip="198.51.100.77")
    tables = dump_database(database_url)
    dump = "\n".join(str(row) for rows in tables.values() for row in rows)
    assert tables["votes"] and tables["comments"]
    for needle in (address, "198.51.100.77", "192.0.2", "198.51.100"):
        assert needle not in dump
