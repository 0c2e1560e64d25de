"""The moderation desk's SQL: queues, reports, authors' standing, sanctions, moderators'
roles and the audit log. Mixed into the shared SQL classes of ``sql.py``; same dialect
rules (``?`` placeholders, no SQL built from values)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from palabre.domain.models import (
    AuditEntry,
    AuthorHistory,
    Ban,
    Comment,
    CommentId,
    Moderator,
    Report,
    Role,
    SanctionAction,
    Status,
    Thread,
)
from palabre.storage.sql_rows import (
    COMMENT_WIDTH,
    JOINED_THREAD,
    SELECT_COMMENT_JOINED,
    THREAD_COLUMNS,
    Statements,
    from_micros,
    row_to_comment,
    row_to_thread,
    to_micros,
)

# Each queue: its condition on the comment (c) and its order. Constant strings only.
QUEUES = {
    "pending": ("c.status = 'pending'", "c.created, c.id"),
    "reported": ("c.status = 'approved' AND EXISTS (SELECT 1 FROM reports r "
                 "WHERE r.comment_id = c.id)",
                 "(SELECT count(*) FROM reports r WHERE r.comment_id = c.id) DESC, c.id"),
    "recent": ("c.status IN ('approved', 'pending')", "c.created DESC, c.id DESC"),
    "rejected": ("c.status = 'rejected'", "c.created DESC, c.id DESC"),
    "spam": ("c.status = 'spam'", "c.created DESC, c.id DESC"),
    # The pending comments, the assistant's score highest first (its phase is named
    # "assistant": domain/assistant.py), unscored ones last, then oldest first.
    "risk": ("c.status = 'pending'",
             "COALESCE((SELECT v.score FROM assist_verdicts v WHERE v.comment_id = c.id "
             "AND v.phase = 'assistant'), -1) DESC, c.created, c.id"),
}
SEARCH = (" AND (lower(c.text) LIKE ? ESCAPE '!' OR lower(c.author) LIKE ? ESCAPE '!' "
          "OR lower(c.email) LIKE ? ESCAPE '!' OR lower(t.title) LIKE ? ESCAPE '!' "
          "OR lower(t.uri) LIKE ? ESCAPE '!')")
# Which of an author's comments are theirs: by email when given, else by client key (two
# constant conditions, each served by its index).
BY_EMAIL = "lower(c.email) = ?"
BY_CLIENT = "c.client = ?"
SELECT_BAN = "SELECT site_id, kind, value, reason, created, action, until, id FROM bans "
DAY = 86_400_000_000  # microseconds
RECENT_TEXTS = 20  # an author's latest comments a duplicate is looked for among
SEVERITY = "CASE action WHEN 'ban' THEN 0 WHEN 'suspend' THEN 1 ELSE 2 END"


def like_pattern(search: str) -> str:
    escaped = search.lower().replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def row_to_ban(r: Sequence[Any]) -> Ban:
    return Ban(r[0], r[1], r[2], r[3], from_micros(r[4]), SanctionAction(r[5]),
               from_micros(r[6]) if r[6] is not None else None, int(r[7]))


def by_author(email: str, client: str) -> tuple[str, str]:
    """The condition picking an author's comments, and its parameter."""
    return (BY_EMAIL, email.strip().lower()) if email else (BY_CLIENT, client)


