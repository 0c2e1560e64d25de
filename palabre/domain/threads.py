"""Reading threads: pages of comments, thread details, counts; closing and reopening."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import orjson

from palabre.domain import audit, validation
from palabre.domain.context import Context, closes_at, is_closed
from palabre.domain.errors import Forbidden, InvalidInput
from palabre.domain.events import (
    ThreadClosed,
    ThreadOpened,
    ThreadOptionsChanged,
    ThreadRetitled,
)
from palabre.domain.identity import Actor
from palabre.domain.models import Comment, Site, Sort, Status, Thread
from palabre.domain.ports_pages import RootKey
from palabre.domain.tree import Tree, count_shown, root_key, sort_keys
from palabre.domain.uris import normalise_uri
from palabre.rendering import render

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_COUNT_URIS = 500


@dataclass(frozen=True)
class ThreadInfo:
    site_id: int
    site: str
    uri: str
    title: str
    closed: bool
    count: int
    created: datetime | None
    version: int
    closes_at: datetime | None
    edit_window_seconds: int
    featured: int = 0  # approved comments moderators picked
    staff_label: str = ""
    message: str = ""  # HTML shown above the thread


@dataclass(frozen=True)
class ThreadPage:
    thread: ThreadInfo
    comments: list[Comment]
    next_cursor: str | None


def parse_sort(raw: str | None) -> Sort:
    try:
        return Sort(raw or "oldest")
    except ValueError as exc:
        raise InvalidInput("sort must be oldest, newest or top", reason="sort_invalid",
                           field="sort") from exc


def parse_featured(raw: str | None) -> bool:
    """``featured=only``: the featured comments alone; absent or empty: the whole thread."""
    if raw in (None, ""):
        return False
    if raw == "only":
        return True
    raise InvalidInput("featured must be only", reason="featured_invalid", field="featured")


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_LIMIT}",
                           reason="limit_invalid", field="limit")
    return int(raw)


def _root_key(root: RootKey) -> list[int]:
    return [int(root[1].timestamp() * 1_000_000), root[0]]


def _encode_cursor(sort: Sort, last: RootKey, end: int) -> str:
    """After the top-level comment ``last``: by its time and id when the order is by time
    (so comments posted meanwhile neither repeat nor hide an item), by position for ``top``."""
    payload = {"s": sort.value, "p": end} if sort is Sort.TOP else {
        "s": sort.value, "k": _root_key(last)}
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def _cursor_start(cursor: str | None, sort: Sort, roots: list[RootKey]) -> int:
    """Where the page a cursor names starts in ``roots``."""
    if not cursor:
        return 0
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        valid = data["s"] == sort.value
        if sort is Sort.TOP:
            start = data["p"]
            valid = valid and isinstance(start, int) and not isinstance(start, bool) and start >= 0
        else:
            key = data["k"]
            valid = valid and isinstance(key, list) and len(key) == 2 and all(
                isinstance(k, int) and not isinstance(k, bool) for k in key)
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError):
        valid = False
    if not valid:
        raise InvalidInput("cursor is not valid for this listing", reason="cursor_invalid",
                           field="cursor")
    if sort is Sort.TOP:
        return int(start)
    after: list[int] = key
    if sort is Sort.OLDEST:
        return sum(1 for root in roots if _root_key(root) <= after)
    return sum(1 for root in roots if _root_key(root) >= after)


def _info(site: Site, uri: str, thread: Thread | None, tally: tuple[int, int] | None,
          now: datetime) -> ThreadInfo:
    settings = site.settings
    if thread is None or tally is None:
        return ThreadInfo(site.id, site.slug, uri, "", False, 0, None, 0, None,
                          settings.edit_window_seconds, staff_label=settings.staff_label)
    ends = closes_at(thread, settings)
    count, featured = tally
    return ThreadInfo(
        site_id=site.id, site=site.slug, uri=thread.uri, title=thread.title,
        closed=is_closed(thread, settings, now), count=count,
        created=thread.created, version=thread.version,
        closes_at=ends if ends > now else None,
        edit_window_seconds=settings.edit_window_seconds, featured=featured,
        staff_label=settings.staff_label, message=thread.message_html,
    )


def _readable(visible: Sequence[Comment]) -> list[Comment]:
    """A held comment that shelters replies is a placeholder to readers."""
    held = Status.PENDING
    return [placeholder(c) if c.status is held else c for c in visible]


async def _tree(ctx: Context, thread: Thread, sort: Sort) -> Tree:
    """The whole thread as readers see it."""
    return Tree.build(_readable(await ctx.storage.visible_comments(thread.id)), sort)


def placeholder(comment: Comment) -> Comment:
    return replace(comment, status=Status.DELETED, author="", website="", html="",
                   avatar="", featured=False, staff=False)


def _cut(roots: list[RootKey], sort: Sort, limit: int,
         cursor: str | None) -> tuple[list[RootKey], str | None]:
    """The top-level comments of the page a cursor names, and the next page's cursor."""
    start = _cursor_start(cursor, sort, roots)
    page_roots = roots[start:start + limit]
    end = start + len(page_roots)
    next_cursor = (_encode_cursor(sort, page_roots[-1], end)
                   if page_roots and end < len(roots) else None)
    return page_roots, next_cursor


