"""Mail notifications' part of the in-memory storage (mixed into ``memory.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from palabre.domain.mail.models import (
    Digest,
    DigestItem,
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


def _of_address(subscriber: Subscriber, address_key: str, email: str) -> bool:
    wanted = email.strip().lower()
    return subscriber.address_key == address_key or bool(
        subscriber.email and subscriber.email.lower() == wanted)


class MemoryNotifyReads:
    tables: Tables

    async def subscribers_of(self, address_key: str, email: str) -> list[Subscriber]:
        return sorted((s for s in self.tables.subscribers.values()
                       if _of_address(s, address_key, email)), key=lambda s: s.id)

    async def digest_items(self, box: str) -> list[DigestItem]:
        return sorted((i for i in self.tables.digest_items.values() if i.box == box),
                      key=lambda i: i.id)

    async def due_digests(self, now: datetime, limit: int) -> list[str]:
        first: dict[str, datetime] = {}
        for item in self.tables.digest_items.values():
            first[item.box] = min(first.get(item.box, item.due), item.due)
        due = sorted((when, box) for box, when in first.items() if when <= now)
        return [box for _, box in due[:limit]]

    async def moderator_address(self, moderator_id: int) -> tuple[str, str]:
        return self.tables.moderator_addresses.get(moderator_id, ("", "en"))

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

    async def set_digest(self, subscriber_id: int, digest: Digest) -> None:
        found = self.tables.subscribers.get(subscriber_id)
        if found is not None:
            self.tables.subscribers[subscriber_id] = replace(found, digest=digest)

    async def forget_subscribers(self, address_key: str, email: str) -> int:
        wanted = email.strip().lower()
        gone = {i for i, s in self.tables.subscribers.items()
                if _of_address(s, address_key, email)}
        for mail_id in [i for i, m in self.tables.mails.items() if m.subscriber_id in gone or (
                m.subscriber_id is None and m.recipient and m.recipient.lower() == wanted)]:
            del self.tables.mails[mail_id]
        boxes = {f"reply:{i}" for i in gone}
        for item_id in [i for i, item in self.tables.digest_items.items() if item.box in boxes]:
            del self.tables.digest_items[item_id]
        for subscriber_id in gone:
            del self.tables.subscribers[subscriber_id]
        return len(gone)

    async def enqueue_mail(self, subscriber_id: int | None, key: str, kind: MailKind,
                           event_id: int, message: str, at: datetime, *, recipient: str = "",
                           masked: str = "") -> bool:
        if any(m.subscriber_id == subscriber_id and m.key == key
               for m in self.tables.mails.values()):
            return False
        mail = OutgoingMail(self.tables.next_id("mail_queue"), subscriber_id, key, kind,
                            event_id, MailStatus.QUEUED, 0, at, None, "", at, None, message,
                            recipient, masked)
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
            message="" if done else mail.message, recipient="" if done else mail.recipient)

    async def abandon_mails(self, claimed_before: datetime, at: datetime) -> int:
        stale = [m for m in self.tables.mails.values() if m.status is MailStatus.SENDING
                 and m.claimed is not None and m.claimed < claimed_before]
        for mail in stale:
            self.tables.mails[mail.id] = replace(mail, status=MailStatus.FAILED, claimed=None,
                                                 message="", recipient="",
                                                 last_error=INTERRUPTED)
        return len(stale)

    async def set_lease(self, name: str, holder: str, expires: datetime) -> None:
        self.tables.leases[name] = Lease(name, holder, expires)

    async def prune_mails(self, before: datetime) -> int:
        gone = [m.id for m in self.tables.mails.values() if m.created < before
                and m.status in (MailStatus.SENT, MailStatus.FAILED)]
        for mail_id in gone:
            del self.tables.mails[mail_id]
        return len(gone)

    async def add_digest_item(self, box: str, comment_id: int, note: str,
                              event_id: int, due: datetime, at: datetime) -> bool:
        if any(i.box == box and i.comment_id == comment_id and i.note == note
               for i in self.tables.digest_items.values()):
            return False
        item = DigestItem(self.tables.next_id("mail_digest_items"), box, comment_id, note,
                          event_id, due, at)
        self.tables.digest_items[item.id] = item
        return True

    async def drop_digest_items(self, box: str, up_to: int) -> None:
        for item_id in [i for i, item in self.tables.digest_items.items()
                        if item.box == box and i <= up_to]:
            del self.tables.digest_items[item_id]

    async def spend_link(self, link: str, expires: datetime, now: datetime) -> bool:
        for old in [k for k, when in self.tables.spent_links.items() if when <= now]:
            del self.tables.spent_links[old]
        if link in self.tables.spent_links:
            return False
        self.tables.spent_links[link] = expires
        return True

    async def set_moderator_address(self, moderator_id: int, email: str, lang: str) -> None:
        if moderator_id in self.tables.moderators:
            self.tables.moderator_addresses[moderator_id] = (email, lang)
