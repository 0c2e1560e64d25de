"""The SMTP transport: ``smtp_url`` parsed, logging in to a real server (aiosmtpd), and
errors that name the host and port but never the credentials."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from palabre.domain.mail.delivery import MailError
from palabre.web.mail.smtp import SMTPSettings, SMTPTransport, parse_smtp_url
from tests.smtp_inbox import Inbox, free_port

SECRET_WORD = "s3cr%40t:word"  # percent-encoded "s3cr@t:word"


def test_smtp_urls_are_parsed() -> None:
    assert parse_smtp_url("smtp://mail.example.org") == SMTPSettings(
        "mail.example.org", 25, False, False)
    assert parse_smtp_url("smtps://mail.example.org") == SMTPSettings(
        "mail.example.org", 465, True, False)
    assert parse_smtp_url(f"smtp+starttls://me%40x.org:{SECRET_WORD}@mail.example.org:2525"
                          ) == SMTPSettings("mail.example.org", 2525, False, True,
                                            "me@x.org", "s3cr@t:word")
    for bad in ("http://mail.example.org", "smtp://", f"smtp://u:{SECRET_WORD}@h:99999"):
        with pytest.raises(ValueError) as refused:
            parse_smtp_url(bad)
        assert "s3cr" not in str(refused.value)


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  data: Any) -> AuthResult:
    ok = (isinstance(data, LoginPassword) and data.login == b"me@x.org"
          and data.password == b"s3cr@t:word")
    return AuthResult(success=ok, handled=False)


@contextmanager
def auth_server() -> Iterator[tuple[Inbox, int]]:
    port = free_port()
    inbox = Inbox(port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            authenticator=_authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "c@x.org", "a@x.org", "Bonjour"
    mail.set_content("Bonjour")
    return mail


def test_credentials_log_in_and_never_appear_in_errors() -> None:
    async def work(port: int) -> str:
        good = SMTPTransport(parse_smtp_url(f"smtp://me%40x.org:{SECRET_WORD}@127.0.0.1:{port}"))
        connection = await good.connect()
        await connection.send(message())
        await connection.close()
        bad = SMTPTransport(parse_smtp_url(f"smtp://me%40x.org:wrong-{SECRET_WORD}@127.0.0.1:"
                                           f"{port}"))
        with pytest.raises(MailError) as refused:
            await bad.connect()
        assert not refused.value.permanent
        return str(refused.value)

    with auth_server() as (inbox, port):
        error = asyncio.run(work(port))
    assert [m["Subject"] for m in inbox.messages] == ["Bonjour"]
    assert error.startswith(f"127.0.0.1:{port}: authentication refused")
    assert "s3cr" not in error and "wrong" not in error


def test_an_unreachable_server_is_a_passing_error() -> None:
    port = free_port()
    transport = SMTPTransport(parse_smtp_url(f"smtp://me:{SECRET_WORD}@127.0.0.1:{port}"))
    with pytest.raises(MailError) as refused:
        asyncio.run(transport.connect())
    assert not refused.value.permanent and "s3cr" not in str(refused.value)
    assert str(refused.value).startswith(f"127.0.0.1:{port}: ")
