"""What happens to comments: admitting and storing new ones, editing, deleting, voting.

Posting is two steps. :func:`admit` applies the site's policy to a reader's comment (origin,
ban, rate limit, closure, the comment it answers, the moderation mode) and decides its
status; :func:`store_comment` makes the row, the one place a comment row is made, and
records it as a ``CommentCreated`` event. Readers (not staff, not the operator's tools)
also bring a proof of work, leave the honeypot empty and take the site's minimum time
(:mod:`palabre.domain.challenge`). The demo, the bench seeder and the importers call the
store step with the times and statuses they bring.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from palabre.domain import audit, challenge, policy, screening, validation
from palabre.domain.context import Context, is_closed
from palabre.domain.errors import (
    EditWindowExpired,
    Forbidden,
    InvalidInput,
    NotFound,
    ThreadClosed,
    Unauthorized,
)
from palabre.domain.events import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    CommentModerated,
    CommentReported,
    CommentVoted,
)
from palabre.domain.identity import Actor, avatar_seed
from palabre.domain.inputs import CommentDraft, EditDraft, VoteDraft
from palabre.domain.models import (
    Comment,
    CommentId,
    ModerationMode,
    NewComment,
    Report,
    Site,
    Status,
    Thread,
)
from palabre.domain.phases import NO_ASSESSMENT, Assessment
from palabre.domain.policy import HOLD_REPORTS
from palabre.domain.ports import Reads, WriteTx
from palabre.domain.tree import place_reply
from palabre.rendering import has_link


@dataclass(frozen=True)
class Posted:
    comment: Comment
    token: str
    thread: Thread


@dataclass(frozen=True)
class Admission:
    """What admitting a reader's comment decided."""

    thread: Thread | None  # None: the first comment on this page
    status: Status
    answered: Comment | None
    held: tuple[str, ...] = ()  # why it waits for a moderator
    staff: bool = False  # posted by a moderator of the site


def check_origin(site: Site, origin: str | None) -> None:
    allowed = site.settings.allowed_origins
    if allowed and origin is not None and origin not in allowed:
        raise Forbidden("this site does not accept writes from that origin",
                        reason="origin_not_allowed")


async def post_comment(ctx: Context, draft: CommentDraft, actor: Actor) -> Posted:
    """Admit and store a reader's comment; the first comment on a page creates its thread."""
    site = await ctx.site(draft.site)
    if not actor.moderates(site.id):
        check_origin(site, actor.origin)
    validation.check_text(draft.text, site.settings)
    assessment = await screening.assess_post(ctx, site, draft, actor)
    screening.check_nudge(site, assessment, draft)
    now = ctx.clock()
    async with ctx.storage.write() as tx:
        admitted = await admit(ctx, tx, site, draft, actor, now, assessment)
        title = "" if site.settings.lock_titles else draft.title
        thread = admitted.thread or await tx.get_or_create_thread(site.id, draft.uri, title,
                                                                  now)
        comment = await store_comment(tx, site, thread, draft, at=now, status=admitted.status,
                                      client=actor.client, answered=admitted.answered,
                                      held=admitted.held, staff=admitted.staff)
        await record_assessment(tx, site, comment, assessment, now)
    if comment.status is Status.REJECTED:  # by the assistant: its author sees it held
        comment = replace(comment, status=Status.PENDING)
    return Posted(comment, ctx.tokens.issue(comment.id, comment.created), thread)


