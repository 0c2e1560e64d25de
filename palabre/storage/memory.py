"""An in-memory storage: the whole port in dictionaries, for fast domain tests.

It passes the same contract suite as SQLite and PostgreSQL (``tests/storage/``). A write
transaction works on a copy of the tables and replaces them at commit, so a refused write
leaves nothing behind and reads never see a transaction that is not committed. Stored
objects are never changed in place: every change stores a new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from palabre.domain.events import Event, StoredEvent
from palabre.domain.mail.models import DigestItem, Lease, OutgoingMail, Subscriber
from palabre.domain.models import (
    AuditEntry,
    Ban,
    Comment,
    CommentId,
    Moderator,
    NewComment,
    Report,
    Site,
    SiteSettings,
    Status,
    Thread,
    ThreadId,
    utcnow,
)
from palabre.storage.memory_assist import AssistTables, MemoryAssistReads, MemoryAssistWrites
from palabre.storage.memory_moderation import MemoryModerationReads, MemoryModerationWrites
from palabre.storage.memory_notify import MemoryNotifyReads, MemoryNotifyWrites
from palabre.storage.memory_pages import MemoryPageReads
from palabre.storage.memory_webhooks import (
    MemoryWebhookReads,
    MemoryWebhookWrites,
    WebhookTables,
)
from palabre.storage.outbox import Wakeable


@dataclass
class Tables:
    sites: dict[int, Site] = field(default_factory=dict)
    threads: dict[ThreadId, Thread] = field(default_factory=dict)
    comments: dict[CommentId, Comment] = field(default_factory=dict)
    notify: dict[CommentId, bool] = field(default_factory=dict)
    votes: dict[tuple[CommentId, str], int] = field(default_factory=dict)
    rate_limits: dict[tuple[str, int], int] = field(default_factory=dict)
    bans: dict[tuple[int, str, str], Ban] = field(default_factory=dict)
    moderators: dict[int, Moderator] = field(default_factory=dict)
    session_generations: dict[int, int] = field(default_factory=dict)  # by moderator id
    events: dict[int, StoredEvent] = field(default_factory=dict)
    cursors: dict[str, int] = field(default_factory=dict)
    imported: dict[tuple[ThreadId, str, str], CommentId] = field(default_factory=dict)
    reports: dict[tuple[CommentId, str], Report] = field(default_factory=dict)
    audit: dict[int, AuditEntry] = field(default_factory=dict)
    spent: dict[str, datetime] = field(default_factory=dict)  # challenge → expiry
    subscribers: dict[int, Subscriber] = field(default_factory=dict)  # mail (memory_notify)
    mails: dict[int, OutgoingMail] = field(default_factory=dict)
    leases: dict[str, Lease] = field(default_factory=dict)
    digest_items: dict[int, DigestItem] = field(default_factory=dict)
    spent_links: dict[str, datetime] = field(default_factory=dict)  # alert link → expiry
    # moderators.email and mail_lang (memory_notify)
    moderator_addresses: dict[int, tuple[str, str]] = field(default_factory=dict)
    last_ids: dict[str, int] = field(default_factory=dict)  # ids are never reused
    hooks: WebhookTables = field(default_factory=WebhookTables)  # memory_webhooks
    assist: AssistTables = field(default_factory=AssistTables)  # memory_assist

    def copy(self) -> Tables:
        return Tables(**{name: value.copy() for name, value in vars(self).items()})

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]

    def taken(self, table: str, row_id: int) -> None:
        """An id given by a restore: later ids come after it."""
        self.last_ids[table] = max(self.last_ids.get(table, 0), row_id)


def _reader_view(comment: Comment) -> Comment:
    """What ``visible_comments`` returns: no Markdown source, email or client key."""
    return replace(comment, text="", email="", client="")


class MemoryReads(MemoryModerationReads, MemoryNotifyReads, MemoryWebhookReads,
                  MemoryAssistReads, MemoryPageReads):
    """The read questions, over one set of tables."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    async def get_site(self, slug: str) -> Site | None:
        return next((s for s in self.tables.sites.values() if s.slug == slug), None)

    async def get_site_by_id(self, site_id: int) -> Site | None:
        return self.tables.sites.get(site_id)

    async def list_sites(self) -> list[Site]:
        return sorted(self.tables.sites.values(), key=lambda s: s.id)

    async def get_thread(self, site_id: int, uri: str) -> Thread | None:
        return next((t for t in self.tables.threads.values()
                     if t.site_id == site_id and t.uri == uri), None)

    async def get_thread_by_id(self, thread_id: ThreadId) -> Thread | None:
        return self.tables.threads.get(thread_id)

    async def get_comment(self, comment_id: CommentId) -> Comment | None:
        return self.tables.comments.get(comment_id)

    async def visible_comments(self, thread_id: ThreadId) -> list[Comment]:
        shown = (Status.APPROVED, Status.DELETED)
        sheltering = {c.parent for c in self.tables.comments.values()
                      if c.thread_id == thread_id and c.status in shown}
        return [_reader_view(c) for c in self.tables.comments.values()
                if c.thread_id == thread_id and (c.status in shown or (
                    c.status is Status.PENDING and c.id in sheltering))]

    async def approved_count(self, thread_id: ThreadId) -> int:
        return sum(1 for c in self.tables.comments.values()
                   if c.thread_id == thread_id and c.status is Status.APPROVED)

    def _in_site(self, comment: Comment, site_id: int) -> bool:
        return self.tables.threads[comment.thread_id].site_id == site_id

    async def get_moderator(self, username: str) -> Moderator | None:
        return next((m for m in self.tables.moderators.values() if m.username == username),
                    None)

    async def get_moderator_by_id(self, moderator_id: int) -> Moderator | None:
        return self.tables.moderators.get(moderator_id)

    async def get_moderator_session(self, moderator_id: int) -> tuple[Moderator, int] | None:
        moderator = self.tables.moderators.get(moderator_id)
        if moderator is None:
            return None
        return moderator, self.tables.session_generations.get(moderator_id, 0)

    async def get_cursor(self, consumer: str) -> int:
        return self.tables.cursors.get(consumer, 0)

    async def slowest_cursor(self) -> int | None:
        return min(self.tables.cursors.values(), default=None)

    async def threads_of_site(self, site_id: int) -> list[Thread]:
        return sorted((t for t in self.tables.threads.values() if t.site_id == site_id),
                      key=lambda t: t.id)

    async def comments_of_thread(self, thread_id: ThreadId) -> list[tuple[Comment, bool]]:
        return [(c, self.tables.notify[c.id]) for c in sorted(
            self.tables.comments.values(), key=lambda c: c.id) if c.thread_id == thread_id]

    async def votes_of_thread(self, thread_id: ThreadId) -> list[tuple[CommentId, str, int]]:
        return sorted((c, voter, value) for (c, voter), value in self.tables.votes.items()
                      if self.tables.comments[c].thread_id == thread_id)

    async def comments_by_email(self, email: str) -> list[Comment]:
        wanted = email.strip().lower()
        return sorted((c for c in self.tables.comments.values() if c.email.lower() == wanted),
                      key=lambda c: c.id)


