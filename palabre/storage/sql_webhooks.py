"""The SQL of signed webhooks: each site's endpoints and the deliveries made to them (SQLite and
PostgreSQL share it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from palabre.domain.webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointKind
from palabre.storage.sql_rows import Statements, from_micros, to_micros

ENDPOINT_COLUMNS = ("id, site_id, url, kind, events, enabled, created, after_event, secret, "
                    "old_secret")
SELECT_ENDPOINT = "SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints "  # noqa: S608
INSERT_ENDPOINT = ("INSERT INTO webhook_endpoints (site_id, url, kind, events, "  # noqa: S608
                   "enabled, created, after_event, secret, old_secret) VALUES "
                   "(?, ?, ?, ?, ?, ?, (SELECT coalesce(max(id), 0) FROM events), ?, '') "
                   "RETURNING " + ENDPOINT_COLUMNS)
DELIVERY_COLUMNS = ("d.id, d.endpoint_id, d.key, d.uid, d.event, d.event_id, d.payload, "
                    "d.status, d.attempts, d.next_attempt, d.claimed, d.last_error, "
                    "d.http_status, d.created, d.sent")
SELECT_DELIVERY = "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries d "  # noqa: S608


def _when(value: Any) -> datetime | None:
    return from_micros(value) if value is not None else None


def row_to_endpoint(r: Sequence[Any]) -> Endpoint:
    return Endpoint(int(r[0]), int(r[1]), r[2], EndpointKind(r[3]),
                    tuple(e for e in r[4].split(",") if e), bool(r[5]), from_micros(r[6]),
                    int(r[7]), r[8], r[9])


def row_to_delivery(r: Sequence[Any]) -> Delivery:
    return Delivery(int(r[0]), int(r[1]), r[2], r[3], r[4], int(r[5]), r[6],
                    DeliveryStatus(r[7]), int(r[8]), from_micros(r[9]), _when(r[10]), r[11],
                    int(r[12]) if r[12] is not None else None, from_micros(r[13]),
                    _when(r[14]))


class WebhookReads(Statements):
    """Read queries."""

    async def has_webhook_endpoints(self) -> bool:
        return await self._one("SELECT 1 FROM webhook_endpoints LIMIT 1") is not None

    async def webhook_endpoints(self, site_id: int) -> list[Endpoint]:
        rows = await self._all(SELECT_ENDPOINT + "WHERE site_id = ? ORDER BY id", (site_id,))
        return [row_to_endpoint(r) for r in rows]

    async def get_webhook_endpoint(self, endpoint_id: int) -> Endpoint | None:
        row = await self._one(SELECT_ENDPOINT + "WHERE id = ?", (endpoint_id,))
        return row_to_endpoint(row) if row else None

    async def webhook_deliveries(self, site_id: int, limit: int) -> list[Delivery]:
        rows = await self._all(SELECT_DELIVERY + "JOIN webhook_endpoints e ON "
                               "e.id = d.endpoint_id WHERE e.site_id = ? "
                               "ORDER BY d.id DESC LIMIT ?", (site_id, limit))
        return [row_to_delivery(r) for r in rows]

    async def due_webhook_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        rows = await self._all(SELECT_DELIVERY + "WHERE d.status = 'queued' AND "
                               "d.next_attempt <= ? ORDER BY d.next_attempt, d.id LIMIT ?",
                               (to_micros(now), limit))
        return [row_to_delivery(r) for r in rows]


class WebhookWrites(Statements):
    """Write statements, inside one transaction."""

    async def add_webhook_endpoint(self, site_id: int, url: str, kind: EndpointKind,
                                   events: tuple[str, ...], secret: str,
                                   at: datetime) -> Endpoint:
        row = await self._one(
            INSERT_ENDPOINT,
            (site_id, url, kind.value, ",".join(events), True, to_micros(at), secret))
        return row_to_endpoint(row)

    async def set_webhook_secrets(self, endpoint_id: int, secret: str, old_secret: str) -> None:
        await self._run("UPDATE webhook_endpoints SET secret = ?, old_secret = ? WHERE id = ?",
                        (secret, old_secret, endpoint_id))

    async def set_webhook_enabled(self, endpoint_id: int, enabled: bool) -> None:
        await self._run("UPDATE webhook_endpoints SET enabled = ? WHERE id = ?",
                        (enabled, endpoint_id))

    async def delete_webhook_endpoint(self, endpoint_id: int) -> None:
        await self._run("DELETE FROM webhook_deliveries WHERE endpoint_id = ?", (endpoint_id,))
        await self._run("DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,))

    async def enqueue_webhook(self, endpoint_id: int, key: str, uid: str, event: str,
                              event_id: int, payload: str, at: datetime) -> bool:
        row = await self._one(
            "INSERT INTO webhook_deliveries (endpoint_id, key, uid, event, event_id, payload, "
            "status, attempts, next_attempt, claimed, last_error, http_status, created, sent) "
            "VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, NULL, '', NULL, ?, NULL) "
            "ON CONFLICT (endpoint_id, key) DO NOTHING RETURNING id",
            (endpoint_id, key, uid, event, event_id, payload, to_micros(at), to_micros(at)))
        return row is not None

    async def claim_webhook(self, delivery_id: int, lease: str, holder: str,
                            at: datetime) -> bool:
        row = await self._one(
            "UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, "
            "claimed = ? WHERE id = ? AND status = 'queued' AND EXISTS (SELECT 1 FROM "
            "mail_leases WHERE name = ? AND holder = ? AND expires > ?) RETURNING id",
            (to_micros(at), delivery_id, lease, holder, to_micros(at)))
        return row is not None

    async def finish_webhook(self, delivery_id: int, status: DeliveryStatus, error: str,
                             http_status: int | None, next_attempt: datetime,
                             at: datetime) -> None:
        await self._run(
            "UPDATE webhook_deliveries SET status = ?, last_error = ?, http_status = ?, "
            "next_attempt = ?, claimed = NULL, sent = ? WHERE id = ?",
            (status.value, error, http_status, to_micros(next_attempt),
             to_micros(at) if status is DeliveryStatus.SENT else None, delivery_id))

    async def requeue_webhooks(self, claimed_before: datetime) -> int:
        rows = await self._all(
            "UPDATE webhook_deliveries SET status = 'queued', claimed = NULL, "
            "last_error = 'interrupted during the request: sent again' "
            "WHERE status = 'sending' AND claimed < ? RETURNING id",
            (to_micros(claimed_before),))
        return len(rows)

    async def prune_webhooks(self, before: datetime) -> int:
        done = (to_micros(before),)
        rows = await self._all("DELETE FROM webhook_deliveries WHERE status IN ('sent', "
                               "'failed') AND created < ? RETURNING id", done)
        return len(rows)
