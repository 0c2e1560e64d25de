"""The figures of a site's dashboard: comments per day by outcome, reports per day, the
queue's length, how long moderators take to decide, the busiest threads of the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from palabre.domain.context import Context
from palabre.domain.identity import Actor
from palabre.domain.models import Status, Thread
from palabre.domain.moderation import require

DECISIONS = ("approve", "reject", "spam")
OUTCOMES = tuple(s.value for s in (Status.APPROVED, Status.PENDING, Status.REJECTED,
                                   Status.SPAM, Status.DELETED))


@dataclass(frozen=True)
class Dashboard:
    days: list[date]  # oldest first, today last
    outcomes: dict[str, list[int]]  # status → comments made each day (still in that status)
    reports: list[int]  # readers' reports each day
    queue_length: int  # comments waiting now
    median_decision_seconds: float | None  # over the decisions of the period
    busiest: list[tuple[Thread, int]]  # threads by comments of the last 24 hours


async def dashboard(ctx: Context, site_slug: str | None, actor: Actor,
                    days: int = 14) -> Dashboard:
    site = await ctx.site(site_slug)
    require(actor, site)
    now = ctx.clock()
    first = now.date() - timedelta(days=days - 1)
    since = datetime.combine(first, time(), tzinfo=now.tzinfo)
    epoch_day = first.toordinal() - date(1970, 1, 1).toordinal()
    outcomes = {status: [0] * days for status in OUTCOMES}
    for day, status, count in await ctx.storage.daily_outcomes(site.id, since):
        if status in outcomes and 0 <= day - epoch_day < days:
            outcomes[status][day - epoch_day] += count
    reports = [0] * days
    for day, count in await ctx.storage.daily_reports(site.id, since):
        if 0 <= day - epoch_day < days:
            reports[day - epoch_day] += count
    _, waiting = await ctx.storage.moderation_queue(site.id, "pending", "", 0, 1)
    return Dashboard(
        [first + timedelta(days=n) for n in range(days)], outcomes, reports, waiting,
        await _median_wait(ctx, site.id, since),
        await ctx.storage.busiest_threads(site.id, now - timedelta(hours=24), 10))


async def _median_wait(ctx: Context, site_id: int, since: datetime) -> float | None:
    waits: list[float] = []
    before: int | None = None
    while True:
        entries = await ctx.storage.audit_entries([site_id], None, before, 500)
        for entry in entries:
            waited = entry.after.get("waited")
            if entry.action in DECISIONS and entry.created >= since and isinstance(waited,
                                                                                    int):
                waits.append(float(waited))
        if len(entries) < 500 or entries[-1].created < since:
            break
        before = entries[-1].id
    return median(waits) if waits else None
