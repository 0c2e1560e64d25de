"""Readers' reports: a reader flags a published comment for the moderators; enough
distinct readers take it out of the thread until a moderator decides."""

from __future__ import annotations

from palabre.domain.comments import (
    check_open,
    check_origin,
    file_report,
    find_comment,
    site_of,
)
from palabre.domain.context import Context
from palabre.domain.errors import NotFound
from palabre.domain.identity import Actor
from palabre.domain.inputs import ReportDraft
from palabre.domain.models import Report, Status


async def report_comment(ctx: Context, comment_id: int, draft: ReportDraft,
                         actor: Actor) -> None:
    """Record this reader's report (a second one replaces the first); at the site's
    ``report_threshold`` of distinct readers the comment is held for review."""
    async with ctx.storage.write() as tx:
        comment = await find_comment(tx, comment_id)
        if comment is None or comment.status is not Status.APPROVED:
            raise NotFound("no such comment")
        site = await site_of(tx, comment)
        check_origin(site, actor.origin)
        await check_open(ctx, tx, site, comment)
        await ctx.check_rate(tx, "write", actor.client, ctx.config.write_rate_limit)
        await file_report(tx, site, comment, Report(comment.id, actor.client, draft.reason,
                                                    draft.note, ctx.clock()))
