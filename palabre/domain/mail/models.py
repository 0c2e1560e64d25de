"""The nouns of mail: subscribers (one per site and address) and queued mails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SubscriberState(StrEnum):
    PENDING = "pending"  # a confirmation was asked; nothing else is sent
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"  # the address itself is no longer kept
    NONE = "none"  # nothing asked yet: only the language of the address's latest comment


class Digest(StrEnum):
    """How often a subscriber's replies (or a site's moderator alerts) are sent."""

    NOW = "now"  # one mail each
    HOURLY = "hourly"
    DAILY = "daily"


class MailStatus(StrEnum):
    QUEUED = "queued"  # waiting for its next attempt
    SENDING = "sending"  # claimed by the sender: the SMTP exchange is under way
    SENT = "sent"
    FAILED = "failed"  # given up (permanent refusal, too many attempts, or interrupted)


class MailKind(StrEnum):
    CONFIRM = "confirm"
    REPLY = "reply"
    DIGEST = "digest"  # several replies in one mail
    ALERT = "alert"  # held or reported comments, to a site's moderator
    REASONS = "reasons"  # a statement of reasons, to a rejected comment's author
    TEST = "test"  # the admin's "send a test mail"


@dataclass(frozen=True)
class Subscriber:
    """An address that may receive reply notifications from one site.

    ``address_key`` is a keyed hash of the lower-cased address (what finds the row);
    ``email`` is the address itself, kept only while mail may be sent to it."""

    id: int
    site_id: int
    address_key: str
    email: str
    lang: str
    state: SubscriberState
    asked: datetime | None  # when the last confirmation mail was queued
    created: datetime
    digest: Digest = Digest.NOW


@dataclass(frozen=True)
class OutgoingMail:
    """A row of the queue, which is also the delivery log: ``message`` (the rendered mail,
    JSON) is blanked once the mail is sent or given up."""

    id: int
    subscriber_id: int | None  # None: to ``recipient`` (a moderator, an author, a test)
    key: str  # unique per subscriber (or among mails to no subscriber): enqueueing is idempotent
    kind: MailKind
    event_id: int
    status: MailStatus
    attempts: int
    next_attempt: datetime
    claimed: datetime | None
    last_error: str
    created: datetime
    sent: datetime | None
    message: str
    recipient: str = ""  # the address of a mail to no subscriber, blanked with the message
    masked: str = ""  # the address as the delivery log shows it (a***@e***.org)


@dataclass(frozen=True)
class DigestItem:
    """A reply (or an alert) waiting in a digest ``box`` (``reply:<subscriber>``,
    ``alert:<moderator>:<site>``) until ``due``, when the box's items go as one mail."""

    id: int
    box: str
    comment_id: int
    note: str  # reply, held, reported
    event_id: int
    due: datetime
    created: datetime


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    expires: datetime
