"""What happens to comments: posting, editing, deleting, voting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from palabre.domain import events, validation
from palabre.domain.context import Context, is_closed
from palabre.domain.errors import (
    EditWindowExpired,
    Forbidden,
    InvalidInput,
    NotFound,
    ThreadClosed,
    Unauthorized,
)
from palabre.domain.identity import avatar_seed, email_hash
from palabre.domain.models import (
    Comment,
    CommentId,
    NewComment,
    Site,
    SiteSettings,
    Status,
    Thread,
)
from palabre.domain.tree import place_reply
from palabre.domain.uris import normalise_uri
from palabre.rendering import has_link, render
from palabre.storage.base import WriteTx


@dataclass(frozen=True)
class Actor:
    """Who asks: an anonymised client, maybe holding an author token, maybe a moderator."""

    client: str
    token: str | None = None
    moderator: bool = False
    origin: str | None = None


@dataclass(frozen=True)
class Posted:
    comment: Comment
    token: str
    thread: Thread


def check_origin(site: Site, origin: str | None) -> None:
    allowed = site.settings.allowed_origins
    if allowed and origin is not None and origin not in allowed:
        raise Forbidden("this site does not accept writes from that origin",
                        reason="origin_not_allowed")


async def post_comment(ctx: Context, body: dict[str, Any], actor: Actor) -> Posted:
    """Validate and store a new comment; the first comment on a page creates its thread."""
    site = await ctx.site(validation.text_field(body.get("site"), "site", "default"))
    if not actor.moderator:
        check_origin(site, actor.origin)
    settings = site.settings
    uri = normalise_uri(validation.text_field(body.get("uri"), "uri"))
    text = validation.comment_text(body.get("text"), settings)
    who = validation.author(body.get("author"), body.get("email"), body.get("website"))
    parent_id = validation.optional_id(body.get("parent"), "parent")
    title = validation.title(body.get("title"))
    notify = validation.flag(body.get("notify"), "notify")
    html = render(text)
    now = ctx.clock()
    async with ctx.storage.write() as tx:
        if await tx.is_banned(site.id, email_hash(who.email), actor.client):
            raise Forbidden("banned", reason="banned")
        await ctx.check_rate(tx, "post", actor.client, ctx.limits.post_rate_limit)
        existing = await tx.get_thread(site.id, uri)
        if is_closed(existing, settings, now):
            raise ThreadClosed("comments are closed on this page")
        thread = existing or await tx.get_or_create_thread(site.id, uri, title, now)
        parent, reply_to, root, depth = await _placement(tx, thread, parent_id, settings)
        status = await _initial_status(tx, site, who.email, actor.client, html)
        comment = await tx.insert_comment(NewComment(
            thread_id=thread.id, parent=parent, reply_to=reply_to, root=root, depth=depth,
            author=who.name, email=who.email, website=who.website, text=text, html=html,
            created=now, status=status, client=actor.client,
            avatar=avatar_seed(site.salt, who.email, who.name), notify=notify,
        ))
        await tx.bump_thread(thread.id)
    await ctx.events.emit(events.COMMENT_CREATED, comment=comment, thread=thread, site=site)
    return Posted(comment, ctx.tokens.issue(comment.id, comment.created), thread)


async def _placement(
    tx: WriteTx, thread: Thread, parent_id: int | None, settings: SiteSettings
) -> tuple[CommentId | None, CommentId | None, CommentId | None, int]:
    if parent_id is None:
        return None, None, None, 0
    answered = await tx.get_comment(CommentId(parent_id))
    if answered is None or answered.thread_id != thread.id or answered.status != Status.APPROVED:
        raise InvalidInput("parent does not exist in this thread", reason="parent_not_found",
                           field="parent")
    return place_reply(answered, settings.max_depth)


async def _initial_status(tx: WriteTx, site: Site, email: str, client: str,
                          html: str) -> Status:
    mode = site.settings.moderation
    held = (
        mode == "all"
        or (mode == "links" and has_link(html))
        or (mode == "first_time" and not await tx.has_approved_comment(site.id, email, client))
    )
    return Status.PENDING if held else Status.APPROVED


async def _authorise(ctx: Context, tx: WriteTx, comment_id: int,
                     actor: Actor) -> tuple[Comment, Site]:
    """The comment and its site, if this actor may change it now; else the right refusal."""
    comment = await find_comment(tx, comment_id)
    if comment is None or comment.status not in (Status.APPROVED, Status.PENDING):
        raise NotFound("no such comment")
    site = await _site_of(tx, comment)
    if actor.moderator:
        return comment, site
    if not actor.token:
        raise Unauthorized("an author token is required")
    if not ctx.tokens.authorises(actor.token, comment.id, comment.created):
        raise Forbidden("this token does not belong to that comment")
    check_origin(site, actor.origin)
    window = site.settings.edit_window_seconds
    if (ctx.clock() - comment.created).total_seconds() > window:
        raise EditWindowExpired("the edit window of this comment is over")
    await ctx.check_rate(tx, "write", actor.client, ctx.limits.write_rate_limit)
    return comment, site


async def find_comment(tx: WriteTx, comment_id: int) -> Comment | None:
    """The comment with this id from a URL; None for ids no database column can hold."""
    if not 0 < comment_id <= validation.MAX_ID:
        return None
    return await tx.get_comment(CommentId(comment_id))


async def _site_of(tx: WriteTx, comment: Comment) -> Site:
    thread = await tx.get_thread_by_id(comment.thread_id)
    site = await tx.get_site_by_id(thread.site_id) if thread else None
    if site is None:
        raise NotFound("no such thread")
    return site


async def edit_comment(ctx: Context, comment_id: int, body: dict[str, Any],
                       actor: Actor) -> Comment:
    async with ctx.storage.write() as tx:
        comment, site = await _authorise(ctx, tx, comment_id, actor)
        text = validation.comment_text(body.get("text"), site.settings)
        html = render(text)
        if (not actor.moderator and site.settings.moderation == "links"
                and has_link(html) and not has_link(comment.html)):
            raise InvalidInput("on this site a link is only added by a new comment, which a "
                               "moderator reviews", reason="edit_adds_link", field="text")
        await tx.update_comment_text(comment.id, text, html, ctx.clock())
        await tx.bump_thread(comment.thread_id)
        edited = await tx.get_comment(comment.id)
    assert edited is not None
    await ctx.events.emit(events.COMMENT_EDITED, comment=edited)
    return edited


async def delete_comment(ctx: Context, comment_id: int, actor: Actor) -> None:
    async with ctx.storage.write() as tx:
        comment, _ = await _authorise(ctx, tx, comment_id, actor)
        await remove_comment(tx, comment)
        await tx.bump_thread(comment.thread_id)
    await ctx.events.emit(events.COMMENT_DELETED, comment=comment)


async def remove_comment(tx: WriteTx, comment: Comment) -> None:
    """Take a comment out of its thread, keeping a placeholder only where approved replies
    hang under it, and pruning placeholders left with nothing approved below them."""
    if await has_approved_below(tx, comment.id):
        await tx.blank_comment(comment.id)
        return
    await _delete_subtree(tx, comment.id)
    await prune_above(tx, comment.parent)


async def prune_above(tx: WriteTx, parent_id: CommentId | None) -> None:
    """Remove the placeholders above a removed comment that no longer shelter a reply."""
    while parent_id is not None:
        parent = await tx.get_comment(parent_id)
        if parent is None or parent.status != Status.DELETED:
            return
        if await has_approved_below(tx, parent.id):
            return
        await _delete_subtree(tx, parent.id)
        parent_id = parent.parent


async def has_approved_below(tx: WriteTx, comment_id: CommentId) -> bool:
    for child in await tx.children(comment_id):
        if child.status == Status.APPROVED or await has_approved_below(tx, child.id):
            return True
    return False


async def _delete_subtree(tx: WriteTx, comment_id: CommentId) -> None:
    for child in await tx.children(comment_id):
        await _delete_subtree(tx, child.id)
    await tx.delete_comment_row(comment_id)


async def vote(ctx: Context, comment_id: int, body: dict[str, Any],
               actor: Actor) -> tuple[int, int]:
    value = body.get("value")
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise InvalidInput("value must be 1, -1 or 0", reason="value_invalid", field="value")
    async with ctx.storage.write() as tx:
        comment = await find_comment(tx, comment_id)
        if comment is None or comment.status != Status.APPROVED:
            raise NotFound("no such comment")
        check_origin(await _site_of(tx, comment), actor.origin)
        own_token = actor.token is not None and ctx.tokens.authorises(
            actor.token, comment.id, comment.created)
        if comment.client == actor.client or own_token:
            raise Forbidden("you cannot vote on your own comment", reason="own_comment")
        await ctx.check_rate(tx, "write", actor.client, ctx.limits.write_rate_limit)
        likes, dislikes = await tx.set_vote(comment.id, actor.client, int(value))
        await tx.bump_thread(comment.thread_id)
    await ctx.events.emit(events.COMMENT_VOTED, comment=comment, likes=likes, dislikes=dislikes)
    return likes, dislikes
