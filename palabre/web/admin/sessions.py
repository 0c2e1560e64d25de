"""Moderator sessions: a signed, time-limited, HttpOnly cookie holding the moderator's id and
the generation of their sessions (logout and a password change bump it, revoking every
cookie signed before)."""

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

    def open(self, response: Response, moderator_id: int, generation: int,
             secure: bool) -> None:
        value = self._signer.sign(f"{moderator_id}:{generation}").decode()
        response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, secure=secure,
                            samesite="strict", path="/")

    def close(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")

    def session(self, request: Request) -> tuple[int, int] | None:
        """The moderator and session generation a request's cookie names, if its signature
        holds and is recent (whether the generation is still current is the caller's)."""
        value = request.cookies.get(COOKIE)
        if not value:
            return None
        try:
            raw = self._signer.unsign(value, max_age=MAX_AGE).decode()
        except (BadSignature, SignatureExpired):
            return None
        moderator_id, _, generation = raw.partition(":")
        if not moderator_id.isdigit() or not generation.isdigit():
            return None  # includes cookies from before generations: signed in again
        return int(moderator_id), int(generation)
