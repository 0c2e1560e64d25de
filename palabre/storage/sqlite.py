"""SQLite storage: WAL mode, one writer connection, one reader connection per process.

Queries take well under 100 µs, so they run on the event loop itself: handing them to a
thread pool was measured to cost more than it saves (docs/architecture.md). Every write is
one ``BEGIN IMMEDIATE`` transaction on the writer connection, serialised in-process by a
lock and across processes by SQLite's own write lock.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from palabre.domain.models import (
    Comment,
    CommentId,
    NewComment,
    Site,
    SiteSettings,
    Status,
    Thread,
    ThreadId,
)

COMMENT_WIDTH = 18
SELECT_COMMENT = (
    "SELECT id, thread_id, parent, reply_to, root, depth, author, email, website, text, "
    "html, created, edited, likes, dislikes, status, client, avatar FROM comments "
)


def to_micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, UTC)


def row_to_comment(row: Sequence[Any]) -> Comment:
    return Comment(
        id=CommentId(row[0]), thread_id=ThreadId(row[1]), parent=row[2], reply_to=row[3],
        root=row[4], depth=row[5], author=row[6], email=row[7], website=row[8], text=row[9],
        html=row[10], created=from_micros(row[11]),
        edited=from_micros(row[12]) if row[12] is not None else None,
        likes=row[13], dislikes=row[14], status=Status(row[15]), client=row[16],
        avatar=row[17],
    )


def row_to_thread(row: Sequence[Any]) -> Thread:
    return Thread(id=ThreadId(row[0]), site_id=row[1], uri=row[2], title=row[3],
                  created=from_micros(row[4]), closed=bool(row[5]), version=row[6])


def row_to_site(row: Sequence[Any]) -> Site:
    return Site(id=row[0], slug=row[1], name=row[2], salt=row[3],
                settings=SiteSettings.from_mapping(orjson.loads(row[4])))


def sqlite_path(database_url: str) -> str:
    if not database_url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite URL: {database_url!r} (expected sqlite:///path.db)")
    return database_url.removeprefix("sqlite:///") or "palabre.db"


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class SQLiteReads:
    """The read queries, shared by the storage and its write transactions."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        return self.conn.execute(sql, params).fetchone()

    async def get_site(self, slug: str) -> Site | None:
        row = self._one("SELECT id, slug, name, salt, settings FROM sites WHERE slug = ?", (slug,))
        return row_to_site(row) if row else None

    async def get_site_by_id(self, site_id: int) -> Site | None:
        row = self._one("SELECT id, slug, name, salt, settings FROM sites WHERE id = ?", (site_id,))
        return row_to_site(row) if row else None

    async def get_thread(self, site_id: int, uri: str) -> Thread | None:
        row = self._one("SELECT id, site_id, uri, title, created, closed, version FROM threads "
                        "WHERE site_id = ? AND uri = ?",
                        (site_id, uri))
        return row_to_thread(row) if row else None

    async def get_thread_by_id(self, thread_id: ThreadId) -> Thread | None:
        row = self._one("SELECT id, site_id, uri, title, created, closed, version FROM threads "
                        "WHERE id = ?", (thread_id,))
        return row_to_thread(row) if row else None

    async def get_comment(self, comment_id: CommentId) -> Comment | None:
        row = self._one(SELECT_COMMENT + "WHERE id = ?", (comment_id,))
        return row_to_comment(row) if row else None

    async def visible_comments(self, thread_id: ThreadId) -> list[Comment]:
        rows = self.conn.execute(
            SELECT_COMMENT + "WHERE thread_id = ? AND status IN ('approved', 'deleted') "
            "ORDER BY id",
            (thread_id,),
        ).fetchall()
        return [row_to_comment(row) for row in rows]

    async def approved_count(self, thread_id: ThreadId) -> int:
        row = self._one("SELECT count(*) FROM comments WHERE thread_id = ? AND status = ?",
                        (thread_id, Status.APPROVED.value))
        return int(row[0])


