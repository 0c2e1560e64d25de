"""Cached answers are compressed once and served compressed to whoever asks for gzip, with
their own ETag; the uncompressed answer stays the same bytes."""

from __future__ import annotations

from palabre.web.cache.fastpath import wants_gzip
from tests.conftest import Api


def fill(api: Api, n: int = 12) -> None:
    for k in range(n):
        api.comment("/a", f"Un avis assez long pour peser quelque chose, numéro {k}. " * 3,
                    client_ip=f"203.0.113.{k + 1}")


def test_a_cached_thread_is_served_gzipped_to_who_asks(api: Api) -> None:
    fill(api)
    params = {"uri": "/a"}
    plain = api.get("/api/v1/comments", params=params, headers={"Accept-Encoding": "identity"})
    for _ in range(2):  # the miss that fills the cache, then a hit
        packed = api.get("/api/v1/comments", params=params,
                         headers={"Accept-Encoding": "br, gzip;q=0.8"})
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.content == plain.content  # httpx decoded it: the same JSON bytes
        assert int(packed.headers["content-length"]) < len(plain.content) / 2
        assert "accept-encoding" in packed.headers["vary"].lower()
    assert "content-encoding" not in plain.headers
    assert packed.headers["etag"] != plain.headers["etag"]
    for answer in (plain, packed):
        again = api.get("/api/v1/comments", params=params, headers={
            "If-None-Match": answer.headers["etag"],
            "Accept-Encoding": answer.headers.get("content-encoding", "identity")})
        assert again.status_code == 304


def test_small_answers_and_refusals_stay_uncompressed(api: Api) -> None:
    api.comment("/a", "Court")
    counts = api.get("/api/v1/counts", params={"uri": "/a"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in counts.headers
    fill(api)
    refused = api.get("/api/v1/comments", params={"uri": "/a"},
                      headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers


def test_accept_encoding_is_read_as_written() -> None:
    assert wants_gzip(b"gzip, deflate, br")
    assert wants_gzip(b"br;q=1.0, gzip;q=0.5")
    assert not wants_gzip(b"gzip;q=0")
    assert not wants_gzip(b"gzip ; q=0.0, br")
    assert not wants_gzip(b"x-gzip-like, br")
    assert not wants_gzip(None)
