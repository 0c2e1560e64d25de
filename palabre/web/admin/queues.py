"""The queues: comments waiting for a decision (or published, reported, decided), as cards
with their actions; one search box and pages as query parameters."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import moderation, sanctions
from palabre.domain.errors import NotFound
from palabre.domain.models import Site, Thread
from palabre.web.admin.desk import render_desk, site_for
from palabre.web.admin.guard import page, signed_in
from palabre.web.state import state

PER_PAGE = 20


def article_url(site: Site, thread: Thread | None) -> str:
    """Where readers see the thread: the site's ``site_url`` and the page's path."""
    base = site.settings.site_url.rstrip("/")
    if not base or thread is None or not base.startswith(("https://", "http://")):
        return ""
    return base + thread.uri


def page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 and int(raw) > 0 else 1


@page
async def queue_page(request: Request) -> Response:
    actor = await signed_in(request)
    kind = request.path_params["kind"]
    if kind not in moderation.QUEUES:
        raise NotFound("no such queue")
    site = await site_for(request, actor)
    search = request.query_params.get("q", "")
    order = request.query_params.get("order", "")
    found = await moderation.queue_page(state(request).ctx, site.slug, actor, kind=kind,
                                        search=search,
                                        page=page_number(request.query_params.get("page")),
                                        per_page=PER_PAGE,
                                        order=order if moderation.ORDERS.get(order) == kind
                                        else "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return await render_desk(request, actor, "queue.html", site=site, kind=kind,
                             kinds=moderation.QUEUES, found=found, search=search,
                             reasons=moderation.REJECT_REASONS, sanction_kinds=sanctions.KINDS,
                             orders=[o for o, k in moderation.ORDERS.items() if k == kind],
                             article_url=article_url, here=here, percent=percent)


def percent(score: float) -> int:
    """A score from 0 to 1 as a whole percentage."""
    return round(score * 100)
