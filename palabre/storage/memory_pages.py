"""Reading a page of a big thread (domain/ports_pages.py) in memory: the same answers as
``storage/sql_pages.py``, from ``visible_comments``."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from palabre.domain.models import Comment, CommentId, Status, ThreadId
from palabre.domain.ports_pages import RootKey

if TYPE_CHECKING:
    from palabre.storage.memory import Tables


def _order(key: RootKey, by_score: bool) -> tuple[int, ...]:
    micros = round(key[1].timestamp() * 1_000_000)
    return (-key[2], micros, key[0]) if by_score else (micros, key[0])


class MemoryPageReads:
    tables: Tables

    async def visible_comments(self, thread_id: ThreadId) -> list[Comment]:
        raise NotImplementedError  # memory.MemoryReads

    async def visible_roots(self, thread_id: ThreadId) -> list[RootKey]:
        return [(c.id, c.created, c.score) for c in await self.visible_comments(thread_id)
                if c.parent is None]

    async def visible_under(self, thread_id: ThreadId, low: RootKey, high: RootKey,
                            by_score: bool) -> list[Comment]:
        visible = await self.visible_comments(thread_id)
        children: dict[CommentId, list[Comment]] = defaultdict(list)
        for comment in visible:
            if comment.parent is not None:
                children[comment.parent].append(comment)
        bounds = _order(low, by_score), _order(high, by_score)
        found = [c for c in visible if c.parent is None
                 and bounds[0] <= _order((c.id, c.created, c.score), by_score) <= bounds[1]]
        stack = list(found)
        while stack:
            below = children.get(stack.pop().id, [])
            found.extend(below)
            stack.extend(below)
        return found

    async def plain_tally(self, thread_id: ThreadId) -> tuple[int, int] | None:
        visible = {c.id for c in await self.visible_comments(thread_id)}
        comments = [c for c in self.tables.comments.values()
                    if c.thread_id == thread_id]
        if any(c.parent is not None and c.parent not in visible for c in comments):
            return None
        approved = [c for c in comments if c.status is Status.APPROVED]
        return len(approved), sum(1 for c in approved if c.featured)

