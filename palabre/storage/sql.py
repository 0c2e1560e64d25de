"""The SQL both backends speak: every query once, with ``?`` placeholders.

SQLite runs these as written; PostgreSQL swaps ``?`` for ``%s``. Each backend supplies only
how a statement is executed (``sql_rows.Statements``: ``_one``, ``_all``, ``_run``) and the few
questions that differ (listed in :class:`SQLStorageReads`).
"""

from __future__ import annotations

from datetime import datetime

import orjson

from palabre.domain.events import Event, StoredEvent, decode
from palabre.domain.models import (
    Comment,
    CommentId,
    Moderator,
    NewComment,
    Site,
    SiteSettings,
    Status,
    Thread,
    ThreadId,
    utcnow,
)
from palabre.storage.sql_assist import AssistReads, AssistWrites
from palabre.storage.sql_moderation import ModerationReads, ModerationWrites
from palabre.storage.sql_notify import NotifyReads, NotifyWrites
from palabre.storage.sql_pages import PageReads
from palabre.storage.sql_rows import (
    COMMENT_COLUMNS,
    COMMENT_WIDTH,
    LATEST,
    SELECT_COMMENT,
    SELECT_COMMENT_NOTIFY,
    SELECT_SITE,
    SELECT_THREAD,
    from_micros,
    row_to_comment,
    row_to_site,
    row_to_thread,
    settings_json,
    to_micros,
)
from palabre.storage.sql_webhooks import WebhookReads, WebhookWrites


class SQLReads(ModerationReads, NotifyReads, WebhookReads, AssistReads, PageReads):
    """The read queries, shared by storages and their write transactions."""

    async def get_site(self, slug: str) -> Site | None:
        row = await self._one(SELECT_SITE + "WHERE slug = ?", (slug,))
        return row_to_site(row) if row else None

    async def get_site_by_id(self, site_id: int) -> Site | None:
        row = await self._one(SELECT_SITE + "WHERE id = ?", (site_id,))
        return row_to_site(row) if row else None

    async def list_sites(self) -> list[Site]:
        return [row_to_site(row) for row in await self._all(SELECT_SITE + "ORDER BY id")]

    async def get_thread(self, site_id: int, uri: str) -> Thread | None:
        row = await self._one(SELECT_THREAD + "WHERE site_id = ? AND uri = ?", (site_id, uri))
        return row_to_thread(row) if row else None

    async def get_thread_by_id(self, thread_id: ThreadId) -> Thread | None:
        row = await self._one(SELECT_THREAD + "WHERE id = ?", (thread_id,))
        return row_to_thread(row) if row else None

    async def get_comment(self, comment_id: CommentId) -> Comment | None:
        row = await self._one(SELECT_COMMENT + "WHERE id = ?", (comment_id,))
        return row_to_comment(row) if row else None

    async def visible_comments(self, thread_id: ThreadId) -> list[Comment]:
        return await self._visible_thread(thread_id)  # sql_pages.py

    async def approved_count(self, thread_id: ThreadId) -> int:
        row = await self._one("SELECT count(*) FROM comments WHERE thread_id = ? AND status = ?",
                              (thread_id, Status.APPROVED.value))
        return int(row[0])

    async def thread_version(self, site_id: int, uri: str) -> tuple[int, ThreadId] | None:
        row = await self._one("SELECT version, id FROM threads WHERE site_id = ? AND uri = ?",
                              (site_id, uri))
        return (int(row[0]), ThreadId(row[1])) if row else None

    async def get_cursor(self, consumer: str) -> int:
        row = await self._one("SELECT position FROM event_cursors WHERE consumer = ?",
                              (consumer,))
        return int(row[0]) if row else 0

    async def slowest_cursor(self) -> int | None:
        row = await self._one("SELECT min(position) FROM event_cursors")
        return int(row[0]) if row and row[0] is not None else None

    async def threads_of_site(self, site_id: int) -> list[Thread]:
        rows = await self._all(SELECT_THREAD + "WHERE site_id = ? ORDER BY id", (site_id,))
        return [row_to_thread(row) for row in rows]

    async def comments_of_thread(self, thread_id: ThreadId) -> list[tuple[Comment, bool]]:
        rows = await self._all(
            SELECT_COMMENT_NOTIFY + "WHERE thread_id = ? ORDER BY id", (thread_id,))
        return [(row_to_comment(row), bool(row[COMMENT_WIDTH])) for row in rows]

    async def votes_of_thread(self, thread_id: ThreadId) -> list[tuple[CommentId, str, int]]:
        rows = await self._all(
            "SELECT v.comment_id, v.voter, v.value FROM votes v JOIN comments c "
            "ON c.id = v.comment_id WHERE c.thread_id = ? ORDER BY v.comment_id, v.voter",
            (thread_id,))
        return [(CommentId(r[0]), r[1], int(r[2])) for r in rows]

    async def comments_by_email(self, email: str) -> list[Comment]:
        rows = await self._all(SELECT_COMMENT + "WHERE lower(email) = ? ORDER BY id",
                               (email.strip().lower(),))
        return [row_to_comment(row) for row in rows]

    async def _has_events_after(self, position: int) -> bool:
        return await self._one("SELECT 1 FROM events WHERE id > ? LIMIT 1",
                               (position,)) is not None

    async def events_after(self, position: int, limit: int) -> list[StoredEvent]:
        rows = await self._all(
            "SELECT id, created, site_id, thread_id, name, payload FROM events "
            "WHERE id > ? ORDER BY id LIMIT ?", (position, limit))
        return [StoredEvent(int(r[0]), from_micros(r[1]), decode(r[4], r[2], r[3],
                                                                 orjson.loads(r[5])))
                for r in rows]

    async def latest_comments(self, site_id: int, thread_id: ThreadId | None,
                              limit: int) -> list[tuple[Comment, Thread]]:
        rows = await self._all(LATEST, (site_id, thread_id, thread_id, limit))
        return [(row_to_comment(r[:COMMENT_WIDTH]), row_to_thread(r[COMMENT_WIDTH:]))
                for r in rows]


