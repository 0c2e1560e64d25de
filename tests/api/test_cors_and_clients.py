"""CORS per site, and who the client is behind (or not behind) a trusted proxy."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Api, AppFactory

ANY = "https://any.example"
ALLOWED = "https://www.journal.example"


def preflight(api: Api, origin: str, method: str = "POST",
              path: str = "/api/v1/comments") -> httpx.Response:
    response: httpx.Response = api.client.options(path, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type, authorization"})
    return response


def test_preflight_from_any_origin_when_the_site_lists_none(api: Api) -> None:
    response = preflight(api, ANY)
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == ANY
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "content-type" in allowed_headers and "authorization" in allowed_headers


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_preflight_for_edits(api: Api, method: str) -> None:
    response = preflight(api, ANY, method, "/api/v1/comments/1")
    assert response.headers["access-control-allow-origin"] == ANY


def test_simple_responses_carry_cors_and_expose_etag(api: Api) -> None:
    response = api.get("/api/v1/comments", params={"uri": "/a"}, headers={"Origin": ANY})
    assert response.headers["access-control-allow-origin"] == ANY
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    assert "origin" in response.headers["vary"].lower()
    posted = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x"},
                             headers={"Origin": ANY})
    assert posted.status_code == 201
    assert posted.headers["access-control-allow-origin"] == ANY


def test_writes_may_carry_a_moderators_cookie_reads_never_ask(api: Api) -> None:
    """A staff comment from the widget sends the (SameSite=Strict) session cookie: the
    preflight and the write's answer allow credentials; reads do not."""
    assert preflight(api, ALLOWED).headers["access-control-allow-credentials"] == "true"
    posted = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x"},
                             headers={"Origin": ALLOWED})
    assert posted.headers["access-control-allow-credentials"] == "true"
    read = api.get("/api/v1/comments", params={"uri": "/a"}, headers={"Origin": ALLOWED})
    assert "access-control-allow-credentials" not in read.headers


def test_errors_carry_cors_too(api: Api) -> None:
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": ""},
                               headers={"Origin": ANY})
    assert response.status_code == 422
    assert response.headers["access-control-allow-origin"] == ANY


def test_allowed_origins_admit_only_those(api: Api) -> None:
    api.site_settings(allowed_origins=[ALLOWED])
    good = preflight(api, ALLOWED)
    assert good.headers["access-control-allow-origin"] == ALLOWED
    bad = preflight(api, ANY)
    assert "access-control-allow-origin" not in bad.headers
    read = api.get("/api/v1/comments", params={"uri": "/a"}, headers={"Origin": ANY})
    assert "access-control-allow-origin" not in read.headers


def test_write_from_a_disallowed_origin_is_forbidden(api: Api) -> None:
    api.site_settings(allowed_origins=[ALLOWED])
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x"},
                               headers={"Origin": ANY})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert api.thread("/a")["count"] == 0
    ok = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x"},
                         headers={"Origin": ALLOWED})
    assert ok.status_code == 201
    assert ok.headers["access-control-allow-origin"] == ALLOWED


def test_edits_and_votes_from_a_disallowed_origin_are_forbidden(api: Api) -> None:
    api.site_settings(allowed_origins=[ALLOWED])
    posted = api.post()
    comment_id = posted["comment"]["id"]
    auth = {"Authorization": f"Bearer {posted['token']}", "Origin": ANY}
    edit = api.client.patch(f"/api/v1/comments/{comment_id}", json={"text": "y"}, headers=auth)
    assert edit.status_code == 403
    delete = api.client.delete(f"/api/v1/comments/{comment_id}", headers=auth)
    assert delete.status_code == 403
    vote = api.client.post(f"/api/v1/comments/{comment_id}/vote", json={"value": 1},
                           headers={"Origin": ANY, "X-Forwarded-For": "198.51.100.1"})
    assert vote.status_code == 403
    assert vote.json()["error"]["code"] == "forbidden"
    comment = api.page()["comments"][0]
    assert comment["html"] == "<p>Bonjour</p>" and comment["likes"] == 0


def test_an_origin_allowed_by_one_site_cannot_write_to_another(api: Api) -> None:
    api.site_settings("blog", allowed_origins=["https://blog.example"])
    api.site_settings(allowed_origins=[ALLOWED])
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x"},
                               headers={"Origin": "https://blog.example"})
    assert response.status_code == 403
    assert api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x", "site": "blog"},
                           headers={"Origin": "https://blog.example"}).status_code == 201


def test_writes_without_origin_are_not_refused(api: Api) -> None:
    # Server-to-server clients send no Origin; browsers always do on cross-site writes.
    api.site_settings(allowed_origins=[ALLOWED])
    api.comment()


def test_cors_only_applies_to_the_api(api: Api) -> None:
    response = api.get("/healthz", headers={"Origin": ANY})
    assert "access-control-allow-origin" not in response.headers


def voter_is_author(api: Api, author_ip: str, voter_ip: str) -> bool:
    """Whether the server takes the two requests for the same client (403 on own vote)."""
    comment_id = api.comment(client_ip=author_ip)["id"]
    response = api.vote(comment_id, 1, client_ip=voter_ip)
    assert response.status_code in (200, 403), response.text
    return response.status_code == 403


def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(api: Api) -> None:
    assert voter_is_author(api, "192.0.2.1", "192.0.2.1")
    assert not voter_is_author(api, "192.0.2.1", "192.0.2.2")


def test_right_most_untrusted_hop_is_the_client(api: Api) -> None:
    # A client cannot pretend to be someone else by prepending a forged hop.
    assert voter_is_author(api, "192.0.2.1", "203.0.113.66, 192.0.2.1")
    assert voter_is_author(api, "192.0.2.1", "192.0.2.1, 127.0.0.1")


