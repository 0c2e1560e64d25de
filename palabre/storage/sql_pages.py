"""The SQL of reading what readers see of a thread, for both backends: the whole thread
(``visible_comments``) and a page of a big one (domain/ports_pages.py).

Top-level comments come from the ``(thread_id, parent)`` index; a page's replies by
following ``parent`` down from its top-level comments (the ``parent`` index), one level a
step, keeping only what a reader sees, so a page costs the comments it shows.

Comments are made once per version of their row: each row carries ``rev``, a random
number set anew by the database itself (a trigger, migration 0011) whenever the row is
inserted or changed in any way. A read first asks only ``(id, rev)`` of the comments it
needs; when every pair was seen before, the ``Comment`` objects made then are the answer
(and the web layer keeps each one's JSON beside it); otherwise the rows are read in full
once and kept. Nothing can be stale: a changed row has a new ``rev``.
"""

from __future__ import annotations

from typing import Any

from palabre.domain.models import Comment, CommentId, ThreadId
from palabre.domain.ports_pages import RootKey
from palabre.storage.sql_rows import Statements, from_micros, row_to_comment, to_micros

MAX_KEPT = 4096  # comments kept per storage (then all are forgotten at once)

# What readers see of a comment ``c``: approved ones, placeholders, held ones with replies.
_SHOWN = (
    "(c.status IN ('approved', 'deleted') OR (c.status = 'pending' AND EXISTS "
    "(SELECT 1 FROM comments k WHERE k.parent = c.id AND k.status IN ('approved', 'deleted'))))"
)
# No Markdown source, email or client key; ``rev`` last (row_to_comment reads the rest).
_FULL = ("c.id, c.thread_id, c.parent, c.reply_to, c.root, c.depth, c.author, '', "
         "c.website, '', c.html, c.created, c.edited, c.likes, c.dislikes, c.status, '', "
         "c.avatar, c.featured, c.staff, '', c.rev")
_REV = "c.id, c.rev"


def _thread(columns: str) -> str:
    # Two ranges of the (thread, status) index; the thread's id is given twice.
    return (
        "SELECT " + columns + " FROM comments c WHERE c.thread_id = ? "  # noqa: S608 (constants)
        "AND c.status IN ('approved', 'deleted') UNION ALL "
        "SELECT " + columns + " FROM comments c WHERE c.thread_id = ? "
        "AND c.status = 'pending' AND EXISTS (SELECT 1 FROM comments k "
        "WHERE k.parent = c.id AND k.status IN ('approved', 'deleted'))"
    )


THREAD_REVS, THREAD_FULL = _thread(_REV), _thread(_FULL)
SELECT_ROOTS = (
    "SELECT c.id, c.created, c.likes - c.dislikes FROM comments c "  # noqa: S608 (constants)
    "WHERE c.thread_id = ? AND c.parent IS NULL AND " + _SHOWN
)
_BY_TIME = "(c.created, c.id) >= (?, ?) AND (c.created, c.id) <= (?, ?)"
_BY_SCORE = ("(c.dislikes - c.likes, c.created, c.id) >= (?, ?, ?) AND "
             "(c.dislikes - c.likes, c.created, c.id) <= (?, ?, ?)")


def _under(roots: str, columns: str) -> str:
    return (
        "WITH RECURSIVE page(id) AS ("  # noqa: S608 (constants)
        "SELECT c.id FROM comments c WHERE c.thread_id = ? AND c.parent IS NULL AND "
        + roots + " AND " + _SHOWN + " UNION ALL "
        "SELECT c.id FROM comments c JOIN page p ON c.parent = p.id WHERE " + _SHOWN + ") "
        "SELECT " + columns + " FROM page p JOIN comments c ON c.id = p.id"
    )


UNDER = {(by_score, full): _under(_BY_SCORE if by_score else _BY_TIME, _FULL if full else _REV)
         for by_score in (False, True) for full in (False, True)}
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
    _kept: dict[tuple[int, int], Comment] | None = None

    async def _visible(self, revs: str, full: str, params: tuple[Any, ...]) -> list[Comment]:
        """The comments ``full`` reads, from those kept when ``revs`` (the same rows'
        ``(id, rev)``) shows every one of them was read before."""
        kept = self._kept
        if kept is None:
            kept = self._kept = {}
        keys = await self._all(revs, params)
        found = [kept.get((key[0], key[1])) for key in keys]
        if None not in found:
            return found  # type: ignore[return-value]  # no None in it
        rows = await self._all(full, params)  # what changed meanwhile included
        if len(kept) + len(rows) > MAX_KEPT:
            kept.clear()
        made = []
        for row in rows:
            comment = kept.get((row[0], row[21]))
            if comment is None:
                comment = kept[(row[0], row[21])] = row_to_comment(row)
            made.append(comment)
        return made

    async def _visible_thread(self, thread_id: ThreadId) -> list[Comment]:
        return await self._visible(THREAD_REVS, THREAD_FULL, (thread_id, thread_id))

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
        return await self._visible(UNDER[by_score, False], UNDER[by_score, True], params)

    async def plain_tally(self, thread_id: ThreadId) -> tuple[int, int] | None:
        if await self._one(BLOCKING, (thread_id,)) is not None:
            return None
        row = await self._one(TALLY, (thread_id,))
        return int(row[0]), int(row[1])