class SQLiteWriteTx(SQLiteReads):
    async def create_site(self, slug: str, name: str, salt: str, settings: SiteSettings,
                          created: datetime) -> Site:
        cur = self.conn.execute(
            "INSERT INTO sites (slug, name, salt, settings, created) VALUES (?, ?, ?, ?, ?)",
            (slug, name, salt, orjson.dumps(settings.as_mapping()).decode(), to_micros(created)),
        )
        return Site(id=int(cur.lastrowid or 0), slug=slug, name=name, salt=salt,
                    settings=settings)

    async def update_site_settings(self, site_id: int, settings: SiteSettings) -> None:
        self.conn.execute("UPDATE sites SET settings = ? WHERE id = ?",
                          (orjson.dumps(settings.as_mapping()).decode(), site_id))
        self.conn.execute("UPDATE threads SET version = version + 1 WHERE site_id = ?",
                          (site_id,))

    async def get_or_create_thread(self, site_id: int, uri: str, title: str,
                                   created: datetime) -> Thread:
        self.conn.execute(
            "INSERT INTO threads (site_id, uri, title, created, closed, version) "
            "VALUES (?, ?, ?, ?, 0, 1) ON CONFLICT (site_id, uri) DO NOTHING",
            (site_id, uri, title, to_micros(created)),
        )
        thread = await self.get_thread(site_id, uri)
        assert thread is not None
        return thread

    async def set_thread_closed(self, thread_id: ThreadId, closed: bool) -> None:
        self.conn.execute("UPDATE threads SET closed = ?, version = version + 1 WHERE id = ?",
                          (int(closed), thread_id))

    async def bump_thread(self, thread_id: ThreadId) -> None:
        self.conn.execute("UPDATE threads SET version = version + 1 WHERE id = ?", (thread_id,))

    async def insert_comment(self, new: NewComment) -> Comment:
        cur = self.conn.execute(
            "INSERT INTO comments (thread_id, parent, reply_to, root, depth, author, email, "
            "website, text, html, created, edited, likes, dislikes, status, client, avatar, "
            "notify) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0, ?, ?, ?, ?)",
            (new.thread_id, new.parent, new.reply_to, new.root, new.depth, new.author,
             new.email, new.website, new.text, new.html, to_micros(new.created),
             new.status.value, new.client, new.avatar, int(new.notify)),
        )
        comment = await self.get_comment(CommentId(int(cur.lastrowid or 0)))
        assert comment is not None
        return comment

    async def update_comment_text(self, comment_id: CommentId, text: str, html: str,
                                  edited: datetime) -> None:
        self.conn.execute("UPDATE comments SET text = ?, html = ?, edited = ? WHERE id = ?",
                          (text, html, to_micros(edited), comment_id))

    async def set_comment_status(self, comment_id: CommentId, status: Status) -> None:
        self.conn.execute("UPDATE comments SET status = ? WHERE id = ?",
                          (status.value, comment_id))

    async def blank_comment(self, comment_id: CommentId) -> None:
        self.conn.execute(
            "UPDATE comments SET status = ?, author = '', email = '', website = '', "
            "text = '', html = '', notify = 0 WHERE id = ?",
            (Status.DELETED.value, comment_id),
        )

    async def delete_comment_row(self, comment_id: CommentId) -> None:
        self.conn.execute("DELETE FROM votes WHERE comment_id = ?", (comment_id,))
        self.conn.execute("DELETE FROM comments WHERE id = ?", (comment_id,))

    async def children(self, comment_id: CommentId) -> list[Comment]:
        rows = self.conn.execute(
            SELECT_COMMENT + "WHERE parent = ? ORDER BY id",
            (comment_id,),
        ).fetchall()
        return [row_to_comment(row) for row in rows]

    async def set_vote(self, comment_id: CommentId, voter: str, value: int) -> tuple[int, int]:
        if value == 0:
            self.conn.execute("DELETE FROM votes WHERE comment_id = ? AND voter = ?",
                              (comment_id, voter))
        else:
            self.conn.execute(
                "INSERT INTO votes (comment_id, voter, value) VALUES (?, ?, ?) "
                "ON CONFLICT (comment_id, voter) DO UPDATE SET value = excluded.value",
                (comment_id, voter, value),
            )
        row = self._one(
            "SELECT coalesce(sum(value = 1), 0), coalesce(sum(value = -1), 0) "
            "FROM votes WHERE comment_id = ?",
            (comment_id,),
        )
        likes, dislikes = int(row[0]), int(row[1])
        self.conn.execute("UPDATE comments SET likes = ?, dislikes = ? WHERE id = ?",
                          (likes, dislikes, comment_id))
        return likes, dislikes

    async def hit_rate_limit(self, key: str, window: int) -> int:
        self.conn.execute("DELETE FROM rate_limits WHERE key = ? AND window < ?", (key, window))
        row = self._one(
            "INSERT INTO rate_limits (key, window, hits) VALUES (?, ?, 1) "
            "ON CONFLICT (key, window) DO UPDATE SET hits = hits + 1 RETURNING hits",
            (key, window),
        )
        return int(row[0])

    async def has_approved_comment(self, site_id: int, email: str, client: str) -> bool:
        row = self._one(
            "SELECT 1 FROM comments c JOIN threads t ON t.id = c.thread_id "
            "WHERE (CASE WHEN ? = '' THEN c.client = ? ELSE c.email = ? END) "
            "AND t.site_id = ? AND c.status = ? LIMIT 1",
            (email, client, email, site_id, Status.APPROVED.value),
        )
        return row is not None

    async def is_banned(self, site_id: int, email_hash: str, client: str) -> bool:
        row = self._one(
            "SELECT 1 FROM bans WHERE site_id = ? AND ((kind = 'email' AND value = ?) "
            "OR (kind = 'client' AND value = ?)) LIMIT 1",
            (site_id, email_hash, client),
        )
        return row is not None

    async def add_ban(self, site_id: int, kind: str, value: str, reason: str,
                      created: datetime) -> None:
        self.conn.execute(
            "INSERT INTO bans (site_id, kind, value, reason, created) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (site_id, kind, value) DO NOTHING",
            (site_id, kind, value, reason, to_micros(created)),
        )


