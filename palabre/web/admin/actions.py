"""What the queue's forms do: approve, reject (with a reason), mark as spam, one comment or
a selection; feature; delete; undo the last decision. Every form is checked for its CSRF token
before anything changes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import comments, moderation
from palabre.domain.errors import InvalidInput, NotFound, PalabreError
from palabre.domain.identity import Actor
from palabre.web.admin import csrf
from palabre.web.admin.forms import Form, local_path, read_form, with_params
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import redirect
from palabre.web.state import state

ACTIONS = {"approve": "approved", "reject": "rejected", "spam": "spammed"}
QUEUE = "/admin/queue/pending"


async def checked_form(request: Request) -> tuple[Actor, Form]:
    """The signed-in moderator and their form, whose token holds (else 403, nothing done)."""
    actor = await signed_in(request)
    st = state(request)
    form = await read_form(request, st.max_body_bytes)
    csrf.check(request, st.ctx.secret, form.get(csrf.FIELD))
    return actor, form


def action_of(raw: str) -> str:
    if raw not in ACTIONS:
        raise InvalidInput("action must be approve, reject or spam", reason="action_invalid",
                           field="action")
    return raw


def back(form: Form, **params: str) -> Response:
    return redirect(with_params(local_path(form.get("next"), QUEUE), **params))


async def apply(request: Request, actor: Actor, comment_id: int, action: str,
                form: Form) -> None:
    reason = form.get("reason") or None if action == "reject" else None
    await moderation.moderate(state(request).ctx, comment_id, action, actor, reason)


@page
async def moderate_one(request: Request) -> Response:
    actor, form = await checked_form(request)
    action = action_of(request.path_params["action"])
    await apply(request, actor, request.path_params["id"], action, form)
    return back(form, done=ACTIONS[action])


@page
async def moderate_many(request: Request) -> Response:
    """A selection: each comment is decided on its own; those already decided elsewhere
    (not found any more) are skipped, and the page says how many were done."""
    actor, form = await checked_form(request)
    action = action_of(form.get("action"))
    ids = [int(raw) for raw in form.all("ids") if raw.isdigit() and len(raw) < 19]
    done = 0
    for comment_id in ids:
        try:
            await apply(request, actor, comment_id, action, form)
            done += 1
        except PalabreError as exc:
            if exc.code != "not_found" and exc.reason != "parent_not_found":
                raise
    return back(form, done=f"bulk_{ACTIONS[action]}", count=str(done))


@page
async def feature(request: Request) -> Response:
    actor, form = await checked_form(request)
    featured = form.get("featured") == "true"
    await moderation.set_featured(state(request).ctx, request.path_params["id"], featured,
                                  actor)
    return back(form, done="featured" if featured else "unfeatured")


@page
async def delete(request: Request) -> Response:
    """Delete a comment as its author could (a placeholder stays above approved replies)."""
    actor, form = await checked_form(request)
    await comments.delete_comment(state(request).ctx, request.path_params["id"], actor)
    return back(form, done="deleted")


@page
async def undo(request: Request) -> Response:
    actor, form = await checked_form(request)
    try:
        await moderation.undo_last(state(request).ctx, actor, form.get("site") or None)
    except NotFound:
        return back(form, done="nothing_to_undo")
    return back(form, done="undone")
