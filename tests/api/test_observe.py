"""Operating the server, in process: /metrics (closed by default, its figures), request ids
on every answer, masked log records, and the shared-cache mode's headers."""

from __future__ import annotations

import io
import logging
import logging.config

import orjson
import pytest

from palabre.settings import LogFormat, ServerConfig
from palabre.web.observe.logs import log_config, mask
from tests.conftest import Api, AppFactory

TOKEN = "metrics-token-for-tests"


def scrape(api: Api, **headers: str) -> dict[str, float]:
    """The exposition as {series (name and labels): value}."""
    answer = api.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    found: dict[str, float] = {}
    for line in answer.text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            found[series] = float(value)
    return found


def test_metrics_are_closed_unless_a_token_or_a_network_opens_them(
        make_api: AppFactory) -> None:
    assert make_api().get("/metrics").status_code == 404
    api = make_api(metrics_token=TOKEN)
    refused = api.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith(
        "Bearer")
    assert api.get("/metrics").status_code == 401
    assert scrape(api, Authorization=f"Bearer {TOKEN}")
    near = make_api(metrics_networks=("127.0.0.0/8",))  # the test client's address
    assert scrape(near)
    far = make_api(metrics_networks=("192.0.2.0/24",))
    assert far.get("/metrics").status_code == 401


def test_metrics_count_requests_cache_hits_and_the_moderation_queue(
        make_api: AppFactory) -> None:
    api = make_api(metrics_networks=("127.0.0.1",))
    api.post(text="Premier")
    for _ in range(3):
        assert api.get("/api/v1/comments", params={"uri": "/a"}).status_code == 200
    etag = api.get("/api/v1/comments", params={"uri": "/a"}).headers["etag"]
    assert api.get("/api/v1/comments", params={"uri": "/a"},
                   headers={"If-None-Match": etag}).status_code == 304
    api.site_settings(moderation="all")
    api.post(text="En attente", uri="/b")
    found = scrape(api)
    comments = '{route="/api/v1/comments"}'
    assert found["palabre_cache_misses_total" + comments] == 1
    assert found["palabre_cache_hits_total" + comments] == 4  # three 200s and the 304
    get = 'palabre_http_requests_total{method="GET",route="/api/v1/comments",status="%s"}'
    assert found[get % "200"] == 4 and found[get % "304"] == 1
    posts = 'palabre_http_requests_total{method="POST",route="/api/v1/comments",status="201"}'
    assert found[posts] == 2
    timed = 'palabre_http_request_duration_seconds_count{route="/api/v1/comments"}'
    assert found[timed] == 3  # the miss and the posts; hits are not timed
    assert found['palabre_moderation_pending{site="default"}'] == 1
    assert found["palabre_outbox_last_event_id"] >= 2
    assert found["palabre_outbox_lag_events"] >= 0
    assert found["palabre_live_streams"] == 0


def test_every_answer_carries_a_request_id_and_a_sane_one_is_kept(api: Api) -> None:
    api.post()
    made = {api.get("/api/v1/comments", params={"uri": "/a"}).headers["x-request-id"]
            for _ in range(3)}  # a miss then hits
    assert len(made) == 3 and all(made)
    for path in ("/api/v1/comments", "/healthz", "/api/v1/threads"):
        kept = api.get(path, params={"uri": "/a"}, headers={"X-Request-ID": "edge-42.a"})
        assert kept.headers["x-request-id"] == "edge-42.a"
        forged = api.get(path, params={"uri": "/a"}, headers={"X-Request-ID": "a b\"c"})
        assert forged.headers["x-request-id"] not in ("", 'a b"c')
    long = "x" * 129
    assert api.get("/healthz", headers={"X-Request-ID": long}).headers["x-request-id"] != long


def test_shared_cache_mode_marks_public_reads_only(make_api: AppFactory) -> None:
    api = make_api(shared_cache_seconds=10, shared_cache_stale_seconds=20)
    created = api.post()
    shared = "public, max-age=0, s-maxage=10, stale-while-revalidate=20"
    for _ in range(2):  # the miss (the application) then the hit (the cache layer)
        for uri, headers in (("/a", {}), ("/b", {"Origin": "https://blog.example"}),
                             ("/c", {"Accept-Encoding": "gzip"})):
            answer = api.get("/api/v1/comments", params={"uri": uri}, headers=headers)
            assert answer.headers["cache-control"] == shared
            assert answer.headers.get_list("vary") == ["Accept-Encoding, Origin"]
            assert ("access-control-allow-origin" in answer.headers) == ("Origin" in headers)
        counts = api.get("/api/v1/counts", params={"uri": "/a"})
        assert counts.headers["cache-control"] == shared
    assert api.get("/api/v1/comments", params={"uri": "/a", "sort": "nope"}).headers.get(
        "cache-control") != shared  # an error
    edited = api.patch(created["comment"]["id"], created["token"], "Modifié")
    assert edited.status_code == 200 and edited.headers.get("cache-control") != shared
    assert "public" not in api.get("/api/v1/challenge").headers.get("cache-control", "")
    assert "public" not in make_api().get("/api/v1/comments", params={"uri": "/a"}).headers[
        "cache-control"]


def test_masking_hides_emails_tokens_cookies_and_secrets() -> None:
    text = ("post by alice.martin+news@example.org with Authorization: Bearer abc.DEF-123 "
            "cookie: palabre_session=s3cr3tvalue; smtp://user:hunter22@mail.example:587 "
            "?token=eyJhbGciOi.signature and secret=topsecretvalue, the-server-secret-42")
    masked = mask(text, ("the-server-secret-42",))
    for hidden in ("alice.martin", "example.org", "abc.DEF-123", "s3cr3tvalue", "hunter22",
                   "eyJhbGciOi", "topsecretvalue", "the-server-secret-42"):
        assert hidden not in masked, hidden
    assert "<email>" in masked and "<token>" in masked


@pytest.mark.parametrize("form", [LogFormat.TEXT, LogFormat.JSON])
def test_log_records_are_masked_and_carry_the_request_id(form: LogFormat) -> None:
    config = ServerConfig(secret="server-secret-for-logs", log_format=form)
    settings = log_config(config)
    stream = io.StringIO()
    settings["handlers"]["stderr"]["stream"] = stream
    touched = [logging.getLogger(name) for name in (*settings["loggers"], "")]
    previous = [(lg, lg.handlers[:], lg.level, lg.propagate) for lg in touched]
    logging.config.dictConfig(settings)
    try:
        from palabre.web.observe.ids import current
        current.set("req-7")
        try:
            raise ValueError("refused for bob@example.net (server-secret-for-logs)")
        except ValueError:
            logging.getLogger("palabre.test").exception("failed for %s", "bob@example.net")
    finally:
        current.set("")
        for lg, handlers, level, propagate in previous:  # as the other tests expect them
            lg.handlers[:], lg.level, lg.propagate = handlers, level, propagate
    out = stream.getvalue()
    assert "bob@example.net" not in out and "server-secret-for-logs" not in out
    assert "req-7" in out and "ValueError" in out
    if form == LogFormat.JSON:
        record = orjson.loads(out.splitlines()[0])
        assert record["request_id"] == "req-7" and record["level"] == "error"
        assert record["logger"] == "palabre.test" and "exception" in record
