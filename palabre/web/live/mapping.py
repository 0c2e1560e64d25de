"""What readers of a thread are told of an outbox event: ``comment`` (the public comment
object, as the thread read shows it) and ``removed`` (``{"id": N}``), framed for SSE.

Events carry ids only: the comment is read afresh when the event is handled and described
as the thread read would show it *now* (approved; a ``deleted`` placeholder, which a held
comment sheltering replies is to readers too), or as removed (gone, pending, rejected,
spam). So a pending comment never leaves the server, and an event handled late (a resume
with ``Last-Event-ID``) can only tell the present state, which a later event corrects anyway.
"""

from __future__ import annotations

from typing import Any

from palabre.domain.events import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    CommentFeatured,
    CommentModerated,
    Event,
    StoredEvent,
)
from palabre.domain.models import Comment, CommentId, Status
from palabre.domain.ports import Storage
from palabre.domain.threads import placeholder
from palabre.web.api.serialise import comment_json, dumps

# Events that change how one comment shows; votes are left out (a vote changes two numbers,
# and is frequent: readers see fresh counts when they next load the thread).
SHOWN = (CommentCreated, CommentEdited, CommentFeatured, CommentModerated, CommentDeleted)

PublicEvent = tuple[str, dict[str, Any]]


def concerns_readers(event: Event) -> bool:
    """Whether ``event`` may change what readers of its thread see (no storage read)."""
    if isinstance(event, CommentCreated):
        return event.status == Status.APPROVED.value and not event.imported
    return isinstance(event, SHOWN)


async def public_form(storage: Storage, comment_id: CommentId) -> Comment | None:
    """The comment as the thread read shows it now, or None when readers do not see it."""
    comment = await storage.get_comment(comment_id)
    if comment is None:
        return None
    if comment.status is Status.APPROVED:
        return comment
    if comment.status is Status.DELETED:
        return placeholder(comment)
    if comment.status is Status.PENDING and await _shelters_replies(storage, comment):
        return placeholder(comment)
    return None


async def _shelters_replies(storage: Storage, comment: Comment) -> bool:
    """A held comment with visible replies stays in the thread as a placeholder."""
    visible = await storage.visible_comments(comment.thread_id)
    return any(c.id == comment.id for c in visible)


async def public_events(storage: Storage, event: Event) -> list[PublicEvent]:
    """The ``comment`` / ``removed`` events readers of the thread get for ``event``."""
    if not concerns_readers(event):
        return []
    assert isinstance(event, SHOWN)
    comment_id = event.comment_id
    shown = await public_form(storage, comment_id)
    found: list[PublicEvent] = [
        ("comment", comment_json(shown)) if shown is not None
        else ("removed", {"id": comment_id})]
    seen: set[int] = {comment_id}
    for removed in event.removed if isinstance(event, CommentDeleted | CommentModerated) else ():
        if removed not in seen:
            seen.add(removed)
            found.append(("removed", {"id": removed}))
    return found


def frames(stored_id: int, found: list[PublicEvent]) -> bytes:
    """The SSE frames of one outbox event, each with the outbox id as its ``id`` (one
    write: a client resuming after the id has had them all)."""
    return b"".join(b"id: %d\nevent: %s\ndata: %s\n\n" % (stored_id, name.encode(), dumps(data))
                    for name, data in found)


async def thread_frames(storage: Storage, stored: StoredEvent) -> bytes:
    return frames(stored.id, await public_events(storage, stored.event))
