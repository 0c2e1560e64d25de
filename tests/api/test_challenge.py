"""GET /api/v1/challenge and the spam defence of POST /api/v1/comments, through the app:
what a form is given, the 422 reasons in both languages, replay across two app instances
on one database, the work rising for one client network and not for its neighbours."""

from __future__ import annotations

from typing import Any

from palabre.domain import challenge
from palabre.domain.moderators import save_moderator
from palabre.web.api.challenge import network_of
from tests.conftest import Api, AppFactory

WORK = 3000
PASSWORD = "correct horse battery"


def guard(api: Api, rise: int = 4) -> None:
    api.site_settings(pow_difficulty=WORK, min_submit_seconds=2, pow_max_rise=rise)


def fetch(api: Api, uri: str | None = "/a", client_ip: str = "198.51.100.7",
          **params: str) -> dict[str, Any]:
    query = {"uri": uri, **params} if uri else params
    answer = api.get("/api/v1/challenge", params=query, headers={"X-Forwarded-For": client_ip})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    data: dict[str, Any] = answer.json()
    return data


def test_a_reader_fetches_solves_waits_and_posts(api: Api) -> None:
    guard(api)
    given = fetch(api)
    assert given["wait"] == 2
    assert set(given["challenge"]) == {"algorithm", "challenge", "maxNumber", "salt",
                                       "signature"}
    assert given["challenge"]["maxNumber"] == WORK
    proof = challenge.solve(given["challenge"])
    api.clock.advance(seconds=2)
    posted = api.post(text="Avec preuve", proof=proof, honeypot="")
    assert set(posted) == {"comment", "token"}  # the contract's answer, unchanged
    refused = api.post(text="Encore", proof=proof, expect=422)["error"]
    assert refused["reason"] == "challenge_used"


def test_the_refusals_name_their_reason_in_english_and_french(api: Api) -> None:
    guard(api)
    proof = challenge.solve(fetch(api)["challenge"])
    cases = [({}, "challenge_required"), ({"proof": "bm9wZQ=="}, "challenge_invalid"),
             ({"proof": proof}, "too_fast"), ({"honeypot": "x"}, "spam_suspected")]
    for fields, reason in cases:
        messages = set()
        for lang in ("en", "fr"):
            answer = api.client.post("/api/v1/comments", headers={"Accept-Language": lang},
                                     json={"uri": "/a", "text": "Salut", **fields})
            assert answer.status_code == 422, answer.text
            error = answer.json()["error"]
            assert (error["code"], error["reason"]) == ("invalid_input", reason)
            messages.add(error["message"])
        assert len(messages) == 2, messages  # translated, and not the generic message
    assert "2 s" in api.client.post("/api/v1/comments", json={
        "uri": "/a", "text": "Salut", "proof": proof}).json()["error"]["message"]


def test_a_proof_spent_on_one_instance_is_refused_by_another(make_api: AppFactory) -> None:
    first = make_api()
    guard(first)
    second = make_api()  # another worker on the same database
    proof = challenge.solve(fetch(first)["challenge"])
    first.clock.advance(seconds=2)
    second.post(text="Posté par le second", proof=proof)
    assert first.post(text="Rejoué", proof=proof, expect=422)["error"]["reason"] == (
        "challenge_used")


def test_the_work_rises_for_a_busy_network_only(api: Api) -> None:
    guard(api, rise=3)
    spans = [fetch(api, client_ip=f"203.0.113.{n}")["challenge"]["maxNumber"]
             for n in range(1, 60)]
    assert spans[0] == WORK and spans[-1] == WORK << 3
    assert fetch(api, "/b", client_ip="198.51.100.9")["challenge"]["maxNumber"] == WORK


def test_off_the_form_is_given_nothing_and_posts_without_proof(api: Api) -> None:
    assert fetch(api) == {"challenge": None, "wait": 0}
    api.post(text="Sans preuve")


def test_staff_post_without_a_proof(api: Api) -> None:
    guard(api)
    api.post(text="Anonyme", expect=422)
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    assert api.client.post("/api/admin/login", json={"username": "claire",
                                                     "password": PASSWORD}).status_code == 200
    assert api.post(text="La rédaction", staff=True)["comment"]["staff"]


def test_an_unknown_site_or_a_bad_page_is_refused(api: Api) -> None:
    answer = api.get("/api/v1/challenge", params={"site": "nulle-part"})
    assert answer.json()["error"]["reason"] == "site_unknown"
    guard(api)
    bad = api.get("/api/v1/challenge", params={"uri": "/a" + "x" * 2000})
    assert bad.json()["error"]["reason"] == "uri_invalid"


def test_networks_are_the_slash_24_and_slash_48() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2::5") == "2001:db8:1::/48"
    assert network_of("testclient") == "testclient"
