"""/static/widget.js: the built widget, or its gzip or brotli copy (widget/build.mjs writes
them) to a browser that accepts it, each with its own ETag."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from palabre.web.embed.pages import pick_encoding
from tests.conftest import Api

WIDGET = Path(__file__).resolve().parents[2] / "palabre" / "static" / "widget.js"


def fetch(api: Api, accept_encoding: str) -> tuple[bytes, dict[str, str]]:
    """The raw body (not decoded by the client) and the headers of /static/widget.js."""
    with api.client.stream("GET", "/static/widget.js",
                           headers={"Accept-Encoding": accept_encoding}) as answer:
        assert answer.status_code == 200
        return b"".join(answer.iter_raw()), dict(answer.headers)


def unbrotli(data: bytes) -> bytes:
    """Brotli decompressed by Node's zlib (Python's standard library has no brotli)."""
    node = shutil.which("node") or pytest.skip("node is missing: no brotli decoder")
    script = ("process.stdout.write(require('zlib')"
              ".brotliDecompressSync(require('fs').readFileSync(0)))")
    return subprocess.run([node, "-e", script], input=data, capture_output=True, check=True,
                          timeout=30).stdout


def test_gzip_gives_back_the_widget(api: Api) -> None:
    body, headers = fetch(api, "gzip, deflate")
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == WIDGET.read_bytes()
    assert int(headers["content-length"]) == len(body) < WIDGET.stat().st_size / 2
    assert "accept-encoding" in headers["vary"].lower()


def test_brotli_is_preferred_when_accepted(api: Api) -> None:
    body, headers = fetch(api, "gzip, deflate, br, zstd")
    assert headers["content-encoding"] == "br"
    assert body == WIDGET.with_suffix(".js.br").read_bytes()
    assert unbrotli(body) == WIDGET.read_bytes()
    assert int(headers["content-length"]) == len(body)
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert headers["access-control-allow-origin"] == "*"
    assert "accept-encoding" in headers["vary"].lower()


def test_each_representation_has_its_own_etag(api: Api) -> None:
    tags = {}
    for accept in ("identity", "gzip", "br"):
        _, headers = fetch(api, accept)
        tags[accept] = headers["etag"]
    plain, _ = fetch(api, "identity")
    assert plain == WIDGET.read_bytes()
    assert len(set(tags.values())) == 3
    assert all(tag.startswith('"') and tag.endswith('"') for tag in tags.values())


@pytest.mark.parametrize(("accept", "encoding"), [
    ("br;q=0, gzip", "gzip"),
    ("br;q=0.0, gzip;q=0", None),
    ("*;q=0", None),
    ("*", "br"),
    ("gzip;q=0.5, *;q=0", "gzip"),
    ("", None),
])
def test_q_zero_refuses_an_encoding(api: Api, accept: str, encoding: str | None) -> None:
    body, headers = fetch(api, accept)
    assert headers.get("content-encoding") == encoding
    if encoding is None:
        assert body == WIDGET.read_bytes()


def test_malformed_quality_counts_as_refusal() -> None:
    assert pick_encoding("br;q=high, gzip", ["br", "gzip"]) == "gzip"
    assert pick_encoding("BR", ["gzip", "br"]) == "br"
    assert pick_encoding("br", ["gzip"]) is None