async def admit(ctx: Context, tx: WriteTx, site: Site, draft: CommentDraft, actor: Actor,
                now: datetime, assessment: Assessment = NO_ASSESSMENT) -> Admission:
    """The site's policy for a new comment: refuse it, or say how it is to be stored
    (rules in :mod:`palabre.domain.policy`, with what the moderation phases said:
    :mod:`palabre.domain.screening`)."""
    staff = actor.moderator is not None and actor.moderates(site.id)
    sanction = None if staff else await policy.check_author(tx, site, draft.email,
                                                            actor.client, now)
    if not (staff or actor.system):
        await challenge.check(tx, ctx.secret, site, draft, now)
    await ctx.check_rate(tx, "post", actor.client, ctx.config.post_rate_limit)
    thread = await tx.get_thread(site.id, draft.uri)
    if is_closed(thread, site.settings, now):
        raise ThreadClosed("comments are closed on this page")
    answered = None
    if draft.parent is not None:
        answered = await _answered(tx, thread, draft.parent)
        if answered.status is not Status.APPROVED:
            raise _parent_not_found()
    if staff:
        return Admission(thread, Status.APPROVED, answered, staff=True)
    await policy.check_content(tx, site, draft, actor.client, now)
    held = await policy.hold_reasons(tx, site, thread, draft, actor.client, sanction)
    held += screening.hold_reasons(site, assessment, new=True)
    if screening.rejects(assessment):
        return Admission(thread, Status.REJECTED, answered)
    return Admission(thread, Status.PENDING if held else Status.APPROVED, answered, held)


async def record_assessment(tx: WriteTx, site: Site, comment: Comment,
                            assessment: Assessment, now: datetime) -> None:
    """Keep what the phases said of a comment (its card shows it), and file their flags."""
    if not assessment.verdicts:
        return
    await tx.save_verdicts(comment.id, assessment.verdicts)
    if comment.status is Status.APPROVED:
        for reporter, note in screening.flags(assessment):
            await file_report(tx, site, comment, Report(comment.id, reporter, "other", note,
                                                        now))


async def store_comment(tx: WriteTx, site: Site, thread: Thread, draft: CommentDraft, *,
                        at: datetime, status: Status, client: str,
                        answered: Comment | None = None, imported: bool = False,
                        held: tuple[str, ...] = (), staff: bool = False) -> Comment:
    """Make the comment's row, placed in the tree, and record it: the one place a comment
    row is made. ``answered``, when the caller has it already, is the comment
    ``draft.parent`` names; otherwise it is looked up (it must be in ``thread``)."""
    if draft.parent is not None and answered is None:
        answered = await _answered(tx, thread, draft.parent)
    parent, reply_to, root, depth = (place_reply(answered, site.settings.max_depth)
                                     if answered else (None, None, None, 0))
    comment = await tx.insert_comment(NewComment(
        thread_id=thread.id, parent=parent, reply_to=reply_to, root=root, depth=depth,
        author=draft.author, email=draft.email, website=draft.website, text=draft.text,
        html=draft.html, created=at, status=status, client=client,
        avatar=avatar_seed(site.salt, draft.email, draft.author), notify=draft.notify,
        staff=staff, held=held if status is Status.PENDING else (),
    ))
    await tx.emit(CommentCreated(site_id=site.id, thread_id=thread.id, comment_id=comment.id,
                                 parent=parent, reply_to=reply_to, status=status.value,
                                 imported=imported))
    return comment


def _parent_not_found() -> InvalidInput:
    return InvalidInput("parent does not exist in this thread", reason="parent_not_found",
                        field="parent")


async def _answered(tx: WriteTx, thread: Thread | None, parent_id: int) -> Comment:
    answered = await tx.get_comment(CommentId(parent_id))
    if answered is None or thread is None or answered.thread_id != thread.id:
        raise _parent_not_found()
    return answered


async def _authorise(ctx: Context, tx: WriteTx, comment_id: int,
                     actor: Actor) -> tuple[Comment, Site]:
    """The comment and its site, if this actor may change it now; else the right refusal."""
    comment = await find_comment(tx, comment_id)
    if comment is None or comment.status not in (Status.APPROVED, Status.PENDING):
        raise NotFound("no such comment")
    site = await site_of(tx, comment)
    if actor.moderates(site.id):
        return comment, site
    if not actor.token:
        raise Unauthorized("an author token is required")
    if not ctx.tokens.authorises(actor.token, comment.id, comment.created):
        raise Forbidden("this token does not belong to that comment")
    check_origin(site, actor.origin)
    window = site.settings.edit_window_seconds
    if (ctx.clock() - comment.created).total_seconds() > window:
        raise EditWindowExpired("the edit window of this comment is over")
    await ctx.check_rate(tx, "write", actor.client, ctx.config.write_rate_limit)
    return comment, site


