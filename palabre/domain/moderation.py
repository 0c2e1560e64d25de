"""What moderators do to comments: the queue, approving, rejecting, marking as spam."""

from __future__ import annotations

from dataclasses import replace

from palabre.domain.comments import find_comment, has_approved_below, prune_above, site_of
from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput, NotFound
from palabre.domain.events import CommentModerated
from palabre.domain.identity import Actor
from palabre.domain.models import Comment, Site, Status

ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}
QUEUE_SIZE = 200


async def queue(ctx: Context, site_slug: str | None, actor: Actor) -> list[Comment]:
    """Comments waiting for a moderator on a site, oldest first."""
    site = await ctx.site(site_slug)
    _require(actor, site)
    return await ctx.storage.pending_comments(site.id, QUEUE_SIZE)


async def moderate(ctx: Context, comment_id: int, action: str, actor: Actor) -> Comment:
    """Approve a pending comment, or reject / mark as spam a pending or approved one.

    A rejected comment with approved replies stays as a ``deleted`` placeholder, exactly as
    a deletion would leave it, so the replies keep their place and the count stays exact.
    """
    if action not in ACTIONS:
        raise InvalidInput("action must be approve, reject or spam", reason="action_invalid",
                           field="action")
    async with ctx.storage.write() as tx:
        comment = await find_comment(tx, comment_id)
        if comment is None or comment.status not in (Status.PENDING, Status.APPROVED):
            raise NotFound("no such comment")
        site = await site_of(tx, comment)
        _require(actor, site)
        removed: tuple[int, ...] = ()
        if action == "approve":
            if comment.status is Status.PENDING:
                await _check_parent_visible(ctx, comment)
                await tx.set_comment_status(comment.id, Status.APPROVED)
        elif await has_approved_below(tx, comment.id):
            await tx.blank_comment(comment.id)
        else:
            await tx.set_comment_status(comment.id, ACTIONS[action])
            removed = await prune_above(tx, comment.parent)
        # None when pruning took a placeholder above away, with its whole subtree.
        changed = await tx.get_comment(comment.id) or replace(comment, status=ACTIONS[action])
        await tx.emit(CommentModerated(site_id=site.id, thread_id=comment.thread_id,
                                       comment_id=comment.id, action=action,
                                       status=changed.status.value, removed=removed))
    return changed


async def _check_parent_visible(ctx: Context, comment: Comment) -> None:
    if comment.parent is None:
        return
    parent = await ctx.storage.get_comment(comment.parent)
    if parent is None or parent.status not in (Status.APPROVED, Status.DELETED):
        raise InvalidInput("the comment it answers is no longer shown", reason="parent_not_found",
                           field="parent")


def _require(actor: Actor, site: Site) -> None:
    if not actor.moderates(site.id):
        raise Forbidden("moderators only")
