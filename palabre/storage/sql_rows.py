"""Rows to domain objects and back, and the column lists every query shares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson

from palabre.domain.models import (
    STATUS_BY_VALUE,
    Comment,
    Site,
    SiteSettings,
    Thread,
    ThreadId,
)

COMMENT_WIDTH = 21
COMMENT_COLUMNS = (
    "id, thread_id, parent, reply_to, root, depth, author, email, website, text, "
    "html, created, edited, likes, dislikes, status, client, avatar, featured, staff, held"
)
SELECT_COMMENT = "SELECT " + COMMENT_COLUMNS + " FROM comments "  # noqa: S608 (constants)
SELECT_COMMENT_NOTIFY = "SELECT " + COMMENT_COLUMNS + ", notify FROM comments "  # noqa: S608 (constants)
# What a reader sees: no Markdown source, email or client key (the hot read path).
_VISIBLE_COLUMNS = (
    "SELECT id, thread_id, parent, reply_to, root, depth, author, '', website, '', "
    "html, created, edited, likes, dislikes, status, '', avatar, featured, staff, '' "
    "FROM comments c WHERE thread_id = ? AND "
)
# Two ranges of the (thread, status) index; the thread's id is given twice.
SELECT_VISIBLE = (
    _VISIBLE_COLUMNS + "status IN ('approved', 'deleted') UNION ALL "  # noqa: S608
    # A held comment with replies on show: readers see it as a placeholder (domain/threads).
    + _VISIBLE_COLUMNS + "status = 'pending' AND EXISTS (SELECT 1 FROM comments k "
    "WHERE k.parent = c.id AND k.status IN ('approved', 'deleted'))"
)
THREAD_COLUMNS = "id, site_id, uri, title, created, closed, version, premoderate, message, " \
    "message_html"
SELECT_THREAD = "SELECT " + THREAD_COLUMNS + " FROM threads "  # noqa: S608 (constants)
SELECT_SITE = "SELECT id, slug, name, salt, settings FROM sites "
# Comment columns for queries joining threads (t), in SELECT_COMMENT's order.
SELECT_COMMENT_JOINED = (
    "SELECT c.id, c.thread_id, c.parent, c.reply_to, c.root, c.depth, c.author, "
    "c.email, c.website, c.text, c.html, c.created, c.edited, c.likes, c.dislikes, "
    "c.status, c.client, c.avatar, c.featured, c.staff, c.held"
)
JOINED_THREAD = (", t.id, t.site_id, t.uri, t.title, t.created, t.closed, t.version, "
                 "t.premoderate, t.message, t.message_html "
                 "FROM comments c JOIN threads t ON t.id = c.thread_id ")
LATEST = (
    SELECT_COMMENT_JOINED + JOINED_THREAD +
    "WHERE t.site_id = ? AND c.status = 'approved' "
    "AND (CAST(? AS INTEGER) IS NULL OR c.thread_id = ?) "
    "ORDER BY c.created DESC, c.id DESC LIMIT ?"
)


def to_micros(moment: datetime) -> int:
    """Exact inverse of :func:`from_micros` (rounding, not truncating, the float)."""
    return round(moment.timestamp() * 1_000_000)


def from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, UTC)


def row_to_comment(row: Sequence[Any]) -> Comment:
    # Positional, in the order of Comment's fields (and of SELECT_COMMENT's columns): this
    # runs for every comment of every thread read.
    return Comment(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
        row[10], from_micros(row[11]), from_micros(row[12]) if row[12] is not None else None,
        row[13], row[14], STATUS_BY_VALUE[row[15]], row[16], row[17], bool(row[18]),
        bool(row[19]), tuple(row[20].split(",")) if row[20] else (),
    )


def row_to_thread(row: Sequence[Any]) -> Thread:
    return Thread(id=ThreadId(row[0]), site_id=row[1], uri=row[2], title=row[3],
                  created=from_micros(row[4]), closed=bool(row[5]), version=row[6],
                  premoderate=bool(row[7]), message=row[8], message_html=row[9])


def row_to_site(row: Sequence[Any]) -> Site:
    return Site(id=row[0], slug=row[1], name=row[2], salt=row[3],
                settings=parse_settings(row[4]))


@lru_cache(maxsize=256)
def parse_settings(raw: str) -> SiteSettings:
    """Site settings from their stored JSON (parsed once per distinct value)."""
    return SiteSettings.from_mapping(orjson.loads(raw))


def settings_json(settings: SiteSettings) -> str:
    return orjson.dumps(settings.as_mapping()).decode()


class Statements:
    """How a statement is run; each backend supplies these three, and every part of the
    shared SQL (sql.py and its mixins) calls them."""

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError
