"""A real SMTP server for tests: aiosmtpd's controller on a free port, in this process
(its own thread and loop), keeping every message it accepts."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote

from aiosmtpd.controller import Controller

from palabre.web.mail.smtp import SMTPSettings, SMTPTransport


class Inbox:
    """The aiosmtpd handler: parses and keeps what arrives."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def transport(port: int) -> SMTPTransport:
    return SMTPTransport(SMTPSettings("127.0.0.1", port, tls=False, starttls=False))


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[Inbox, int]]:
    chosen = port or free_port()
    inbox = Inbox(chosen)
    controller = Controller(inbox, hostname="127.0.0.1", port=chosen)
    controller.start()
    try:
        yield inbox, chosen
    finally:
        controller.stop()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def link(message: EmailMessage, path: str) -> str:
    """The token of the first link to ``path`` in the text part."""
    found = re.search(re.escape(path) + r"\?token=([^\s]+)", text_of(message))
    assert found is not None, text_of(message)
    return unquote(found.group(1))
