"""The nouns of Palabre: sites, threads, comments, and the values they carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import NewType

# Declared with every other setting in palabre/settings.py; nouns of the domain too.
from palabre.settings import ModerationMode as ModerationMode
from palabre.settings import SiteSettings as SiteSettings

CommentId = NewType("CommentId", int)
ThreadId = NewType("ThreadId", int)


class Status(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    DELETED = "deleted"
    REJECTED = "rejected"
    SPAM = "spam"


VISIBLE = (Status.APPROVED, Status.DELETED)
STATUS_BY_VALUE = {status.value: status for status in Status}


class Sort(StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"
    TOP = "top"


@dataclass(frozen=True)
class Site:
    id: int
    slug: str
    name: str
    salt: str
    settings: SiteSettings = field(default_factory=SiteSettings)


@dataclass(frozen=True)
class Ban:
    """A sanction: posts refused from an email hash or a client key on one site."""

    site_id: int
    kind: str  # "email" or "client"
    value: str
    reason: str
    created: datetime


@dataclass(frozen=True)
class Moderator:
    id: int
    username: str
    password_hash: str


@dataclass(frozen=True)
class Thread:
    id: ThreadId
    site_id: int
    uri: str
    title: str
    created: datetime
    closed: bool
    version: int


@dataclass(slots=True)  # not frozen: built for every row read, and frozen init is slow
class Comment:
    id: CommentId
    thread_id: ThreadId
    parent: CommentId | None
    reply_to: CommentId | None
    root: CommentId | None
    depth: int
    author: str
    email: str
    website: str
    text: str
    html: str
    created: datetime
    edited: datetime | None
    likes: int
    dislikes: int
    status: Status
    client: str
    avatar: str

    @property
    def score(self) -> int:
        return self.likes - self.dislikes


@dataclass(frozen=True)
class NewComment:
    """A comment ready to store: every field decided by the domain."""

    thread_id: ThreadId
    parent: CommentId | None
    reply_to: CommentId | None
    root: CommentId | None
    depth: int
    author: str
    email: str
    website: str
    text: str
    html: str
    created: datetime
    status: Status
    client: str
    avatar: str
    notify: bool


def utcnow() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    """``2026-11-25T08:00:00Z`` (whole seconds, UTC)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")[:19] + "Z"
