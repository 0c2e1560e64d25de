"""The composition root: the storage, the domain context, the routes of every area, the
error envelope, CORS, the read cache in front, and the outbox's upkeep."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain.context import Context
from palabre.domain.errors import PalabreError
from palabre.domain.outbox import prune_events
from palabre.domain.ports import Storage
from palabre.domain.sites import ensure_site
from palabre.settings import ServerConfig, load_config
from palabre.storage import open_storage
from palabre.web.admin import api as admin_api
from palabre.web.admin import pages as admin_pages
from palabre.web.admin.sessions import Sessions
from palabre.web.api import challenge, comments, openapi, threads
from palabre.web.assist import AssistRunner, assist_phases
from palabre.web.cache.fastpath import CachedReads
from palabre.web.cache.shared import SharedCaching
from palabre.web.cache.thread_cache import ThreadCache
from palabre.web.embed import pages
from palabre.web.http.clients import parse_networks
from palabre.web.http.cors import OriginPolicy, SiteCORS
from palabre.web.http.errors import on_http_error, on_palabre_error, on_unexpected
from palabre.web.live import stream
from palabre.web.live.hub import Hub
from palabre.web.mail import routes as mail_routes
from palabre.web.mail.runner import MailRunner
from palabre.web.observe import metrics as observe_metrics
from palabre.web.observe.middleware import Observed
from palabre.web.state import State, state
from palabre.web.webhooks.external import ExternalPhase
from palabre.web.webhooks.runner import WebhookRunner

log = logging.getLogger("palabre.web")
PRUNE_EVERY_SECONDS = 3600.0


async def healthz(request: Request) -> Response:
    await state(request).ctx.storage.get_site("default")
    return Response(orjson.dumps({"status": "ok"}), media_type="application/json")


async def keep_outbox(ctx: Context) -> None:
    """Prune delivered events past their retention, now and then (every worker does; the
    deletion is the same whoever runs it)."""
    while True:
        try:
            await prune_events(ctx)
        except Exception:
            log.exception("pruning the event outbox failed")
        await asyncio.sleep(PRUNE_EVERY_SECONDS)


def create_app(config: ServerConfig, storage: Storage | None = None) -> CachedReads:
    """Build the app; opens the storage named by the config unless one is given."""
    store = storage or open_storage(config.database_url)
    if not config.secret:
        raise ValueError("a secret is required (palabre serve generates one)")
    external = ExternalPhase(store, max(1, config.external_moderation_timeout_ms) / 1000)
    ctx = Context(storage=store, secret=config.secret, config=config,
                  phases=(*assist_phases(config, store), external))
    hub = Hub(store, heartbeat_seconds=max(1, config.live_heartbeat_seconds),
              max_streams=config.live_max_streams,
              max_per_client=config.live_max_streams_per_client)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await ensure_site(store)
        upkeep = asyncio.create_task(keep_outbox(ctx))
        await hub.start()
        mail = MailRunner(ctx)
        mail.start()
        hooks = WebhookRunner(ctx)
        hooks.start()
        trainer = AssistRunner(ctx)
        trainer.start()
        if metrics is not None:
            metrics.start()
        with stream.end_streams_on_signals(hub):
            yield
        if metrics is not None:
            await metrics.stop()
        await mail.close()
        await hooks.close()
        await trainer.close()
        await external.close()
        await hub.stop()
        upkeep.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await upkeep
        await store.close()

    cache = ThreadCache(store, max_bytes=max(0, config.cache_megabytes) << 20)
    origins = OriginPolicy(store)
    routes: list[Route] = [*comments.routes, *threads.routes, *admin_api.routes,
                           *openapi.routes, *pages.routes, *stream.routes, *mail_routes.routes,
                           *observe_metrics.routes, Route("/healthz", healthz, methods=["GET"])]
    if config.demo:
        routes += pages.demo_routes
    routes += challenge.routes + admin_pages.routes
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SiteCORS, policy=origins)],
        exception_handlers={PalabreError: on_palabre_error, HTTPException: on_http_error,
                            Exception: on_unexpected},
        lifespan=lifespan,
    )
    app.state.palabre = State(ctx=ctx, cache=cache,
                              proxies=parse_networks(config.trusted_proxies),
                              max_body_bytes=config.max_body_bytes,
                              public_url=config.public_url.rstrip("/"),
                              sessions=Sessions(config.secret))
    app.state.live_hub = hub
    access = observe_metrics.Access(config)  # closed: nothing is counted at all
    metrics = observe_metrics.Metrics(store) if access.open else None
    app.state.metrics, app.state.metrics_access = metrics, access
    shared = (SharedCaching(config.shared_cache_seconds, config.shared_cache_stale_seconds)
              if config.shared_cache_seconds > 0 else None)
    app.state.shared_caching = shared
    reads = CachedReads(Observed(app, metrics, config.access_log), cache, ctx, origins, shared)
    if metrics is not None:
        metrics.reads, metrics.hub = reads, hub
    return reads


def app_from_env() -> CachedReads:
    """Factory for server workers: every setting comes from PALABRE_* variables."""
    return create_app(load_config())
