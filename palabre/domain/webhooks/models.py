"""The nouns of webhooks: a site's endpoints (with their secrets) and the deliveries made
to them (the queue, which is also the delivery log)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EndpointKind(StrEnum):
    EVENTS = "events"  # receives the events it subscribed to
    MODERATION = "moderation"  # asked about each new or edited comment (the external phase)


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # waiting for its next attempt
    SENDING = "sending"  # claimed by the sender: the POST is under way
    SENT = "sent"  # the receiver answered 2xx
    FAILED = "failed"  # given up after too many attempts


# The events an endpoint may subscribe to, as named in the outbox and in the body.
EVENTS = ("comment.created", "comment.edited", "comment.deleted", "comment.moderated",
          "comment.reported", "thread.closed")
PING = "ping"  # the admin page's "send a test event"


@dataclass(frozen=True)
class Endpoint:
    """A URL of one site. ``secret`` signs every request; ``old_secret`` (while a rotation
    is under way, else "") signs them too, until it is retired. Secrets never show in a
    repr (so never in a log)."""

    id: int
    site_id: int
    url: str
    kind: EndpointKind
    events: tuple[str, ...]
    enabled: bool
    created: datetime
    after_event: int  # the newest outbox event when it was added: it gets later ones only
    secret: str = field(repr=False)
    old_secret: str = field(default="", repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secrets that sign a request now: the current one first."""
        return (self.secret, self.old_secret) if self.old_secret else (self.secret,)

    def wants(self, event: str) -> bool:
        return self.enabled and self.kind is EndpointKind.EVENTS and event in self.events


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint. ``key`` is unique per endpoint (``event:<outbox id>``,
    ``test:<random>``): the same event never makes two deliveries. ``uid`` is the delivery
    id the receiver sees (the same on every attempt). ``payload`` holds the event's facts
    (JSON; ids, site, uri, status: nothing personal); the comment itself is read when the
    request is sent."""

    id: int
    endpoint_id: int
    key: str
    uid: str
    event: str
    event_id: int
    payload: str
    status: DeliveryStatus
    attempts: int
    next_attempt: datetime
    claimed: datetime | None
    last_error: str
    http_status: int | None
    created: datetime
    sent: datetime | None