class MemoryWriteTx(MemoryReads, MemoryModerationWrites, MemoryNotifyWrites,
                    MemoryWebhookWrites, MemoryAssistWrites):
    """One transaction, on its own copy of the tables."""

    def __init__(self, tables: Tables) -> None:
        super().__init__(tables)
        self.emitted = 0
        self.bumped: set[ThreadId] = set()

    async def create_site(self, slug: str, name: str, salt: str, settings: SiteSettings,
                          created: datetime) -> Site:
        site = Site(id=self.tables.next_id("sites"), slug=slug, name=name, salt=salt,
                    settings=settings)
        self.tables.sites[site.id] = site
        return site

    async def update_site_settings(self, site_id: int, settings: SiteSettings) -> None:
        self.tables.sites[site_id] = replace(self.tables.sites[site_id], settings=settings)

    async def get_or_create_thread(self, site_id: int, uri: str, title: str,
                                   created: datetime) -> Thread:
        found = await self.get_thread(site_id, uri)
        if found is not None:
            return found
        thread = Thread(id=ThreadId(self.tables.next_id("threads")), site_id=site_id, uri=uri,
                        title=title, created=created, closed=False, version=1)
        self.tables.threads[thread.id] = thread
        return thread

    async def set_thread_closed(self, thread_id: ThreadId, closed: bool) -> None:
        self.tables.threads[thread_id] = replace(self.tables.threads[thread_id], closed=closed)

    async def set_thread_title(self, thread_id: ThreadId, title: str) -> None:
        self.tables.threads[thread_id] = replace(self.tables.threads[thread_id], title=title)

    async def emit(self, event: Event) -> None:
        self.emitted += 1
        event_id = self.tables.next_id("events")
        self.tables.events[event_id] = StoredEvent(event_id, utcnow(), event)
        if event.thread_id in self.bumped or not event.public:
            return  # one bump per thread and transaction is enough for the version to change
        for thread in list(self.tables.threads.values()):
            if thread.id == event.thread_id or (event.thread_id is None
                                                and thread.site_id == event.site_id):
                self.tables.threads[thread.id] = replace(thread, version=thread.version + 1)
        if event.thread_id is not None:
            self.bumped.add(event.thread_id)

    async def set_cursor(self, consumer: str, position: int) -> None:
        self.tables.cursors[consumer] = position

    async def prune_events(self, before: datetime) -> int:
        events = self.tables.events
        upto = min(self.tables.cursors.values(), default=max(events, default=0))
        gone = [i for i, e in events.items() if e.at < before and i <= upto]
        for event_id in gone:
            del events[event_id]
        return len(gone)

    async def insert_comment(self, new: NewComment) -> Comment:
        comment = Comment(
            CommentId(self.tables.next_id("comments")), new.thread_id, new.parent,
            new.reply_to, new.root, new.depth, new.author, new.email, new.website, new.text,
            new.html, new.created, None, 0, 0, new.status, new.client, new.avatar,
            staff=new.staff, held=new.held)
        self.tables.comments[comment.id] = comment
        self.tables.notify[comment.id] = new.notify
        return comment

    def _change(self, comment_id: CommentId, **changes: object) -> None:
        found = self.tables.comments.get(comment_id)
        if found is not None:
            self.tables.comments[comment_id] = replace(found, **changes)  # type: ignore[arg-type]

    async def update_comment_text(self, comment_id: CommentId, text: str, html: str,
                                  edited: datetime) -> None:
        self._change(comment_id, text=text, html=html, edited=edited)

    async def set_comment_status(self, comment_id: CommentId, status: Status) -> None:
        self._change(comment_id, status=status, held=())

    async def hold_comment(self, comment_id: CommentId, held: tuple[str, ...]) -> None:
        self._change(comment_id, status=Status.PENDING, held=held)

    async def set_featured(self, comment_id: CommentId, featured: bool) -> None:
        self._change(comment_id, featured=featured)

    async def set_thread_options(self, thread_id: ThreadId, premoderate: bool, message: str,
                                 message_html: str) -> None:
        self.tables.threads[thread_id] = replace(
            self.tables.threads[thread_id], premoderate=premoderate, message=message,
            message_html=message_html)

    async def blank_comment(self, comment_id: CommentId) -> None:
        self._change(comment_id, status=Status.DELETED, author="", email="", website="",
                     text="", html="", avatar="", client="", featured=False, staff=False,
                     held=())
        self.tables.notify[comment_id] = False

    async def delete_comment_row(self, comment_id: CommentId) -> None:
        for key in [k for k in self.tables.votes if k[0] == comment_id]:
            del self.tables.votes[key]
        self.tables.comments.pop(comment_id, None)
        self.tables.notify.pop(comment_id, None)
        for key in [k for k in self.tables.reports if k[0] == comment_id]:
            del self.tables.reports[key]
        self.tables.assist.verdicts.pop(comment_id, None)

    async def children(self, comment_id: CommentId) -> list[Comment]:
        return sorted((c for c in self.tables.comments.values() if c.parent == comment_id),
                      key=lambda c: c.id)

    async def set_vote(self, comment_id: CommentId, voter: str, value: int) -> tuple[int, int]:
        if value == 0:
            self.tables.votes.pop((comment_id, voter), None)
        else:
            self.tables.votes[(comment_id, voter)] = value
        values = [v for (c, _), v in self.tables.votes.items() if c == comment_id]
        likes, dislikes = values.count(1), values.count(-1)
        self._change(comment_id, likes=likes, dislikes=dislikes)
        return likes, dislikes

    async def hit_rate_limit(self, key: str, window: int, current: int | None = None) -> int:
        limits = self.tables.rate_limits
        cutoff = window if current is None else current
        for old in [k for k in limits if k[1] < cutoff]:
            del limits[old]
        limits[(key, window)] = limits.get((key, window), 0) + 1
        return limits[(key, window)]

    async def restore_site(self, site_id: int, name: str, salt: str,
                           settings: SiteSettings) -> None:
        self.tables.sites[site_id] = replace(self.tables.sites[site_id], name=name, salt=salt,
                                             settings=settings)

    async def restore_thread(self, thread: Thread) -> None:
        assert thread.id not in self.tables.threads, "a restored id is free"
        self.tables.taken("threads", thread.id)
        self.tables.threads[thread.id] = replace(thread, version=1)

    async def restore_comment(self, comment: Comment, notify: bool) -> None:
        assert comment.id not in self.tables.comments, "a restored id is free"
        self.tables.taken("comments", comment.id)
        self.tables.comments[comment.id] = comment
        self.tables.notify[comment.id] = notify

    async def restore_vote(self, comment_id: CommentId, voter: str, value: int) -> None:
        self.tables.votes[(comment_id, voter)] = value

    async def imported_comments(self, thread_id: ThreadId, source: str) -> dict[str, CommentId]:
        return {key[2]: comment_id for key, comment_id in self.tables.imported.items()
                if key[:2] == (thread_id, source)}

    async def remember_import(self, thread_id: ThreadId, source: str, source_id: str,
                              comment_id: CommentId) -> None:
        self.tables.imported[(thread_id, source, source_id)] = comment_id

    async def save_moderator(self, username: str, password_hash: str,
                             created: datetime) -> Moderator:
        found = await self.get_moderator(username)
        moderator = (replace(found, password_hash=password_hash) if found else
                     Moderator(self.tables.next_id("moderators"), username, password_hash))
        self.tables.moderators[moderator.id] = moderator
        if found:
            await self.end_sessions(moderator.id)
        return moderator

    async def end_sessions(self, moderator_id: int) -> None:
        if moderator_id in self.tables.moderators:
            generations = self.tables.session_generations
            generations[moderator_id] = generations.get(moderator_id, 0) + 1


