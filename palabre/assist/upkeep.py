"""Keeping every site's model current without scikit-learn in the server: which models are
due, and the lease that lets one process at a time train them.

A server worker asks :func:`due` now and then (a few counts) and, when something is due and
no one holds the lease, starts ``palabre assist train --due`` as a child process, which
takes the lease itself (:func:`take_lease`), trains what is due and stores it.
"""

from __future__ import annotations

from datetime import timedelta

from palabre.assist import starter
from palabre.domain.assistant import TRAIN_LEASE
from palabre.domain.context import Context
from palabre.domain.models import Site

LEASE_TIME = timedelta(minutes=30)  # a training run past this may be taken over
MIN_REFUSED = 30  # a site needs this many rejected comments besides its minimum


async def decisions_needed(ctx: Context, site: Site) -> int:
    """How many more decided comments the site needs before it gets a model of its own
    (0: it has enough)."""
    kept, refused = await ctx.storage.decision_counts(site.id)
    return max(0, site.settings.assist_min_decisions - kept - refused, MIN_REFUSED - refused)


async def sites_due(ctx: Context) -> list[Site]:
    """Sites with enough decisions and no model, or enough new ones since their model."""
    due = []
    for site in await ctx.storage.list_sites():
        if await decisions_needed(ctx, site):
            continue
        model = await ctx.storage.latest_model(site.id)
        kept, refused = await ctx.storage.decision_counts(site.id)
        if model is None or kept + refused - model.trained_on >= (
                ctx.config.assist_retrain_decisions):
            due.append(site)
    return due


async def starter_due(ctx: Context) -> bool:
    return await ctx.storage.latest_model_version(None) != starter.version()


async def lease_free(ctx: Context, holder: str = "") -> bool:
    lease = await ctx.storage.get_lease(TRAIN_LEASE)
    return lease is None or lease.holder == holder or lease.expires <= ctx.clock()


async def take_lease(ctx: Context, holder: str) -> bool:
    """Take the training lease for ``LEASE_TIME``; False while another holder has it."""
    async with ctx.storage.write() as tx:
        lease = await tx.get_lease(TRAIN_LEASE)
        now = ctx.clock()
        if lease is not None and lease.holder != holder and lease.expires > now:
            return False
        await tx.set_lease(TRAIN_LEASE, holder, now + LEASE_TIME)
    return True


async def release_lease(ctx: Context, holder: str) -> None:
    async with ctx.storage.write() as tx:
        lease = await tx.get_lease(TRAIN_LEASE)
        if lease is not None and lease.holder == holder:
            await tx.set_lease(TRAIN_LEASE, holder, ctx.clock())
