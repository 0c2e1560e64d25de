"""The nouns of mail: subscribers (one per site and address) and queued mails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SubscriberState(StrEnum):
    PENDING = "pending"  # a confirmation was asked; nothing else is sent
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"  # the address itself is no longer kept


class MailStatus(StrEnum):
    QUEUED = "queued"  # waiting for its next attempt
    SENDING = "sending"  # claimed by the sender: the SMTP exchange is under way
    SENT = "sent"
    FAILED = "failed"  # given up (permanent refusal, too many attempts, or interrupted)


class MailKind(StrEnum):
    CONFIRM = "confirm"
    REPLY = "reply"


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


@dataclass(frozen=True)
class OutgoingMail:
    """A row of the queue, which is also the delivery log: ``message`` (the rendered mail,
    JSON) is blanked once the mail is sent or given up."""

    id: int
    subscriber_id: int
    key: str  # unique per subscriber: what makes enqueueing idempotent
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


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    expires: datetime
