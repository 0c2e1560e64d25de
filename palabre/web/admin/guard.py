"""Who may see an admin page: a signed-in moderator, else the sign-in page; and how a
refusal of the domain becomes an error page instead of the API's JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain.errors import PalabreError, RateLimited
from palabre.domain.identity import Actor
from palabre.web.admin.csrf import CsrfRefused
from palabre.web.admin.views import error_page, redirect, secured
from palabre.web.http.errors import STATUS
from palabre.web.state import identify

Handler = Callable[[Request], Awaitable[Response]]
LOGIN = "/admin/login"


class SignInFirst(Exception):
    """No moderator session: the page answers with the sign-in page."""


async def signed_in(request: Request) -> Actor:
    actor = await identify(request)
    if actor.moderator is None:
        raise SignInFirst()
    return actor


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{LOGIN}?next={quote(here, safe='')}" if request.method == "GET" else LOGIN


def page(handler: Handler) -> Handler:
    """An admin page or action: security headers on every answer; no session → sign in;
    a CSRF failure → 403; a domain refusal → an error page in the moderator's language."""
    @wraps(handler)
    async def run(request: Request) -> Response:
        try:
            return secured(await handler(request))
        except SignInFirst:
            return redirect(login_url(request))
        except CsrfRefused:
            return error_page(request, 403, "admin.error.csrf")
        except RateLimited as exc:
            response = error_page(request, 429, "error.rate_limited")
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except PalabreError as exc:
            if exc.code == "unauthorized":
                return redirect(login_url(request))
            keys = [f"admin.error.{exc.reason}", f"error.{exc.reason}"] if exc.reason else []
            return error_page(request, STATUS.get(exc.code, 400), *keys, f"error.{exc.code}")
    return run
