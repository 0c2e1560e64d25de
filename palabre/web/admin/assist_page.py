"""The moderation assistant's page: the site's decisions and how many more its own model
needs, the model in use with the figures stored when it was trained, and the thresholds set.

It reads what is stored and nothing more: no scikit-learn in a server worker, and no
measuring in a request (``palabre assist report`` measures afresh).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from palabre.assist.upkeep import decisions_needed
from palabre.domain.assistant import ASSISTANT, StoredModel
from palabre.domain.context import Context
from palabre.domain.models import Site
from palabre.web.admin.desk import render_desk, site_for
from palabre.web.admin.guard import page, signed_in
from palabre.web.state import state

THRESHOLDS = ("assist_nudge_percent", "assist_hold_percent", "assist_reject_percent",
              "assist_min_decisions")


@dataclass(frozen=True)
class Figures:
    """The evaluation stored with a model (``palabre.assist.learn.Metrics``), as read back."""

    trained_on: int
    tested_on: int
    auc: float | None
    threshold: float
    precision: float
    recall: float
    confusion: tuple[int, int, int, int]  # kept→below, kept→above, refused→below, refused→above
    micros_per_comment: float

    @classmethod
    def read(cls, raw: str) -> Figures | None:
        """The figures of a model's ``metrics`` JSON; None when they cannot be read."""
        try:
            m: Any = orjson.loads(raw)
            tn, fp, fn, tp = (int(v) for v in m["confusion"])
            return cls(int(m["trained_on"]), int(m["tested_on"]),
                       None if m["auc"] is None else float(m["auc"]), float(m["threshold"]),
                       float(m["precision"]), float(m["recall"]), (tn, fp, fn, tp),
                       float(m["micros_per_comment"]))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Overview:
    running: bool  # the server scores comments with the assistant
    kept: int
    refused: int
    needed: int  # more decisions before the site's own model (0: enough)
    model: StoredModel | None  # the one in use: the site's own, else the starter one
    own: bool
    figures: Figures | None


async def overview(ctx: Context, site: Site) -> Overview:
    kept, refused = await ctx.storage.decision_counts(site.id)
    own = await ctx.storage.latest_model(site.id)
    model = own or await ctx.storage.latest_model(None)
    return Overview(running=any(p.name == ASSISTANT for p in ctx.phases), kept=kept,
                    refused=refused, needed=await decisions_needed(ctx, site), model=model,
                    own=own is not None, figures=Figures.read(model.metrics) if model else None)


@page
async def assist_page(request: Request) -> Response:
    """Admins and the site's moderators may see it; the thresholds change on the settings
    page (admins)."""
    actor = await signed_in(request)
    site = await site_for(request, actor)
    found = await overview(state(request).ctx, site)
    return await render_desk(request, actor, "assist.html", site=site, found=found,
                             thresholds=[(n, getattr(site.settings, n)) for n in THRESHOLDS])
