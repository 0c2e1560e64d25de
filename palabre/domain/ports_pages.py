"""The storage port's part for reading a page of a big thread at the cost of the page.

``Reads`` in ``ports.py`` inherits this protocol; each backend implements it in
``storage/sql_pages.py`` and ``storage/memory_pages.py``. What a reader sees is what
``visible_comments`` returns (approved comments, deleted placeholders, held comments with
visible replies); these questions ask for parts of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from palabre.domain.models import Comment, CommentId, ThreadId

# A top-level comment as a page is cut from the thread: (id, created, likes - dislikes).
RootKey = tuple[CommentId, datetime, int]


class PageReads(Protocol):
    async def visible_roots(self, thread_id: ThreadId) -> list[RootKey]:
        """The visible top-level comments of a thread (in no particular order)."""
        ...

    async def visible_under(self, thread_id: ThreadId, low: RootKey, high: RootKey,
                            by_score: bool) -> list[Comment]:
        """The visible top-level comments from ``low`` to ``high`` (both included) in the
        order of (created, id), or with ``by_score`` of (score descending, created, id),
        with every visible reply reachable under them, as ``visible_comments`` shows
        them (in no particular order)."""
        ...

    async def plain_tally(self, thread_id: ThreadId) -> tuple[int, int] | None:
        """(approved, approved and featured) comments of the thread when every comment
        that has replies is visible, so that every approved comment can be reached from
        the top-level ones; None when some cannot be told without the whole tree (a
        rejected comment above an approved reply, say)."""
        ...
