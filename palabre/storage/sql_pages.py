"""The SQL of reading a page of a big thread (domain/ports_pages.py), for both backends.

Top-level comments come from the ``(thread_id, parent)`` index; a page's replies by
following ``parent`` down from its top-level comments (the ``parent`` index), one level a
step, keeping only what a reader sees, so a page costs the comments it shows.
"""

from __future__ import annotations

from palabre.domain.models import Comment, CommentId, ThreadId
from palabre.domain.ports_pages import RootKey
from palabre.storage.sql_rows import Statements, from_micros, row_to_comment, to_micros

# What readers see of a comment ``c``: the predicate of SELECT_VISIBLE (sql_rows.py).
_SHOWN = (
    "(c.status IN ('approved', 'deleted') OR (c.status = 'pending' AND EXISTS "
    "(SELECT 1 FROM comments k WHERE k.parent = c.id AND k.status IN ('approved', 'deleted'))))"
)
SELECT_ROOTS = (
    "SELECT c.id, c.created, c.likes - c.dislikes FROM comments c "  # noqa: S608 (constants)
    "WHERE c.thread_id = ? AND c.parent IS NULL AND " + _SHOWN
)
_BY_TIME = "(c.created, c.id) >= (?, ?) AND (c.created, c.id) <= (?, ?)"
_BY_SCORE = ("(c.dislikes - c.likes, c.created, c.id) >= (?, ?, ?) AND "
             "(c.dislikes - c.likes, c.created, c.id) <= (?, ?, ?)")


def _under(roots: str) -> str:
    return (
        "WITH RECURSIVE page(id) AS ("  # noqa: S608 (constants)
        "SELECT c.id FROM comments c WHERE c.thread_id = ? AND c.parent IS NULL AND "
        + roots + " AND " + _SHOWN + " UNION ALL "
        "SELECT c.id FROM comments c JOIN page p ON c.parent = p.id WHERE " + _SHOWN + ") "
        "SELECT c.id, c.thread_id, c.parent, c.reply_to, c.root, c.depth, c.author, '', "
        "c.website, '', c.html, c.created, c.edited, c.likes, c.dislikes, c.status, '', "
        "c.avatar, c.featured, c.staff, '' FROM page p JOIN comments c ON c.id = p.id"
    )


UNDER_BY_TIME = _under(_BY_TIME)
UNDER_BY_SCORE = _under(_BY_SCORE)
# A comment with replies that readers do not see: what is under it cannot be reached.
BLOCKING = (
    "SELECT 1 FROM comments c WHERE c.thread_id = ? "  # noqa: S608 (constants)
    "AND c.status IN ('pending', 'rejected', 'spam') "
    "AND EXISTS (SELECT 1 FROM comments k WHERE k.parent = c.id) AND NOT " + _SHOWN
    + " LIMIT 1"
)
# From the (thread_id, status, featured) index alone.
TALLY = ("SELECT count(*), count(*) FILTER (WHERE featured) "
         "FROM comments WHERE thread_id = ? AND status = 'approved'")


class PageReads(Statements):
    async def visible_roots(self, thread_id: ThreadId) -> list[RootKey]:
        rows = await self._all(SELECT_ROOTS, (thread_id,))
        return [(CommentId(r[0]), from_micros(r[1]), int(r[2])) for r in rows]

    async def visible_under(self, thread_id: ThreadId, low: RootKey, high: RootKey,
                            by_score: bool) -> list[Comment]:
        if by_score:
            params: tuple[int, ...] = (
                thread_id, -low[2], to_micros(low[1]), low[0],
                -high[2], to_micros(high[1]), high[0])
        else:
            params = (thread_id, to_micros(low[1]), low[0], to_micros(high[1]), high[0])
        rows = await self._all(UNDER_BY_SCORE if by_score else UNDER_BY_TIME, params)
        return [row_to_comment(row) for row in rows]

    async def plain_tally(self, thread_id: ThreadId) -> tuple[int, int] | None:
        if await self._one(BLOCKING, (thread_id,)) is not None:
            return None
        row = await self._one(TALLY, (thread_id,))
        return int(row[0]), int(row[1])
