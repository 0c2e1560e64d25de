"""SMTP through aiosmtplib, configured by ``smtp_url``; its credentials are never logged
(errors and descriptions name the host and port only)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from palabre.domain.mail.delivery import Connection, MailError

SCHEMES = {"smtp": (25, False, False), "smtps": (465, True, False),
           "smtp+starttls": (587, False, True)}  # default port, TLS at once, STARTTLS
TIMEOUT = 30.0


@dataclass(frozen=True)
class SMTPSettings:
    host: str
    port: int
    tls: bool
    starttls: bool
    username: str | None = None
    password: str | None = None

    def describe(self) -> str:
        return f"{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SMTPSettings:
    """``smtp[s|+starttls]://[user:password@]host[:port]``; ValueError names no secret."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError("smtp_url must be smtp://, smtps:// or smtp+starttls://host[:port]")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("smtp_url has an invalid port") from exc
    default_port, tls, starttls = SCHEMES[parts.scheme]
    return SMTPSettings(parts.hostname, port or default_port, tls, starttls,
                        unquote(parts.username) if parts.username else None,
                        unquote(parts.password) if parts.password else None)


def _error(exc: aiosmtplib.SMTPException) -> MailError:
    """Server replies in 5xx are permanent; everything else may pass later."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in exc.recipients]
        return MailError(f"recipient refused ({', '.join(map(str, codes))})",
                         permanent=all(code >= 500 for code in codes))
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return MailError(f"{exc.code} {exc.message}"[:300], permanent=exc.code >= 500)
    return MailError(type(exc).__name__ + ": " + str(exc)[:200])


class SMTPConnection:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client

    async def send(self, message: EmailMessage) -> None:
        try:
            await self.client.send_message(message)
        except aiosmtplib.SMTPException as exc:
            raise _error(exc) from None

    async def close(self) -> None:
        try:
            await self.client.quit()
        except (aiosmtplib.SMTPException, OSError):
            self.client.close()


class SMTPTransport:
    def __init__(self, settings: SMTPSettings) -> None:
        self.settings = settings

    async def connect(self) -> Connection:
        s = self.settings
        client = aiosmtplib.SMTP(hostname=s.host, port=s.port, use_tls=s.tls,
                                 start_tls=s.starttls, username=s.username,
                                 password=s.password, timeout=TIMEOUT)
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise MailError(f"{s.describe()}: authentication refused ({exc.code})") from None
        except aiosmtplib.SMTPException as exc:
            raise MailError(f"{s.describe()}: {_error(exc)}") from None
        except OSError as exc:
            raise MailError(f"{s.describe()}: {exc.strerror or type(exc).__name__}") from None
        return SMTPConnection(client)
