"""The error envelope on every error path of the contract, in English and French."""

from __future__ import annotations

from typing import Any, NoReturn

import httpx
import pytest

from palabre.domain import threads
from palabre.domain.identity import SYSTEM
from palabre.i18n import translate
from tests.conftest import Api, AppFactory

Posted = dict[str, Any]  # what POST /api/v1/comments answers: {"comment", "token"}
Scene = tuple[Api, Posted, Posted]
# (name, method, url, kwargs, status, code)
Case = tuple[str, str, str, dict[str, Any], int, str]


def check_envelope(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"].strip()
    assert "Traceback" not in response.text and "<html" not in response.text.lower()
    return error


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def scene(make_api: AppFactory) -> Scene:
    """An app with a low post limit, a closed thread, an open one, and an old comment."""
    api = make_api(post_rate_limit=3, max_body_bytes=4096)
    old = api.post("/open", "ancien", client_ip="192.0.2.50")
    api.clock.advance(hours=1)
    fresh = api.post("/open", "récent", client_ip="192.0.2.51")
    api.domain(lambda ctx: threads.set_closed(ctx, "default", "/closed", True, SYSTEM))
    return api, old, fresh


def requests_for(old: Posted, fresh: Posted) -> list[Case]:
    """(name, method, url, kwargs, status, code) for every error the contract names."""
    old_id, fresh_id = old["comment"]["id"], fresh["comment"]["id"]
    return [
        ("invalid_text", "POST", "/api/v1/comments", {"json": {"uri": "/open", "text": " "}},
         422, "invalid_input"),
        ("invalid_site", "GET", "/api/v1/comments?uri=/a&site=nope", {}, 422, "invalid_input"),
        ("invalid_vote", "POST", f"/api/v1/comments/{fresh_id}/vote", {"json": {"value": 5}},
         422, "invalid_input"),
        ("invalid_counts", "GET", "/api/v1/counts", {}, 422, "invalid_input"),
        ("not_found_edit", "PATCH", "/api/v1/comments/999999",
         {"json": {"text": "x"}, "headers": bearer(fresh["token"])}, 404, "not_found"),
        ("not_found_vote", "POST", "/api/v1/comments/999999/vote", {"json": {"value": 1}},
         404, "not_found"),
        ("not_found_route", "GET", "/api/v1/nothing-here", {}, 404, "not_found"),
        ("closed", "POST", "/api/v1/comments", {"json": {"uri": "/closed", "text": "x"}},
         403, "thread_closed"),
        ("window", "DELETE", f"/api/v1/comments/{old_id}", {"headers": bearer(old["token"])},
         403, "edit_window_expired"),
        ("forbidden_token", "PATCH", f"/api/v1/comments/{fresh_id}",
         {"json": {"text": "x"}, "headers": bearer(old["token"])}, 403, "forbidden"),
        ("forbidden_own_vote", "POST", f"/api/v1/comments/{fresh_id}/vote",
         {"json": {"value": 1}, "headers": {"X-Forwarded-For": "192.0.2.51"}}, 403,
         "forbidden"),
        ("unauthorized", "DELETE", f"/api/v1/comments/{fresh_id}", {}, 401, "unauthorized"),
        ("too_large", "POST", "/api/v1/comments", {"json": {"uri": "/open", "text": "x" * 5000}},
         413, "payload_too_large"),
        ("media_type", "POST", "/api/v1/comments",
         {"content": b'{"uri": "/open", "text": "x"}', "headers": {"Content-Type": "text/plain"}},
         415, "unsupported_media_type"),
    ]


CASES = [case[0] for case in requests_for({"comment": {"id": 1}, "token": ""},
                                           {"comment": {"id": 2}, "token": ""})]


@pytest.mark.parametrize("name", CASES)
def test_error_envelope(scene: Scene, name: str) -> None:
    api, old, fresh = scene
    # The edit window of the old comment is over; the fresh one is 0 s old.
    case = next(c for c in requests_for(old, fresh) if c[0] == name)
    _, method, url, kwargs, status, code = case
    check_envelope(api.request(method, url, **kwargs), status, code)


@pytest.mark.parametrize("name", CASES)
def test_error_message_in_french(scene: Scene, name: str) -> None:
    api, old, fresh = scene
    _, method, url, kwargs, status, code = next(c for c in requests_for(old, fresh)
                                                 if c[0] == name)
    headers = {**kwargs.pop("headers", {}), "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
    french = check_envelope(api.request(method, url, headers=headers, **kwargs), status, code)
    english = check_envelope(api.request(method, url, headers={**headers,
                                                               "Accept-Language": "en"},
                                          **kwargs), status, code)
    assert french["message"] != english["message"]
    key = f"error.{french.get('reason') or code}"
    expected = translate("fr", key, **({"limit": 10000} if "too_long" in key else {}))
    assert french["message"] in {expected, translate("fr", f"error.{code}")}


def test_french_messages_are_the_catalogues(scene: Scene) -> None:
    api, _, _ = scene
    response = api.client.post("/api/v1/comments", json={"uri": "/closed", "text": "x"},
                               headers={"Accept-Language": "fr"})
    error = check_envelope(response, 403, "thread_closed")
    assert error["message"] == "Les commentaires sont fermés sur cette page."
    response = api.client.post("/api/v1/comments", json={"uri": "/open", "text": "x" * 5000},
                               headers={"Accept-Language": "fr"})
    error = check_envelope(response, 413, "payload_too_large")
    assert error["message"] == translate("fr", "error.payload_too_large")
    assert error["message"] != translate("en", "error.payload_too_large")


def test_text_too_long_message_names_the_limit(api: Api) -> None:
    response = api.client.post("/api/v1/comments", json={"uri": "/a", "text": "x" * 10_001})
    error = check_envelope(response, 422, "invalid_input")
    assert "10000" in error["message"] or "10,000" in error["message"]


def test_rate_limited_envelope_has_retry_after(scene: Scene) -> None:
    api, _, _ = scene
    for _ in range(3):
        api.client.post("/api/v1/comments", json={"uri": "/open", "text": "x"})
    response = api.client.post("/api/v1/comments", json={"uri": "/open", "text": "x"},
                               headers={"Accept-Language": "fr"})
    error = check_envelope(response, 429, "rate_limited")
    assert response.headers["retry-after"].isdigit()
    assert error["message"] == translate("fr", "error.rate_limited")


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v2/comments", "/api/", "/api/v1",
                                  "/api/v1/comments/abc", "/api/v1/comments/1/vote/x",
                                  "/api/openapi.yaml"])
