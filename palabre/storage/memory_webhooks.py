"""The in-memory backend's part for signed webhooks: each site's endpoints and the deliveries made
to them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from palabre.domain.webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointKind

if TYPE_CHECKING:
    from palabre.storage.memory import Tables

INTERRUPTED = "interrupted during the request: sent again"  # as in sql_webhooks.py
DONE = (DeliveryStatus.SENT, DeliveryStatus.FAILED)


@dataclass
class WebhookTables:
    """This part's tables; ``copy`` gives a transaction its own copy."""

    endpoints: dict[int, Endpoint] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)

    def copy(self) -> WebhookTables:
        return WebhookTables(**{name: value.copy() for name, value in vars(self).items()})


class MemoryWebhookReads:
    tables: Tables

    async def has_webhook_endpoints(self) -> bool:
        return bool(self.tables.hooks.endpoints)

    async def webhook_endpoints(self, site_id: int) -> list[Endpoint]:
        return sorted((e for e in self.tables.hooks.endpoints.values() if e.site_id == site_id),
                      key=lambda e: e.id)

    async def get_webhook_endpoint(self, endpoint_id: int) -> Endpoint | None:
        return self.tables.hooks.endpoints.get(endpoint_id)

    async def webhook_deliveries(self, site_id: int, limit: int) -> list[Delivery]:
        mine = {e.id for e in self.tables.hooks.endpoints.values() if e.site_id == site_id}
        found = [d for d in self.tables.hooks.deliveries.values() if d.endpoint_id in mine]
        return sorted(found, key=lambda d: -d.id)[:limit]

    async def due_webhook_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        due = [d for d in self.tables.hooks.deliveries.values()
               if d.status is DeliveryStatus.QUEUED and d.next_attempt <= now]
        return sorted(due, key=lambda d: (d.next_attempt, d.id))[:limit]


class MemoryWebhookWrites:
    tables: Tables

    async def add_webhook_endpoint(self, site_id: int, url: str, kind: EndpointKind,
                                   events: tuple[str, ...], secret: str,
                                   at: datetime) -> Endpoint:
        endpoint = Endpoint(self.tables.next_id("webhook_endpoints"), site_id, url, kind,
                            events, True, at, max(self.tables.events, default=0), secret)
        self.tables.hooks.endpoints[endpoint.id] = endpoint
        return endpoint

    async def set_webhook_secrets(self, endpoint_id: int, secret: str, old_secret: str) -> None:
        found = self.tables.hooks.endpoints.get(endpoint_id)
        if found is not None:
            self.tables.hooks.endpoints[endpoint_id] = replace(found, secret=secret,
                                                               old_secret=old_secret)

    async def set_webhook_enabled(self, endpoint_id: int, enabled: bool) -> None:
        found = self.tables.hooks.endpoints.get(endpoint_id)
        if found is not None:
            self.tables.hooks.endpoints[endpoint_id] = replace(found, enabled=enabled)

    async def delete_webhook_endpoint(self, endpoint_id: int) -> None:
        hooks = self.tables.hooks
        for delivery_id in [i for i, d in hooks.deliveries.items()
                            if d.endpoint_id == endpoint_id]:
            del hooks.deliveries[delivery_id]
        hooks.endpoints.pop(endpoint_id, None)

    async def enqueue_webhook(self, endpoint_id: int, key: str, uid: str, event: str,
                              event_id: int, payload: str, at: datetime) -> bool:
        hooks = self.tables.hooks
        if any(d.endpoint_id == endpoint_id and d.key == key for d in hooks.deliveries.values()):
            return False
        delivery = Delivery(self.tables.next_id("webhook_deliveries"), endpoint_id, key, uid,
                            event, event_id, payload, DeliveryStatus.QUEUED, 0, at, None, "",
                            None, at, None)
        hooks.deliveries[delivery.id] = delivery
        return True

    async def claim_webhook(self, delivery_id: int, lease: str, holder: str,
                            at: datetime) -> bool:
        delivery = self.tables.hooks.deliveries.get(delivery_id)
        held = self.tables.leases.get(lease)
        if (delivery is None or delivery.status is not DeliveryStatus.QUEUED or held is None
                or held.holder != holder or held.expires <= at):
            return False
        self.tables.hooks.deliveries[delivery_id] = replace(
            delivery, status=DeliveryStatus.SENDING, attempts=delivery.attempts + 1, claimed=at)
        return True

    async def finish_webhook(self, delivery_id: int, status: DeliveryStatus, error: str,
                             http_status: int | None, next_attempt: datetime,
                             at: datetime) -> None:
        delivery = self.tables.hooks.deliveries.get(delivery_id)
        if delivery is not None:
            self.tables.hooks.deliveries[delivery_id] = replace(
                delivery, status=status, last_error=error, http_status=http_status,
                next_attempt=next_attempt, claimed=None,
                sent=at if status is DeliveryStatus.SENT else None)

    async def requeue_webhooks(self, claimed_before: datetime) -> int:
        hooks = self.tables.hooks
        stale = [d for d in hooks.deliveries.values() if d.status is DeliveryStatus.SENDING
                 and d.claimed is not None and d.claimed < claimed_before]
        for delivery in stale:
            hooks.deliveries[delivery.id] = replace(delivery, status=DeliveryStatus.QUEUED,
                                                    claimed=None, last_error=INTERRUPTED)
        return len(stale)

    async def prune_webhooks(self, before: datetime) -> int:
        hooks = self.tables.hooks
        gone = [d.id for d in hooks.deliveries.values() if d.created < before
                and d.status in DONE]
        for delivery_id in gone:
            del hooks.deliveries[delivery_id]
        return len(gone)
