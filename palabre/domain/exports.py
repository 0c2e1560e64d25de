"""Palabre's own export: every stored fact of a site, as plain records, in a stable order.

One record per site, thread, comment, vote and sanction (ban), each a JSON-ready mapping
with a ``type``; the file format around them (JSON Lines with a header) is
``palabre/transfer.py``'s. The order and the values depend only on what is stored, so
exporting, restoring into an empty database and exporting again gives the same records.
Rendered HTML is not exported: a restore renders the text again (an export file is
untrusted input like any other). Moderator accounts and the event log are not exported.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from palabre.domain.context import Context
from palabre.domain.models import Comment, Site, Thread

FORMAT = "palabre"
VERSION = 1
Record = dict[str, Any]


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds: exact, so a round trip keeps every instant."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def header() -> Record:
    return {"format": FORMAT, "version": VERSION}


async def export_sites(ctx: Context, slugs: list[str] | None = None) -> AsyncIterator[Record]:
    """The records of the named sites (every site when None), site by site."""
    sites = [await ctx.site(slug) for slug in slugs] if slugs else \
        await ctx.storage.list_sites()
    for site in sites:
        async for record in _site_records(ctx, site):
            yield record


async def _site_records(ctx: Context, site: Site) -> AsyncIterator[Record]:
    yield {"type": "site", "slug": site.slug, "name": site.name, "salt": site.salt,
           "settings": site.settings.as_mapping()}
    for ban in await ctx.storage.bans_of_site(site.id):
        yield {"type": "ban", "site": site.slug, "kind": ban.kind, "value": ban.value,
               "reason": ban.reason, "created": timestamp(ban.created),
               "action": ban.action.value,
               "until": timestamp(ban.until) if ban.until else None}
    for thread in await ctx.storage.threads_of_site(site.id):
        yield thread_record(site, thread)
        for comment, notify in await ctx.storage.comments_of_thread(thread.id):
            yield comment_record(comment, notify)
        for comment_id, voter, value in await ctx.storage.votes_of_thread(thread.id):
            yield {"type": "vote", "comment": comment_id, "voter": voter, "value": value}


def thread_record(site: Site, thread: Thread) -> Record:
    return {"type": "thread", "id": thread.id, "site": site.slug, "uri": thread.uri,
            "title": thread.title, "created": timestamp(thread.created),
            "closed": thread.closed, "premoderate": thread.premoderate,
            "message": thread.message}


def comment_record(c: Comment, notify: bool) -> Record:
    return {"type": "comment", "id": c.id, "thread": c.thread_id, "parent": c.parent,
            "reply_to": c.reply_to, "root": c.root, "depth": c.depth, "author": c.author,
            "email": c.email, "website": c.website, "text": c.text,
            "created": timestamp(c.created),
            "edited": timestamp(c.edited) if c.edited else None, "likes": c.likes,
            "dislikes": c.dislikes, "status": c.status.value, "client": c.client,
            "avatar": c.avatar, "notify": notify, "featured": c.featured, "staff": c.staff,
            "held": list(c.held)}
