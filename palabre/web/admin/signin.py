"""Signing in and out of the desk (the same session cookie the admin API uses)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import moderators
from palabre.domain.errors import Unauthorized
from palabre.web.admin import csrf
from palabre.web.admin.forms import local_path, read_form
from palabre.web.admin.guard import page
from palabre.web.admin.views import redirect, render
from palabre.web.http.clients import over_tls
from palabre.web.state import identify, state

HOME = "/admin/queue/pending"


def sign_in_page(request: Request, next_path: str, *, status: int = 200,
                 failed: bool = False, username: str = "") -> Response:
    binding = csrf.sign_in_binding(request)
    token = csrf.token(state(request).ctx.secret, csrf.SIGN_IN, binding)
    response = render(request, "login.html", status=status, csrf=token, next=next_path,
                      failed=failed, username=username)
    csrf.keep_sign_in_binding(response, binding)
    return response


@page
async def login_form(request: Request) -> Response:
    next_path = local_path(request.query_params.get("next", ""), HOME)
    if (await identify(request)).moderator is not None:
        return redirect(next_path)
    return sign_in_page(request, next_path)


@page
async def login(request: Request) -> Response:
    st = state(request)
    form = await read_form(request, st.max_body_bytes)
    csrf.check(request, st.ctx.secret, form.get(csrf.FIELD), purpose=csrf.SIGN_IN,
               cookie=csrf.SIGN_IN_COOKIE)
    next_path = local_path(form.get("next"), HOME)
    try:
        found = await moderators.authenticate(st.ctx, form.get("username"),
                                              form.get("password"), await identify(request))
        generation = await moderators.session_generation(st.ctx, found)
    except Unauthorized:
        return sign_in_page(request, next_path, status=401, failed=True,
                            username=form.get("username"))
    response = redirect(next_path)
    st.sessions.open(response, found.id, generation, secure=over_tls(request, st.proxies))
    return response


@page
async def logout(request: Request) -> Response:
    st = state(request)
    form = await read_form(request, st.max_body_bytes)
    csrf.check(request, st.ctx.secret, form.get(csrf.FIELD))
    actor = await identify(request)
    if actor.moderator is not None:
        await moderators.end_sessions(st.ctx, actor.moderator)
    response = redirect("/admin/login")
    st.sessions.close(response)
    return response
