"""The storage port's part for signed webhooks: each site's endpoints and the deliveries made to
them.

``Reads`` and ``WriteTx`` in ``ports.py`` inherit these protocols, so the domain asks one
storage for everything; each backend implements them in ``storage/sql_webhooks.py`` and
``storage/memory_webhooks.py``.

The sender's lease is the mail's lease table (``get_lease`` / ``set_lease``, under the name
``webhooks``): a delivery is claimed only while its claimer holds that lease.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from palabre.domain.webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointKind


class WebhookReads(Protocol):
    """The read questions of this part."""

    async def has_webhook_endpoints(self) -> bool:
        """Whether any site has an endpoint."""
        ...

    async def webhook_endpoints(self, site_id: int) -> list[Endpoint]:
        """The site's endpoints, oldest first."""
        ...

    async def get_webhook_endpoint(self, endpoint_id: int) -> Endpoint | None: ...

    async def webhook_deliveries(self, site_id: int, limit: int) -> list[Delivery]:
        """The delivery log of the site's endpoints, newest first."""
        ...

    async def due_webhook_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        """Queued deliveries whose next attempt is due, the longest waiting first."""
        ...


class WebhookWrites(Protocol):
    """The writes of this part, inside one write transaction."""

    async def add_webhook_endpoint(self, site_id: int, url: str, kind: EndpointKind,
                                   events: tuple[str, ...], secret: str,
                                   at: datetime) -> Endpoint:
        """A new endpoint, enabled, after the newest event of the outbox."""
        ...

    async def set_webhook_secrets(self, endpoint_id: int, secret: str,
                                  old_secret: str) -> None: ...

    async def set_webhook_enabled(self, endpoint_id: int, enabled: bool) -> None: ...

    async def delete_webhook_endpoint(self, endpoint_id: int) -> None:
        """The endpoint and its deliveries."""
        ...

    async def enqueue_webhook(self, endpoint_id: int, key: str, uid: str, event: str,
                              event_id: int, payload: str, at: datetime) -> bool:
        """Queue a delivery; False (nothing done) when the endpoint has one with ``key``."""
        ...

    async def claim_webhook(self, delivery_id: int, lease: str, holder: str,
                            at: datetime) -> bool:
        """Mark a queued delivery ``sending`` (one more attempt), only while ``holder``
        holds ``lease``; False when it is not queued or the lease is not held."""
        ...

    async def finish_webhook(self, delivery_id: int, status: DeliveryStatus, error: str,
                             http_status: int | None, next_attempt: datetime,
                             at: datetime) -> None: ...

    async def requeue_webhooks(self, claimed_before: datetime) -> int:
        """Put back in the queue deliveries left ``sending`` since before ``claimed_before``
        (their sender died mid-request); how many."""
        ...

    async def prune_webhooks(self, before: datetime) -> int:
        """Forget sent and failed deliveries created before ``before``; how many."""
        ...
