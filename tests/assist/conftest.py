"""The assistant's tests share one model trained on the shipped set's training slice
(about a second and a half): training is deterministic, so every test sees the same one."""

from __future__ import annotations

from functools import cache

from palabre.assist import learn, starter, training
from palabre.assist.model import TextModel
from palabre.domain.assistant import StoredModel
from palabre.domain.context import Context


@cache
def starter_model() -> TextModel:
    training, _ = starter.split()
    return learn.train(training)


_stored: list[StoredModel] = []


async def put_starter(ctx: Context) -> str:
    """Store the starter model as ``training.ensure_starter`` does, training it once per
    test session (other storages get a copy of the first one)."""
    if not _stored:
        await training.ensure_starter(ctx)
        model = await ctx.storage.latest_model(None)
        assert model is not None
        _stored.append(model)
    elif await ctx.storage.latest_model_version(None) != _stored[0].version:
        async with ctx.storage.write() as tx:
            await tx.save_model(_stored[0])
    return _stored[0].version
