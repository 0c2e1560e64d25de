"""The moderation desk's part of the in-memory storage (mixed into ``memory.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from palabre.domain.assistant import ASSISTANT
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
    ThreadId,
)

if TYPE_CHECKING:
    from palabre.storage.memory import Tables

def _day(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000) // 86_400_000_000


RECENT_TEXTS = 20  # as in sql_moderation.py
SEVERITY = {SanctionAction.BAN: 0, SanctionAction.SUSPEND: 1, SanctionAction.PREMODERATE: 2}


def _matches(comment: Comment, search: str, thread: Thread) -> bool:
    needle = search.lower()
    return any(needle in field.lower() for field in (
        comment.text, comment.author, comment.email, thread.title, thread.uri))


def _by_author(comment: Comment, email: str, client: str) -> bool:
    if email:
        return comment.email.lower() == email.strip().lower()
    return comment.client == client


def _queue_key(kind: str, reports: dict[CommentId, int], risk: dict[int, float]) -> object:
    if kind == "pending":
        return lambda c: (c.created, c.id)
    if kind == "risk":  # as sql_moderation.py: highest score first, unscored last
        return lambda c: (-risk.get(c.id, -1.0), c.created, c.id)
    if kind == "reported":
        return lambda c: (-reports.get(c.id, 0), c.id)
    return lambda c: (-c.created.timestamp(), -c.id)


QUEUE_STATUSES = {"pending": (Status.PENDING,), "reported": (Status.APPROVED,),
                  "recent": (Status.APPROVED, Status.PENDING), "rejected": (Status.REJECTED,),
                  "spam": (Status.SPAM,), "risk": (Status.PENDING,)}


class MemoryModerationReads:
    tables: Tables

    def _site_comments(self, site_id: int) -> list[Comment]:
        return [c for c in self.tables.comments.values()
                if self.tables.threads[c.thread_id].site_id == site_id]

    def _report_counts(self) -> dict[CommentId, int]:
        counts: dict[CommentId, int] = {}
        for comment_id, _ in self.tables.reports:
            counts[comment_id] = counts.get(comment_id, 0) + 1
        return counts

    def _risk(self) -> dict[int, float]:
        """The assistant's score of each comment it scored."""
        return {comment_id: v.score for comment_id, verdicts in
                self.tables.assist.verdicts.items()
                for v in verdicts if v.phase == ASSISTANT and v.score is not None}

    async def moderation_queue(self, site_id: int, kind: str, search: str, offset: int,
                               limit: int) -> tuple[list[tuple[Comment, Thread]], int]:
        reports = self._report_counts()
        found = [c for c in self._site_comments(site_id)
                 if c.status in QUEUE_STATUSES[kind]
                 and (kind != "reported" or c.id in reports)
                 and (not search or _matches(c, search, self.tables.threads[c.thread_id]))]
        found.sort(key=_queue_key(kind, reports, self._risk()))  # type: ignore[arg-type]
        page = found[offset:offset + limit]
        return [(c, self.tables.threads[c.thread_id]) for c in page], len(found)

    async def reports_of(self, comment_id: CommentId) -> list[Report]:
        return sorted((r for (c, _), r in self.tables.reports.items() if c == comment_id),
                      key=lambda r: (r.created, r.reporter))

    async def author_history(self, site_id: int, email: str, client: str) -> AuthorHistory:
        mine = [c for c in self._site_comments(site_id) if _by_author(c, email, client)]
        count = {status: sum(1 for c in mine if c.status is status) for status in Status}
        return AuthorHistory(
            approved=count[Status.APPROVED], pending=count[Status.PENDING],
            rejected=count[Status.REJECTED], spam=count[Status.SPAM],
            first_seen=min((c.created for c in mine), default=None))

    async def audit_entries(self, site_ids: Sequence[int] | None, action: str | None,
                            before_id: int | None, limit: int) -> list[AuditEntry]:
        found = [e for _, e in sorted(self.tables.audit.items(), reverse=True)
                 if (before_id is None or e.id < before_id)
                 and (action is None or e.action == action)
                 and (site_ids is None or e.site_id in site_ids)]
        return found[:limit]

    async def daily_outcomes(self, site_id: int, since: datetime) -> list[tuple[int, str, int]]:
        counts: dict[tuple[int, str], int] = {}
        for c in self._site_comments(site_id):
            if c.created >= since:
                key = (_day(c.created), c.status.value)
                counts[key] = counts.get(key, 0) + 1
        return sorted((day, status, n) for (day, status), n in counts.items())

    async def daily_reports(self, site_id: int, since: datetime) -> list[tuple[int, int]]:
        counts: dict[int, int] = {}
        for (comment_id, _), report in self.tables.reports.items():
            comment = self.tables.comments[comment_id]
            if report.created >= since and self.tables.threads[
                    comment.thread_id].site_id == site_id:
                counts[_day(report.created)] = counts.get(_day(report.created), 0) + 1
        return sorted(counts.items())

    async def busiest_threads(self, site_id: int, since: datetime,
                              limit: int) -> list[tuple[Thread, int]]:
        counts: dict[int, int] = {}
        for c in self._site_comments(site_id):
            if c.created >= since:
                counts[c.thread_id] = counts.get(c.thread_id, 0) + 1
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [(self.tables.threads[ThreadId(t)], n) for t, n in ranked]

    async def list_moderators(self) -> list[Moderator]:
        return sorted(self.tables.moderators.values(), key=lambda m: m.username)

    async def bans_of_site(self, site_id: int) -> list[Ban]:
        return sorted((b for b in self.tables.bans.values() if b.site_id == site_id),
                      key=lambda b: b.id)


