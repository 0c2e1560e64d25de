"""The storage port's part for the moderation assistant: its stored models, the decisions it
learns from, and the verdicts left on comments.

``Reads`` and ``WriteTx`` in ``ports.py`` inherit these protocols, so the domain asks one
storage for everything; each backend implements them in ``storage/sql_assist.py`` and
``storage/memory_assist.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from palabre.domain.assistant import Decision, StoredModel
from palabre.domain.phases import Verdict


class AssistReads(Protocol):
    """The read questions of this part."""

    async def latest_model(self, site_id: int | None) -> StoredModel | None:
        """The newest model of a site (None: the starter model), weights included."""
        ...

    async def latest_model_version(self, site_id: int | None) -> str | None:
        """Only the newest model's version: the cheap question workers ask to stay current."""
        ...

    async def decided_comments(self, site_id: int, limit: int) -> list[Decision]:
        """The site's newest ``limit`` approved, rejected and spam comments, oldest first."""
        ...

    async def decision_counts(self, site_id: int) -> tuple[int, int]:
        """(kept, refused): the site's approved comments, and its rejected and spam ones."""
        ...

    async def verdicts_of(self, comment_ids: Sequence[int]) -> dict[int, list[Verdict]]:
        """The verdicts the phases left on these comments, in the order they ran."""
        ...


class AssistWrites(Protocol):
    """The writes of this part, inside one write transaction."""

    async def save_model(self, model: StoredModel) -> int:
        """Store a model (its version is unique); returns its id."""
        ...

    async def prune_models(self, site_id: int | None, keep: int) -> int:
        """Drop all but the ``keep`` newest models of a site; returns how many went."""
        ...

    async def save_verdicts(self, comment_id: int, verdicts: Sequence[Verdict]) -> None:
        """Record (replace) the verdicts left on a comment."""
        ...