class SQLWriteTx(SQLReads, ModerationWrites, NotifyWrites, WebhookWrites, AssistWrites):
    """The write statements, run inside one transaction holding the write lock."""

    emitted = 0  # events this transaction wrote to the outbox
    bumped: frozenset[int] = frozenset()  # threads whose version it moved already

    async def create_site(self, slug: str, name: str, salt: str, settings: SiteSettings,
                          created: datetime) -> Site:
        row = await self._one(
            "INSERT INTO sites (slug, name, salt, settings, created) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id",
            (slug, name, salt, settings_json(settings), to_micros(created)),
        )
        return Site(id=int(row[0]), slug=slug, name=name, salt=salt, settings=settings)

    async def update_site_settings(self, site_id: int, settings: SiteSettings) -> None:
        await self._run("UPDATE sites SET settings = ? WHERE id = ?",
                        (settings_json(settings), site_id))

    async def get_or_create_thread(self, site_id: int, uri: str, title: str,
                                   created: datetime) -> Thread:
        await self._run(
            "INSERT INTO threads (site_id, uri, title, created, closed, version) "
            "VALUES (?, ?, ?, ?, FALSE, 1) ON CONFLICT (site_id, uri) DO NOTHING",
            (site_id, uri, title, to_micros(created)),
        )
        thread = await self.get_thread(site_id, uri)
        assert thread is not None
        return thread

    async def set_thread_closed(self, thread_id: ThreadId, closed: bool) -> None:
        await self._run("UPDATE threads SET closed = ? WHERE id = ?", (closed, thread_id))

    async def set_thread_title(self, thread_id: ThreadId, title: str) -> None:
        await self._run("UPDATE threads SET title = ? WHERE id = ?", (title, thread_id))

    async def emit(self, event: Event) -> None:
        self.emitted += 1
        await self._run(
            "INSERT INTO events (created, site_id, thread_id, name, payload) "
            "VALUES (?, ?, ?, ?, ?)",
            (to_micros(utcnow()), event.site_id, event.thread_id, event.name,
             orjson.dumps(event.payload()).decode()),
        )
        # One bump per thread and transaction is enough for the version to change.
        if not event.public:
            return
        if event.thread_id is None:
            await self._run("UPDATE threads SET version = version + 1 WHERE site_id = ?",
                            (event.site_id,))
        elif event.thread_id not in self.bumped:
            await self._run("UPDATE threads SET version = version + 1 WHERE id = ?",
                            (event.thread_id,))
            self.bumped = self.bumped | {event.thread_id}

    async def set_cursor(self, consumer: str, position: int) -> None:
        await self._run(
            "INSERT INTO event_cursors (consumer, position, updated) VALUES (?, ?, ?) "
            "ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, "
            "updated = excluded.updated",
            (consumer, position, to_micros(utcnow())),
        )

    async def prune_events(self, before: datetime) -> int:
        # Up to where every consumer has read (everything, when no consumer is known).
        row = await self._one("SELECT coalesce(min(position), (SELECT max(id) FROM events)) "
                              "FROM event_cursors")
        bounds = (to_micros(before), row[0] if row[0] is not None else 0)
        counted = await self._one("SELECT count(*) FROM events WHERE created < ? AND id <= ?",
                                  bounds)
        await self._run("DELETE FROM events WHERE created < ? AND id <= ?", bounds)
        return int(counted[0])

    async def insert_comment(self, new: NewComment) -> Comment:
        row = await self._one(
            "INSERT INTO comments (thread_id, parent, reply_to, root, depth, author, email, "
            "website, text, html, created, edited, likes, dislikes, status, client, avatar, "
            "notify, featured, staff, held) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0, ?, ?, ?, ?, FALSE, ?, ?) "
            "RETURNING " + COMMENT_COLUMNS,
            (new.thread_id, new.parent, new.reply_to, new.root, new.depth, new.author,
             new.email, new.website, new.text, new.html, to_micros(new.created),
             new.status.value, new.client, new.avatar, new.notify, new.staff,
             ",".join(new.held)),
        )
        return row_to_comment(row)

    async def update_comment_text(self, comment_id: CommentId, text: str, html: str,
                                  edited: datetime) -> None:
        await self._run("UPDATE comments SET text = ?, html = ?, edited = ? WHERE id = ?",
                        (text, html, to_micros(edited), comment_id))

    async def set_comment_status(self, comment_id: CommentId, status: Status) -> None:
        await self._run("UPDATE comments SET status = ?, held = '' WHERE id = ?",
                        (status.value, comment_id))

    async def hold_comment(self, comment_id: CommentId, held: tuple[str, ...]) -> None:
        await self._run("UPDATE comments SET status = ?, held = ? WHERE id = ?",
                        (Status.PENDING.value, ",".join(held), comment_id))

    async def set_featured(self, comment_id: CommentId, featured: bool) -> None:
        await self._run("UPDATE comments SET featured = ? WHERE id = ?",
                        (featured, comment_id))

    async def set_thread_options(self, thread_id: ThreadId, premoderate: bool, message: str,
                                 message_html: str) -> None:
        await self._run("UPDATE threads SET premoderate = ?, message = ?, message_html = ? "
                        "WHERE id = ?", (premoderate, message, message_html, thread_id))

    async def blank_comment(self, comment_id: CommentId) -> None:
        await self._run(
            "UPDATE comments SET status = ?, author = '', email = '', website = '', "
            "text = '', html = '', avatar = '', client = '', notify = FALSE, featured = FALSE, "
            "staff = FALSE, held = '' WHERE id = ?",
            (Status.DELETED.value, comment_id),
        )

    async def delete_comment_row(self, comment_id: CommentId) -> None:
        await self._run("DELETE FROM votes WHERE comment_id = ?", (comment_id,))
        await self._run("DELETE FROM reports WHERE comment_id = ?", (comment_id,))
        await self._run("DELETE FROM assist_verdicts WHERE comment_id = ?", (comment_id,))
        await self._run("DELETE FROM comments WHERE id = ?", (comment_id,))

    async def children(self, comment_id: CommentId) -> list[Comment]:
        rows = await self._all(SELECT_COMMENT + "WHERE parent = ? ORDER BY id", (comment_id,))
        return [row_to_comment(row) for row in rows]

    async def set_vote(self, comment_id: CommentId, voter: str, value: int) -> tuple[int, int]:
        if value == 0:
            await self._run("DELETE FROM votes WHERE comment_id = ? AND voter = ?",
                            (comment_id, voter))
        else:
            await self._run(
                "INSERT INTO votes (comment_id, voter, value) VALUES (?, ?, ?) "
                "ON CONFLICT (comment_id, voter) DO UPDATE SET value = excluded.value",
                (comment_id, voter, value),
            )
        row = await self._one(
            "SELECT count(*) FILTER (WHERE value = 1), count(*) FILTER (WHERE value = -1) "
            "FROM votes WHERE comment_id = ?",
            (comment_id,),
        )
        likes, dislikes = int(row[0]), int(row[1])
        await self._run("UPDATE comments SET likes = ?, dislikes = ? WHERE id = ?",
                        (likes, dislikes, comment_id))
        return likes, dislikes

    async def hit_rate_limit(self, key: str, window: int, current: int | None = None) -> int:
        # Past windows of every client go: the table holds only current windows.
        await self._run("DELETE FROM rate_limits WHERE slot < ?",
                        (window if current is None else current,))
        row = await self._one(
            "INSERT INTO rate_limits (key, slot, hits) VALUES (?, ?, 1) "
            "ON CONFLICT (key, slot) DO UPDATE SET hits = rate_limits.hits + 1 "
            "RETURNING hits",
            (key, window),
        )
        return int(row[0])

    async def restore_site(self, site_id: int, name: str, salt: str,
                           settings: SiteSettings) -> None:
        await self._run("UPDATE sites SET name = ?, salt = ?, settings = ? WHERE id = ?",
                        (name, salt, settings_json(settings), site_id))

    async def restore_thread(self, thread: Thread) -> None:
        await self._run(
            "INSERT INTO threads (id, site_id, uri, title, created, closed, version, "
            "premoderate, message, message_html) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            (thread.id, thread.site_id, thread.uri, thread.title, to_micros(thread.created),
             thread.closed, thread.premoderate, thread.message, thread.message_html))

    async def restore_comment(self, comment: Comment, notify: bool) -> None:
        c = comment
        await self._run(
            "INSERT INTO comments (id, thread_id, parent, reply_to, root, depth, author, email, "
            "website, text, html, created, edited, likes, dislikes, status, client, avatar, "
            "notify, featured, staff, held) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (c.id, c.thread_id, c.parent, c.reply_to, c.root, c.depth, c.author, c.email,
             c.website, c.text, c.html, to_micros(c.created),
             to_micros(c.edited) if c.edited else None, c.likes, c.dislikes, c.status.value,
             c.client, c.avatar, notify, c.featured, c.staff, ",".join(c.held)))

    async def restore_vote(self, comment_id: CommentId, voter: str, value: int) -> None:
        await self._run("INSERT INTO votes (comment_id, voter, value) VALUES (?, ?, ?)",
                        (comment_id, voter, value))

    async def imported_comments(self, thread_id: ThreadId, source: str) -> dict[str, CommentId]:
        rows = await self._all("SELECT source_id, comment_id FROM imported_comments "
                               "WHERE thread_id = ? AND source = ?", (thread_id, source))
        return {r[0]: CommentId(r[1]) for r in rows}

    async def remember_import(self, thread_id: ThreadId, source: str, source_id: str,
                              comment_id: CommentId) -> None:
        await self._run("INSERT INTO imported_comments (thread_id, source, source_id, "
                        "comment_id) VALUES (?, ?, ?, ?)",
                        (thread_id, source, source_id, comment_id))

    async def save_moderator(self, username: str, password_hash: str,
                             created: datetime) -> Moderator:
        await self._run(
            "INSERT INTO moderators (username, password_hash, created) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, "
            "session_generation = moderators.session_generation + 1",
            (username, password_hash, to_micros(created)),
        )
        moderator = await self.get_moderator(username)
        assert moderator is not None
        return moderator

    async def end_sessions(self, moderator_id: int) -> None:
        await self._run("UPDATE moderators SET session_generation = session_generation + 1 "
                        "WHERE id = ?", (moderator_id,))

