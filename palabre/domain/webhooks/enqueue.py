"""The outbox consumer's handler: from events to deliveries, one per endpoint that
subscribed to the event.

Each delivery's key is ``event:<outbox id>``, unique per endpoint: the outbox hands an
event over at least once, and a repeat queues nothing more. The row keeps the event's
facts only (its name, ids, the site, the page, statuses: nothing that names an author);
the comment is read when the request is sent (``body.py``)."""

from __future__ import annotations

import secrets
from typing import Any

import orjson

from palabre.domain.context import Context
from palabre.domain.events import CommentCreated, StoredEvent
from palabre.domain.models import rfc3339
from palabre.domain.webhooks.models import EVENTS, Endpoint


def delivery_uid() -> str:
    """The id a receiver sees for one delivery (the same on every attempt)."""
    return secrets.token_hex(16)


def facts(stored: StoredEvent, site: str, uri: str | None) -> dict[str, Any]:
    """What the body says of the event itself (the comment is added at sending)."""
    own = {k: v for k, v in stored.event.payload().items() if k != "imported"}
    return {"event": stored.event.name, "created": rfc3339(stored.at), "site": site,
            "uri": uri, "thread_id": stored.event.thread_id, **own}


class WebhookEnqueuer:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def handle(self, stored: StoredEvent) -> None:
        event = stored.event
        if event.name not in EVENTS or (isinstance(event, CommentCreated) and event.imported):
            return
        storage = self.ctx.storage
        wanted = [e for e in await storage.webhook_endpoints(event.site_id)
                  if e.wants(event.name) and stored.id > e.after_event]
        site = await storage.get_site_by_id(event.site_id) if wanted else None
        if site is None:
            return
        thread = (await storage.get_thread_by_id(event.thread_id)
                  if event.thread_id is not None else None)
        payload = orjson.dumps(facts(stored, site.slug, thread.uri if thread else None))
        await self.enqueue(stored.id, event.name, payload.decode(), wanted)

    async def enqueue(self, event_id: int, name: str, payload: str,
                      endpoints: list[Endpoint]) -> None:
        async with self.ctx.storage.write() as tx:
            for endpoint in endpoints:
                await tx.enqueue_webhook(endpoint.id, f"event:{event_id}", delivery_uid(),
                                         name, event_id, payload, self.ctx.clock())
