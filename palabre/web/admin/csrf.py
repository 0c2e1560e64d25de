"""Cross-site request forgery: every admin form carries a token bound to the session.

The token is an HMAC, keyed with the server secret, of a purpose and the session cookie's
value: a page of another site can neither read it nor compute it, and it stops working with
the session. The sign-in form, before any session, is bound the same way to a random
cookie of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from palabre.web.admin.sessions import COOKIE

FIELD = "csrf"
FORMS = "palabre.admin.form.v1"
SIGN_IN = "palabre.admin.sign-in.v1"
SIGN_IN_COOKIE = "palabre_admin_signin"


class CsrfRefused(Exception):
    """A state-changing form came without its token, or with another session's."""


def token(secret: str, purpose: str, bound_to: str) -> str:
    message = f"{purpose}\x00{bound_to}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def form_token(request: Request, secret: str) -> str:
    """The token the forms of this session carry."""
    return token(secret, FORMS, request.cookies.get(COOKIE, ""))


def check(request: Request, secret: str, sent: str | None, *, purpose: str = FORMS,
          cookie: str = COOKIE) -> None:
    """Refuse unless ``sent`` is the token of this request's ``cookie`` for ``purpose``."""
    bound_to = request.cookies.get(cookie, "")
    expected = token(secret, purpose, bound_to)
    if not bound_to or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfRefused(purpose)


def sign_in_binding(request: Request) -> str:
    """The random value the sign-in form's token is bound to (new when missing)."""
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(24)


def keep_sign_in_binding(response: Response, value: str) -> None:
    response.set_cookie(SIGN_IN_COOKIE, value, max_age=3600, httponly=True,
                        samesite="strict", path="/admin")
