"""Moderator sessions: a signed, time-limited, HttpOnly cookie holding the moderator's id."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "palabre_session"
MAX_AGE = 12 * 3600
NAMESPACE = "palabre.moderator-session.v1"


class Sessions:
    def __init__(self, secret: str) -> None:
        self._signer = TimestampSigner(secret, salt=NAMESPACE)

    def open(self, response: Response, moderator_id: int, secure: bool) -> None:
        value = self._signer.sign(str(moderator_id)).decode()
        response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, secure=secure,
                            samesite="strict", path="/")

    def close(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")

    def moderator_id(self, request: Request) -> int | None:
        """The moderator a request's cookie names, if its signature holds and is recent."""
        value = request.cookies.get(COOKIE)
        if not value:
            return None
        try:
            raw = self._signer.unsign(value, max_age=MAX_AGE).decode()
        except (BadSignature, SignatureExpired):
            return None
        return int(raw) if raw.isdigit() else None
