"""The SQL of the moderation assistant: its stored models, the decisions it learns from and
the verdicts left on comments (SQLite and PostgreSQL share it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from palabre.domain.assistant import Decision, StoredModel, verdict_from_row, verdict_row
from palabre.domain.models import Status
from palabre.domain.phases import Verdict
from palabre.storage.sql_rows import Statements, from_micros, to_micros

MODEL_COLUMNS = "version, site_id, created, trained_on, features, metrics, weights, id"
# "IS NOT DISTINCT FROM" reads a NULL site (the starter model) as a value, on both backends.
BY_SITE = "FROM assist_models WHERE site_id IS NOT DISTINCT FROM ? "


def row_to_model(row: Sequence[Any]) -> StoredModel:
    return StoredModel(version=row[0], site_id=row[1], created=from_micros(row[2]),
                       trained_on=int(row[3]), features=row[4], metrics=row[5],
                       weights=bytes(row[6]), id=int(row[7]))


class AssistReads(Statements):
    """Read queries."""

    async def latest_model(self, site_id: int | None) -> StoredModel | None:
        row = await self._one("SELECT " + MODEL_COLUMNS + " " + BY_SITE
                              + "ORDER BY id DESC LIMIT 1", (site_id,))
        return row_to_model(row) if row else None

    async def latest_model_version(self, site_id: int | None) -> str | None:
        row = await self._one("SELECT version " + BY_SITE + "ORDER BY id DESC LIMIT 1",
                              (site_id,))
        return str(row[0]) if row else None

    async def decided_comments(self, site_id: int, limit: int) -> list[Decision]:
        rows = await self._all(
            "SELECT c.id, c.text, c.status, c.created FROM comments c JOIN threads t "
            "ON t.id = c.thread_id WHERE t.site_id = ? AND c.status IN ('approved', "
            "'rejected', 'spam') ORDER BY c.created DESC, c.id DESC LIMIT ?", (site_id, limit))
        return [Decision(int(r[0]), r[1], Status(r[2]), from_micros(r[3]))
                for r in reversed(rows)]

    async def decision_counts(self, site_id: int) -> tuple[int, int]:
        rows = await self._all(
            "SELECT c.status, count(*) FROM comments c JOIN threads t ON t.id = c.thread_id "
            "WHERE t.site_id = ? AND c.status IN ('approved', 'rejected', 'spam') "
            "GROUP BY c.status", (site_id,))
        counts = {r[0]: int(r[1]) for r in rows}
        return counts.get("approved", 0), counts.get("rejected", 0) + counts.get("spam", 0)

    async def verdicts_of(self, comment_ids: Sequence[int]) -> dict[int, list[Verdict]]:
        found: dict[int, list[Verdict]] = {}
        for start in range(0, len(comment_ids), 500):
            chunk = list(comment_ids[start:start + 500])
            marks = ", ".join("?" for _ in chunk)  # placeholders only, never values
            rows = await self._all(
                "SELECT comment_id, phase, action, score, reason, model, features "
                "FROM assist_verdicts WHERE comment_id IN (" + marks + ") "
                "ORDER BY comment_id, position", chunk)
            for r in rows:
                found.setdefault(int(r[0]), []).append(verdict_from_row(
                    r[1], r[2], None if r[3] is None else float(r[3]), r[4], r[5],
                    orjson.loads(r[6])))
        return found


class AssistWrites(Statements):
    """Write statements, inside one transaction."""

    async def save_model(self, model: StoredModel) -> int:
        row = await self._one(
            "INSERT INTO assist_models (version, site_id, created, trained_on, features, "
            "metrics, weights) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (model.version, model.site_id, to_micros(model.created), model.trained_on,
             model.features, model.metrics, model.weights))
        return int(row[0])

    async def prune_models(self, site_id: int | None, keep: int) -> int:
        rows = await self._all("SELECT id " + BY_SITE + "ORDER BY id DESC", (site_id,))
        gone = [int(r[0]) for r in rows[keep:]]
        for model_id in gone:
            await self._run("DELETE FROM assist_models WHERE id = ?", (model_id,))
        return len(gone)

    async def save_verdicts(self, comment_id: int, verdicts: Sequence[Verdict]) -> None:
        await self._run("DELETE FROM assist_verdicts WHERE comment_id = ?", (comment_id,))
        for position, verdict in enumerate(verdicts):
            phase, action, score, reason, model = verdict_row(verdict)
            await self._run(
                "INSERT INTO assist_verdicts (comment_id, phase, action, score, reason, "
                "model, features, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (comment_id, phase, action, score, reason, model,
                 orjson.dumps([list(f) for f in verdict.features]).decode(), position))