def _whole_page(tree: Tree, sort: Sort, limit: int,
                cursor: str | None) -> tuple[list[Comment], str | None]:
    """A page cut from the whole thread's tree."""
    page_roots, next_cursor = _cut([root_key(c) for c in tree.roots], sort, limit, cursor)
    by_id = {root.id: root for root in tree.roots}
    return tree.read([by_id[key[0]] for key in page_roots]), next_cursor


async def _page_under(ctx: Context, thread: Thread, sort: Sort,
                      page_roots: list[RootKey]) -> list[Comment]:
    """The page's top-level comments and their replies, and nothing else of the thread."""
    if not page_roots:
        return []
    ends = (page_roots[0], page_roots[-1])
    low, high = ends[::-1] if sort is Sort.NEWEST else ends
    below = await ctx.storage.visible_under(thread.id, low, high, sort is Sort.TOP)
    tree = Tree.build(_readable(below), sort)
    by_id = {root.id: root for root in tree.roots}
    return tree.read([by_id[key[0]] for key in page_roots if key[0] in by_id])


async def thread_page(ctx: Context, site_slug: str | None, raw_uri: str | None,
                      sort: Sort, limit: int, cursor: str | None,
                      featured_only: bool = False) -> ThreadPage:
    """One page of a thread: ``limit`` top-level comments, each with its whole reply tree
    (``featured_only``: the featured comments alone, oldest first, as one flat list).

    A page of a big thread reads only its own comments: the top-level comments are listed
    (small rows), the page cut from them, and only the page's comments read; the count
    comes from an index, unless a comment with replies is hidden from readers (then the
    whole tree is read to tell which comments can be reached). A page that has never been
    commented answers empty and creates nothing.
    """
    site = await ctx.site(site_slug)
    uri = normalise_uri(raw_uri or "")
    if cursor:
        _cursor_start(cursor, sort, [])  # refuse a malformed cursor before any lookup
    thread = await ctx.storage.get_thread(site.id, uri)
    now = ctx.clock()
    if thread is None:
        return ThreadPage(_info(site, uri, None, None, now), [], None)
    if featured_only:
        tree = await _tree(ctx, thread, sort)
        return ThreadPage(_info(site, uri, thread, tree.tally(), now),
                          tree.featured()[:limit], None)
    roots = sort_keys(await ctx.storage.visible_roots(thread.id), sort)
    page_roots, next_cursor = _cut(roots, sort, limit, cursor)
    tally = None
    if len(page_roots) < len(roots):  # not the whole thread: a tally without the tree?
        tally = await ctx.storage.plain_tally(thread.id)
    if tally is None:
        tree = await _tree(ctx, thread, sort)
        comments, next_cursor = _whole_page(tree, sort, limit, cursor)
        # A page of every top-level comment holds every comment that can be reached.
        whole = next_cursor is None and not cursor and len(tree.roots) <= limit
        tally = count_shown(comments) if whole else tree.tally()
        return ThreadPage(_info(site, uri, thread, tally, now), comments, next_cursor)
    comments = await _page_under(ctx, thread, sort, page_roots)
    return ThreadPage(_info(site, uri, thread, tally, now), comments, next_cursor)


async def thread_info(ctx: Context, site_slug: str | None, raw_uri: str | None) -> ThreadInfo:
    site = await ctx.site(site_slug)
    uri = normalise_uri(raw_uri or "")
    thread = await ctx.storage.get_thread(site.id, uri)
    tally = None
    if thread is not None:
        tally = await ctx.storage.plain_tally(thread.id)
        if tally is None:
            tally = (await _tree(ctx, thread, Sort.OLDEST)).tally()
    return _info(site, uri, thread, tally, ctx.clock())


