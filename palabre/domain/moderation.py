"""What moderators do to comments: the queues, approving, rejecting, marking as spam,
featuring, and undoing their last decision."""

from __future__ import annotations

from dataclasses import dataclass, replace

from palabre.domain import audit
from palabre.domain.comments import find_comment, has_approved_below, prune_above, site_of
from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput, NotFound
from palabre.domain.events import CommentFeatured, CommentModerated
from palabre.domain.identity import Actor, email_hash
from palabre.domain.models import (
    AuthorHistory,
    Ban,
    Comment,
    Report,
    Site,
    Status,
    Thread,
)
from palabre.domain.phases import Verdict
from palabre.domain.ports import WriteTx

ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}
REJECT_REASONS = ("offensive", "abusive", "spam", "off_topic", "illegal", "harassment",
                  "misinformation", "other")
QUEUES = ("pending", "reported", "recent", "rejected", "spam")
ORDERS = {"risk": "pending"}  # an order a queue may be shown in, and that queue
PAGE_SIZE = 50
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Card:
    """A comment as a moderator weighs it: where, in answer to what, by whom, why here."""

    comment: Comment
    thread: Thread
    answered: Comment | None
    reports: list[Report]
    history: AuthorHistory  # by email when the comment has one, else by client key
    sanctions: list[Ban]
    client_history: AuthorHistory | None = None  # by client key, when history is by email
    verdicts: tuple[Verdict, ...] = ()  # what the moderation phases said of it


@dataclass(frozen=True)
class QueuePage:
    site: Site
    kind: str
    cards: list[Card]
    total: int
    page: int
    pages: int
    order: str = ""