class ModerationReads(Statements):
    """The desk's read queries (the backend supplies ``_one`` and ``_all``)."""

    async def moderation_queue(self, site_id: int, kind: str, search: str, offset: int,
                               limit: int) -> tuple[list[tuple[Comment, Thread]], int]:
        condition, order = QUEUES[kind]
        where = "WHERE t.site_id = ? AND " + condition
        params: list[Any] = [site_id]
        if search:
            where += SEARCH
            params += [like_pattern(search)] * 5
        rows = await self._all(SELECT_COMMENT_JOINED + JOINED_THREAD + where + " ORDER BY "
                               + order + " LIMIT ? OFFSET ?", (*params, limit, offset))
        if search:
            count = "SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id "
            total = await self._one(count + where, params)
        else:  # counted in the (thread, status) index alone: a long queue stays cheap
            count = ("SELECT count(*) FROM comments c WHERE c.thread_id IN (SELECT id "
                     "FROM threads WHERE site_id = ?) AND ")
            total = await self._one(count + condition, (site_id,))
        return ([(row_to_comment(r[:COMMENT_WIDTH]), row_to_thread(r[COMMENT_WIDTH:]))
                 for r in rows], int(total[0]))

    async def reports_of(self, comment_id: CommentId) -> list[Report]:
        rows = await self._all("SELECT comment_id, reporter, reason, note, created "
                               "FROM reports WHERE comment_id = ? ORDER BY created, reporter",
                               (comment_id,))
        return [Report(CommentId(r[0]), r[1], r[2], r[3], from_micros(r[4])) for r in rows]

    async def author_history(self, site_id: int, email: str, client: str) -> AuthorHistory:
        sql = ("SELECT c.status, count(*), min(c.created) FROM comments c JOIN threads t "
               "ON t.id = c.thread_id WHERE t.site_id = ? AND ")
        condition, value = by_author(email, client)
        rows = await self._all(sql + condition + " GROUP BY c.status", (site_id, value))
        counts = {r[0]: int(r[1]) for r in rows}
        first = min((int(r[2]) for r in rows), default=None)
        return AuthorHistory(
            approved=counts.get("approved", 0), pending=counts.get("pending", 0),
            rejected=counts.get("rejected", 0), spam=counts.get("spam", 0),
            first_seen=from_micros(first) if first is not None else None)

    async def audit_entries(self, site_ids: Sequence[int] | None, action: str | None,
                            before_id: int | None, limit: int) -> list[AuditEntry]:
        sql = ("SELECT id, created, site_id, actor, action, object, before, after "
               "FROM audit_log WHERE id < ? AND (CAST(? AS TEXT) IS NULL OR action = ?)")
        params: list[Any] = [before_id or 2**62, action, action]
        if site_ids is not None:  # placeholders only: the values are parameters
            sql += " AND site_id IN (" + ", ".join("?" * max(1, len(site_ids))) + ")"
            params += list(site_ids) or [-1]
        rows = await self._all(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [AuditEntry(int(r[0]), from_micros(r[1]), r[2], r[3], r[4], r[5],
                           orjson.loads(r[6]), orjson.loads(r[7])) for r in rows]

    async def daily_outcomes(self, site_id: int, since: datetime) -> list[tuple[int, str, int]]:
        rows = await self._all(
            "SELECT c.created / ?, c.status, count(*) FROM comments c JOIN threads t "
            "ON t.id = c.thread_id WHERE t.site_id = ? AND c.created >= ? "
            "GROUP BY 1, 2", (DAY, site_id, to_micros(since)))
        return sorted((int(r[0]), str(r[1]), int(r[2])) for r in rows)

    async def daily_reports(self, site_id: int, since: datetime) -> list[tuple[int, int]]:
        rows = await self._all(
            "SELECT r.created / ?, count(*) FROM reports r JOIN comments c "
            "ON c.id = r.comment_id JOIN threads t ON t.id = c.thread_id "
            "WHERE t.site_id = ? AND r.created >= ? GROUP BY 1",
            (DAY, site_id, to_micros(since)))
        return sorted((int(r[0]), int(r[1])) for r in rows)

    async def busiest_threads(self, site_id: int, since: datetime,
                              limit: int) -> list[tuple[Thread, int]]:
        sql = "SELECT " + ", ".join(f"t.{c.strip()}" for c in THREAD_COLUMNS.split(","))
        rows = await self._all(
            sql + ", count(*) FROM comments c JOIN threads t ON t.id = c.thread_id "
            "WHERE t.site_id = ? AND c.created >= ? GROUP BY " + ", ".join(
                f"t.{c.strip()}" for c in THREAD_COLUMNS.split(",")) +
            " ORDER BY count(*) DESC, t.id LIMIT ?", (site_id, to_micros(since), limit))
        return [(row_to_thread(r[:-1]), int(r[-1])) for r in rows]

    async def _moderators(self, where: str, params: Sequence[Any]) -> list[Moderator]:
        rows = await self._all("SELECT id, username, password_hash, role, disabled "
                               "FROM moderators " + where, params)
        if not rows:
            return []
        among = ("SELECT moderator_id, site_id FROM moderator_sites WHERE moderator_id IN "
                 "(SELECT id FROM moderators ")
        links = await self._all(among + where + ")", params)
        sites: dict[int, set[int]] = {}
        for moderator_id, site_id in links:
            sites.setdefault(int(moderator_id), set()).add(int(site_id))
        return [Moderator(r[0], r[1], r[2], Role(r[3]), frozenset(sites.get(r[0], ())),
                          bool(r[4])) for r in rows]

    async def list_moderators(self) -> list[Moderator]:
        return await self._moderators("ORDER BY username", ())

    async def get_moderator(self, username: str) -> Moderator | None:
        found = await self._moderators("WHERE username = ?", (username,))
        return found[0] if found else None

    async def get_moderator_by_id(self, moderator_id: int) -> Moderator | None:
        found = await self._moderators("WHERE id = ?", (moderator_id,))
        return found[0] if found else None

    async def get_moderator_session(self, moderator_id: int) -> tuple[Moderator, int] | None:
        moderator = await self.get_moderator_by_id(moderator_id)
        if moderator is None:
            return None
        row = await self._one("SELECT session_generation FROM moderators WHERE id = ?",
                              (moderator_id,))
        return moderator, int(row[0])

    async def bans_of_site(self, site_id: int) -> list[Ban]:
        rows = await self._all(SELECT_BAN + "WHERE site_id = ? ORDER BY id", (site_id,))
        return [row_to_ban(r) for r in rows]


class ModerationWrites(Statements):
    """The desk's write statements, inside a write transaction."""

    async def add_report(self, report: Report) -> int:
        await self._run(
            "INSERT INTO reports (comment_id, reporter, reason, note, created) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (comment_id, reporter) DO UPDATE SET "
            "reason = excluded.reason, note = excluded.note, created = excluded.created",
            (report.comment_id, report.reporter, report.reason, report.note,
             to_micros(report.created)))
        row = await self._one("SELECT count(*) FROM reports WHERE comment_id = ?",
                              (report.comment_id,))
        return int(row[0])

    async def clear_reports(self, comment_id: CommentId) -> None:
        await self._run("DELETE FROM reports WHERE comment_id = ?", (comment_id,))

    async def approved_comments_of(self, site_id: int, email: str, client: str) -> int:
        row = await self._one(
            "SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id "
            "WHERE t.site_id = ? AND c.status = 'approved' AND c.client = ? "
            "AND lower(c.email) = ?", (site_id, client, email.strip().lower()))
        return int(row[0])

    async def recent_decisions(self, site_id: int, email: str, client: str,
                               limit: int) -> list[Status]:
        sql = ("SELECT c.status FROM comments c JOIN threads t ON t.id = c.thread_id "
               "WHERE t.site_id = ? AND c.status IN ('approved', 'rejected', 'spam') AND ")
        condition, value = by_author(email, client)
        rows = await self._all(sql + condition + " ORDER BY c.created DESC, c.id DESC LIMIT ?",
                               (site_id, value, limit))
        return [Status(r[0]) for r in rows]

    async def posted_since(self, site_id: int, text: str, email: str, client: str,
                           since: datetime) -> bool:
        # The author's latest comments only (by client key, then by email), each a range of
        # one index read backwards, whatever a heavy poster wrote before.
        at, mail = to_micros(since), email.strip().lower() or "@"  # "@": no one's email
        row = await self._one(
            "SELECT 1 FROM (SELECT c.text, c.thread_id FROM comments c WHERE c.client = ? "
            "AND c.created >= ? ORDER BY c.created DESC LIMIT ?) r JOIN threads t "
            "ON t.id = r.thread_id WHERE t.site_id = ? AND r.text = ? UNION ALL "
            "SELECT 1 FROM (SELECT c.text, c.thread_id FROM comments c WHERE lower(c.email) = ? "
            "AND c.created >= ? ORDER BY c.created DESC LIMIT ?) m JOIN threads t "
            "ON t.id = m.thread_id WHERE t.site_id = ? AND m.text = ? LIMIT 1",
            (client, at, RECENT_TEXTS, site_id, text, mail, at, RECENT_TEXTS, site_id, text))
        return row is not None

    async def shown_comments_of(self, site_id: int, email: str,
                                client: str) -> list[Comment]:
        mail = email.strip().lower() or "@"  # "@": no one's email, nor client key
        rows = await self._all(
            SELECT_COMMENT_JOINED + " FROM comments c JOIN threads t ON t.id = c.thread_id "
            "WHERE t.site_id = ? AND c.status IN ('approved', 'pending') "
            "AND (c.client = ? OR lower(c.email) = ?) ORDER BY c.created, c.id",
            (site_id, client or "@", mail))
        return [row_to_comment(r) for r in rows]

    async def sanction_of(self, site_id: int, email_hash: str, client: str,
                          now: datetime) -> Ban | None:
        row = await self._one(
            SELECT_BAN + "WHERE site_id = ? AND ((kind = 'email' AND value = ? AND ? <> '') "
            "OR (kind = 'client' AND value = ?)) AND (until IS NULL OR until > ?) "
            "ORDER BY " + SEVERITY + ", id LIMIT 1",
            (site_id, email_hash, email_hash, client, to_micros(now)))
        return row_to_ban(row) if row else None

    async def add_ban(self, site_id: int, kind: str, value: str, reason: str,
                      created: datetime, action: SanctionAction = SanctionAction.BAN,
                      until: datetime | None = None) -> Ban:
        row = await self._one(
            "INSERT INTO bans (site_id, kind, value, reason, created, action, until) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, kind, value) DO UPDATE SET "
            "reason = excluded.reason, created = excluded.created, action = excluded.action, "
            "until = excluded.until RETURNING site_id, kind, value, reason, created, action, "
            "until, id",
            (site_id, kind, value, reason, to_micros(created), action.value,
             to_micros(until) if until else None))
        return row_to_ban(row)

    async def get_ban(self, ban_id: int) -> Ban | None:
        row = await self._one(SELECT_BAN + "WHERE id = ?", (ban_id,))
        return row_to_ban(row) if row else None

    async def lift_ban(self, ban_id: int) -> None:
        await self._run("DELETE FROM bans WHERE id = ?", (ban_id,))

    async def spend_challenge(self, key: str, expires: datetime, now: datetime) -> bool:
        await self._run("DELETE FROM spent_challenges WHERE expires <= ?", (to_micros(now),))
        row = await self._one("INSERT INTO spent_challenges (key, expires) VALUES (?, ?) "
                              "ON CONFLICT (key) DO NOTHING RETURNING key",
                              (key, to_micros(expires)))
        return row is not None

    async def audit(self, site_id: int | None, actor: str, action: str, target: str,
                    before: dict[str, object], after: dict[str, object],
                    created: datetime) -> None:
        await self._run(
            "INSERT INTO audit_log (created, site_id, actor, action, object, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (to_micros(created), site_id, actor, action, target,
             orjson.dumps(before, default=str).decode(),
             orjson.dumps(after, default=str).decode()))

    async def set_moderator_access(self, moderator_id: int, role: Role,
                                   sites: frozenset[int], disabled: bool) -> None:
        await self._run("UPDATE moderators SET role = ?, disabled = ?, "
                        "session_generation = session_generation + ? WHERE id = ?",
                        (role.value, disabled, 1 if disabled else 0, moderator_id))
        await self._run("DELETE FROM moderator_sites WHERE moderator_id = ?", (moderator_id,))
        for site_id in sorted(sites):
            await self._run("INSERT INTO moderator_sites (moderator_id, site_id) "
                            "VALUES (?, ?)", (moderator_id, site_id))
