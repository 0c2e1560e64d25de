"""Sending queued mails: one connection per batch, retries with backoff, a delivery log.

Never twice, never lost before the exchange: the sender first connects (and logs in),
then marks the mail ``sending`` in a committed transaction (one more attempt; only while
it holds the lease), then hands it to the SMTP server, then marks it ``sent`` and blanks
its body. A failure the server reports (or a connection that cannot be made) means the
mail was not accepted: it is queued again, after a backoff. A process dying during the
exchange leaves the mail ``sending``: whether the server took it cannot be known, so it
is given up after ``STALE_AFTER`` (logged as interrupted) rather than sent a second time.
That window is the SMTP exchange itself (milliseconds); a crash anywhere else loses
nothing and repeats nothing."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from palabre.domain.context import Context
from palabre.domain.mail.compose import Draft
from palabre.domain.mail.models import MailKind, MailStatus, OutgoingMail, SubscriberState

log = logging.getLogger("palabre.mail")
LEASE = "mail"
BATCH = 20
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
STALE_AFTER = timedelta(minutes=10)  # longer than any SMTP exchange may last


class MailError(Exception):
    """The SMTP server did not take a mail; ``permanent`` when trying again is useless."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Connection(Protocol):
    async def send(self, message: EmailMessage) -> None: ...

    async def close(self) -> None: ...


class Transport(Protocol):
    async def connect(self) -> Connection:
        """A connection ready to send (raises :class:`MailError`)."""
        ...


def backoff(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: 1, 2, 4 ... minutes, at most 6 hours."""
    delay: timedelta = FIRST_RETRY * 2 ** max(0, attempts - 1)
    return min(delay, LONGEST_RETRY)


def build(draft: Draft, sender: str, recipient: str, at: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = draft.subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = draft.message_id
    message["Auto-Submitted"] = "auto-generated"
    if draft.unsubscribe:
        message["List-Unsubscribe"] = f"<{draft.unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(draft.text)
    message.add_alternative(draft.html, subtype="html")
    return message


@dataclass
class Sender:
    ctx: Context
    transport: Transport
    sender: str  # the From header
    holder: str  # who holds the lease

    async def deliver_due(self) -> int:
        """Send the mails due now; how many were sent."""
        due = await self.ctx.storage.due_mails(self.ctx.clock(), BATCH)
        if not due:
            return 0
        try:
            connection = await self.transport.connect()
        except MailError as exc:
            log.warning("cannot reach the SMTP server: %s", exc)
            await self._all_failed(due, str(exc))
            return 0
        try:
            return sum([await self._send(connection, mail) for mail in due])
        finally:
            await connection.close()

    async def _all_failed(self, due: Sequence[OutgoingMail], error: str) -> None:
        for mail in due:
            if await self._claim(mail):
                await self._failed(mail, MailError(error))

    async def _claim(self, mail: OutgoingMail) -> bool:
        async with self.ctx.storage.write() as tx:
            return await tx.claim_mail(mail.id, LEASE, self.holder, self.ctx.clock())

    async def _send(self, connection: Connection, mail: OutgoingMail) -> int:
        recipient = await self._recipient(mail)
        if recipient is None:
            await self._finish(mail, MailStatus.FAILED, "unsubscribed, not confirmed or erased")
            return 0
        try:
            message = build(Draft.loads(mail.message), self.sender, recipient,
                            self.ctx.clock())
        except (ValueError, TypeError) as exc:  # a header it cannot carry: never sendable
            await self._finish(mail, MailStatus.FAILED, f"cannot be written: {exc}")
            return 0
        if not await self._claim(mail):
            return 0  # the lease was lost, or another sender took it
        try:
            await connection.send(message)
        except MailError as exc:
            await self._failed(mail, exc)
            return 0
        await self._finish(mail, MailStatus.SENT, "")
        return 1

    async def _recipient(self, mail: OutgoingMail) -> str | None:
        if mail.subscriber_id is None:  # an alert, a statement of reasons, a test
            return mail.recipient or None
        subscriber = await self.ctx.storage.get_subscriber(mail.subscriber_id)
        if subscriber is None or not subscriber.email:
            return None
        wanted = (SubscriberState.PENDING if mail.kind is MailKind.CONFIRM
                  else SubscriberState.CONFIRMED)
        return subscriber.email if subscriber.state is wanted else None

    async def _failed(self, mail: OutgoingMail, exc: MailError) -> None:
        attempts = mail.attempts + 1
        if exc.permanent or attempts >= MAX_ATTEMPTS:
            await self._finish(mail, MailStatus.FAILED, str(exc))
        else:
            await self._finish(mail, MailStatus.QUEUED, str(exc), backoff(attempts))

    async def _finish(self, mail: OutgoingMail, status: MailStatus, error: str,
                      wait: timedelta = timedelta(0)) -> None:
        now = self.ctx.clock()
        async with self.ctx.storage.write() as tx:
            await tx.finish_mail(mail.id, status, error[:500], now + wait, now)
