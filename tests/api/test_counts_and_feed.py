"""GET /api/v1/counts and the Atom feeds."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import Api, AppFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def counts(api: Api, *uris: str, **params: str) -> dict[str, int]:
    response = api.get("/api/v1/counts", params={"uri": list(uris), **params})
    assert response.status_code == 200, response.text
    found: dict[str, int] = response.json()["counts"]
    return found


def test_counts_per_page_keyed_as_asked(api: Api) -> None:
    api.comment("/a")
    api.comment("/a")
    api.comment("/b")
    assert counts(api, "/a", "/b", "/never") == {"/a": 2, "/b": 1, "/never": 0}
    aliases = counts(api, "/a#comments", "https://example.org/a", "/%61")
    assert aliases == {"/a#comments": 2, "https://example.org/a": 2, "/%61": 2}


def test_counts_equal_the_list_counts(api: Api) -> None:
    parent = api.post("/a")
    api.reply(parent["comment"]["id"])
    api.reply(parent["comment"]["id"])
    api.delete(parent["comment"]["id"], parent["token"])
    api.site_settings(moderation="all")
    api.comment("/a")  # pending
    assert api.thread("/a")["count"] == 2
    assert counts(api, "/a") == {"/a": 2}


def test_counts_are_per_site(api: Api) -> None:
    api.site_settings("blog")
    api.comment("/a", site="blog")
    assert counts(api, "/a") == {"/a": 0}
    assert counts(api, "/a", site="blog") == {"/a": 1}


def test_counts_up_to_500_pages(api: Api) -> None:
    api.comment("/p/7")
    uris = [f"/p/{n}" for n in range(500)]
    found = counts(api, *uris)
    assert len(found) == 500
    assert found["/p/7"] == 1
    assert sum(found.values()) == 1


def test_counts_past_500_pages_is_invalid_input(api: Api) -> None:
    response = api.get("/api/v1/counts", params={"uri": [f"/p/{n}" for n in range(501)]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_counts_without_uri_is_invalid_input(api: Api) -> None:
    response = api.get("/api/v1/counts")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def find(element: ET.Element, path: str) -> ET.Element:
    """The first ``path`` under ``element``, which must be there."""
    found = element.find(path)
    assert found is not None, path
    return found


def text_of(element: ET.Element, path: str) -> str:
    """The text of the first ``path`` under ``element``, which must have some."""
    value = find(element, path).text
    assert value is not None, path
    return value


def link(entry: ET.Element) -> str:
    """Where an entry's link points."""
    href = find(entry, f"{ATOM}link").get("href")
    assert href is not None
    return href


def feed(api: Api, **params: str) -> tuple[ET.Element, str]:
    response = api.get("/api/v1/feed.atom", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert find(root, f"{ATOM}id").text
    assert find(root, f"{ATOM}title").text
    assert find(root, f"{ATOM}updated").text
    return root, response.text


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


@pytest.fixture
def discussion(api: Api) -> list[dict[str, Any]]:
    made = []
    for uri, text in [("/a", "premier"), ("/b", "ailleurs"), ("/a", "deuxième"),
                      ("/a", "troisième")]:
        api.clock.advance(minutes=1)
        made.append(api.post(uri, text, author="Jeanne", email="secret@example.org",
                             title=f"Titre {uri}"))
    return made


def test_thread_feed_has_the_threads_comments_newest_first(
        api: Api, discussion: list[dict[str, Any]]) -> None:
    root, _ = feed(api, uri="/a#comments")
    found = entries(root)
    assert len(found) == 3
    wanted = [discussion[i]["comment"]["id"] for i in (3, 2, 0)]
    assert [text_of(e, f"{ATOM}id").rsplit(":", 1)[1] for e in found] == [
        str(w) for w in wanted]
    first = found[0]
    assert find(first, f"{ATOM}author/{ATOM}name").text == "Jeanne"
    content = find(first, f"{ATOM}content")
    assert content.get("type") == "html"
    assert content.text == "<p>troisième</p>"
    assert find(first, f"{ATOM}published").text == discussion[3]["comment"]["created"]
    assert "/a#comment-" in link(first)


def test_site_feed_has_every_thread(api: Api, discussion: list[dict[str, Any]]) -> None:
    root, text = feed(api)
    assert len(entries(root)) == 4
    assert "ailleurs" in text and "premier" in text


def test_feed_leaves_out_pending_and_deleted_and_never_shows_email(
        api: Api, discussion: list[dict[str, Any]]) -> None:
    gone = discussion[0]
    assert api.delete(gone["comment"]["id"], gone["token"]).status_code == 204
    api.site_settings(moderation="all")
    api.comment("/a", "en attente")
    root, text = feed(api, uri="/a")
    assert len(entries(root)) == 2
    assert "en attente" not in text and "premier" not in text
    assert "secret@example.org" not in text


def test_feed_of_a_never_seen_page_is_empty(api: Api) -> None:
    root, _ = feed(api, uri="/never")
    assert entries(root) == []


def test_feed_of_unknown_site_is_invalid_input(api: Api) -> None:
    response = api.get("/api/v1/feed.atom", params={"site": "nope"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_feed_is_valid_xml_whatever_the_text(api: Api) -> None:
    api.comment("/a", "<script>alert('x')</script> & ]]> \"quotes\"", author="<b>&amp;</b>")
    root, _ = feed(api, uri="/a")
    entry = entries(root)[0]
    assert find(entry, f"{ATOM}author/{ATOM}name").text == "<b>&amp;</b>"
    assert "<script>" not in text_of(entry, f"{ATOM}content")


def test_feed_links_point_at_the_sites_pages_when_its_address_is_set(
        api: Api, discussion: list[dict[str, Any]]) -> None:
    api.site_settings(site_url="https://www.example.org/")
    root, _ = feed(api, uri="/a")
    hrefs = [link(e) for e in entries(root)]
    ids = [d["comment"]["id"] for d in discussion if d["comment"]["html"] != "<p>ailleurs</p>"]
    assert sorted(hrefs) == sorted(f"https://www.example.org/a#comment-{i}" for i in ids)


def self_link(root: ET.Element) -> str:
    for element in root.findall(f"{ATOM}link"):
        if element.get("rel") == "self":
            href = element.get("href")
            assert href is not None
            return href
    raise AssertionError("no self link")


def test_feed_links_never_follow_the_host_header(
        api: Api, discussion: list[dict[str, Any]]) -> None:
    """Without public_url, the links followed the request's Host header, which anyone sets."""
    response = api.get("/api/v1/feed.atom", params={"uri": "/a"},
                       headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert b"evil.example" not in response.content
    root = ET.fromstring(response.content)
    assert self_link(root) == "/api/v1/feed.atom?site=default&uri=%2Fa"
    assert all(link(e).startswith("/a#comment-") for e in entries(root))


def test_feed_links_are_absolute_from_the_public_url(make_api: AppFactory) -> None:
    api = make_api(public_url="https://comments.example.org/")
    api.comment("/a")
    response = api.get("/api/v1/feed.atom", params={"uri": "/a"},
                       headers={"Host": "evil.example"})
    root = ET.fromstring(response.content)
    assert self_link(root) == "https://comments.example.org/api/v1/feed.atom?site=default&uri=%2Fa"
    assert b"evil.example" not in response.content
