"""The audit log: every moderation action and settings change, who, when, before, after.

Written in the transaction of the change it records, so the log and the data never
disagree; kept in the database (and so in backups)."""

from __future__ import annotations

from datetime import datetime

from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput
from palabre.domain.identity import Actor
from palabre.domain.models import AuditEntry
from palabre.domain.ports import WriteTx
from palabre.domain.validation import MAX_ID

PAGE = 50


def who(actor: Actor) -> str:
    """How the log names an actor: the moderator's username, or the operator's tools."""
    if actor.moderator is not None:
        return actor.moderator.username
    return "system" if actor.system else "reader"


async def record(tx: WriteTx, actor: Actor, site_id: int | None, action: str, target: str,
                 before: dict[str, object], after: dict[str, object], at: datetime) -> None:
    await tx.audit(site_id, who(actor), action, target, before, after, at)


async def entries(ctx: Context, actor: Actor, *, site: str | None = None,
                  action: str | None = None, before_id: int | None = None,
                  limit: int = PAGE) -> list[AuditEntry]:
    """Newest first: an admin sees every entry (or one site's), a moderator their sites'."""
    if actor.moderator is None and not actor.system:
        raise Forbidden("moderators only")
    if before_id is not None and not 0 < before_id <= MAX_ID:
        raise InvalidInput("before is an entry's id", reason="before_invalid", field="before")
    site_ids: list[int] | None = None
    if site:
        found = await ctx.site(site)
        if not actor.moderates(found.id):
            raise Forbidden("you do not moderate this site")
        site_ids = [found.id]
    elif not actor.is_admin:
        site_ids = [s.id for s in await ctx.storage.list_sites() if actor.moderates(s.id)]
    return await ctx.storage.audit_entries(site_ids, action or None, before_id, limit)
