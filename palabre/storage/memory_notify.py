"""Mail notifications' part of the in-memory storage (mixed into ``memory.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from palabre.domain.mail.models import (
    Lease,
    MailKind,
    MailStatus,
    OutgoingMail,
    Subscriber,
    SubscriberState,
)
from palabre.domain.models import CommentId

if TYPE_CHECKING:
    from palabre.storage.memory import Tables

INTERRUPTED = ("interrupted during the SMTP exchange: not tried again (it may have been "
               "delivered)")  # as in sql_notify.py


class MemoryNotifyReads:
    tables: Tables

    async def get_subscriber(self, subscriber_id: int) -> Subscriber | None:
        return self.tables.subscribers.get(subscriber_id)

    async def find_subscriber(self, site_id: int, address_key: str) -> Subscriber | None:
        return next((s for s in self.tables.subscribers.values()
                     if s.site_id == site_id and s.address_key == address_key), None)

    async def wants_replies(self, comment_id: CommentId) -> bool:
        return self.tables.notify.get(comment_id, False)

    async def outgoing_mails(self, subscriber_id: int | None, limit: int) -> list[OutgoingMail]:
        found = [m for m in self.tables.mails.values()
                 if subscriber_id is None or m.subscriber_id == subscriber_id]
        return sorted(found, key=lambda m: -m.id)[:limit]

    async def due_mails(self, now: datetime, limit: int) -> list[OutgoingMail]:
        due = [m for m in self.tables.mails.values()
               if m.status is MailStatus.QUEUED and m.next_attempt <= now]
        return sorted(due, key=lambda m: (m.next_attempt, m.id))[:limit]

    async def get_lease(self, name: str) -> Lease | None:
        return self.tables.leases.get(name)

    async def last_event_id(self) -> int:
        return max(self.tables.events, default=0)


class MemoryNotifyWrites:
    tables: Tables

    async def save_subscriber(self, site_id: int, address_key: str, email: str, lang: str,
                              state: SubscriberState, asked: datetime | None,
                              at: datetime) -> Subscriber:
        found = next((s for s in self.tables.subscribers.values()
                      if s.site_id == site_id and s.address_key == address_key), None)
        subscriber = (replace(found, email=email, lang=lang, state=state, asked=asked) if found
                      else Subscriber(self.tables.next_id("mail_subscribers"), site_id,
                                      address_key, email, lang, state, asked, at))
        self.tables.subscribers[subscriber.id] = subscriber
        return subscriber

    async def forget_subscribers(self, address_key: str, email: str) -> int:
        wanted = email.strip().lower()
        gone = {i for i, s in self.tables.subscribers.items() if s.address_key == address_key
                or (s.email and s.email.lower() == wanted)}
        for mail_id in [i for i, m in self.tables.mails.items() if m.subscriber_id in gone]:
            del self.tables.mails[mail_id]
        for subscriber_id in gone:
            del self.tables.subscribers[subscriber_id]
        return len(gone)

    async def enqueue_mail(self, subscriber_id: int, key: str, kind: MailKind, event_id: int,
                           message: str, at: datetime) -> bool:
        if any(m.subscriber_id == subscriber_id and m.key == key
               for m in self.tables.mails.values()):
            return False
        mail = OutgoingMail(self.tables.next_id("mail_queue"), subscriber_id, key, kind,
                            event_id, MailStatus.QUEUED, 0, at, None, "", at, None, message)
        self.tables.mails[mail.id] = mail
        return True

    async def claim_mail(self, mail_id: int, lease: str, holder: str, at: datetime) -> bool:
        mail = self.tables.mails.get(mail_id)
        held = self.tables.leases.get(lease)
        if (mail is None or mail.status is not MailStatus.QUEUED or held is None
                or held.holder != holder or held.expires <= at):
            return False
        self.tables.mails[mail_id] = replace(mail, status=MailStatus.SENDING,
                                             attempts=mail.attempts + 1, claimed=at)
        return True

    async def finish_mail(self, mail_id: int, status: MailStatus, error: str,
                          next_attempt: datetime, at: datetime) -> None:
        mail = self.tables.mails.get(mail_id)
        if mail is None:
            return
        done = status in (MailStatus.SENT, MailStatus.FAILED)
        self.tables.mails[mail_id] = replace(
            mail, status=status, last_error=error, next_attempt=next_attempt, claimed=None,
            sent=at if status is MailStatus.SENT else None,
            message="" if done else mail.message)

    async def abandon_mails(self, claimed_before: datetime, at: datetime) -> int:
        stale = [m for m in self.tables.mails.values() if m.status is MailStatus.SENDING
                 and m.claimed is not None and m.claimed < claimed_before]
        for mail in stale:
            self.tables.mails[mail.id] = replace(mail, status=MailStatus.FAILED, claimed=None,
                                                 message="", last_error=INTERRUPTED)
        return len(stale)

    async def set_lease(self, name: str, holder: str, expires: datetime) -> None:
        self.tables.leases[name] = Lease(name, holder, expires)

    async def prune_mails(self, before: datetime) -> int:
        gone = [m.id for m in self.tables.mails.values() if m.created < before
                and m.status in (MailStatus.SENT, MailStatus.FAILED)]
        for mail_id in gone:
            del self.tables.mails[mail_id]
        return len(gone)
