"""Statements of reasons (EU Digital Services Act, art. 17), per site
(``statement_of_reasons``, off by default): when a comment that carries an address is
rejected, its author is told the reason code the moderator chose, whether the decision
was automated, and where to contest it (``redress_contact``).

The reason code is the one the rejection recorded in the audit log. The language is the
one the author's address last posted in (``subscriptions.note_language``), English
otherwise. The mail goes to the address on the comment, not to a subscriber: it is a
notice about the author's own words, not a subscription (it carries no unsubscribe
link), and it is sent once per rejection (queue key ``reasons:<event>``)."""

from __future__ import annotations

from palabre.domain.context import Context
from palabre.domain.events import CommentCreated, CommentModerated
from palabre.domain.mail import compose, letters
from palabre.domain.mail.log import mask
from palabre.domain.mail.models import MailKind
from palabre.domain.mail.subscriptions import address_key
from palabre.domain.models import AuditEntry, Comment
from palabre.i18n import DEFAULT_LANGUAGE

AUDIT_LOOKBACK = 200  # rejections of the site searched for this one's reason
MACHINES = ("system", "assistant", "reader")


async def _decision(ctx: Context, site_id: int, comment_id: int) -> AuditEntry | None:
    target = f"comment:{comment_id}"
    entries = await ctx.storage.audit_entries([site_id], "reject", None, AUDIT_LOOKBACK)
    return next((e for e in entries if e.target == target), None)


async def _lang(ctx: Context, site_id: int, comment: Comment) -> str:
    found = await ctx.storage.find_subscriber(site_id, address_key(ctx.secret, comment.email))
    return found.lang if found is not None else DEFAULT_LANGUAGE


async def statement(ctx: Context, links: compose.Links, event_id: int,
                    event: CommentModerated | CommentCreated) -> None:
    """The statement for a rejection by a moderator, or by the assistant at posting (a
    ``comment.created`` already rejected: no audit entry, so "automated means")."""
    site = await ctx.storage.get_site_by_id(event.site_id)
    comment = await ctx.storage.get_comment(event.comment_id)
    thread = await ctx.storage.get_thread_by_id(event.thread_id)
    if (site is None or not site.settings.statement_of_reasons or comment is None
            or thread is None or not comment.email):
        return  # off, or no address to tell (a rejected comment kept as a placeholder)
    decision = (await _decision(ctx, site.id, comment.id)
                if isinstance(event, CommentModerated) else None)
    reason = decision.after.get("reason") if decision else None
    automated = decision is None or decision.actor in MACHINES
    lang = await _lang(ctx, site.id, comment)
    draft = letters.reasons(lang, site, thread, comment,
                            reason if isinstance(reason, str) else "", automated,
                            site.settings.redress_contact).draft(links.message_id("reasons"))
    async with ctx.storage.write() as tx:
        await tx.enqueue_mail(None, f"reasons:{event_id}", MailKind.REASONS, event_id,
                              draft.dumps(), ctx.clock(), recipient=comment.email,
                              masked=mask(comment.email))