async def find_comment(tx: Reads, comment_id: int) -> Comment | None:
    """The comment with this id from a URL; None for ids no database column can hold."""
    if not 0 < comment_id <= validation.MAX_ID:
        return None
    return await tx.get_comment(CommentId(comment_id))


async def site_of(tx: WriteTx, comment: Comment) -> Site:
    thread = await tx.get_thread_by_id(comment.thread_id)
    site = await tx.get_site_by_id(thread.site_id) if thread else None
    if site is None:
        raise NotFound("no such thread")
    return site


async def edit_comment(ctx: Context, comment_id: int, draft: EditDraft,
                       actor: Actor) -> Comment:
    assessment = await _assess_edit(ctx, comment_id, draft, actor)
    async with ctx.storage.write() as tx:
        comment, site = await _authorise(ctx, tx, comment_id, actor)
        validation.check_text(draft.text, site.settings)
        moderator = actor.moderates(site.id)
        if not moderator:
            _check_reader_edit(site, comment, draft)
        await tx.update_comment_text(comment.id, draft.text, draft.html, ctx.clock())
        await tx.emit(CommentEdited(site_id=site.id, thread_id=comment.thread_id,
                                    comment_id=comment.id))
        if assessment.verdicts:
            await tx.save_verdicts(comment.id, assessment.verdicts)
        why = ((policy.HOLD_WATCHED,) if policy.watched(site, draft.text) else ()) + (
            screening.hold_reasons(site, assessment, new=False))
        if not moderator and comment.status is Status.APPROVED and why:
            await hold(tx, site, comment, why, "edit")
        edited = await tx.get_comment(comment.id)
    assert edited is not None
    return edited


async def _assess_edit(ctx: Context, comment_id: int, draft: EditDraft,
                       actor: Actor) -> Assessment:
    """What the phases say of a reader's edit, asked before the write transaction (the
    transaction checks again who may edit)."""
    comment = await find_comment(ctx.storage, comment_id) if ctx.phases else None
    thread = await ctx.storage.get_thread_by_id(comment.thread_id) if comment else None
    site = await ctx.storage.get_site_by_id(thread.site_id) if thread else None
    if comment is None or thread is None or site is None or not screening.screened(
            ctx, site, actor):
        return NO_ASSESSMENT
    return await screening.assess_edit(ctx, site, thread, comment, draft.text)


def _check_reader_edit(site: Site, comment: Comment, draft: EditDraft) -> None:
    policy.check_blocked(site, draft.text)
    if (site.settings.moderation is ModerationMode.LINKS and has_link(draft.html)
            and not has_link(comment.html)):
        raise InvalidInput("on this site a link is only added by a new comment, which a "
                           "moderator reviews", reason="edit_adds_link", field="text")


async def hold(tx: WriteTx, site: Site, comment: Comment, why: tuple[str, ...],
               action: str) -> None:
    """Take a published comment back for review (readers' reports, an edit bringing a
    watched word): it leaves the thread, its replies keep their place."""
    await tx.hold_comment(comment.id, why)
    await tx.emit(CommentModerated(site_id=site.id, thread_id=comment.thread_id,
                                   comment_id=comment.id, action=action,
                                   status=Status.PENDING.value))


async def file_report(tx: WriteTx, site: Site, comment: Comment, report: Report) -> None:
    """Record a report on a published comment (a reader's, or a phase's flag); at the
    site's ``report_threshold`` of distinct reporters the comment is held for review."""
    count = await tx.add_report(report)
    threshold = site.settings.report_threshold
    held = 0 < threshold <= count
    await tx.emit(CommentReported(site_id=site.id, thread_id=comment.thread_id,
                                  comment_id=comment.id, reason=report.reason,
                                  reports=count, held=held))
    if held:
        await hold(tx, site, comment, (HOLD_REPORTS,), "hold")


