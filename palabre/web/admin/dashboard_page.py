"""The dashboard: a site's comments per day by outcome, reports per day, the queue's length,
the median time to a decision and the busiest threads of the last 24 hours."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import dashboard
from palabre.web.admin.charts import Series, stacked_bars
from palabre.web.admin.desk import render_desk, site_for
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import language, translator
from palabre.web.state import state

COLOURS = {"approved": "s1", "pending": "s2", "rejected": "s3", "spam": "s4", "deleted": "s5"}


def duration(seconds: float | None, lang: str) -> str:
    """``3 h 20 min``, ``45 min``, ``30 s``; a dash without decisions."""
    if seconds is None:
        return "—"
    whole = int(seconds)
    hours, minutes = whole // 3600, whole % 3600 // 60
    t = translator(lang)
    if hours:
        return t("admin.dashboard.hours", hours=hours, minutes=minutes)
    return t("admin.dashboard.minutes", minutes=minutes) if minutes else t(
        "admin.dashboard.seconds", seconds=whole)


@page
async def dashboard_page(request: Request) -> Response:
    actor = await signed_in(request)
    site = await site_for(request, actor)
    figures = await dashboard.dashboard(state(request).ctx, site.slug, actor)
    lang = language(request)
    t = translator(lang)
    labels = [f"{d.day}/{d.month}" for d in figures.days]
    comments = stacked_bars(t("admin.dashboard.comments"), labels, [
        Series(t(f"admin.status.{status}"), COLOURS.get(status, "s5"), values)
        for status, values in figures.outcomes.items()])
    reports = stacked_bars(t("admin.dashboard.reports"), labels,
                           [Series(t("admin.dashboard.reports_series"), "s3", figures.reports)])
    return await render_desk(request, actor, "dashboard.html", site=site, figures=figures,
                             comments=comments, reports=reports,
                             wait=duration(figures.median_decision_seconds, lang))
