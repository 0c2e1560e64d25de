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


class SanctionAction(StrEnum):
    BAN = "ban"  # every post refused
    SUSPEND = "suspend"  # posts refused until ``until``
    PREMODERATE = "premoderate"  # every post held for a moderator


@dataclass(frozen=True)
class Ban:
    """A sanction of an author, by email hash or client key, on one site."""

    site_id: int
    kind: str  # "email" or "client"
    value: str
    reason: str
    created: datetime
    action: SanctionAction = SanctionAction.BAN
    until: datetime | None = None  # when a suspension ends
    id: int = 0

    def active(self, now: datetime) -> bool:
        return self.until is None or self.until > now


class Role(StrEnum):
    ADMIN = "admin"  # every site, moderators, settings
    MODERATOR = "moderator"  # the sites given


@dataclass(frozen=True)
class Moderator:
    id: int
    username: str
    password_hash: str
    role: Role = Role.ADMIN
    sites: frozenset[int] = frozenset()  # a moderator's sites (admins have them all)
    disabled: bool = False

    def moderates(self, site_id: int) -> bool:
        return not self.disabled and (self.role is Role.ADMIN or site_id in self.sites)


REPORT_REASONS = ("offensive", "abusive", "spam", "off_topic", "illegal", "other")


@dataclass(frozen=True)
class Report:
    comment_id: CommentId
    reporter: str  # the reader's client key
    reason: str
    note: str
    created: datetime


@dataclass(frozen=True)
class AuthorHistory:
    """What a site knows of an author (by email hash and by client key)."""

    approved: int = 0
    pending: int = 0
    rejected: int = 0
    spam: int = 0
    first_seen: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One moderation action or settings change: who, when, what, before and after."""

    id: int
    created: datetime
    site_id: int | None
    actor: str
    action: str
    target: str  # what it acted on: comment:17, thread:4, site:2, moderator:3
    before: dict[str, object]
    after: dict[str, object]


@dataclass(frozen=True)
class Thread:
    id: ThreadId
    site_id: int
    uri: str
    title: str
    created: datetime
    closed: bool
    version: int
    premoderate: bool = False  # every new comment held
    message: str = ""  # Markdown shown above the thread
    message_html: str = ""


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
    featured: bool = False
    staff: bool = False
    held: tuple[str, ...] = ()  # why it waits for a moderator

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
    staff: bool = False
    held: tuple[str, ...] = ()


def utcnow() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    """``2026-11-25T08:00:00Z`` (whole seconds, UTC)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")[:19] + "Z"
