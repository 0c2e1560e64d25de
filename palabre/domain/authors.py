"""What an author may ask of the sites that hold their words: to see all of it, or to have
it erased (the GDPR's rights of access and erasure), by the email they signed with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from palabre.domain.comments import record_vote, remove_comment, site_of
from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput
from palabre.domain.events import CommentDeleted
from palabre.domain.exports import comment_record, timestamp
from palabre.domain.identity import Actor, email_hash
from palabre.domain.mail.subscriptions import forget_address, subscriptions_of
from palabre.domain.models import Comment
from palabre.domain.ports import WriteTx
from palabre.domain.validation import author


@dataclass(frozen=True)
class Erasure:
    comments: int  # comments of the author that were there
    placeholders: int  # kept as "deleted" placeholders, since replies of others hang there
    votes: int  # votes on those placeholders, dropped


def _email(raw: str) -> str:
    email = author("", raw, "").email
    if not email:
        raise InvalidInput("an email is required", reason="email_invalid", field="email")
    return email


async def author_data(ctx: Context, raw_email: str, actor: Actor) -> dict[str, Any]:
    """Everything stored under an email: its comments (with their page) and bans."""
    if not actor.system:
        raise Forbidden("the operator's tools only")
    email = _email(raw_email)
    found: list[dict[str, Any]] = []
    for comment in await ctx.storage.comments_by_email(email):
        thread = await ctx.storage.get_thread_by_id(comment.thread_id)
        site = await ctx.storage.get_site_by_id(thread.site_id) if thread else None
        found.append({**comment_record(comment, False), "site": site.slug if site else "",
                      "uri": thread.uri if thread else ""})
    bans = [{"site": s.slug, "reason": b.reason, "created": timestamp(b.created)}
            for s in await ctx.storage.list_sites()
            for b in await ctx.storage.bans_of_site(s.id)
            if b.kind == "email" and b.value == email_hash(email)]
    return {"email": email, "comments": found, "bans": bans,
            "subscriptions": await subscriptions_of(ctx, email)}


async def erase_author(ctx: Context, raw_email: str, actor: Actor) -> Erasure:
    """Remove every comment signed with the email, keeping a bare placeholder (no name,
    text, email, website or client key, no votes) only where others' approved replies
    hang; counts stay exact, as for any deletion."""
    if not actor.system:
        raise Forbidden("the operator's tools only")
    email = _email(raw_email)
    placeholders = votes = 0
    comments = await ctx.storage.comments_by_email(email)
    for comment in comments:
        async with ctx.storage.write() as tx:
            current = await tx.get_comment(comment.id)
            if current is None or current.email.lower() != email.lower():
                continue  # gone with an earlier one's subtree
            kept, dropped = await _erase_one(tx, current)
            placeholders += kept
            votes += dropped
    await forget_address(ctx, email)  # reply notifications: the address and its mails
    return Erasure(len(comments), placeholders, votes)


async def _erase_one(tx: WriteTx, comment: Comment) -> tuple[int, int]:
    site = await site_of(tx, comment)
    removed = await remove_comment(tx, comment)
    dropped = 0
    if not removed:  # a placeholder stays: without the votes it was given
        for comment_id, voter, _ in await tx.votes_of_thread(comment.thread_id):
            if comment_id == comment.id:
                await record_vote(tx, site, comment, voter, 0)
                dropped += 1
    await tx.emit(CommentDeleted(site_id=site.id, thread_id=comment.thread_id,
                                 comment_id=comment.id, placeholder=not removed,
                                 removed=removed))
    return (0 if removed else 1), dropped
