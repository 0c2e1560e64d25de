"""The storage port: what the domain may ask of a database, and nothing of SQL.

The domain owns this interface; ``palabre/storage/`` implements it (SQLite, PostgreSQL, and
an in-memory backend for fast tests), and one contract suite runs on all three
(``tests/storage/test_contract.py``).

Reads are methods of :class:`Storage`. Writes happen inside ``async with storage.write() as
tx``: one transaction that holds the database's write lock from its first statement
(SQLite ``BEGIN IMMEDIATE``; PostgreSQL row locks), committed when the block ends and rolled
back if it raises, so a refused write never leaves half of itself behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from palabre.domain.events import Event, StoredEvent
from palabre.domain.models import (
    AuditEntry,
    AuthorHistory,
    Ban,
    Comment,
    CommentId,
    Moderator,
    NewComment,
    Report,
    Role,
    SanctionAction,
    Site,
    SiteSettings,
    Status,
    Thread,
    ThreadId,
)
from palabre.domain.ports_assist import AssistReads, AssistWrites
from palabre.domain.ports_mail import MailReads, MailWrites
from palabre.domain.ports_pages import PageReads
from palabre.domain.ports_webhooks import WebhookReads, WebhookWrites


class Reads(MailReads, WebhookReads, AssistReads, PageReads, Protocol):
    """Questions both a plain read and a write transaction can answer."""

    async def get_site(self, slug: str) -> Site | None: ...

    async def get_site_by_id(self, site_id: int) -> Site | None: ...

    async def get_thread(self, site_id: int, uri: str) -> Thread | None: ...

    async def get_thread_by_id(self, thread_id: ThreadId) -> Thread | None: ...

    async def get_comment(self, comment_id: CommentId) -> Comment | None: ...

    async def visible_comments(self, thread_id: ThreadId) -> list[Comment]:
        """Approved comments and deleted placeholders of a thread, in no particular order,
        as readers see them: ``text``, ``email`` and ``client`` are left empty. Held
        comments with approved or deleted replies come too (readers see them as
        placeholders, so the replies keep their place)."""
        ...

    async def approved_count(self, thread_id: ThreadId) -> int: ...

    async def moderation_queue(self, site_id: int, kind: str, search: str, offset: int,
                               limit: int) -> tuple[list[tuple[Comment, Thread]], int]:
        """A page of a moderation queue and the queue's length. ``kind``: pending (oldest
        first), reported (approved comments with reports, most reported first), recent
        (approved or pending, newest first), rejected, spam (newest first), risk (pending,
        the assistant's score highest first, unscored last, then oldest first). ``search``
        keeps comments whose text, author, email, thread title or uri contains it
        (ignoring case)."""
        ...

    async def reports_of(self, comment_id: CommentId) -> list[Report]: ...

    async def author_history(self, site_id: int, email: str, client: str) -> AuthorHistory:
        """Counts of an author's comments on a site, matched by email (when given) or by
        client key."""
        ...

    async def audit_entries(self, site_ids: Sequence[int] | None, action: str | None,
                            before_id: int | None, limit: int) -> list[AuditEntry]:
        """Newest first; ``site_ids`` None: every entry (site-less ones included)."""
        ...

    async def list_moderators(self) -> list[Moderator]: ...

    async def daily_outcomes(self, site_id: int, since: datetime) -> list[tuple[int, str, int]]:
        """(day, status, comments) for comments made since ``since``; days are counted
        from the Unix epoch in UTC."""
        ...

    async def daily_reports(self, site_id: int, since: datetime) -> list[tuple[int, int]]:
        """(day, reports) for readers' reports made since ``since``."""
        ...

    async def busiest_threads(self, site_id: int, since: datetime,
                              limit: int) -> list[tuple[Thread, int]]:
        """The threads with the most comments made since ``since``, with that number."""
        ...

    async def get_moderator(self, username: str) -> Moderator | None: ...

    async def get_moderator_by_id(self, moderator_id: int) -> Moderator | None: ...

    async def get_moderator_session(self, moderator_id: int) -> tuple[Moderator, int] | None:
        """A moderator and the generation of their sessions: a session cookie signed with
        an older generation is revoked."""
        ...

    async def list_sites(self) -> list[Site]: ...

    async def get_cursor(self, consumer: str) -> int:
        """The id of the last outbox event ``consumer`` has handled (0: none yet)."""
        ...

    async def slowest_cursor(self) -> int | None:
        """The smallest saved position of any consumer (None: no consumer has saved one):
        how far the outbox is read by everyone (the metrics' outbox lag)."""
        ...

    # Everything stored, for exports (ordered by id, so an export is reproducible).

    async def threads_of_site(self, site_id: int) -> list[Thread]: ...

    async def comments_of_thread(self, thread_id: ThreadId) -> list[tuple[Comment, bool]]:
        """Every comment of a thread, whatever its status, with its ``notify`` flag."""
        ...

    async def votes_of_thread(self, thread_id: ThreadId) -> list[tuple[CommentId, str, int]]:
        """(comment, voter, value) of every vote on the thread's comments."""
        ...

    async def bans_of_site(self, site_id: int) -> list[Ban]: ...

    async def comments_by_email(self, email: str) -> list[Comment]:
        """Every comment signed with this email (compared case-insensitively), on every
        site, oldest first: what an author may ask to see or to erase."""
        ...


class WriteTx(Reads, MailWrites, WebhookWrites, AssistWrites, Protocol):
    """One write transaction."""

    async def create_site(self, slug: str, name: str, salt: str, settings: SiteSettings,
                          created: datetime) -> Site: ...

    async def update_site_settings(self, site_id: int, settings: SiteSettings) -> None: ...

    async def get_or_create_thread(self, site_id: int, uri: str, title: str,
                                   created: datetime) -> Thread: ...

    async def set_thread_closed(self, thread_id: ThreadId, closed: bool) -> None: ...

    async def set_thread_title(self, thread_id: ThreadId, title: str) -> None: ...

    async def emit(self, event: Event) -> None:
        """Record a change: append ``event`` to the outbox and bump the version of the
        thread it names (every thread of the site for a site-wide event; none for an event
        readers cannot see, ``Event.public`` false), in this transaction. The one place
        where a change becomes a version bump and an event."""
        ...

    async def set_cursor(self, consumer: str, position: int) -> None:
        """Remember that ``consumer`` has handled every event up to ``position``."""
        ...

    async def prune_events(self, before: datetime) -> int:
        """Drop events older than ``before`` that every known consumer has handled;
        returns how many went."""
        ...

    async def insert_comment(self, new: NewComment) -> Comment: ...

    async def update_comment_text(self, comment_id: CommentId, text: str, html: str,
                                  edited: datetime) -> None: ...

    async def set_comment_status(self, comment_id: CommentId, status: Status) -> None: ...

    async def blank_comment(self, comment_id: CommentId) -> None:
        """Turn a comment into a ``deleted`` placeholder: no author, text, email, website,
        avatar or client key is kept."""
        ...

    async def delete_comment_row(self, comment_id: CommentId) -> None: ...

    async def children(self, comment_id: CommentId) -> list[Comment]:
        """Direct replies of a comment, whatever their status."""
        ...

    async def set_vote(self, comment_id: CommentId, voter: str, value: int) -> tuple[int, int]:
        """Record (or withdraw, with 0) a vote; return the comment's (likes, dislikes)."""
        ...

    async def hit_rate_limit(self, key: str, window: int, current: int | None = None) -> int:
        """Count one more hit for ``key`` in ``window``; return the hits so far.

        Every slot before ``current`` (``window`` when not given) is dropped, whatever its
        key: ``window`` may lie ahead of ``current`` for a counter that must outlive it."""
        ...

    async def set_thread_options(self, thread_id: ThreadId, premoderate: bool, message: str,
                                 message_html: str) -> None: ...

    async def set_featured(self, comment_id: CommentId, featured: bool) -> None: ...

    async def hold_comment(self, comment_id: CommentId, held: tuple[str, ...]) -> None:
        """Make a comment pending, saying why."""
        ...

    async def add_report(self, report: Report) -> int:
        """Record (or replace) a reader's report; returns how many readers reported it."""
        ...

    async def clear_reports(self, comment_id: CommentId) -> None: ...

    async def approved_comments_of(self, site_id: int, email: str, client: str) -> int:
        """Approved comments on the site by this email *and* this client key (by the client
        key alone when there is no email): an email typed by someone else carries nothing."""
        ...

    async def recent_decisions(self, site_id: int, email: str, client: str,
                               limit: int) -> list[Status]:
        """Statuses of the author's latest decided comments (approved, rejected, spam),
        newest first, matched by email (when given) or client key."""
        ...

    async def posted_since(self, site_id: int, text: str, email: str, client: str,
                           since: datetime) -> bool:
        """Whether this author (same client key, or same email when given) posted exactly
        this text on the site since ``since``, among their latest 20 comments of each kind."""
        ...

    async def shown_comments_of(self, site_id: int, email: str,
                                client: str) -> list[Comment]:
        """The author's approved and pending comments on the site: by this client key, or by
        this email (compared ignoring case) when one is given; oldest first."""
        ...

    async def sanction_of(self, site_id: int, email_hash: str, client: str,
                          now: datetime) -> Ban | None:
        """The author's sanction in force on the site, the strictest first (ban, then
        suspension, then pre-moderation)."""
        ...

    async def add_ban(self, site_id: int, kind: str, value: str, reason: str,
                      created: datetime, action: SanctionAction = SanctionAction.BAN,
                      until: datetime | None = None) -> Ban:
        """Sanction an author (replacing the sanction they had under this kind and value)."""
        ...

    async def get_ban(self, ban_id: int) -> Ban | None: ...

    async def lift_ban(self, ban_id: int) -> None: ...

    async def spend_challenge(self, key: str, expires: datetime, now: datetime) -> bool:
        """Mark a proof-of-work challenge used; False when it was used already. Challenges
        expired by ``now`` are forgotten."""
        ...

    async def audit(self, site_id: int | None, actor: str, action: str, target: str,
                    before: dict[str, object], after: dict[str, object],
                    created: datetime) -> None:
        """Append one entry to the audit log."""
        ...

    async def set_moderator_access(self, moderator_id: int, role: Role,
                                   sites: frozenset[int], disabled: bool) -> None:
        """Change a moderator's role, sites and whether the account is disabled (which
        revokes their sessions, as :meth:`end_sessions` does)."""
        ...

    async def save_moderator(self, username: str, password_hash: str,
                             created: datetime) -> Moderator:
        """Create a moderator, or set the password of an existing one (which revokes
        their sessions, as :meth:`end_sessions` does)."""
        ...

    async def end_sessions(self, moderator_id: int) -> None:
        """Revoke every session of a moderator: bump their session generation."""
        ...

    # Restoring an export: rows come back with the ids they had.

    async def restore_site(self, site_id: int, name: str, salt: str,
                           settings: SiteSettings) -> None:
        """Give an existing site the name, salt and settings of the one exported."""
        ...

    async def restore_thread(self, thread: Thread) -> None: ...

    async def restore_comment(self, comment: Comment, notify: bool) -> None: ...

    async def restore_vote(self, comment_id: CommentId, voter: str, value: int) -> None: ...

    # Importers: which comments of another system a thread holds already.

    async def imported_comments(self, thread_id: ThreadId, source: str) -> dict[str, CommentId]:
        """Source id → comment id of the comments imported into the thread from ``source``."""
        ...

    async def remember_import(self, thread_id: ThreadId, source: str, source_id: str,
                              comment_id: CommentId) -> None: ...


class Storage(Reads, Protocol):
    """A database holding sites, threads and comments."""

    def write(self) -> AbstractAsyncContextManager[WriteTx]: ...

    async def thread_version(self, site_id: int, uri: str) -> tuple[int, ThreadId] | None:
        """The thread's (version, id): cheap, for cache validation."""
        ...

    async def unchanged_since_last_check(self, token: object) -> tuple[bool, object]:
        """Whether any process committed a write since ``token``; returns a new token.

        A backend that cannot tell cheaply always answers False (check every time).
        """
        ...

    async def counts(self, site_id: int, uris: Sequence[str]) -> dict[str, int]: ...

    async def latest_comments(self, site_id: int, thread_id: ThreadId | None,
                              limit: int) -> list[tuple[Comment, Thread]]: ...

    async def events_after(self, position: int, limit: int) -> list[StoredEvent]:
        """Outbox events with an id above ``position``, oldest first. Writes are serialised,
        so ids grow in commit order: a reader never skips an event committed later."""
        ...

    async def wait_for_events(self, position: int, timeout: float) -> None:
        """Return once events above ``position`` may exist, or after ``timeout`` seconds
        (PostgreSQL: LISTEN/NOTIFY; SQLite: its ``data_version``; in memory: a condition)."""
        ...

    async def close(self) -> None: ...
