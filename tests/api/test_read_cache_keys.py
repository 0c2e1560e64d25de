"""The read cache is keyed on the parameters a read uses, not on the raw query string."""

from __future__ import annotations

from typing import Any

from palabre.web.cache.thread_cache import ThreadCache
from tests.conftest import Api


def cache_of(api: Api) -> ThreadCache:
    app: Any = api.client.app
    cache: ThreadCache = app.state.palabre.cache
    return cache


def entries(api: Api) -> int:
    return len(cache_of(api)._entries)


def test_unknown_parameters_and_their_order_make_no_new_entries(api: Api) -> None:
    """`&junk=N` made every read a miss and a new entry: memory grew, the cache was bypassed."""
    api.comment("/a")
    page = api.get("/api/v1/comments?uri=%2Fa&sort=newest&limit=5")
    counts = api.get("/api/v1/counts?uri=%2Fa&uri=%2Fb")
    assert page.status_code == counts.status_code == 200
    known = entries(api)
    for i in range(40):
        again = api.get(f"/api/v1/comments?junk={i}&limit=5&sort=newest&uri=%2Fa&x{i}=")
        assert again.content == page.content and again.headers["etag"] == page.headers["etag"]
        again = api.get(f"/api/v1/counts?junk={i}&uri=%2Fa&site=default&uri=%2Fb")
        assert again.content == counts.content
    assert entries(api) == known


def test_defaults_share_an_entry(api: Api) -> None:
    api.comment("/a")
    first = api.get("/api/v1/comments?uri=%2Fa")
    known = entries(api)
    for query in ("uri=%2Fa&sort=", "uri=%2Fa&sort=oldest", "sort=oldest&uri=%2Fa&limit="):
        assert api.get(f"/api/v1/comments?{query}").content == first.content
    assert entries(api) == known


def test_a_repeated_parameter_is_read_as_the_handlers_read_it(api: Api) -> None:
    """The last value counts, as in the handlers: the key must tell the two orders apart."""
    api.comment("/a", text="on a")
    api.comment("/b", text="on b")
    for _ in range(2):  # the second round is answered from the cache
        on_b = api.get("/api/v1/comments?uri=%2Fa&uri=%2Fb").json()
        on_a = api.get("/api/v1/comments?uri=%2Fb&uri=%2Fa").json()
        assert on_b["comments"][0]["html"] == "<p>on b</p>"
        assert on_a["comments"][0]["html"] == "<p>on a</p>"
    one = api.get("/api/v1/counts?uri=%2Fa").json()
    two = api.get("/api/v1/counts?uri=%2Fa&uri=%2Fb").json()
    assert one != two


def test_values_cannot_forge_another_key(api: Api) -> None:
    api.comment("/a", text="on a")
    api.comment("/a,b", text="on a,b")
    for _ in range(2):
        page = api.get("/api/v1/comments", params={"uri": "/a,b"}).json()
        assert page["comments"][0]["html"] == "<p>on a,b</p>"
        page = api.get("/api/v1/comments", params={"uri": "/a"}).json()
        assert page["comments"][0]["html"] == "<p>on a</p>"


def test_encoded_parameter_names_are_read_as_the_handlers_read_them(api: Api) -> None:
    api.site_settings("blog")
    api.comment("/a", text="on default")
    api.comment("/a", text="on blog", site="blog")
    for _ in range(2):
        for query in ("%73ite=blog&uri=%2Fa", "site=default&s%69te=blog&uri=%2Fa"):
            page = api.get(f"/api/v1/comments?{query}").json()
            assert page["comments"][0]["html"] == "<p>on blog</p>", query
        page = api.get("/api/v1/comments?site=blog&%73ite=default&uri=%2Fa").json()
        assert page["comments"][0]["html"] == "<p>on default</p>"