class MemoryModerationWrites(MemoryModerationReads):
    async def add_report(self, report: Report) -> int:
        self.tables.reports[(report.comment_id, report.reporter)] = report
        return sum(1 for c, _ in self.tables.reports if c == report.comment_id)

    async def clear_reports(self, comment_id: CommentId) -> None:
        for key in [k for k in self.tables.reports if k[0] == comment_id]:
            del self.tables.reports[key]

    async def approved_comments_of(self, site_id: int, email: str, client: str) -> int:
        wanted = email.strip().lower()
        return sum(1 for c in self._site_comments(site_id) if c.status is Status.APPROVED
                   and c.client == client and c.email.lower() == wanted)

    async def recent_decisions(self, site_id: int, email: str, client: str,
                               limit: int) -> list[Status]:
        decided = [c for c in self._site_comments(site_id) if _by_author(c, email, client)
                   and c.status in (Status.APPROVED, Status.REJECTED, Status.SPAM)]
        decided.sort(key=lambda c: (c.created, c.id), reverse=True)
        return [c.status for c in decided[:limit]]

    async def posted_since(self, site_id: int, text: str, email: str, client: str,
                           since: datetime) -> bool:
        wanted = email.strip().lower()
        by_client = [c for c in self.tables.comments.values()
                     if c.client == client and c.created >= since]
        by_email = [c for c in self.tables.comments.values()
                    if wanted and c.email.lower() == wanted and c.created >= since]
        latest = [sorted(found, key=lambda c: c.created, reverse=True)[:RECENT_TEXTS]
                  for found in (by_client, by_email)]
        return any(c.text == text and self.tables.threads[c.thread_id].site_id == site_id
                   for found in latest for c in found)

    async def shown_comments_of(self, site_id: int, email: str,
                                client: str) -> list[Comment]:
        wanted = email.strip().lower()
        found = [c for c in self._site_comments(site_id)
                 if c.status in (Status.APPROVED, Status.PENDING)
                 and ((client and c.client == client)
                      or (wanted and c.email.lower() == wanted))]
        return sorted(found, key=lambda c: (c.created, c.id))

    async def sanction_of(self, site_id: int, email_hash: str, client: str,
                          now: datetime) -> Ban | None:
        found = [b for b in self.tables.bans.values() if b.site_id == site_id and b.active(now)
                 and ((b.kind == "email" and email_hash and b.value == email_hash)
                      or (b.kind == "client" and b.value == client))]
        return min(found, key=lambda b: (SEVERITY[b.action], b.id), default=None)

    async def add_ban(self, site_id: int, kind: str, value: str, reason: str,
                      created: datetime, action: SanctionAction = SanctionAction.BAN,
                      until: datetime | None = None) -> Ban:
        key = (site_id, kind, value)
        found = self.tables.bans.get(key)
        ban_id = found.id if found else self.tables.next_id("bans")
        ban = Ban(site_id, kind, value, reason, created, action, until, ban_id)
        self.tables.bans[key] = ban
        return ban

    async def get_ban(self, ban_id: int) -> Ban | None:
        return next((b for b in self.tables.bans.values() if b.id == ban_id), None)

    async def lift_ban(self, ban_id: int) -> None:
        for key in [k for k, b in self.tables.bans.items() if b.id == ban_id]:
            del self.tables.bans[key]

    async def spend_challenge(self, key: str, expires: datetime, now: datetime) -> bool:
        spent = self.tables.spent
        for old in [k for k, at in spent.items() if at <= now]:
            del spent[old]
        if key in spent:
            return False
        spent[key] = expires
        return True

    async def audit(self, site_id: int | None, actor: str, action: str, target: str,
                    before: dict[str, object], after: dict[str, object],
                    created: datetime) -> None:
        entry = AuditEntry(self.tables.next_id("audit"), created, site_id, actor, action,
                           target, dict(before), dict(after))
        self.tables.audit[entry.id] = entry

    async def set_moderator_access(self, moderator_id: int, role: Role,
                                   sites: frozenset[int], disabled: bool) -> None:
        found = self.tables.moderators[moderator_id]
        self.tables.moderators[moderator_id] = replace(found, role=role, sites=sites,
                                                       disabled=disabled)
        if disabled:
            generations = self.tables.session_generations
            generations[moderator_id] = generations.get(moderator_id, 0) + 1
