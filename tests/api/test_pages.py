"""The no-JavaScript fragment /embed/thread.html and the demo pages."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from palabre.demo import load_demo, seed_demo
from palabre.domain import moderation, moderators, threads
from palabre.domain.identity import SYSTEM
from tests.conftest import Api, AppFactory

Comment = dict[str, Any]
Nested = tuple[Comment, Comment, Comment, Comment]  # top, reply, deeper, other


class Outline(HTMLParser):
    """Each comment <li> with the comment <li> it is nested in, plus every tag seen."""

    VOID = frozenset({"br", "img", "meta", "link", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.parents: dict[int, int | None] = {}
        self.order: list[int] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, name, value) for name, value in attrs]
        found = dict(attrs)
        if tag == "h2":
            self._in_heading = True
        if tag in self.VOID:
            return
        comment_id = found.get("id") if tag == "li" else None
        if comment_id and comment_id.startswith("comment-"):
            number = int(comment_id.removeprefix("comment-"))
            outer = [int(i.removeprefix("comment-")) for t, i in self.stack if t == "li" and i]
            self.parents[number] = outer[-1] if outer else None
            self.order.append(number)
        self.stack.append((tag, comment_id))

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_heading = False
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1][0] == tag, (tag, self.stack)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_heading:
            self.headings.append(data.strip())


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    return parser


def fragment(api: Api, uri: str = "/a", headers: dict[str, str] | None = None,
             **params: str) -> httpx.Response:
    response = api.get("/embed/thread.html", params={"uri": uri, **params}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response


@pytest.fixture
def nested(api: Api) -> Nested:
    top = api.post("/a", "Premier", author="Jeanne", title="Le tramway")["comment"]
    reply = api.reply(top["id"], text="Réponse", author="Paul")
    deeper = api.reply(reply["id"], text="Plus profond")
    other = api.comment("/a", "Autre")
    return top, reply, deeper, other


def test_fragment_heading_and_nested_lists(api: Api, nested: Nested) -> None:
    top, reply, deeper, other = nested
    page = outline(fragment(api).text)
    assert page.headings == ["4 comments on \u2018Le tramway\u2019"]
    assert page.order == [top["id"], reply["id"], deeper["id"], other["id"]]
    assert page.parents == {top["id"]: None, reply["id"]: top["id"],
                            deeper["id"]: reply["id"], other["id"]: None}
    assert "ol" in page.tags
    assert "Comments are closed." not in "".join(page.text)


def test_fragment_in_french(api: Api, nested: Nested) -> None:
    for response in (fragment(api, lang="fr"),
                     fragment(api, headers={"Accept-Language": "fr-CA,fr;q=0.9"})):
        page = outline(response.text)
        assert page.headings == ["4 commentaires sur « Le tramway »"]
        assert response.headers["content-language"] == "fr"


def test_fragment_without_title_and_empty(api: Api) -> None:
    assert outline(fragment(api, "/never").text).headings == ["0 comments"]
    assert outline(fragment(api, "/never", lang="fr").text).headings == ["0 commentaire"]
    api.comment("/b")
    assert outline(fragment(api, "/b").text).headings == ["1 comment"]


def test_fragment_of_a_closed_thread(api: Api, nested: Nested) -> None:
    api.domain(lambda ctx: threads.set_closed(ctx, "default", "/a", True, SYSTEM))
    assert "Comments are closed." in "".join(outline(fragment(api).text).text)
    french = "".join(outline(fragment(api, lang="fr").text).text)
    assert "Les commentaires sont fermés." in french


def test_fragment_shows_the_message_staff_and_featured_badges(api: Api, nested: Nested) -> None:
    _, reply, _, _ = nested
    api.site_settings(staff_label="La rédaction")
    api.domain(lambda ctx: threads.set_options(ctx, "default", "/a", SYSTEM,
                                               message="Débat *modéré* <script>x</script>"))
    api.domain(lambda ctx: moderation.set_featured(ctx, reply["id"], True, SYSTEM))
    html = fragment(api, lang="fr").text
    assert '<div class="palabre-message"><p>Débat <em>modéré</em> &lt;script&gt;x&lt;/script&gt;' \
        in html
    assert html.count("palabre-featured") == 1 and "Choix de la rédaction" in html
    assert "palabre-staff" not in html
    # A moderator's own comment, posted with their session, carries the site's label.
    api.domain(lambda ctx: moderators.save_moderator(ctx, "claire", "un mot de passe"))
    assert api.client.post("/api/admin/login", json={
        "username": "claire", "password": "un mot de passe"}).status_code == 200
    api.post("/a", "Précision", staff=True, author="Claire")
    assert outline(fragment(api).text).text.count("La rédaction") == 1


def test_fragment_shows_placeholders_and_hides_pending(api: Api) -> None:
    parent = api.post("/a", "Parent", author="Jeanne")
    api.reply(parent["comment"]["id"], text="Réponse visible")
    api.delete(parent["comment"]["id"], parent["token"])
    api.site_settings(moderation="all")
    api.comment("/a", "Texte en attente")
    html = fragment(api).text
    text = "".join(outline(html).text)
    assert "Réponse visible" in text
    assert "Texte en attente" not in text and "Jeanne" not in text
    assert outline(html).headings == ["1 comment"]


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }} {% raw %}",
]


@pytest.mark.parametrize("payload", XSS)
def test_fragment_escapes_everything_readers_send(api: Api, payload: str) -> None:
    api.comment("/a", payload, author=payload, title=payload)
    api.comment("/a", f"[lien]({payload})")
    html = fragment(api).text
    page = outline(html)
    assert not {"script", "img", "svg", "iframe"} & set(page.tags)
    for tag, name, value in page.attrs:
        assert not name.startswith("on"), (tag, name)
        if name == "href":
            assert not (value or "").lower().startswith("javascript"), value
    assert payload in "".join(page.text)
    assert "49" not in "".join(page.text)


def test_fragment_links_readers_websites_safely(api: Api) -> None:
    api.comment("/a", "x", author="Jeanne", website="https://jeanne.example")
    page = outline(fragment(api).text)
    links = [(name, value) for tag, name, value in page.attrs if tag == "a"]
    assert ("href", "https://jeanne.example") in links
    assert ("rel", "nofollow ugc noopener") in links


def test_fragment_marks_replies_past_max_depth(api: Api) -> None:
    api.site_settings(max_depth=2)
    top = api.comment("/a", author="Jeanne")
    reply = api.reply(top["id"], author="Paul")
    deeper = api.reply(reply["id"], author="Zoé")
    page = outline(fragment(api).text)
    assert page.parents[deeper["id"]] == top["id"]
    assert "in reply to Paul" in "".join(page.text)


def test_no_demo_page_unless_asked(api: Api) -> None:
    assert api.get("/").status_code == 404


def test_demo_page(make_api: AppFactory) -> None:
    api = make_api(demo=True)
    demo = load_demo()
    assert api.domain(seed_demo) is True
    assert api.domain(seed_demo) is False  # seeding twice changes nothing
    first = demo.articles[0]
    response = api.get("/")
    assert response.status_code == 200
    page = outline(response.text)
    assert first.title in "".join(page.text)
    count = api.thread(first.uri)["count"]
    assert count == len(first.comments) >= 30
    assert page.headings == [f"{count} commentaires sur « {first.title} »"]
    depths = {c["depth"] for c in api.page(first.uri, limit=200)["comments"]}
    assert max(depths) >= 3
    for article in demo.articles[1:]:
        other = api.get(f"/demo{article.uri}")
        assert other.status_code == 200
        text = "".join(outline(other.text).text)
        assert article.title in text
        closed = "Les commentaires sont fermés." in text
        assert closed == article.closed
    assert any(a.closed for a in demo.articles)
    assert api.get("/demo/no/such/article").status_code == 404


def test_demo_page_in_english(make_api: AppFactory) -> None:
    api = make_api(demo=True)
    api.domain(seed_demo)
    first = load_demo().articles[0]
    page = outline(api.get("/?lang=en").text)
    count = api.thread(first.uri)["count"]
    assert page.headings == [f"{count} comments on ‘{first.title}’"]
    english = api.get("/?lang=en").text
    assert 'data-palabre-lang="en"' in english and "Comments in English" not in english
    assert "Comments in English" in api.get("/").text
