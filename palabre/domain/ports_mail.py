"""The storage port's part for mail: subscribers, the queue of mails (also the delivery
log), digests waiting for their time, the sender's lease, spent alert links and the
moderators' addresses.

``Reads`` and ``WriteTx`` in ``ports.py`` inherit these protocols; each backend implements
them in ``storage/sql_notify.py`` and ``storage/memory_notify.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

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


class MailReads(Protocol):
    async def get_subscriber(self, subscriber_id: int) -> Subscriber | None: ...

    async def find_subscriber(self, site_id: int, address_key: str) -> Subscriber | None: ...

    async def subscribers_of(self, address_key: str, email: str) -> list[Subscriber]:
        """Every site's subscriber of the address (by its keyed hash, or by the address
        itself, compared case-insensitively), oldest first."""
        ...

    async def wants_replies(self, comment_id: CommentId) -> bool:
        """Whether the comment's author asked to be told of replies (its ``notify``)."""
        ...

    async def outgoing_mails(self, subscriber_id: int | None, limit: int) -> list[OutgoingMail]:
        """The delivery log, newest first (every subscriber's when ``subscriber_id`` is None)."""
        ...

    async def due_mails(self, now: datetime, limit: int) -> list[OutgoingMail]:
        """Queued mails whose next attempt is due by ``now``, oldest first."""
        ...

    async def get_lease(self, name: str) -> Lease | None: ...

    async def last_event_id(self) -> int:
        """The id of the newest outbox event (0: none)."""
        ...

    async def digest_items(self, box: str) -> list[DigestItem]:
        """The items waiting in a digest box, oldest first."""
        ...

    async def due_digests(self, now: datetime, limit: int) -> list[str]:
        """Boxes whose first item is due by ``now`` (the earliest first)."""
        ...

    async def moderator_address(self, moderator_id: int) -> tuple[str, str]:
        """The address a moderator's alerts go to ("" when none is set) and their language."""
        ...


class MailWrites(Protocol):
    async def save_subscriber(self, site_id: int, address_key: str, email: str, lang: str,
                              state: SubscriberState, asked: datetime | None,
                              at: datetime) -> Subscriber:
        """Create the subscriber of (site, address), or give the existing one these values
        (its digest choice is kept)."""
        ...

    async def set_digest(self, subscriber_id: int, digest: Digest) -> None: ...

    async def forget_subscribers(self, address_key: str, email: str) -> int:
        """Delete every site's subscriber of the address (by its keyed hash, or by the
        address itself, compared case-insensitively), its mails and digest items, and the
        mails to no subscriber addressed to it; how many subscribers went."""
        ...

    async def enqueue_mail(self, subscriber_id: int | None, key: str, kind: MailKind,
                           event_id: int, message: str, at: datetime, *, recipient: str = "",
                           masked: str = "") -> bool:
        """Queue a mail unless one with this ``key`` was queued for the subscriber (or, with
        no subscriber, among the mails to no subscriber) already (False then): enqueueing
        is idempotent. ``recipient``: the address of a mail to no subscriber."""
        ...

    async def claim_mail(self, mail_id: int, lease: str, holder: str, at: datetime) -> bool:
        """Mark a queued mail ``sending`` (one more attempt) if ``holder`` still holds the
        lease; False when it does not or the mail is no longer queued."""
        ...

    async def finish_mail(self, mail_id: int, status: MailStatus, error: str,
                          next_attempt: datetime, at: datetime) -> None:
        """Record an attempt's outcome: sent or failed (the message and the recipient are
        blanked), or queued again for ``next_attempt``."""
        ...

    async def abandon_mails(self, claimed_before: datetime, at: datetime) -> int:
        """Give up mails left ``sending`` since before ``claimed_before`` (their sender died
        mid-exchange: they may have been delivered, so they are not tried again)."""
        ...

    async def set_lease(self, name: str, holder: str, expires: datetime) -> None: ...

    async def prune_mails(self, before: datetime) -> int:
        """Drop the log rows of mails sent or given up, queued before ``before``."""
        ...

    async def add_digest_item(self, box: str, comment_id: int, note: str,
                              event_id: int, due: datetime, at: datetime) -> bool:
        """Put a comment in a digest box unless it is there already with this note."""
        ...

    async def drop_digest_items(self, box: str, up_to: int) -> None:
        """Remove the box's items with an id up to ``up_to`` (they went into a mail)."""
        ...

    async def spend_link(self, link: str, expires: datetime, now: datetime) -> bool:
        """Mark a single-use link used; False when it was used already. Links expired by
        ``now`` are forgotten."""
        ...

    async def set_moderator_address(self, moderator_id: int, email: str, lang: str) -> None: ...
