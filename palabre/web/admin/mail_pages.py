"""The mail page (admins only): the delivery log (kind, status, attempts, last error,
times, a masked address) and a "send a test mail" form that queues a mail like any
other; and setting a moderator's alert address from the moderators page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain.errors import InvalidInput
from palabre.domain.identity import Actor
from palabre.domain.mail import alerts, log
from palabre.web.admin.accounts import admins_only
from palabre.web.admin.actions import checked_form
from palabre.web.admin.desk import render_desk
from palabre.web.admin.forms import with_params
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import language, redirect
from palabre.web.mail.routes import mail_enabled
from palabre.web.state import state


async def show(request: Request, actor: Actor, *, status: int = 200, address: str = "",
               error: InvalidInput | None = None) -> Response:
    ctx = state(request).ctx
    return await render_desk(request, actor, "mail.html", status=status, address=address,
                             error=error, lines=await log.delivery_log(ctx, actor),
                             mail_on=mail_enabled(ctx.config),
                             to=request.query_params.get("to", ""))


@page
async def mail_page(request: Request) -> Response:
    actor = await signed_in(request)
    admins_only(actor)
    return await show(request, actor)


@page
async def send_test(request: Request) -> Response:
    actor, form = await checked_form(request)
    admins_only(actor)
    address = form.get("email").strip()
    try:
        masked = await log.send_test_mail(state(request).ctx, actor, address,
                                          language(request))
    except InvalidInput as exc:
        return await show(request, actor, status=422, address=address, error=exc)
    return redirect(with_params("/admin/mail", done="test_queued", to=masked))


@page
async def set_address(request: Request) -> Response:
    actor, form = await checked_form(request)
    await alerts.set_alert_address(state(request).ctx, actor, form.get("username"),
                                   form.get("email"), form.get("lang"))
    return redirect("/admin/moderators?done=alert_address")
