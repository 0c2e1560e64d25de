"""Moderator API (the admin UI's): log in and out, the queue, close and reopen threads."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.domain import audit, moderation, moderators, sanctions, threads
from palabre.domain.errors import InvalidInput, Unauthorized
from palabre.domain.identity import Actor
from palabre.domain.models import Ban, Comment, Moderator, rfc3339
from palabre.domain.phases import Verdict
from palabre.web.api.serialise import comment_json
from palabre.web.http.body import json_body, optional_json_body, require_json
from palabre.web.http.clients import over_tls
from palabre.web.state import identify, json_response, state


async def moderator(request: Request) -> Actor:
    """Who is asking, who must be a signed-in moderator (401 otherwise)."""
    actor = await identify(request)
    if actor.moderator is None:
        raise Unauthorized("a moderator session is required")
    return actor


async def login(request: Request) -> Response:
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    found = await moderators.authenticate(st.ctx, body.get("username"), body.get("password"),
                                          await identify(request))
    generation = await moderators.session_generation(st.ctx, found)
    response = json_response({"moderator": {"username": found.username}})
    st.sessions.open(response, found.id, generation, secure=over_tls(request, st.proxies))
    return response


async def logout(request: Request) -> Response:
    """End the session: this cookie and every other of the moderator's stop working."""
    actor = await identify(request)
    st = state(request)
    if actor.moderator is not None:
        await moderators.end_sessions(st.ctx, actor.moderator)
    response = Response(status_code=204)
    st.sessions.close(response)
    return response


async def me(request: Request) -> Response:
    actor = await moderator(request)
    assert actor.moderator is not None
    return json_response({"moderator": {"username": actor.moderator.username}})


async def set_closed(request: Request, closed: bool) -> Response:
    actor = await moderator(request)
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    thread = await threads.set_closed(st.ctx, body.get("site") or "default",
                                      body.get("uri") or "", closed, actor)
    return json_response({"thread": {"uri": thread.uri, "closed": thread.closed,
                                     "created": rfc3339(thread.created)}})


def moderated_json(comment: Comment) -> dict[str, object]:
    """A comment as moderators see it: with its email and Markdown source."""
    return {**comment_json(comment), "email": comment.email, "text": comment.text,
            "status": comment.status.value}


def card_json(card: moderation.Card) -> dict[str, object]:
    history = card.history
    return {
        **moderated_json(card.comment),
        "held": list(card.comment.held),
        "thread": {"uri": card.thread.uri, "title": card.thread.title,
                   "closed": card.thread.closed},
        "answers": moderated_json(card.answered) if card.answered else None,
        "reports": [{"reason": r.reason, "note": r.note, "created": rfc3339(r.created)}
                    for r in card.reports],
        "history": {"approved": history.approved, "pending": history.pending,
                    "rejected": history.rejected, "spam": history.spam,
                    "first_seen": rfc3339(history.first_seen) if history.first_seen else None},
        "sanctions": [sanction_json(b) for b in card.sanctions],
        "verdicts": [verdict_json(v) for v in card.verdicts],
    }


def verdict_json(verdict: Verdict) -> dict[str, object]:
    """A moderation phase's verdict: ``features`` are the words that drove the score, each
    with its weight (positive: towards rejection)."""
    return {"phase": verdict.phase, "action": verdict.action.value, "score": verdict.score,
            "reason": verdict.reason, "model": verdict.model,
            "features": [[word, weight] for word, weight in verdict.features]}


def sanction_json(ban: Ban) -> dict[str, object]:
    return {"id": ban.id, "action": ban.action.value, "kind": ban.kind,
            "reason": ban.reason, "created": rfc3339(ban.created),
            "until": rfc3339(ban.until) if ban.until else None}


async def moderation_queue(request: Request) -> Response:
    """``kind`` pending (default) | reported | recent | rejected | spam; ``q`` searches;
    ``page`` from 1; ``order`` risk (pending only: the assistant's score, highest first)."""
    actor = await moderator(request)
    q = request.query_params
    page = await moderation.queue_page(
        state(request).ctx, q.get("site"), actor, kind=q.get("kind") or "pending",
        search=q.get("q") or "", page=int(q["page"]) if q.get("page", "").isdigit() else 1,
        order=q.get("order") or "")
    return json_response({"comments": [card_json(c) for c in page.cards],
                          "total": page.total, "page": page.page, "pages": page.pages,
                          "order": page.order or None})


async def moderate(request: Request) -> Response:
    """approve | reject | spam (body ``{"reason": …}`` optional) | feature | unfeature."""
    actor = await moderator(request)
    st = state(request)
    body = await optional_json_body(request, st.max_body_bytes)  # JSON only: no form posts
    comment_id, action = request.path_params["id"], request.path_params["action"]
    if action in ("feature", "unfeature"):
        comment = await moderation.set_featured(st.ctx, comment_id, action == "feature",
                                                actor)
    else:
        reason = body.get("reason")
        comment = await moderation.moderate(st.ctx, comment_id, action, actor,
                                            reason if isinstance(reason, str) else None)
    return json_response({"comment": moderated_json(comment)})


