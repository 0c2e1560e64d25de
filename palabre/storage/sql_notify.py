"""Mail notifications' SQL: subscribers, the queue of mails (the delivery log) and the
sender's lease. Mixed into the shared SQL classes of ``sql.py``; same dialect rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

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
from palabre.storage.sql_rows import Statements, from_micros, to_micros

SUBSCRIBER_COLUMNS = "id, site_id, address_key, email, lang, state, asked, created, digest"
SELECT_SUBSCRIBER = f"SELECT {SUBSCRIBER_COLUMNS} FROM mail_subscribers "  # noqa: S608
SAVE_SUBSCRIBER = (
    "INSERT INTO mail_subscribers (site_id, address_key, email, lang, state, asked, created) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, address_key) DO UPDATE "
    "SET email = excluded.email, lang = excluded.lang, state = excluded.state, "
    "asked = excluded.asked RETURNING " + SUBSCRIBER_COLUMNS)
SELECT_MAIL = ("SELECT id, subscriber_id, key, kind, event_id, status, attempts, next_attempt, "
               "claimed, last_error, created, sent, message, recipient, masked FROM mail_queue ")
SELECT_ITEM = "SELECT id, box, comment_id, note, event_id, due, created FROM mail_digest_items "

# An address's subscribers: by keyed hash, or by the address itself.
FORGOTTEN = "(address_key = ? OR (email <> '' AND lower(email) = ?))"
FORGET_MAILS = ("DELETE FROM mail_queue WHERE subscriber_id IN "  # noqa: S608 (constants)
                "(SELECT id FROM mail_subscribers WHERE " + FORGOTTEN + ")")
FORGET_ITEMS = ("DELETE FROM mail_digest_items WHERE box IN "  # noqa: S608 (constants)
                "(SELECT 'reply:' || id FROM mail_subscribers WHERE " + FORGOTTEN + ")")
FORGET_ADDRESSED = ("DELETE FROM mail_queue WHERE subscriber_id IS NULL AND recipient <> '' "
                    "AND lower(recipient) = ?")
COUNT_FORGOTTEN = "SELECT count(*) FROM mail_subscribers WHERE " + FORGOTTEN  # noqa: S608
FORGET_SUBSCRIBERS = "DELETE FROM mail_subscribers WHERE " + FORGOTTEN  # noqa: S608


def _when(value: Any) -> datetime | None:
    return from_micros(value) if value is not None else None


def row_to_subscriber(r: Sequence[Any]) -> Subscriber:
    return Subscriber(int(r[0]), int(r[1]), r[2], r[3], r[4], SubscriberState(r[5]),
                      _when(r[6]), from_micros(r[7]), Digest(r[8]))


def row_to_mail(r: Sequence[Any]) -> OutgoingMail:
    return OutgoingMail(int(r[0]), int(r[1]) if r[1] is not None else None, r[2],
                        MailKind(r[3]), int(r[4]), MailStatus(r[5]), int(r[6]),
                        from_micros(r[7]), _when(r[8]), r[9], from_micros(r[10]),
                        _when(r[11]), r[12], r[13], r[14])


def row_to_item(r: Sequence[Any]) -> DigestItem:
    return DigestItem(int(r[0]), r[1], int(r[2]), r[3], int(r[4]), from_micros(r[5]),
                      from_micros(r[6]))


class NotifyReads(Statements):
    """The read queries of mail (the backend supplies ``_one`` and ``_all``)."""

    async def get_subscriber(self, subscriber_id: int) -> Subscriber | None:
        row = await self._one(SELECT_SUBSCRIBER + "WHERE id = ?", (subscriber_id,))
        return row_to_subscriber(row) if row else None

    async def find_subscriber(self, site_id: int, address_key: str) -> Subscriber | None:
        row = await self._one(SELECT_SUBSCRIBER + "WHERE site_id = ? AND address_key = ?",
                              (site_id, address_key))
        return row_to_subscriber(row) if row else None

    async def subscribers_of(self, address_key: str, email: str) -> list[Subscriber]:
        rows = await self._all(SELECT_SUBSCRIBER + "WHERE " + FORGOTTEN + " ORDER BY id",
                               (address_key, email.strip().lower()))
        return [row_to_subscriber(r) for r in rows]

    async def wants_replies(self, comment_id: CommentId) -> bool:
        row = await self._one("SELECT notify FROM comments WHERE id = ?", (comment_id,))
        return bool(row[0]) if row else False

    async def outgoing_mails(self, subscriber_id: int | None, limit: int) -> list[OutgoingMail]:
        rows = await self._all(SELECT_MAIL + "WHERE CAST(? AS INTEGER) IS NULL OR "
                               "subscriber_id = ? ORDER BY id DESC LIMIT ?",
                               (subscriber_id, subscriber_id, limit))
        return [row_to_mail(r) for r in rows]

    async def due_mails(self, now: datetime, limit: int) -> list[OutgoingMail]:
        rows = await self._all(SELECT_MAIL + "WHERE status = 'queued' AND next_attempt <= ? "
                               "ORDER BY next_attempt, id LIMIT ?", (to_micros(now), limit))
        return [row_to_mail(r) for r in rows]

    async def get_lease(self, name: str) -> Lease | None:
        row = await self._one("SELECT name, holder, expires FROM mail_leases WHERE name = ?",
                              (name,))
        return Lease(row[0], row[1], from_micros(row[2])) if row else None

    async def last_event_id(self) -> int:
        row = await self._one("SELECT max(id) FROM events")
        return int(row[0]) if row and row[0] is not None else 0

    async def digest_items(self, box: str) -> list[DigestItem]:
        rows = await self._all(SELECT_ITEM + "WHERE box = ? ORDER BY id", (box,))
        return [row_to_item(r) for r in rows]

    async def due_digests(self, now: datetime, limit: int) -> list[str]:
        rows = await self._all("SELECT box FROM mail_digest_items GROUP BY box "
                               "HAVING min(due) <= ? ORDER BY min(due), box LIMIT ?",
                               (to_micros(now), limit))
        return [r[0] for r in rows]

    async def moderator_address(self, moderator_id: int) -> tuple[str, str]:
        row = await self._one("SELECT email, mail_lang FROM moderators WHERE id = ?",
                              (moderator_id,))
        return (str(row[0]), str(row[1])) if row else ("", "en")


class NotifyWrites(Statements):
    """The write statements of mail, inside one transaction holding the write lock."""

    async def save_subscriber(self, site_id: int, address_key: str, email: str, lang: str,
                              state: SubscriberState, asked: datetime | None,
                              at: datetime) -> Subscriber:
        row = await self._one(SAVE_SUBSCRIBER, (
            site_id, address_key, email, lang, state.value,
            to_micros(asked) if asked else None, to_micros(at)))
        return row_to_subscriber(row)

    async def set_digest(self, subscriber_id: int, digest: Digest) -> None:
        await self._run("UPDATE mail_subscribers SET digest = ? WHERE id = ?",
                        (digest.value, subscriber_id))

    async def forget_subscribers(self, address_key: str, email: str) -> int:
        match = (address_key, email.strip().lower())
        await self._run(FORGET_MAILS, match)
        await self._run(FORGET_ITEMS, match)
        await self._run(FORGET_ADDRESSED, (email.strip().lower(),))
        row = await self._one(COUNT_FORGOTTEN, match)
        await self._run(FORGET_SUBSCRIBERS, match)
        return int(row[0])

    async def enqueue_mail(self, subscriber_id: int | None, key: str, kind: MailKind,
                           event_id: int, message: str, at: datetime, *, recipient: str = "",
                           masked: str = "") -> bool:
        # Mails to no subscriber: NULLs never conflict, so the key is looked for first
        # (the write lock is held: nothing slips in between).
        if subscriber_id is None and await self._one(
                "SELECT 1 FROM mail_queue WHERE subscriber_id IS NULL AND key = ?", (key,)):
            return False
        row = await self._one(
            "INSERT INTO mail_queue (subscriber_id, key, kind, event_id, status, attempts, "
            "next_attempt, claimed, last_error, created, sent, message, recipient, masked) "
            "VALUES (?, ?, ?, ?, 'queued', 0, ?, NULL, '', ?, NULL, ?, ?, ?) "
            "ON CONFLICT (subscriber_id, key) DO NOTHING RETURNING id",
            (subscriber_id, key, kind.value, event_id, to_micros(at), to_micros(at), message,
             recipient, masked))
        return row is not None

    async def claim_mail(self, mail_id: int, lease: str, holder: str, at: datetime) -> bool:
        row = await self._one(
            "UPDATE mail_queue SET status = 'sending', attempts = attempts + 1, claimed = ? "
            "WHERE id = ? AND status = 'queued' AND EXISTS (SELECT 1 FROM mail_leases "
            "WHERE name = ? AND holder = ? AND expires > ?) RETURNING id",
            (to_micros(at), mail_id, lease, holder, to_micros(at)))
        return row is not None

    async def finish_mail(self, mail_id: int, status: MailStatus, error: str,
                          next_attempt: datetime, at: datetime) -> None:
        done = status in (MailStatus.SENT, MailStatus.FAILED)
        await self._run(
            "UPDATE mail_queue SET status = ?, last_error = ?, next_attempt = ?, "
            "claimed = NULL, sent = ?, "
            "message = CASE WHEN CAST(? AS INTEGER) = 1 THEN '' ELSE message END, "
            "recipient = CASE WHEN CAST(? AS INTEGER) = 1 THEN '' ELSE recipient END "
            "WHERE id = ?",
            (status.value, error, to_micros(next_attempt),
             to_micros(at) if status is MailStatus.SENT else None, int(done), int(done),
             mail_id))

    async def abandon_mails(self, claimed_before: datetime, at: datetime) -> int:
        rows = await self._all(
            "UPDATE mail_queue SET status = 'failed', claimed = NULL, message = '', "
            "recipient = '', "
            "last_error = 'interrupted during the SMTP exchange: not tried again (it may "
            "have been delivered)' WHERE status = 'sending' AND claimed < ? RETURNING id",
            (to_micros(claimed_before),))
        return len(rows)

    async def set_lease(self, name: str, holder: str, expires: datetime) -> None:
        await self._run(
            "INSERT INTO mail_leases (name, holder, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
            "expires = excluded.expires", (name, holder, to_micros(expires)))

    async def prune_mails(self, before: datetime) -> int:
        done = (to_micros(before),)
        row = await self._one("SELECT count(*) FROM mail_queue WHERE status IN ('sent', "
                              "'failed') AND created < ?", done)
        await self._run("DELETE FROM mail_queue WHERE status IN ('sent', 'failed') "
                        "AND created < ?", done)
        return int(row[0])

    async def add_digest_item(self, box: str, comment_id: int, note: str,
                              event_id: int, due: datetime, at: datetime) -> bool:
        row = await self._one(
            "INSERT INTO mail_digest_items (box, comment_id, note, event_id, due, created) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (box, comment_id, note) DO NOTHING "
            "RETURNING id", (box, comment_id, note, event_id, to_micros(due), to_micros(at)))
        return row is not None

    async def drop_digest_items(self, box: str, up_to: int) -> None:
        await self._run("DELETE FROM mail_digest_items WHERE box = ? AND id <= ?", (box, up_to))

    async def spend_link(self, link: str, expires: datetime, now: datetime) -> bool:
        await self._run("DELETE FROM mail_spent_links WHERE expires <= ?", (to_micros(now),))
        row = await self._one(
            "INSERT INTO mail_spent_links (link, expires) VALUES (?, ?) "
            "ON CONFLICT (link) DO NOTHING RETURNING link", (link, to_micros(expires)))
        return row is not None

    async def set_moderator_address(self, moderator_id: int, email: str, lang: str) -> None:
        await self._run("UPDATE moderators SET email = ?, mail_lang = ? WHERE id = ?",
                        (email, lang, moderator_id))