async def delete_comment(ctx: Context, comment_id: int, actor: Actor) -> None:
    async with ctx.storage.write() as tx:
        comment, site = await _authorise(ctx, tx, comment_id, actor)
        removed = await remove_comment(tx, comment)
        await tx.emit(CommentDeleted(site_id=site.id, thread_id=comment.thread_id,
                                     comment_id=comment.id, placeholder=not removed,
                                     removed=removed))
        if actor.moderator is not None:
            await audit.record(tx, actor, site.id, "delete", f"comment:{comment.id}",
                               {"status": comment.status.value}, {"removed": list(removed)},
                               ctx.clock())


async def remove_comment(tx: WriteTx, comment: Comment) -> tuple[int, ...]:
    """Take a comment out of its thread, keeping a placeholder only where approved replies
    hang under it, and pruning placeholders left with nothing approved below them.
    Returns the ids of the rows that went (none when a placeholder stays)."""
    if await has_approved_below(tx, comment.id):
        await tx.blank_comment(comment.id)
        return ()
    removed = await _delete_subtree(tx, comment.id)
    return removed + await prune_above(tx, comment.parent)


async def prune_above(tx: WriteTx, parent_id: CommentId | None) -> tuple[int, ...]:
    """Remove the placeholders above a removed comment that no longer shelter a reply;
    returns the ids of the rows removed."""
    removed: tuple[int, ...] = ()
    while parent_id is not None:
        parent = await tx.get_comment(parent_id)
        if parent is None or parent.status != Status.DELETED:
            break
        if await has_approved_below(tx, parent.id):
            break
        removed += await _delete_subtree(tx, parent.id)
        parent_id = parent.parent
    return removed


async def has_approved_below(tx: WriteTx, comment_id: CommentId) -> bool:
    for child in await tx.children(comment_id):
        if child.status == Status.APPROVED or await has_approved_below(tx, child.id):
            return True
    return False


async def _delete_subtree(tx: WriteTx, comment_id: CommentId) -> tuple[int, ...]:
    removed: tuple[int, ...] = ()
    for child in await tx.children(comment_id):
        removed += await _delete_subtree(tx, child.id)
    await tx.delete_comment_row(comment_id)
    return (*removed, comment_id)


async def vote(ctx: Context, comment_id: int, draft: VoteDraft, actor: Actor) -> tuple[int, int]:
    async with ctx.storage.write() as tx:
        comment = await find_comment(tx, comment_id)
        if comment is None or comment.status != Status.APPROVED:
            raise NotFound("no such comment")
        site = await site_of(tx, comment)
        check_origin(site, actor.origin)
        await check_open(ctx, tx, site, comment)
        own_token = actor.token is not None and ctx.tokens.authorises(
            actor.token, comment.id, comment.created)
        if comment.client == actor.client or own_token:
            raise Forbidden("you cannot vote on your own comment", reason="own_comment")
        await ctx.check_rate(tx, "write", actor.client, ctx.config.write_rate_limit)
        return await record_vote(tx, site, comment, actor.client, draft.value)


async def check_open(ctx: Context, tx: WriteTx, site: Site, comment: Comment) -> None:
    """Refuse a reader's vote or report on a closed thread, as posts are refused."""
    thread = await tx.get_thread_by_id(comment.thread_id)
    if is_closed(thread, site.settings, ctx.clock()):
        raise ThreadClosed("comments are closed on this page")


async def record_vote(tx: WriteTx, site: Site, comment: Comment, voter: str,
                      value: int) -> tuple[int, int]:
    """Store one voter's vote (0 withdraws it) and record the new tally."""
    likes, dislikes = await tx.set_vote(comment.id, voter, value)
    await tx.emit(CommentVoted(site_id=site.id, thread_id=comment.thread_id,
                               comment_id=comment.id, likes=likes, dislikes=dislikes))
    return likes, dislikes
