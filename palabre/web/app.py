"""The ASGI application: routes, error envelope, CORS, and the shared state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain.context import Context, Limits, ensure_site
from palabre.domain.errors import PalabreError
from palabre.settings import ServerConfig, load_config
from palabre.storage import open_storage
from palabre.storage.base import Storage
from palabre.web import admin, api, openapi, pages
from palabre.web.clients import parse_networks
from palabre.web.cors import OriginPolicy, SiteCORS
from palabre.web.errors import on_http_error, on_palabre_error, on_unexpected
from palabre.web.fastpath import CachedReads
from palabre.web.sessions import Sessions
from palabre.web.thread_cache import ThreadCache


async def healthz(request: Request) -> Response:
    st = api.state(request)
    await st.ctx.storage.get_site("default")
    return Response(orjson.dumps({"status": "ok"}), media_type="application/json")


def create_app(config: ServerConfig, storage: Storage | None = None) -> CachedReads:
    """Build the app; opens the storage named by the config unless one is given."""
    store = storage or open_storage(config.database_url)
    if not config.secret:
        raise ValueError("a secret is required (palabre serve generates one)")
    ctx = Context(
        storage=store, secret=config.secret,
        limits=Limits(config.post_rate_limit, config.write_rate_limit,
                      config.rate_window_seconds),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await ensure_site(store)
        yield
        await store.close()

    cache = ThreadCache(store, max_bytes=max(0, config.cache_megabytes) << 20)
    origins = OriginPolicy(store)
    routes: list[Route] = [*api.routes, *admin.routes, *openapi.routes, *pages.routes,
                           Route("/healthz", healthz, methods=["GET"])]
    if config.demo:
        routes += pages.demo_routes
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SiteCORS, policy=origins)],
        exception_handlers={PalabreError: on_palabre_error, HTTPException: on_http_error,
                            Exception: on_unexpected},
        lifespan=lifespan,
    )
    app.state.palabre = api.State(ctx=ctx, cache=cache,
                                  proxies=parse_networks(config.trusted_proxies),
                                  max_body_bytes=config.max_body_bytes,
                                  public_url=config.public_url.rstrip("/"),
                                  sessions=Sessions(config.secret))
    return CachedReads(app, cache, ctx, origins)


def app_from_env() -> CachedReads:
    """Factory for server workers: every setting comes from PALABRE_* variables."""
    return create_app(load_config())
