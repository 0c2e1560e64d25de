"""A real HTTP receiver for webhook tests: a standard-library server on 127.0.0.1 in a
thread, recording each request and answering what the test says (a status, a body, or
no answer until the test ends)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.smtp_inbox import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    hang: bool = False  # answer nothing until the receiver stops


@dataclass
class Receiver:
    port: int
    received: list[Received] = field(default_factory=list)
    answer: Answer = field(default_factory=Answer)
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


def handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.received.append(Received(
                self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            answer = receiver.answer
            if answer.hang:
                receiver.released.wait(30)
                return
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def receiving(port: int | None = None) -> Iterator[Receiver]:
    """A receiver listening until the block ends (on ``port``, or a free one)."""
    receiver = Receiver(port or free_port())
    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), handler_for(receiver))
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.released.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
