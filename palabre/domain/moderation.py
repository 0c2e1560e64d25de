"""What moderators do to comments: the queue, approving, rejecting, marking as spam."""

from __future__ import annotations

from dataclasses import replace

from palabre.domain import events
from palabre.domain.comments import Actor, find_comment, has_approved_below, prune_above
from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput, NotFound
from palabre.domain.models import Comment, Status

ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}
QUEUE_SIZE = 200


async def queue(ctx: Context, site_slug: str | None, actor: Actor) -> list[Comment]:
    """Comments waiting for a moderator on a site, oldest first."""
    _require(actor)
    site = await ctx.site(site_slug)
    return await ctx.storage.pending_comments(site.id, QUEUE_SIZE)


async def moderate(ctx: Context, comment_id: int, action: str, actor: Actor) -> Comment:
    """Approve a pending comment, or reject / mark as spam a pending or approved one.

    A rejected comment with approved replies stays as a ``deleted`` placeholder, exactly as
    a deletion would leave it, so the replies keep their place and the count stays exact.
    """
    _require(actor)
    if action not in ACTIONS:
        raise InvalidInput("action must be approve, reject or spam", reason="action_invalid",
                           field="action")
    async with ctx.storage.write() as tx:
        comment = await find_comment(tx, comment_id)
        if comment is None or comment.status not in (Status.PENDING, Status.APPROVED):
            raise NotFound("no such comment")
        if action == "approve":
            if comment.status is Status.PENDING:
                await _check_parent_visible(ctx, comment)
                await tx.set_comment_status(comment.id, Status.APPROVED)
        elif await has_approved_below(tx, comment.id):
            await tx.blank_comment(comment.id)
        else:
            await tx.set_comment_status(comment.id, ACTIONS[action])
            await prune_above(tx, comment.parent)
        await tx.bump_thread(comment.thread_id)
        # None when pruning took a placeholder above away, with its whole subtree.
        changed = await tx.get_comment(comment.id) or replace(comment, status=ACTIONS[action])
    await ctx.events.emit(events.COMMENT_MODERATED, comment=changed, action=action)
    return changed


async def _check_parent_visible(ctx: Context, comment: Comment) -> None:
    if comment.parent is None:
        return
    parent = await ctx.storage.get_comment(comment.parent)
    if parent is None or parent.status not in (Status.APPROVED, Status.DELETED):
        raise InvalidInput("the comment it answers is no longer shown", reason="parent_not_found",
                           field="parent")


def _require(actor: Actor) -> None:
    if not actor.moderator:
        raise Forbidden("moderators only")
