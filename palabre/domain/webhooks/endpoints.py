"""Managing a site's endpoints (admins only): add one, rotate and retire its secret,
disable, delete, send a test event; and reading them and their delivery log.

A new secret is returned once, to be shown once; the storage keeps it to sign requests
and nothing logs it. Rotating keeps the previous secret valid (requests carry a signature
for each) until it is retired."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson

from palabre.domain import audit
from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput, NotFound
from palabre.domain.identity import Actor
from palabre.domain.models import Site, rfc3339
from palabre.domain.webhooks.enqueue import delivery_uid
from palabre.domain.webhooks.models import EVENTS, PING, Delivery, Endpoint, EndpointKind
from palabre.domain.webhooks.signing import new_secret

MAX_URL = 2000
LOG_PAGE = 50


@dataclass(frozen=True)
class Created:
    endpoint: Endpoint
    secret: str  # shown once


def parse_url(raw: str) -> str:
    """An ``http`` or ``https`` URL with a host, no credentials, no fragment, no spaces."""
    url = raw.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a port that is not a number raises
    except ValueError:
        host = None
    if (not url or len(url) > MAX_URL or host is None or parts.scheme not in ("http", "https")
            or parts.username is not None or parts.fragment or "#" in url
            or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url)):
        raise InvalidInput("a webhook URL is http:// or https://, with a host",
                           reason="webhook_url_invalid", field="url")
    return url


def parse_kind(raw: str) -> EndpointKind:
    try:
        return EndpointKind(raw or EndpointKind.EVENTS.value)
    except ValueError as exc:
        raise InvalidInput("unknown endpoint kind", reason="webhook_kind_invalid",
                           field="kind") from exc


def parse_events(kind: EndpointKind, raw: Iterable[str]) -> tuple[str, ...]:
    """The subscribed events, in the declared order; none for a moderation endpoint."""
    chosen = set(raw)
    if kind is EndpointKind.MODERATION:
        return ()
    if not chosen or not chosen <= set(EVENTS):
        raise InvalidInput("choose at least one known event", reason="webhook_events_invalid",
                           field="events")
    return tuple(e for e in EVENTS if e in chosen)


async def _admin_site(ctx: Context, site_slug: str, actor: Actor) -> Site:
    site = await ctx.site(site_slug)
    if not actor.is_admin:
        raise Forbidden("only admins manage webhooks", reason="admins_only")
    return site


async def _endpoint(ctx: Context, site: Site, endpoint_id: int) -> Endpoint:
    found = await ctx.storage.get_webhook_endpoint(endpoint_id)
    if found is None or found.site_id != site.id:
        raise NotFound("no such endpoint", reason="webhook_unknown")
    return found


def _shown(endpoint: Endpoint) -> dict[str, object]:
    """What the audit log keeps of an endpoint (never a secret)."""
    return {"url": endpoint.url, "kind": endpoint.kind.value, "events": list(endpoint.events),
            "enabled": endpoint.enabled}


async def endpoints(ctx: Context, site_slug: str, actor: Actor) -> list[Endpoint]:
    site = await _admin_site(ctx, site_slug, actor)
    return await ctx.storage.webhook_endpoints(site.id)


async def delivery_log(ctx: Context, site_slug: str, actor: Actor,
                       limit: int = LOG_PAGE) -> list[Delivery]:
    site = await _admin_site(ctx, site_slug, actor)
    return await ctx.storage.webhook_deliveries(site.id, limit)


async def add_endpoint(ctx: Context, site_slug: str, url: str, kind: str,
                       events: Iterable[str], actor: Actor) -> Created:
    site = await _admin_site(ctx, site_slug, actor)
    parsed_kind = parse_kind(kind)
    parsed = (parse_url(url), parsed_kind, parse_events(parsed_kind, events))
    secret = new_secret()
    async with ctx.storage.write() as tx:
        made = await tx.add_webhook_endpoint(site.id, *parsed, secret, ctx.clock())
        await audit.record(tx, actor, site.id, "webhook", f"webhook:{made.id}", {},
                           _shown(made), ctx.clock())
    return Created(made, secret)


async def rotate_secret(ctx: Context, site_slug: str, endpoint_id: int, actor: Actor) -> str:
    """A new secret; the current one stays valid until retired (a rotation under way
    replaces its older secret)."""
    site = await _admin_site(ctx, site_slug, actor)
    found = await _endpoint(ctx, site, endpoint_id)
    secret = new_secret()
    await _change_secrets(ctx, actor, found, secret, found.secret, "rotate")
    return secret


async def retire_secret(ctx: Context, site_slug: str, endpoint_id: int, actor: Actor) -> None:
    """Stop signing with the previous secret."""
    site = await _admin_site(ctx, site_slug, actor)
    found = await _endpoint(ctx, site, endpoint_id)
    await _change_secrets(ctx, actor, found, found.secret, "", "retire")


async def _change_secrets(ctx: Context, actor: Actor, endpoint: Endpoint, secret: str,
                          old_secret: str, change: str) -> None:
    async with ctx.storage.write() as tx:
        await tx.set_webhook_secrets(endpoint.id, secret, old_secret)
        await audit.record(tx, actor, endpoint.site_id, "webhook", f"webhook:{endpoint.id}",
                           {}, {"secret": change}, ctx.clock())


async def set_enabled(ctx: Context, site_slug: str, endpoint_id: int, enabled: bool,
                      actor: Actor) -> None:
    site = await _admin_site(ctx, site_slug, actor)
    found = await _endpoint(ctx, site, endpoint_id)
    async with ctx.storage.write() as tx:
        await tx.set_webhook_enabled(found.id, enabled)
        await audit.record(tx, actor, site.id, "webhook", f"webhook:{found.id}",
                           {"enabled": found.enabled}, {"enabled": enabled}, ctx.clock())


async def delete_endpoint(ctx: Context, site_slug: str, endpoint_id: int, actor: Actor) -> None:
    site = await _admin_site(ctx, site_slug, actor)
    found = await _endpoint(ctx, site, endpoint_id)
    async with ctx.storage.write() as tx:
        await tx.delete_webhook_endpoint(found.id)
        await audit.record(tx, actor, site.id, "webhook", f"webhook:{found.id}",
                           _shown(found), {}, ctx.clock())


async def send_test(ctx: Context, site_slug: str, endpoint_id: int, actor: Actor) -> None:
    """Queue a ``ping`` event for the endpoint (sent within seconds, as any delivery)."""
    site = await _admin_site(ctx, site_slug, actor)
    found = await _endpoint(ctx, site, endpoint_id)
    now = ctx.clock()
    payload = orjson.dumps({"event": PING, "created": rfc3339(now), "site": site.slug})
    async with ctx.storage.write() as tx:
        await tx.enqueue_webhook(found.id, f"test:{delivery_uid()}", delivery_uid(), PING, 0,
                                 payload.decode(), now)
