"""What every handler shares (:class:`State`) and who is asking (:func:`identify`)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain.context import Context
from palabre.domain.identity import Actor, client_key
from palabre.web.admin.sessions import Sessions
from palabre.web.api.serialise import dumps
from palabre.web.cache.thread_cache import ThreadCache
from palabre.web.http.clients import Network, client_address

JSON = "application/json"


@dataclass
class State:
    """The domain context, the cache and the server settings the handlers need."""

    ctx: Context
    cache: ThreadCache
    proxies: tuple[Network, ...]
    max_body_bytes: int
    public_url: str
    sessions: Sessions


def state(request: Request) -> State:
    found: State = request.app.state.palabre
    return found


def json_response(data: object, status: int = 200) -> Response:
    return Response(dumps(data), status_code=status, media_type=JSON)


async def identify(request: Request) -> Actor:
    """Who is asking, worked out once per request: the client's keyed hash, the page's
    origin, an author token, a moderator's session (looked up in the database once)."""
    cached: Actor | None = request.scope.get("palabre.actor")
    if cached is not None:
        return cached
    st = state(request)
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
    session = st.sessions.session(request)
    found = (await st.ctx.storage.get_moderator_session(session[0])
             if session is not None else None)
    # A cookie of an older generation was revoked (logout, password change).
    moderator = found[0] if found is not None and session and found[1] == session[1] else None
    actor = Actor(client=client_key(st.ctx.secret, client_address(request, st.proxies)),
                  origin=request.headers.get("origin"), token=token or None,
                  moderator=moderator)
    request.scope["palabre.actor"] = actor
    return actor
