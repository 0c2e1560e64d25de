"""Editing a comment's text from the desk (a moderator's edit has no time window)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import comments
from palabre.domain.errors import Forbidden, InvalidInput, NotFound
from palabre.domain.identity import Actor
from palabre.domain.inputs import parse_edit_draft
from palabre.domain.models import Comment, CommentId, Status
from palabre.domain.validation import MAX_ID
from palabre.web.admin.actions import QUEUE, checked_form
from palabre.web.admin.desk import render_desk
from palabre.web.admin.forms import local_path, with_params
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import redirect
from palabre.web.state import state


async def moderated_comment(request: Request, actor: Actor, comment_id: int) -> Comment:
    """A comment still shown or waiting, of a site this moderator moderates."""
    storage = state(request).ctx.storage
    found = await storage.get_comment(CommentId(comment_id)) if 0 < comment_id <= MAX_ID else None
    if found is None or found.status not in (Status.APPROVED, Status.PENDING):
        raise NotFound("no such comment")
    thread = await storage.get_thread_by_id(found.thread_id)
    if thread is None or not actor.moderates(thread.site_id):
        raise Forbidden("moderators of the site only")
    return found


@page
async def edit_form(request: Request) -> Response:
    actor = await signed_in(request)
    comment = await moderated_comment(request, actor, request.path_params["id"])
    back = local_path(request.query_params.get("next", ""), QUEUE)
    return await render_desk(request, actor, "edit.html", comment=comment, text=comment.text,
                             back=back, error=None)


@page
async def save_edit(request: Request) -> Response:
    actor, form = await checked_form(request)
    comment_id = request.path_params["id"]
    back = local_path(form.get("next"), QUEUE)
    try:
        draft = parse_edit_draft({"text": form.get("text")})
        await comments.edit_comment(state(request).ctx, comment_id, draft, actor)
    except InvalidInput as exc:
        comment = await moderated_comment(request, actor, comment_id)
        return await render_desk(request, actor, "edit.html", status=422, comment=comment,
                                 text=form.get("text"), back=back, error=exc)
    return redirect(with_params(back, done="edited"))