async def queue_page(ctx: Context, site_slug: str | None, actor: Actor, *,
                     kind: str = "pending", search: str = "", page: int = 1,
                     per_page: int = PAGE_SIZE, order: str = "") -> QueuePage:
    """One page of a queue, each comment with what a moderator needs to decide.
    ``order`` "risk" shows the pending queue by the assistant's score, highest first
    (comments it did not score last)."""
    if kind not in QUEUES:
        raise InvalidInput("unknown queue", reason="queue_invalid", field="kind")
    if order and ORDERS.get(order) != kind:
        raise InvalidInput("unknown order for this queue", reason="order_invalid",
                           field="order")
    site = await ctx.site(site_slug)
    require(actor, site)
    page = min(max(1, page), MAX_PAGE)  # past the last page: an empty one
    rows, total = await ctx.storage.moderation_queue(site.id, order or kind,
                                                     search.strip()[:200],
                                                     (page - 1) * per_page, per_page)
    bans = await ctx.storage.bans_of_site(site.id)
    verdicts = await ctx.storage.verdicts_of([comment.id for comment, _ in rows])
    cards = [await _card(ctx, site, comment, thread, bans,
                         tuple(verdicts.get(comment.id, ()))) for comment, thread in rows]
    return QueuePage(site, kind, cards, total, page, max(1, -(-total // per_page)), order)


async def _card(ctx: Context, site: Site, comment: Comment, thread: Thread,
                bans: list[Ban], verdicts: tuple[Verdict, ...]) -> Card:
    answered = (await ctx.storage.get_comment(comment.reply_to)
                if comment.reply_to is not None else None)
    hashed = email_hash(comment.email)
    now = ctx.clock()
    mine = [b for b in bans if b.active(now) and (
        (b.kind == "email" and hashed and b.value == hashed)
        or (b.kind == "client" and comment.client and b.value == comment.client))]
    by_client = (await ctx.storage.author_history(site.id, "", comment.client)
                 if comment.email and comment.client else None)
    return Card(comment, thread, answered, await ctx.storage.reports_of(comment.id),
                await ctx.storage.author_history(site.id, comment.email, comment.client),
                mine, by_client, verdicts)


async def moderate(ctx: Context, comment_id: int, action: str, actor: Actor,
                   reason_code: str | None = None) -> Comment:
    """Approve a pending comment, or reject / mark as spam a pending or approved one
    (a rejection may say why: one of ``REJECT_REASONS``). Approving clears its reports.

    A rejected comment with approved replies stays as a ``deleted`` placeholder, exactly as
    a deletion would leave it, so the replies keep their place and the count stays exact.
    """
    if action not in ACTIONS:
        raise InvalidInput("action must be approve, reject or spam", reason="action_invalid",
                           field="action")
    if reason_code is not None and reason_code not in REJECT_REASONS:
        raise InvalidInput("unknown reason", reason="reason_invalid", field="reason")
    async with ctx.storage.write() as tx:
        comment = await find_comment(tx, comment_id)
        if comment is None or comment.status not in (Status.PENDING, Status.APPROVED):
            raise NotFound("no such comment")
        site = await site_of(tx, comment)
        require(actor, site)
        changed = await decide(tx, site, comment, action)
        await audit.record(tx, actor, site.id, action, f"comment:{comment.id}",
                           {"status": comment.status.value, "held": list(comment.held)},
                           {"status": changed.status.value, "reason": reason_code,
                            "waited": int((ctx.clock() - comment.created).total_seconds())},
                           ctx.clock())
    return changed


async def decide(tx: WriteTx, site: Site, comment: Comment, action: str) -> Comment:
    """Apply one decision to a pending or approved comment and record it."""
    removed: tuple[int, ...] = ()
    if action == "approve":
        if comment.status is Status.PENDING:
            await _check_parent_visible(tx, comment)
            await tx.set_comment_status(comment.id, Status.APPROVED)
        await tx.clear_reports(comment.id)
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


async def set_featured(ctx: Context, comment_id: int, featured: bool, actor: Actor) -> Comment:
    """Pick an approved comment for the editor's selection (or take it out)."""
    async with ctx.storage.write() as tx:
        comment = await find_comment(tx, comment_id)
        if comment is None or comment.status is not Status.APPROVED:
            raise NotFound("no such comment")
        site = await site_of(tx, comment)
        require(actor, site)
        await tx.set_featured(comment.id, featured)
        await tx.emit(CommentFeatured(site_id=site.id, thread_id=comment.thread_id,
                                      comment_id=comment.id, featured=featured))
        await audit.record(tx, actor, site.id, "feature" if featured else "unfeature",
                           f"comment:{comment.id}", {"featured": comment.featured},
                           {"featured": featured}, ctx.clock())
    return replace(comment, featured=featured)


async def _check_parent_visible(tx: WriteTx, comment: Comment) -> None:
    if comment.parent is None:
        return
    parent = await tx.get_comment(comment.parent)
    if parent is None or parent.status not in (Status.APPROVED, Status.DELETED):
        raise InvalidInput("the comment it answers is no longer shown", reason="parent_not_found",
                           field="parent")


def require(actor: Actor, site: Site) -> None:
    """Refuse anyone who does not moderate this site."""
    if actor.moderator is None and not actor.system:
        raise Forbidden("moderators only")
    if not actor.moderates(site.id):
        raise Forbidden("you do not moderate this site", reason="site_forbidden")


UNDOABLE = ("approve", "reject", "spam", "feature", "unfeature")


async def undo_last(ctx: Context, actor: Actor, site_slug: str | None) -> Comment:
    """Undo this moderator's latest decision on the site, if the comment is still as that
    decision left it (a rejection that left a placeholder cannot be undone)."""
    site = await ctx.site(site_slug)
    require(actor, site)
    mine = [e for e in await ctx.storage.audit_entries([site.id], None, None, 100)
            if e.actor == audit.who(actor)]
    last = next((e for e in mine if e.action in UNDOABLE), None)
    if last is None:
        raise NotFound("nothing to undo", reason="nothing_to_undo")
    comment_id = int(last.target.partition(":")[2])
    if last.action in ("feature", "unfeature"):
        return await set_featured(ctx, comment_id, last.action == "unfeature", actor)
    async with ctx.storage.write() as tx:
        comment = await find_comment(tx, comment_id)
        if comment is None or comment.status.value != last.after.get("status"):
            raise InvalidInput("this decision can no longer be undone", reason="undo_stale")
        before = str(last.before.get("status"))
        held = tuple(str(h) for h in last.before.get("held") or ())  # type: ignore[attr-defined]
        await (tx.hold_comment(comment.id, held or ("undo",)) if before == "pending"
               else tx.set_comment_status(comment.id, Status(before)))
        await tx.emit(CommentModerated(site_id=site.id, thread_id=comment.thread_id,
                                       comment_id=comment.id, action="undo", status=before))
        await audit.record(tx, actor, site.id, "undo", last.target,
                           {"status": comment.status.value}, {"status": before}, ctx.clock())
        changed = await tx.get_comment(comment.id)
    assert changed is not None
    return changed
