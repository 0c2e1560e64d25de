"""The assistant's tests share one model trained on the shipped set's training slice
(about a second and a half): training is deterministic, so every test sees the same one."""

from __future__ import annotations

from functools import cache

from palabre.assist import learn, starter
from palabre.assist.model import TextModel


@cache
def starter_model() -> TextModel:
    training, _ = starter.split()
    return learn.train(training)
