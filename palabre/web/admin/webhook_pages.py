"""The Webhooks page (admins only): a site's endpoints (add, rotate and retire a secret,
disable, delete, send a test event) and the log of deliveries. A new secret is shown in
the answer to the form that made it, once; nothing else ever shows it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain.context import Context
from palabre.domain.errors import InvalidInput
from palabre.domain.identity import Actor
from palabre.domain.models import Site
from palabre.domain.webhooks import endpoints as hooks
from palabre.domain.webhooks.models import EVENTS, EndpointKind
from palabre.web.admin.actions import checked_form
from palabre.web.admin.desk import render_desk, site_for
from palabre.web.admin.forms import Form, with_params
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import redirect
from palabre.web.state import state

PAGE = "/admin/webhooks"


async def show(request: Request, actor: Actor, site: Site, *, status: int = 200,
               secret: str = "", secret_for: str = "", form: Form | None = None,
               error: InvalidInput | None = None) -> Response:
    ctx = state(request).ctx
    found = await hooks.endpoints(ctx, site.slug, actor)
    return await render_desk(
        request, actor, "webhooks.html", status=status, site=site, endpoints=found,
        urls={e.id: e.url for e in found}, log=await hooks.delivery_log(ctx, site.slug, actor),
        events=EVENTS, kinds=[k.value for k in EndpointKind], secret=secret,
        secret_for=secret_for, form=form or Form({}), error=error)


@page
async def webhooks_page(request: Request) -> Response:
    actor = await signed_in(request)
    return await show(request, actor, await site_for(request, actor))


@page
async def add(request: Request) -> Response:
    actor, form = await checked_form(request)
    site = await site_for(request, actor, form.get("site"))
    try:
        made = await hooks.add_endpoint(state(request).ctx, site.slug, form.get("url"),
                                        form.get("kind"), form.all("events"), actor)
    except InvalidInput as exc:
        return await show(request, actor, site, status=422, form=form, error=exc)
    return await show(request, actor, site, secret=made.secret, secret_for=made.endpoint.url)


def endpoint_id(request: Request) -> int:
    value: int = request.path_params["id"]
    return value


@page
async def rotate(request: Request) -> Response:
    actor, form = await checked_form(request)
    site = await site_for(request, actor, form.get("site"))
    ctx = state(request).ctx
    secret = await hooks.rotate_secret(ctx, site.slug, endpoint_id(request), actor)
    found = await ctx.storage.get_webhook_endpoint(endpoint_id(request))
    return await show(request, actor, site, secret=secret,
                      secret_for=found.url if found else "")


# What a form does to one endpoint: (ctx, site, endpoint id, actor).
Act = Callable[[Context, str, int, Actor], Awaitable[None]]


async def _then(request: Request, done: str, act: Act) -> Response:
    """Do ``act`` to the endpoint the URL names, then back to the page saying ``done``."""
    actor, form = await checked_form(request)
    site = await site_for(request, actor, form.get("site"))
    await act(state(request).ctx, site.slug, endpoint_id(request), actor)
    return redirect(with_params(PAGE, site=site.slug, done=done))


@page
async def retire(request: Request) -> Response:
    return await _then(request, "webhook_retired", hooks.retire_secret)


@page
async def enable(request: Request) -> Response:
    return await _then(request, "webhook_enabled", partial(_enable, enabled=True))


@page
async def disable(request: Request) -> Response:
    return await _then(request, "webhook_disabled", partial(_enable, enabled=False))


async def _enable(ctx: Context, slug: str, found: int, actor: Actor, *, enabled: bool) -> None:
    await hooks.set_enabled(ctx, slug, found, enabled, actor)


@page
async def delete(request: Request) -> Response:
    return await _then(request, "webhook_deleted", hooks.delete_endpoint)


@page
async def send_test(request: Request) -> Response:
    return await _then(request, "webhook_test", hooks.send_test)
