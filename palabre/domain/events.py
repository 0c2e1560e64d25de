"""What changed: typed events, written to the durable outbox in the transaction that made
the change, and read back by consumers (live updates, mail, webhooks, the assistant).

A domain operation records each change with ``tx.emit(event)``. The storage writes the
event to the ``events`` table *and* bumps the version of the thread it names in that same
transaction (a site-wide event bumps every thread of the site): that is the one place where
a change to a thread becomes both the cache's signal and a durable fact. Rolled back, the
change leaves neither.

Events carry ids and small facts, never an email, a client key or a comment's text: a
consumer reads what it needs from the database when it handles the event, so erasing an
author's data never has to reach into the event log.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar

from palabre.domain.models import CommentId, ThreadId


@dataclass(frozen=True, kw_only=True)
class Event:
    """A change to a site; ``thread_id`` names the thread it changed (None: site-wide)."""

    name: ClassVar[str] = ""
    # Whether readers may see the change: its thread's version (every thread's of the
    # site, for a site-wide event) moves, so caches let go of it.
    public: ClassVar[bool] = True
    site_id: int
    thread_id: ThreadId | None

    def payload(self) -> dict[str, Any]:
        """The event's own fields, as stored in the outbox (JSON)."""
        return {name: getattr(self, name) for name in OWN_FIELDS[self.name]}


@dataclass(frozen=True, kw_only=True)
class CommentCreated(Event):
    name: ClassVar[str] = "comment.created"
    thread_id: ThreadId
    comment_id: CommentId
    parent: CommentId | None
    reply_to: CommentId | None
    status: str
    imported: bool = False  # stored by an import or the demo: nobody is to be notified


@dataclass(frozen=True, kw_only=True)
class CommentEdited(Event):
    name: ClassVar[str] = "comment.edited"
    thread_id: ThreadId
    comment_id: CommentId


@dataclass(frozen=True, kw_only=True)
class CommentDeleted(Event):
    name: ClassVar[str] = "comment.deleted"
    thread_id: ThreadId
    comment_id: CommentId
    placeholder: bool  # kept as a ``deleted`` placeholder because approved replies hang there
    removed: tuple[int, ...]  # every comment that left the thread with it (pruned included)


@dataclass(frozen=True, kw_only=True)
class CommentVoted(Event):
    name: ClassVar[str] = "comment.voted"
    thread_id: ThreadId
    comment_id: CommentId
    likes: int
    dislikes: int


@dataclass(frozen=True, kw_only=True)
class CommentModerated(Event):
    name: ClassVar[str] = "comment.moderated"
    thread_id: ThreadId
    comment_id: CommentId
    action: str
    status: str  # the comment's status afterwards
    removed: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CommentReported(Event):
    """A reader reported a comment; ``held`` when the reports took it out of the thread."""

    name: ClassVar[str] = "comment.reported"
    thread_id: ThreadId
    comment_id: CommentId
    reason: str
    reports: int
    held: bool


@dataclass(frozen=True, kw_only=True)
class CommentFeatured(Event):
    name: ClassVar[str] = "comment.featured"
    thread_id: ThreadId
    comment_id: CommentId
    featured: bool


@dataclass(frozen=True, kw_only=True)
class ThreadClosed(Event):
    name: ClassVar[str] = "thread.closed"
    thread_id: ThreadId


@dataclass(frozen=True, kw_only=True)
class ThreadOpened(Event):
    name: ClassVar[str] = "thread.opened"
    thread_id: ThreadId


@dataclass(frozen=True, kw_only=True)
class ThreadRetitled(Event):
    name: ClassVar[str] = "thread.retitled"
    thread_id: ThreadId
    title: str


@dataclass(frozen=True, kw_only=True)
class ThreadOptionsChanged(Event):
    """Pre-moderation or the message above the thread changed."""

    name: ClassVar[str] = "thread.options_changed"
    thread_id: ThreadId
    premoderate: bool


@dataclass(frozen=True, kw_only=True)
class AuthorSanctioned(Event):
    """An author was sanctioned (``action``) or a sanction lifted (``lifted``); by
    sanction id, never by email or client key."""

    name: ClassVar[str] = "author.sanctioned"
    public: ClassVar[bool] = False
    thread_id: None = None
    sanction_id: int
    action: str
    lifted: bool = False


@dataclass(frozen=True, kw_only=True)
class ThreadImported(Event):
    """A thread restored from an export or imported from another system, with its
    comments, in one transaction (no event per comment: nobody is notified of them)."""

    name: ClassVar[str] = "thread.imported"
    thread_id: ThreadId
    comments: int


@dataclass(frozen=True, kw_only=True)
class SiteSettingsChanged(Event):
    name: ClassVar[str] = "site.settings_changed"
    thread_id: None = None
    changed: tuple[str, ...]


EVENT_TYPES: dict[str, type[Event]] = {cls.name: cls for cls in (
    CommentCreated, CommentEdited, CommentDeleted, CommentVoted, CommentModerated,
    CommentReported, CommentFeatured, ThreadClosed, ThreadOpened, ThreadRetitled,
    ThreadOptionsChanged, ThreadImported, SiteSettingsChanged, AuthorSanctioned,
)}
# Each event's own fields (read once: dataclasses.asdict would copy them deeply each time).
OWN_FIELDS = {name: tuple(f.name for f in fields(cls) if f.name not in ("site_id", "thread_id"))
              for name, cls in EVENT_TYPES.items()}


@dataclass(frozen=True)
class StoredEvent:
    """An event as the outbox holds it: its position (ids only grow) and when it happened."""

    id: int
    at: datetime
    event: Event


def decode(name: str, site_id: int, thread_id: int | None, payload: dict[str, Any]) -> Event:
    """Rebuild an event from its outbox row; lists come back as the tuples they were."""
    cls = EVENT_TYPES[name]
    known = {f.name for f in fields(cls)}
    values = {key: tuple(value) if isinstance(value, list) else value
              for key, value in payload.items() if key in known}
    event: Event = cls(site_id=site_id, thread_id=thread_id, **values)  # type: ignore[arg-type]
    return event
