"""What the Atom feeds show: the newest approved comments of a thread or of a whole site."""

from __future__ import annotations

from dataclasses import dataclass

from palabre.domain.context import Context
from palabre.domain.models import Comment, Site, Thread
from palabre.domain.uris import normalise_uri

FEED_SIZE = 50


@dataclass(frozen=True)
class Feed:
    site: Site
    uri: str | None  # the thread's page (normalised), None for the whole site
    thread: Thread | None
    entries: list[tuple[Comment, Thread]]  # newest first


async def latest(ctx: Context, site_slug: str | None, raw_uri: str | None) -> Feed:
    """The newest approved comments of a thread (``raw_uri``) or of the whole site; a page
    never commented has an empty feed."""
    site = await ctx.site(site_slug)
    if not raw_uri:
        return Feed(site, None, None, await ctx.storage.latest_comments(site.id, None,
                                                                        FEED_SIZE))
    uri = normalise_uri(raw_uri)
    thread = await ctx.storage.get_thread(site.id, uri)
    entries = await ctx.storage.latest_comments(site.id, thread.id, FEED_SIZE) if thread else []
    return Feed(site, uri, thread, entries)
