"""Idle and half-sent connections are closed by a real `palabre serve` (they never were)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import free_port, serving

KEEP_ALIVE = 1
HEAD_TIMEOUT = 2


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("limits")


@pytest.fixture(scope="module")
def address(folder: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    with serving(folder / "server.log", "--database", f"sqlite:///{folder / 'palabre.db'}",
                 "--keep-alive-seconds", str(KEEP_ALIVE),
                 "--head-timeout-seconds", str(HEAD_TIMEOUT), port=port):
        yield "127.0.0.1", port


def closed_after(sock: socket.socket, limit: float) -> float | None:
    """Seconds until the server closes ``sock`` (reading and dropping what it sends), or
    None if it is still open after ``limit``."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < limit:
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except ConnectionResetError:
            return time.monotonic() - start
    return None


REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_a_connection_that_sends_nothing_is_closed(address: tuple[str, int]) -> None:
    with socket.create_connection(address) as sock:
        waited = closed_after(sock, HEAD_TIMEOUT + 4)
    assert waited is not None and waited >= HEAD_TIMEOUT - 0.5


@pytest.mark.parametrize("part", [b"GET /healthz HT", REQUEST[:-2]])
def test_a_half_sent_request_head_is_closed(address: tuple[str, int], part: bytes) -> None:
    with socket.create_connection(address) as sock:
        sock.sendall(part)
        assert closed_after(sock, HEAD_TIMEOUT + 4) is not None


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(
        address: tuple[str, int]) -> None:
    with socket.create_connection(address) as sock:
        sock.sendall(REQUEST)
        sock.settimeout(5)
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        waited = closed_after(sock, KEEP_ALIVE + 4)
    assert waited is not None and waited < KEEP_ALIVE + 1.5


def test_a_next_request_half_sent_on_a_kept_alive_connection_is_closed(
        address: tuple[str, int]) -> None:
    with socket.create_connection(address) as sock:
        sock.sendall(REQUEST)
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        assert closed_after(sock, HEAD_TIMEOUT + 4) is not None


def test_a_head_sent_slowly_but_in_time_is_answered(address: tuple[str, int]) -> None:
    with socket.create_connection(address) as sock:
        for line in REQUEST.splitlines(keepends=True):
            sock.sendall(line)
            time.sleep(HEAD_TIMEOUT / 4)
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")


def test_serve_warns_when_public_url_or_trusted_proxies_is_unset(address: tuple[str, int],
                                                                 folder: Path) -> None:
    log = (folder / "server.log").read_text(errors="replace")
    assert "warning: public_url is not set" in log
    assert "warning: trusted_proxies is not set" in log and "docs/deploy.md" in log


def raw_answer(address: tuple[str, int], target: bytes) -> bytes:
    with socket.create_connection(address) as sock:
        sock.settimeout(10)
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("target", [
    b"/api/v1/comments?uri=%2Fa&x=" + b"a" * 100_000,
    b"/api/v1/counts?" + b"&".join(b"uri=%%2Fpage-%d" % i for i in range(10_000)),
])
def test_a_request_line_over_the_limit_keeps_the_envelope(address: tuple[str, int],
                                                          target: bytes) -> None:
    """It got uvicorn's bare `400 text/plain` ("Invalid HTTP request received.")."""
    head, _, body = raw_answer(address, target).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414"), head
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)["error"]
    assert error["code"] == "invalid_input" and "500" in error["message"]


def test_outside_the_api_a_request_line_over_the_limit_stays_plain(
        address: tuple[str, int]) -> None:
    head, _, _ = raw_answer(address, b"/healthz?x=" + b"a" * 100_000).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"text/plain" in head