async def sanction(request: Request) -> Response:
    """Sanction the author of a comment: ``{"kind": "ban" | "suspend" | "premoderate" |
    "spamban", "hours": N, "reason": "…"}``."""
    actor = await moderator(request)
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    draft = sanctions.parse_sanction(body.get("kind"), body.get("hours"),
                                     body.get("reason") or "")
    made = await sanctions.sanction_author(st.ctx, request.path_params["id"], draft, actor)
    return json_response({"sanctions": [sanction_json(b) for b in made]}, 201)


async def list_sanctions(request: Request) -> Response:
    actor = await moderator(request)
    found = await sanctions.sanctions(state(request).ctx, request.query_params.get("site"),
                                      actor)
    return json_response({"sanctions": [sanction_json(b) for b in found]})


async def lift_sanction(request: Request) -> Response:
    actor = await moderator(request)
    require_json(request)
    await sanctions.lift(state(request).ctx, request.path_params["id"], actor)
    return Response(status_code=204)


async def undo(request: Request) -> Response:
    actor = await moderator(request)
    st = state(request)
    body = await optional_json_body(request, st.max_body_bytes)
    comment = await moderation.undo_last(st.ctx, actor, body.get("site") or None)
    return json_response({"comment": moderated_json(comment)})


async def audit_log(request: Request) -> Response:
    actor = await moderator(request)
    q = request.query_params
    before = int(q["before"]) if q.get("before", "").isdigit() else None
    found = await audit.entries(state(request).ctx, actor, site=q.get("site") or None,
                                action=q.get("action") or None, before_id=before)
    return json_response({"entries": [
        {"id": e.id, "created": rfc3339(e.created), "site_id": e.site_id, "actor": e.actor,
         "action": e.action, "target": e.target, "before": e.before, "after": e.after}
        for e in found]})


async def thread_options(request: Request) -> Response:
    actor = await moderator(request)
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    premoderate = body.get("premoderate")
    thread = await threads.set_options(
        st.ctx, body.get("site") or "default", body.get("uri") or "", actor,
        premoderate=premoderate if isinstance(premoderate, bool) else None,
        message=body.get("message"))
    return json_response({"thread": {"uri": thread.uri, "premoderate": thread.premoderate,
                                     "message": thread.message}})


def moderator_json(found: Moderator) -> dict[str, object]:
    return {"username": found.username, "role": found.role.value,
            "sites": sorted(found.sites), "disabled": found.disabled}


async def list_moderators(request: Request) -> Response:
    actor = await moderator(request)
    found = await moderators.list_moderators(state(request).ctx, actor)
    return json_response({"moderators": [moderator_json(m) for m in found]})


async def moderator_access(request: Request) -> Response:
    """``{"role": "admin" | "moderator", "sites": ["slug", …], "disabled": false}``."""
    actor = await moderator(request)
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    sites = body.get("sites") or []
    if not isinstance(sites, list) or not all(isinstance(s, str) for s in sites):
        raise InvalidInput("sites is a list of site names", reason="sites_invalid",
                           field="sites")
    found = await moderators.set_access(st.ctx, request.path_params["username"], actor,
                                        role=str(body.get("role") or ""), sites=sites,
                                        disabled=body.get("disabled") is True)
    return json_response({"moderator": moderator_json(found)})


async def title_thread(request: Request) -> Response:
    actor = await moderator(request)
    st = state(request)
    body = await json_body(request, st.max_body_bytes)
    thread = await threads.set_title(st.ctx, body.get("site") or "default",
                                     body.get("uri") or "", body.get("title"), actor)
    return json_response({"thread": {"uri": thread.uri, "title": thread.title,
                                     "closed": thread.closed,
                                     "created": rfc3339(thread.created)}})


async def close_thread(request: Request) -> Response:
    return await set_closed(request, True)


async def open_thread(request: Request) -> Response:
    return await set_closed(request, False)


routes = [
    Route("/api/admin/login", login, methods=["POST"]),
    Route("/api/admin/logout", logout, methods=["POST"]),
    Route("/api/admin/me", me, methods=["GET"]),
    Route("/api/admin/queue", moderation_queue, methods=["GET"]),
    Route("/api/admin/comments/{id:int}/sanction", sanction, methods=["POST"]),
    Route("/api/admin/comments/{id:int}/{action}", moderate, methods=["POST"]),
    Route("/api/admin/sanctions", list_sanctions, methods=["GET"]),
    Route("/api/admin/sanctions/{id:int}", lift_sanction, methods=["DELETE"]),
    Route("/api/admin/undo", undo, methods=["POST"]),
    Route("/api/admin/audit", audit_log, methods=["GET"]),
    Route("/api/admin/threads/options", thread_options, methods=["POST"]),
    Route("/api/admin/moderators", list_moderators, methods=["GET"]),
    Route("/api/admin/moderators/{username}", moderator_access, methods=["POST"]),
    Route("/api/admin/threads/close", close_thread, methods=["POST"]),
    Route("/api/admin/threads/open", open_thread, methods=["POST"]),
    Route("/api/admin/threads/title", title_thread, methods=["POST"]),
]
