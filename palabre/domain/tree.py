"""The shape of a discussion: where a reply hangs, and the order a thread is read in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter

from palabre.domain.models import Comment, CommentId, Sort, Status
from palabre.domain.ports_pages import RootKey


def place_reply(
    answered: Comment, max_depth: int
) -> tuple[CommentId | None, CommentId | None, CommentId | None, int]:
    """(parent, reply_to, root, depth) of a reply to ``answered``.

    Below the deepest level a reply hangs under ``answered``; at the deepest level it hangs
    under ``answered``'s parent, beside it, and keeps ``reply_to`` pointing at it.
    """
    root = answered.root if answered.root is not None else answered.id
    if answered.depth + 1 < max(1, max_depth):
        return answered.id, answered.id, root, answered.depth + 1
    if answered.parent is None:
        return None, answered.id, None, 0
    return answered.parent, answered.id, root, answered.depth


def count_shown(comments: Sequence[Comment]) -> tuple[int, int]:
    """(approved, approved and featured) among ``comments``."""
    shown = Status.APPROVED
    approved = [c for c in comments if c.status is shown]
    return len(approved), sum(1 for c in approved if c.featured)


def _order_key(comment: Comment) -> tuple[float, int]:
    return (comment.created.timestamp(), comment.id)


def sort_roots(roots: list[Comment], sort: Sort) -> list[Comment]:
    if sort is Sort.NEWEST:
        return sorted(roots, key=_order_key, reverse=True)
    if sort is Sort.TOP:
        return sorted(roots, key=lambda c: (-c.score, *_order_key(c)))
    return sorted(roots, key=_order_key)


_BY_TIME = attrgetter("created", "id")


def root_key(comment: Comment) -> RootKey:
    return (comment.id, comment.created, comment.score)


def _key_order(key: RootKey) -> tuple[float, int]:
    return (key[1].timestamp(), key[0])


def sort_keys(keys: list[RootKey], sort: Sort) -> list[RootKey]:
    """Top-level comments in the order :func:`sort_roots` gives them."""
    if sort is Sort.NEWEST:
        return sorted(keys, key=_key_order, reverse=True)
    if sort is Sort.TOP:
        return sorted(keys, key=lambda k: (-k[2], *_key_order(k)))
    return sorted(keys, key=_key_order)


@dataclass(frozen=True)
class Tree:
    """The visible comments of a thread, arranged for reading."""

    roots: list[Comment]
    children: dict[CommentId, list[Comment]]

    @classmethod
    def build(cls, visible: Sequence[Comment], sort: Sort) -> Tree:
        children: dict[CommentId, list[Comment]] = defaultdict(list)
        roots: list[Comment] = []
        # By time then id: aware datetimes order exactly as their timestamps (_order_key),
        # compared without a Python call per comment.
        for comment in sorted(visible, key=_BY_TIME):
            if comment.parent is None:
                roots.append(comment)
            else:
                children[comment.parent].append(comment)
        return cls(sort_roots(roots, sort), dict(children))

    def read(self, roots: Sequence[Comment]) -> list[Comment]:
        """Each of ``roots`` followed by its reply tree (:meth:`walk`), in one list."""
        found: list[Comment] = []
        children = self.children
        stack = list(reversed(roots))
        while stack:
            comment = stack.pop()
            found.append(comment)
            below = children.get(comment.id)
            if below:
                stack.extend(reversed(below))
        return found

    def walk(self, root: Comment) -> Iterator[Comment]:
        """``root`` then its whole reply tree, depth-first, replies oldest first."""
        stack = [root]
        while stack:
            comment = stack.pop()
            yield comment
            stack.extend(reversed(self.children.get(comment.id, ())))

    def tally(self) -> tuple[int, int]:
        """(approved, approved and featured) comments reachable from the roots, in one walk:
        the approved ones are exactly those a reader can see."""
        approved = featured = 0
        shown, children = Status.APPROVED, self.children
        stack = list(self.roots)
        while stack:
            comment = stack.pop()
            if comment.status is shown:
                approved += 1
                featured += comment.featured
            stack.extend(children.get(comment.id, ()))
        return approved, featured

    def featured(self) -> list[Comment]:
        """The approved featured comments readers can reach, oldest first."""
        found = []
        stack = list(self.roots)
        while stack:
            comment = stack.pop()
            if comment.featured and comment.status is Status.APPROVED:
                found.append(comment)
            stack.extend(self.children.get(comment.id, ()))
        return sorted(found, key=_order_key)
