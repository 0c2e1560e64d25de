"""An unreadable request head under /api/ (a 100 KB URL, headers over the limit) is answered
with the error envelope and, for an origin the addressed site admits, the CORS headers a
widget on that origin needs to read it (a real `palabre serve`, raw sockets)."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import clean_env, free_port, palabre, serving

JOURNAL = b"https://www.journal.example"
STRANGER = b"https://stranger.example"
LONG = b"a" * 100_000


def cli(database_url: str, *args: str) -> None:
    done = subprocess.run(palabre(*args, "--database", database_url), env=clean_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """`default` admits only the journal's origin; `ouvert` lists none, so admits any."""
    folder: Path = tmp_path_factory.mktemp("unreadable")
    database_url = f"sqlite:///{folder / 'palabre.db'}"
    cli(database_url, "db", "upgrade")
    cli(database_url, "site", "set", "--site", "default", "allowed_origins", JOURNAL.decode())
    cli(database_url, "site", "create", "ouvert")
    port = free_port()
    with serving(folder / "server.log", "--database", database_url, port=port):
        yield "127.0.0.1", port


def exchange(address: tuple[str, int], target: bytes,
             headers: list[bytes]) -> tuple[dict[bytes, bytes], bytes, dict[str, object]]:
    """Send one raw request; the status line, the answer's headers and its JSON body."""
    request = b"\r\n".join([b"GET " + target + b" HTTP/1.1", b"Host: 127.0.0.1",
                            *headers, b"Connection: close", b"", b""])
    with socket.create_connection(address) as sock:
        sock.settimeout(10)
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    fields = {name.strip().lower(): value.strip()
              for name, _, value in (line.partition(b":") for line in lines)}
    return fields, status, json.loads(body)


def test_an_admitted_origin_can_read_a_414(address: tuple[str, int]) -> None:
    fields, status, body = exchange(address, b"/api/v1/comments?uri=%2Fa&x=" + LONG,
                                    [b"Origin: " + JOURNAL])
    assert status.startswith(b"HTTP/1.1 414")
    assert fields[b"access-control-allow-origin"] == JOURNAL
    assert fields[b"vary"] == b"Origin"
    assert b"Retry-After" in fields[b"access-control-expose-headers"]
    assert body["error"]["code"] == "invalid_input"  # type: ignore[index]


def test_a_write_is_answered_with_credentials_allowed(address: tuple[str, int]) -> None:
    """As the CORS layer answers writes (a moderator's session may ride along)."""
    request = (b"POST /api/v1/comments?x=" + LONG + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Origin: " + JOURNAL + b"\r\nContent-Type: application/json\r\n"
               b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
    with socket.create_connection(address) as sock:
        sock.settimeout(10)
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 414")
    assert b"access-control-allow-origin: " + JOURNAL in answer
    assert b"access-control-allow-credentials: true" in answer
    fields, _, _ = exchange(address, b"/api/v1/comments?uri=%2Fa&x=" + LONG,
                            [b"Origin: " + JOURNAL])
    assert b"access-control-allow-credentials" not in fields


def test_an_origin_the_site_does_not_list_gets_no_cors(address: tuple[str, int]) -> None:
    fields, status, body = exchange(address, b"/api/v1/comments?uri=%2Fa&x=" + LONG,
                                    [b"Origin: " + STRANGER])
    assert status.startswith(b"HTTP/1.1 414")
    assert b"access-control-allow-origin" not in fields
    assert body["error"]["code"] == "invalid_input"  # type: ignore[index]


def test_the_site_named_in_the_url_decides(address: tuple[str, int]) -> None:
    """`ouvert` lists no origin, so any is admitted, even past the 80 KB the parser read."""
    target = b"/api/v1/counts?" + b"&".join(b"uri=%%2Fp%d" % i for i in range(10_000))
    fields, status, _ = exchange(address, target + b"&site=ouvert", [b"Origin: " + STRANGER])
    assert status.startswith(b"HTTP/1.1 414")
    assert fields[b"access-control-allow-origin"] == STRANGER
    fields, _, _ = exchange(address, target + b"&site=default", [b"Origin: " + STRANGER])
    assert b"access-control-allow-origin" not in fields


def test_headers_over_the_limit_answer_400_with_cors(address: tuple[str, int]) -> None:
    padding = [b"X-Pad-%d: %s" % (i, b"p" * 1000) for i in range(100)]
    fields, status, body = exchange(address, b"/api/v1/threads?uri=%2Fa",
                                    [*padding, b"Origin: " + JOURNAL])
    assert status.startswith(b"HTTP/1.1 400")
    assert fields[b"access-control-allow-origin"] == JOURNAL
    assert fields[b"content-type"] == b"application/json"
    assert body["error"]["reason"] == "request_unreadable"  # type: ignore[index]


def test_two_origin_headers_get_no_cors(address: tuple[str, int]) -> None:
    fields, status, _ = exchange(address, b"/api/v1/comments?uri=%2Fa&x=" + LONG,
                                 [b"Origin: " + JOURNAL, b"Origin: " + STRANGER])
    assert status.startswith(b"HTTP/1.1 414")
    assert b"access-control-allow-origin" not in fields


def test_headers_streamed_past_the_limit_are_refused_before_they_end(
        address: tuple[str, int]) -> None:
    """httptools itself would keep reading headers for as long as they come."""
    with socket.create_connection(address) as sock:
        sock.settimeout(10)
        sock.sendall(b"GET /api/v1/threads?uri=%2Fa HTTP/1.1\r\nOrigin: " + JOURNAL + b"\r\n")
        sock.sendall(b"".join(b"X-Pad-%d: %s\r\n" % (i, b"p" * 1000) for i in range(300)))
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"access-control-allow-origin: " + JOURNAL in answer


def test_a_large_body_is_not_counted_in_the_head(address: tuple[str, int]) -> None:
    body = json.dumps({"uri": "/a", "text": "x" * 100_000}).encode()
    with socket.create_connection(address) as sock:
        sock.settimeout(10)
        sock.sendall(b"POST /api/v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 422"), answer[:200]
    assert b"request_unreadable" not in answer