def test_x_forwarded_for_is_ignored_without_trusted_proxies(make_api: AppFactory) -> None:
    api = make_api(trusted_proxies=[])
    assert voter_is_author(api, "192.0.2.1", "192.0.2.2")


def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(make_api: AppFactory) -> None:
    api = make_api(peer=("203.0.113.9", 40000))
    assert voter_is_author(api, "192.0.2.1", "192.0.2.2")


def test_trusted_proxies_take_networks(make_api: AppFactory) -> None:
    api = make_api(peer=("10.1.2.3", 40000), trusted_proxies=["10.0.0.0/8"])
    assert not voter_is_author(api, "192.0.2.1", "192.0.2.2")


def test_invalid_forwarded_address_falls_back_to_the_peer(api: Api) -> None:
    assert voter_is_author(api, "not-an-ip", "also-not-an-ip")


def test_rate_limit_is_per_forwarded_client(make_api: AppFactory) -> None:
    api = make_api(post_rate_limit=1)
    api.comment(client_ip="192.0.2.1")
    api.comment(client_ip="192.0.2.2")
    api.post(client_ip="192.0.2.1", expect=429)


@pytest.mark.parametrize("path", ["/api/v1/comments", "/api/v1/counts"])
def test_cached_answers_carry_the_same_cors_headers(api: Api, path: str) -> None:
    """The second read is served from the cache, before the framework: same headers."""
    api.comment("/a")
    answers = [api.get(path, params={"uri": "/a"}, headers={"Origin": ANY}) for _ in range(2)]
    first, cached = answers
    assert cached.content == first.content and cached.headers["etag"] == first.headers["etag"]
    for name in ("access-control-allow-origin", "access-control-expose-headers", "vary"):
        assert cached.headers[name] == first.headers[name], name
    again = api.get(path, params={"uri": "/a"},
                    headers={"Origin": ANY, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["access-control-allow-origin"] == ANY


def test_cached_answers_leave_out_cors_for_origins_no_site_allows(api: Api) -> None:
    api.site_settings(allowed_origins=[ALLOWED])
    for _ in range(2):
        read = api.get("/api/v1/comments", params={"uri": "/a"}, headers={"Origin": ANY})
        assert read.status_code == 200 and "access-control-allow-origin" not in read.headers


BLOG = "https://blog.example"


def test_an_open_site_does_not_open_the_others_to_any_origin(api: Api) -> None:
    """Once one site allowed any origin, a preflight from any origin was admitted for all."""
    api.site_settings(allowed_origins=[ALLOWED])
    api.site_settings("blog")  # lists none: any origin
    assert "access-control-allow-origin" not in preflight(api, ANY).headers
    assert "access-control-allow-origin" not in preflight(
        api, ANY, path="/api/v1/comments?site=default").headers
    assert preflight(api, ANY, path="/api/v1/comments?site=blog").headers[
        "access-control-allow-origin"] == ANY
    assert preflight(api, ALLOWED).headers["access-control-allow-origin"] == ALLOWED
    for _ in range(2):  # the second read is answered from the cache
        read = api.get("/api/v1/comments", params={"uri": "/a"}, headers={"Origin": ANY})
        assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
        read = api.get("/api/v1/comments", params={"uri": "/a", "site": "blog"},
                       headers={"Origin": ANY})
        assert read.headers["access-control-allow-origin"] == ANY


def test_a_site_s_origins_are_admitted_only_for_that_site(api: Api) -> None:
    api.site_settings("blog", allowed_origins=[BLOG])
    api.site_settings(allowed_origins=[ALLOWED])
    # A write names its site in its body: its preflight names none, so any listed origin.
    assert preflight(api, BLOG).headers["access-control-allow-origin"] == BLOG
    assert "access-control-allow-origin" not in preflight(
        api, BLOG, path="/api/v1/comments?site=default").headers
    assert "access-control-allow-origin" not in preflight(
        api, ALLOWED, path="/api/v1/comments?site=blog").headers
    for _ in range(2):
        for path in ("/api/v1/comments", "/api/v1/counts"):
            read = api.get(path, params={"uri": "/a", "site": "blog"},
                           headers={"Origin": ALLOWED})
            assert read.status_code == 200, read.text
            assert "access-control-allow-origin" not in read.headers
            read = api.get(path, params={"uri": "/a", "site": "blog"}, headers={"Origin": BLOG})
            assert read.headers["access-control-allow-origin"] == BLOG


def test_an_unknown_site_admits_no_origin(api: Api) -> None:
    assert "access-control-allow-origin" not in preflight(
        api, ANY, path="/api/v1/comments?site=nowhere").headers


def test_a_site_named_with_an_encoded_parameter_name_is_the_site_addressed(api: Api) -> None:
    api.site_settings("blog", allowed_origins=[BLOG])  # the default site lists none
    for _ in range(2):
        read = api.get("/api/v1/comments?%73ite=blog&uri=%2Fa", headers={"Origin": ANY})
        assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
    assert "access-control-allow-origin" not in preflight(
        api, ANY, path="/api/v1/comments?%73ite=blog").headers


def test_a_site_made_a_moment_ago_by_another_process_is_known_at_once(api: Api) -> None:
    """The widget of a site created by the CLI a second ago must not be refused: a site the
    policy does not know yet makes it read the sites again."""
    assert "access-control-allow-origin" not in preflight(
        api, ANY, path="/api/v1/comments?site=fresh").headers  # unknown: refused, and read
    api.site_settings("fresh")  # another connection, as `palabre site create` would
    answer = preflight(api, ANY, path="/api/v1/comments?site=fresh")
    assert answer.headers.get("access-control-allow-origin") == ANY