class SQLiteStorage(SQLiteReads):
    """Palabre's default storage: one SQLite file."""

    def __init__(self, database_url: str) -> None:
        self.path = sqlite_path(database_url)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(connect(self.path))
        self.writer = connect(self.path)
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SQLiteWriteTx]:
        async with self._lock:
            self.writer.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteWriteTx(self.writer)
            except BaseException:
                self.writer.execute("ROLLBACK")
                raise
            self.writer.execute("COMMIT")

    async def thread_version(self, site_id: int, uri: str) -> tuple[int, ThreadId] | None:
        row = self._one("SELECT version, id FROM threads WHERE site_id = ? AND uri = ?",
                        (site_id, uri))
        return (int(row[0]), ThreadId(row[1])) if row else None

    async def unchanged_since_last_check(self, token: object) -> tuple[bool, object]:
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return version == token, version

    async def counts(self, site_id: int, uris: Sequence[str]) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT t.uri, (SELECT count(*) FROM comments c WHERE c.thread_id = t.id "
            "AND c.status = 'approved') FROM threads t WHERE t.site_id = ? "
            "AND t.uri IN (SELECT value FROM json_each(?))",
            (site_id, orjson.dumps(list(uris)).decode()),
        ).fetchall()
        return {row[0]: int(row[1]) for row in rows}

    async def latest_comments(self, site_id: int, thread_id: ThreadId | None,
                              limit: int) -> list[tuple[Comment, Thread]]:
        rows = self.conn.execute(
            "SELECT c.id, c.thread_id, c.parent, c.reply_to, c.root, c.depth, c.author, "
            "c.email, c.website, c.text, c.html, c.created, c.edited, c.likes, c.dislikes, "
            "c.status, c.client, c.avatar, t.id, t.site_id, t.uri, t.title, t.created, "
            "t.closed, t.version FROM comments c JOIN threads t ON t.id = c.thread_id "
            "WHERE t.site_id = ? AND c.status = 'approved' "
            "AND (? IS NULL OR c.thread_id = ?) ORDER BY c.created DESC, c.id DESC LIMIT ?",
            (site_id, thread_id, thread_id, limit),
        ).fetchall()
        return [(row_to_comment(r[:COMMENT_WIDTH]), row_to_thread(r[COMMENT_WIDTH:]))
                for r in rows]

    async def list_sites(self) -> list[Site]:
        rows = self.conn.execute(
            "SELECT id, slug, name, salt, settings FROM sites ORDER BY id").fetchall()
        return [row_to_site(row) for row in rows]

    async def close(self) -> None:
        self.conn.close()
        self.writer.close()
