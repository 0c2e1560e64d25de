"""What the queue's forms do: approve, reject (with a reason), mark as spam; one comment
or a selection. Every form is checked for its CSRF token before anything changes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import moderation
from palabre.domain.errors import InvalidInput, PalabreError
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


async def apply(request: Request, actor: Actor, comment_id: int, action: str) -> None:
    await moderation.moderate(state(request).ctx, comment_id, action, actor)


@page
async def moderate_one(request: Request) -> Response:
    actor, form = await checked_form(request)
    action = action_of(request.path_params["action"])
    await apply(request, actor, request.path_params["id"], action)
    return redirect(with_params(local_path(form.get("next"), QUEUE), done=ACTIONS[action]))


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
            await apply(request, actor, comment_id, action)
            done += 1
        except PalabreError as exc:
            if exc.code == "forbidden":
                raise
    target = local_path(form.get("next"), QUEUE)
    return redirect(with_params(target, done=f"bulk_{ACTIONS[action]}", count=str(done)))
