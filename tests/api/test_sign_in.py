"""Moderator sign-in: password hashing off the event loop, rate limits by client and by
account, revocable sessions, and the Secure cookie behind a TLS proxy."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher

from palabre.domain import moderators
from palabre.domain.moderators import save_moderator
from tests.conftest import Api, AppFactory

PASSWORD = "correct horse battery"


class HeldHasher(PasswordHasher):
    """Verifications wait until the test releases them (a slow argon2, made deterministic).

    ``timed_out`` counts waits that gave up: a verification holding the event loop blocks
    the very read that would release it, so it can only end by giving up.
    """

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.entered = 0
        self.timed_out = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self.lock:
            self.entered += 1
        if not self.release.wait(timeout=2):
            with self.lock:
                self.timed_out += 1
        return super().verify(hash, password)


def test_a_read_answers_while_verifications_run(api: Api,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    api.comment("/a")
    hasher = HeldHasher()
    monkeypatch.setattr(moderators, "_hasher", hasher)
    app: Any = api.client.app

    async def scenario() -> tuple[int, bool, list[int]]:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            logins = [asyncio.ensure_future(client.post(
                "/api/admin/login", json={"username": "claire", "password": f"wrong {n}"}))
                for n in range(6)]
            while hasher.entered == 0 and not any(t.done() for t in logins):
                await asyncio.sleep(0.005)
            read = await client.get("/api/v1/comments", params={"uri": "/a"})
            in_flight = not hasher.release.is_set() and not any(t.done() for t in logins)
            hasher.release.set()
            answers = await asyncio.gather(*logins)
            return read.status_code, in_flight, [a.status_code for a in answers]

    status, in_flight, logins = api.client.portal.call(scenario)  # type: ignore[union-attr]
    assert status == 200
    assert in_flight, "the read waited for the sign-ins"
    assert hasher.timed_out == 0, "a verification held the event loop"
    assert logins == [401] * 6


def sign_in(api: Api, password: str = PASSWORD, username: str = "claire",
            **headers: str) -> httpx.Response:
    response: httpx.Response = api.client.post(
        "/api/admin/login", json={"username": username, "password": password},
        headers=headers)
    return response


def cookie_attributes(response: httpx.Response) -> set[str]:
    """The session cookie's attribute names, lower-cased (``secure``, ``httponly``...)."""
    _, *attributes = response.headers["set-cookie"].split(";")
    return {a.split("=")[0].strip().lower() for a in attributes}


def test_session_cookie_is_secure_behind_a_trusted_tls_proxy(make_api: AppFactory) -> None:
    api = make_api()
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    behind_tls = sign_in(api, **{"X-Forwarded-Proto": "https"})
    assert behind_tls.status_code == 200
    assert {"secure", "httponly"} <= cookie_attributes(behind_tls)
    plain = sign_in(api)
    assert "secure" not in cookie_attributes(plain)
    # The header means nothing from a peer that is not a trusted proxy.
    direct = make_api(peer=("203.0.113.9", 50000))
    spoofed = sign_in(direct, **{"X-Forwarded-Proto": "https"})
    assert spoofed.status_code == 200
    assert "secure" not in cookie_attributes(spoofed)


def from_client(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 15 * 60 + 1


def test_sign_in_is_rate_limited_by_client(api: Api) -> None:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    attacker = from_client("198.51.100.7")
    # Ten guesses, each at another account (so only the client's limit is reached).
    for n in range(10):
        assert sign_in(api, "wrong password", f"user{n}", **attacker).status_code == 401
    assert_rate_limited(sign_in(api, "wrong password", "user10", **attacker))
    assert_rate_limited(sign_in(api, PASSWORD, **attacker))  # even the right password
    # Another client signs in, and that resets nothing for the first one.
    assert sign_in(api, **from_client("203.0.113.20")).status_code == 200
    assert_rate_limited(sign_in(api, "wrong password", "user11", **attacker))
    api.clock.advance(minutes=15)
    assert sign_in(api, PASSWORD, **attacker).status_code == 200


def test_sign_in_is_rate_limited_by_account(api: Api) -> None:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    api.domain(lambda ctx: save_moderator(ctx, "marc", PASSWORD))
    # Ten guesses at one account from ten addresses (one each: no client limit is reached).
    for n in range(10):
        wrong = sign_in(api, "wrong password", **from_client(f"198.51.100.{n + 1}"))
        assert wrong.status_code == 401
    assert_rate_limited(sign_in(api, "wrong password", **from_client("198.51.100.50")))
    assert_rate_limited(sign_in(api, PASSWORD, **from_client("198.51.100.51")))
    # Other accounts are not affected.
    assert sign_in(api, PASSWORD, "marc", **from_client("198.51.100.52")).status_code == 200
    api.clock.advance(minutes=15)
    assert sign_in(api, PASSWORD, **from_client("198.51.100.53")).status_code == 200


def test_logout_revokes_the_session_cookie(api: Api) -> None:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    comment = api.comment()
    assert sign_in(api).status_code == 200
    kept = api.client.cookies["palabre_session"]  # a copy someone kept
    assert api.get("/api/admin/me").status_code == 200
    assert api.client.post("/api/admin/logout").status_code == 204
    api.client.cookies.set("palabre_session", kept)
    assert api.get("/api/admin/me").status_code == 401
    assert api.client.delete(f"/api/v1/comments/{comment['id']}").status_code == 401
    # Signing in again opens a new session that works.
    api.client.cookies.clear()
    assert sign_in(api).status_code == 200
    assert api.get("/api/admin/me").status_code == 200


def test_password_change_revokes_sessions(api: Api) -> None:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    api.domain(lambda ctx: save_moderator(ctx, "marc", PASSWORD))
    assert sign_in(api, username="marc").status_code == 200
    marc = api.client.cookies["palabre_session"]
    assert sign_in(api).status_code == 200
    claire = api.client.cookies["palabre_session"]
    api.domain(lambda ctx: save_moderator(ctx, "claire", "a new long password"))
    assert api.get("/api/admin/me").status_code == 401
    assert sign_in(api).status_code == 401
    assert sign_in(api, "a new long password").status_code == 200
    assert api.get("/api/admin/me").json()["moderator"]["username"] == "claire"
    api.client.cookies.clear()
    api.client.cookies.set("palabre_session", claire)
    assert api.get("/api/admin/me").status_code == 401
    # Another moderator's session is untouched.
    api.client.cookies.clear()
    api.client.cookies.set("palabre_session", marc)
    assert api.get("/api/admin/me").json()["moderator"]["username"] == "marc"