class MemoryStorage(MemoryReads, Wakeable):
    """The port in memory; nothing outlives the process."""

    def __init__(self) -> None:
        MemoryReads.__init__(self, Tables())
        Wakeable.__init__(self)
        self._lock = asyncio.Lock()
        self._commits = 0

    @asynccontextmanager
    async def write(self) -> AsyncIterator[MemoryWriteTx]:
        async with self._lock:
            tx = MemoryWriteTx(self.tables.copy())
            yield tx
            self.tables = tx.tables
            self._commits += 1
            if tx.emitted:
                self.wake()

    async def thread_version(self, site_id: int, uri: str) -> tuple[int, ThreadId] | None:
        thread = await self.get_thread(site_id, uri)
        return (thread.version, thread.id) if thread else None

    async def unchanged_since_last_check(self, token: object) -> tuple[bool, object]:
        return token == self._commits, self._commits

    async def counts(self, site_id: int, uris: Sequence[str]) -> dict[str, int]:
        wanted = set(uris)
        return {t.uri: await self.approved_count(t.id) for t in self.tables.threads.values()
                if t.site_id == site_id and t.uri in wanted}

    async def latest_comments(self, site_id: int, thread_id: ThreadId | None,
                              limit: int) -> list[tuple[Comment, Thread]]:
        found = [c for c in self.tables.comments.values() if c.status is Status.APPROVED
                 and self._in_site(c, site_id) and thread_id in (None, c.thread_id)]
        found.sort(key=lambda c: (c.created, c.id), reverse=True)
        return [(c, self.tables.threads[c.thread_id]) for c in found[:limit]]

    async def _has_events_after(self, position: int) -> bool:
        return any(i > position for i in self.tables.events)

    async def events_after(self, position: int, limit: int) -> list[StoredEvent]:
        return [e for i, e in sorted(self.tables.events.items()) if i > position][:limit]

    async def close(self) -> None:
        return None