async def counts(ctx: Context, site_slug: str | None, raw_uris: Sequence[str]) -> dict[str, int]:
    """Approved comments per page, keyed by the URIs exactly as asked."""
    if not raw_uris:
        raise InvalidInput("at least one uri is required", reason="uri_invalid", field="uri")
    if len(raw_uris) > MAX_COUNT_URIS:
        raise InvalidInput(f"at most {MAX_COUNT_URIS} uris at once", reason="too_many_uris",
                           field="uri")
    site = await ctx.site(site_slug)
    normalised = {raw: normalise_uri(raw) for raw in raw_uris}
    found = await ctx.storage.counts(site.id, list(set(normalised.values())))
    return {raw: found.get(uri, 0) for raw, uri in normalised.items()}


async def set_title(ctx: Context, site_slug: str, raw_uri: str, title: object,
                    actor: Actor) -> Thread:
    """A moderator names (or corrects the name of) a thread; a page never commented gets
    its thread."""
    site = await ctx.site(site_slug)
    if not actor.moderates(site.id):
        raise Forbidden("moderators only")
    uri, clean = normalise_uri(raw_uri), validation.title(title)
    async with ctx.storage.write() as tx:
        thread = await tx.get_or_create_thread(site.id, uri, clean, ctx.clock())
        await tx.set_thread_title(thread.id, clean)
        await tx.emit(ThreadRetitled(site_id=site.id, thread_id=thread.id, title=clean))
        await audit.record(tx, actor, site.id, "title", f"thread:{thread.id}",
                           {"title": thread.title}, {"title": clean}, ctx.clock())
        updated = await tx.get_thread_by_id(thread.id)
    assert updated is not None
    return updated


MAX_MESSAGE = 2000


async def set_options(ctx: Context, site_slug: str, raw_uri: str, actor: Actor, *,
                      premoderate: bool | None = None, message: object = None) -> Thread:
    """Pre-moderate a thread (every new comment held) and set the message shown above it
    (Markdown, through the one renderer; "" removes it). None leaves an option as it is."""
    site = await ctx.site(site_slug)
    if not actor.moderates(site.id):
        raise Forbidden("moderators only")
    text = None if message is None else validation.clean_text(message).strip()
    if text is not None and len(text) > MAX_MESSAGE:
        raise InvalidInput(f"the message has at most {MAX_MESSAGE} characters",
                           reason="message_too_long", field="message")
    async with ctx.storage.write() as tx:
        thread = await tx.get_or_create_thread(site.id, normalise_uri(raw_uri), "",
                                               ctx.clock())
        new_pre = thread.premoderate if premoderate is None else premoderate
        new_text = thread.message if text is None else text
        await tx.set_thread_options(thread.id, new_pre, new_text,
                                    render(new_text) if new_text else "")
        await tx.emit(ThreadOptionsChanged(site_id=site.id, thread_id=thread.id,
                                           premoderate=new_pre))
        await audit.record(tx, actor, site.id, "thread_options", f"thread:{thread.id}",
                           {"premoderate": thread.premoderate, "message": thread.message},
                           {"premoderate": new_pre, "message": new_text}, ctx.clock())
        updated = await tx.get_thread_by_id(thread.id)
    assert updated is not None
    return updated


async def set_closed(ctx: Context, site_slug: str, raw_uri: str, closed: bool,
                     actor: Actor) -> Thread:
    """Close (or reopen) a thread; closing a page never commented creates its thread."""
    site = await ctx.site(site_slug)
    if not actor.moderates(site.id):
        raise Forbidden("moderators only")
    uri = normalise_uri(raw_uri)
    change = ThreadClosed if closed else ThreadOpened
    async with ctx.storage.write() as tx:
        thread = await tx.get_or_create_thread(site.id, uri, "", ctx.clock())
        await tx.set_thread_closed(thread.id, closed)
        await tx.emit(change(site_id=site.id, thread_id=thread.id))
        await audit.record(tx, actor, site.id, "close" if closed else "reopen",
                           f"thread:{thread.id}", {"closed": thread.closed},
                           {"closed": closed}, ctx.clock())
        updated = await tx.get_thread_by_id(thread.id)
    assert updated is not None
    return updated