def test_unknown_api_paths_answer_json_404(api: Api, path: str) -> None:
    check_envelope(api.get(path), 404, "not_found")
    check_envelope(api.get(path, headers={"Accept": "text/html"}), 404, "not_found")


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", "/api/v1/comments"), ("DELETE", "/api/v1/comments"),
    ("GET", "/api/v1/comments/1"), ("GET", "/api/v1/comments/1/vote"),
    ("POST", "/api/v1/counts"), ("PATCH", "/api/v1/threads"),
])
def test_wrong_method_is_json_not_html(api: Api, method: str, path: str) -> None:
    response = api.request(method, path, headers={"Accept": "text/html"})
    assert response.status_code in (404, 405)
    check_envelope(response, response.status_code, response.json()["error"]["code"])


def test_unexpected_failure_is_a_json_500_without_trace(make_api: AppFactory,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    api = make_api(raise_server_exceptions=False)

    async def broken(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("disk I/O error in sqlite/postgres internals")

    # The database fails under the server in a way nothing expects.
    monkeypatch.setattr(api.ctx.storage, "get_thread", broken)
    response = api.get("/api/v1/threads", params={"uri": "/a"})
    error = check_envelope(response, 500, "internal_error")
    assert "sqlite" not in error["message"].lower()
    assert "disk" not in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("query", [
    {"uri": "/a\x00b"}, {"uri": "/%ff%fe"}, {"uri": "x" * 5000}, {"uri": ""}, {},
    {"uri": "/a", "limit": "99999999999999999999999"},
    {"uri": "/a", "cursor": "eyJzIjoib2xkZXN0IiwicCI6LTF9"},
])
def test_odd_reads_never_crash(api: Api, query: dict[str, str]) -> None:
    response = api.get("/api/v1/comments", params=query)
    check_envelope(response, 422, "invalid_input")
