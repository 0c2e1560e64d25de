"""The delivery log as the admin sees it (never a whole address), and the admin's test
mail, which goes through the queue like any other."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from palabre.domain import audit
from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput
from palabre.domain.identity import Actor
from palabre.domain.mail import compose, letters
from palabre.domain.mail.models import MailKind, MailStatus
from palabre.domain.validation import author
from palabre.i18n import LANGUAGES

LOG_LINES = 200


def mask(email: str) -> str:
    """``anne@example.org`` → ``a***@e***.org``: enough to tell mails apart, not to mail."""
    local, _, domain = email.strip().rpartition("@")
    if not local or not domain:
        return "***"
    name, _, tld = domain.rpartition(".")
    return f"{local[0]}***@{(name or tld)[0]}***{'.' + tld if name else ''}"[:64]


@dataclass(frozen=True)
class LogLine:
    id: int
    kind: MailKind
    status: MailStatus
    attempts: int
    last_error: str
    to: str  # masked
    created: datetime
    next_attempt: datetime | None  # while queued
    sent: datetime | None


def _admins(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only admins see the mail log", reason="admins_only")


async def delivery_log(ctx: Context, actor: Actor, limit: int = LOG_LINES) -> list[LogLine]:
    """The latest mails, newest first: kind, status, attempts, last error, times."""
    _admins(actor)
    return [LogLine(m.id, m.kind, m.status, m.attempts, m.last_error, m.masked or "***",
                    m.created, m.next_attempt if m.status is MailStatus.QUEUED else None,
                    m.sent)
            for m in await ctx.storage.outgoing_mails(None, max(1, min(limit, 1000)))]


async def send_test_mail(ctx: Context, actor: Actor, raw_address: str, lang: str) -> str:
    """Queue a test mail to the address the admin typed; its masked form."""
    _admins(actor)
    address = author("", raw_address, "").email
    if not address:
        raise InvalidInput("an address is required", reason="email_invalid", field="email")
    public = ctx.config.public_url or "http://localhost"
    draft = letters.trial(lang if lang in LANGUAGES else "en", public).draft(
        compose.Links(public).message_id("test"))
    now = ctx.clock()
    async with ctx.storage.write() as tx:
        await tx.enqueue_mail(None, f"test:{secrets.token_hex(8)}", MailKind.TEST, 0,
                              draft.dumps(), now, recipient=address, masked=mask(address))
        await audit.record(tx, actor, None, "mail_test", "mail", {}, {"to": mask(address)},
                           now)
    return mask(address)
