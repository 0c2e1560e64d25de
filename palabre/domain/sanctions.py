"""Sanctions of authors on a site, by email hash and/or client key: ban, suspend for a
while, always pre-moderate, and spam-ban (ban and reject every comment of theirs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from palabre.domain import audit
from palabre.domain.comments import find_comment, site_of
from palabre.domain.context import Context
from palabre.domain.errors import InvalidInput, NotFound
from palabre.domain.events import AuthorSanctioned
from palabre.domain.identity import Actor, email_hash
from palabre.domain.models import Ban, Comment, SanctionAction, Site, Status
from palabre.domain.moderation import decide, require
from palabre.domain.ports import WriteTx

MAX_HOURS = 24 * 366
KINDS = ("ban", "suspend", "premoderate", "spamban")


@dataclass(frozen=True)
class SanctionDraft:
    """What a moderator decided about the author of a comment."""

    kind: str  # one of KINDS
    hours: int | None = None  # for a suspension
    reason: str = ""
    by_email: bool = True  # sanction the author's email hash (when the comment has one)
    by_client: bool = True  # and/or their client key


def parse_sanction(kind: object, hours: object = None, reason: object = "",
                   by_email: bool = True, by_client: bool = True) -> SanctionDraft:
    if kind not in KINDS:
        raise InvalidInput("a sanction is ban, suspend, premoderate or spamban",
                           reason="sanction_invalid", field="kind")
    length = None
    if kind == "suspend":
        if isinstance(hours, str) and hours.strip().isdigit():
            hours = int(hours)
        if not isinstance(hours, int) or isinstance(hours, bool) or not 0 < hours <= MAX_HOURS:
            raise InvalidInput(f"a suspension lasts 1 to {MAX_HOURS} hours",
                               reason="hours_invalid", field="hours")
        length = hours
    note = reason if isinstance(reason, str) else ""
    if not (by_email or by_client):
        raise InvalidInput("sanction the email, the client, or both",
                           reason="sanction_target", field="kind")
    return SanctionDraft(str(kind), length, note.strip()[:500], by_email, by_client)


async def sanction_author(ctx: Context, comment_id: int, draft: SanctionDraft,
                          actor: Actor) -> list[Ban]:
    """Sanction the author of a comment; a spam-ban also marks every comment of theirs on
    the site as spam. Returns the sanctions made (one per email hash / client key)."""
    async with ctx.storage.write() as tx:
        comment = await find_comment(tx, comment_id)
        if comment is None:
            raise NotFound("no such comment")
        site = await site_of(tx, comment)
        require(actor, site)
        made = await _impose(ctx, tx, site, comment, draft, actor)
        if draft.kind == "spamban":
            await _spam_all(tx, site, comment)
    return made


async def _impose(ctx: Context, tx: WriteTx, site: Site, comment: Comment,
                  draft: SanctionDraft, actor: Actor) -> list[Ban]:
    now = ctx.clock()
    action = {"suspend": SanctionAction.SUSPEND, "premoderate": SanctionAction.PREMODERATE
              }.get(draft.kind, SanctionAction.BAN)
    until = now + timedelta(hours=draft.hours) if draft.hours else None
    targets = [("email", email_hash(comment.email)) if draft.by_email else ("", ""),
               ("client", comment.client) if draft.by_client else ("", "")]
    made = []
    for kind, value in targets:
        if not value:
            continue
        ban = await tx.add_ban(site.id, kind, value, draft.reason, now, action, until)
        await tx.emit(AuthorSanctioned(site_id=site.id, sanction_id=ban.id,
                                       action=draft.kind))
        await audit.record(tx, actor, site.id, draft.kind, f"sanction:{ban.id}", {},
                           {"kind": kind, "comment": comment.id, "reason": draft.reason,
                            "until": until}, now)
        made.append(ban)
    if not made:
        raise InvalidInput("this comment has no email or client to sanction",
                           reason="sanction_target", field="kind")
    return made


async def _spam_all(tx: WriteTx, site: Site, comment: Comment) -> None:
    """Every pending or approved comment of this author on the site becomes spam (found
    through the client-key and email indexes, not by reading the site)."""
    for found in await tx.shown_comments_of(site.id, comment.email, comment.client):
        current = await tx.get_comment(found.id)  # an earlier decision may have pruned it
        if current is not None and current.status in (Status.PENDING, Status.APPROVED):
            await decide(tx, site, current, "spam")


async def sanctions(ctx: Context, site_slug: str | None, actor: Actor) -> list[Ban]:
    """The sanctions in force on a site."""
    site = await ctx.site(site_slug)
    require(actor, site)
    now = ctx.clock()
    return [b for b in await ctx.storage.bans_of_site(site.id) if b.active(now)]


async def lift(ctx: Context, ban_id: int, actor: Actor) -> None:
    async with ctx.storage.write() as tx:
        ban = await tx.get_ban(ban_id)
        site = await tx.get_site_by_id(ban.site_id) if ban else None
        if ban is None or site is None:
            raise NotFound("no such sanction")
        require(actor, site)
        await tx.lift_ban(ban.id)
        await tx.emit(AuthorSanctioned(site_id=site.id, sanction_id=ban.id,
                                       action=ban.action.value, lifted=True))
        await audit.record(tx, actor, site.id, "lift", f"sanction:{ban.id}",
                           {"action": ban.action.value, "kind": ban.kind}, {}, ctx.clock())
