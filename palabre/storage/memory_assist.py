"""The in-memory backend's part for the moderation assistant: its stored models, the
decisions it learns from and the verdicts left on comments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from palabre.domain.assistant import Decision, StoredModel
from palabre.domain.models import Status
from palabre.domain.phases import Verdict

if TYPE_CHECKING:
    from palabre.storage.memory import Tables

DECIDED = (Status.APPROVED, Status.REJECTED, Status.SPAM)


@dataclass
class AssistTables:
    """This part's tables; ``copy`` gives a transaction its own copy."""

    models: dict[int, StoredModel] = field(default_factory=dict)
    verdicts: dict[int, list[Verdict]] = field(default_factory=dict)

    def copy(self) -> AssistTables:
        return AssistTables(**{name: value.copy() for name, value in vars(self).items()})


class MemoryAssistReads:
    tables: Tables

    def _models_of(self, site_id: int | None) -> list[StoredModel]:
        return [m for _, m in sorted(self.tables.assist.models.items())
                if m.site_id == site_id]

    async def latest_model(self, site_id: int | None) -> StoredModel | None:
        models = self._models_of(site_id)
        return models[-1] if models else None

    async def latest_model_version(self, site_id: int | None) -> str | None:
        model = await self.latest_model(site_id)
        return model.version if model else None

    def _decided(self, site_id: int) -> list[Decision]:
        threads = {t.id for t in self.tables.threads.values() if t.site_id == site_id}
        return [Decision(c.id, c.text, c.status, c.created)
                for c in self.tables.comments.values()
                if c.thread_id in threads and c.status in DECIDED]

    async def decided_comments(self, site_id: int, limit: int) -> list[Decision]:
        decided = sorted(self._decided(site_id), key=lambda d: (d.created, d.comment_id))
        return decided[-limit:] if limit > 0 else []

    async def decision_counts(self, site_id: int) -> tuple[int, int]:
        decided = self._decided(site_id)
        refused = sum(1 for d in decided if d.refused)
        return len(decided) - refused, refused

    async def verdicts_of(self, comment_ids: Sequence[int]) -> dict[int, list[Verdict]]:
        verdicts = self.tables.assist.verdicts
        return {i: list(verdicts[i]) for i in comment_ids if verdicts.get(i)}


class MemoryAssistWrites:
    tables: Tables

    async def save_model(self, model: StoredModel) -> int:
        if any(m.version == model.version for m in self.tables.assist.models.values()):
            raise ValueError(f"model version {model.version} exists")
        model_id = self.tables.next_id("assist_models")
        self.tables.assist.models[model_id] = replace(model, id=model_id)
        return model_id

    async def prune_models(self, site_id: int | None, keep: int) -> int:
        mine = sorted((m.id for m in self.tables.assist.models.values()
                       if m.site_id == site_id), reverse=True)
        for model_id in mine[keep:]:
            del self.tables.assist.models[model_id]
        return len(mine[keep:])

    async def save_verdicts(self, comment_id: int, verdicts: Sequence[Verdict]) -> None:
        self.tables.assist.verdicts[comment_id] = list(verdicts)
