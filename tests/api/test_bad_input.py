"""Bad input never crashes a worker and never writes half a comment (property tests)."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api

FIELDS = ["site", "uri", "parent", "text", "author", "email", "website", "title", "notify"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5),
                                                                        children, max_size=3),
    max_leaves=5)
NASTY_TEXT = st.sampled_from(["", " ", "\x00", "\u202e", "\ud7ff", "https://example.org\x00",
                              "a@b.c\x00", "javascript:x", "//x", "é" * 101, "<>", "%00",
                              "https://ex\tample.org", "mailto:a@b.org", "a" * 501])


def body_strategy(parent_ids: list[int]) -> st.SearchStrategy[dict[str, Any]]:
    value = JSON_VALUES | NASTY_TEXT | st.sampled_from(parent_ids)
    return st.fixed_dictionaries({"uri": st.just("/fuzz"), "text": st.just("ok") | value},
                                 optional={name: value for name in FIELDS
                                           if name not in ("uri", "text")})


def test_any_post_body_answers_201_or_a_clean_error(api: Api) -> None:
    first = api.comment("/fuzz")["id"]
    other = api.comment("/elsewhere")["id"]
    ips = (f"10.0.{n // 250}.{n % 250 + 1}" for n in itertools.count())

    @settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(body=body_strategy([first, other, first + 10_000]))
    def check(body: dict[str, Any]) -> None:
        before = api.thread("/fuzz")["count"]
        response = api.client.post("/api/v1/comments", json=body,
                                   headers={"X-Forwarded-For": next(ips)})
        assert response.status_code in (201, 422), (body, response.text)
        after = api.thread("/fuzz")
        if response.status_code == 201:
            comment = response.json()["comment"]
            assert "email" not in comment
            for field in ("author", "website"):
                assert not any(ord(ch) < 32 or ch == "\x7f" for ch in comment[field])
            if body.get("site") in (None, "default") and comment["status"] == "approved":
                assert after["count"] == before + 1
        else:
            error = response.json()["error"]
            assert error["code"] == "invalid_input" and error["message"]
            assert after["count"] == before

    check()


def test_any_query_answers_200_or_a_clean_error(api: Api) -> None:
    api.comment("/fuzz")

    @settings(max_examples=150, deadline=None, database=None)
    @given(path=st.sampled_from(["/api/v1/comments", "/api/v1/threads", "/api/v1/counts",
                                 "/api/v1/feed.atom", "/embed/thread.html"]),
           params=st.dictionaries(st.sampled_from(["site", "uri", "sort", "limit", "cursor",
                                                   "lang"]),
                                  st.text(max_size=20) | NASTY_TEXT, max_size=5))
    def check(path: str, params: dict[str, str]) -> None:
        response = api.get(path, params=params)
        assert response.status_code in (200, 422), (path, params, response.text)
        if response.status_code == 422:
            assert response.json()["error"]["code"] == "invalid_input"

    check()
