"""Training a site's model, or the starter model, and storing it where every worker and
instance finds it (``palabre assist train``, and the server's child process).

A site's model learns from its decided comments: it is first trained on the older 80 % and
tested on the newer 20 % (the figures stored with it), then trained again on all of them.
"""

from __future__ import annotations

import secrets

import orjson

from palabre.assist import learn, starter
from palabre.assist.upkeep import decisions_needed
from palabre.domain.assistant import StoredModel
from palabre.domain.context import Context
from palabre.domain.models import Site

MAX_DECISIONS = 50_000  # the newest decisions a site's model learns from
KEEP_MODELS = 3  # older models of a site are dropped


def examples_of(decisions: list[tuple[str, bool]]) -> list[learn.Example]:
    return [learn.Example(text, refused) for text, refused in decisions if text.strip()]


async def site_examples(ctx: Context, site: Site) -> list[learn.Example]:
    decided = await ctx.storage.decided_comments(site.id, MAX_DECISIONS)
    return examples_of([(d.text, d.refused) for d in decided])


async def train_site(ctx: Context, site: Site) -> StoredModel | None:
    """Train and store the site's model; None while it has too few decisions."""
    if await decisions_needed(ctx, site):
        return None
    examples = await site_examples(ctx, site)
    older, newer = learn.time_split(examples)
    metrics = learn.evaluate(learn.train(older), newer, trained_on=len(older))
    model = learn.train(examples)
    now = ctx.clock()
    stored = StoredModel(version=f"site{site.id}-{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}",
                         site_id=site.id,
                         created=now, trained_on=len(examples), features="char",
                         metrics=orjson.dumps(metrics.as_dict()).decode(),
                         weights=model.to_bytes())
    async with ctx.storage.write() as tx:
        await tx.save_model(stored)
        await tx.prune_models(site.id, KEEP_MODELS)
    return stored


async def ensure_starter(ctx: Context) -> str:
    """Store the starter model of the shipped set unless it is there already; its version."""
    version = starter.version()
    if await ctx.storage.latest_model_version(None) == version:
        return version
    training, held_out = starter.split()
    metrics = learn.evaluate(learn.train(training), held_out, trained_on=len(training))
    model = learn.train(training + held_out)
    stored = StoredModel(version=version, site_id=None, created=ctx.clock(),
                         trained_on=len(training) + len(held_out), features="char",
                         metrics=orjson.dumps(metrics.as_dict()).decode(),
                         weights=model.to_bytes())
    async with ctx.storage.write() as tx:
        if await tx.latest_model_version(None) != version:  # another process was quicker
            await tx.save_model(stored)
            await tx.prune_models(None, 1)
    return version
