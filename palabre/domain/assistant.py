"""The moderation assistant's facts, as the domain knows them: stored models, the
decisions a site's model learns from, and the verdicts left on each comment.

The learning itself (scikit-learn) is in :mod:`palabre.assist`, an optional extra; the
domain only stores and reads what it produces, so Palabre without the extra runs as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from palabre.domain.models import Status
from palabre.domain.phases import Action, Verdict

ASSISTANT = "assistant"  # the model phase's name, on verdicts and hold reasons
EXTERNAL = "external"  # the external service's phase
TRAIN_LEASE = "assist-train"  # one process trains a site's model at a time


@dataclass(frozen=True)
class StoredModel:
    """A trained model as stored: every worker and instance scores with the newest of its
    site. ``site_id`` None is the starter model (the shipped set); ``weights`` is the
    model's own serialisation (never a pickle)."""

    version: str
    site_id: int | None
    created: datetime
    trained_on: int  # decisions (or shipped examples) it learnt from
    features: str  # "char", "embed" or "char+embed"
    metrics: str  # JSON: the evaluation made when it was trained
    weights: bytes
    id: int = 0


@dataclass(frozen=True)
class Decision:
    """A comment a moderator (or the site's rules) decided on: what a model learns from."""

    comment_id: int
    text: str
    status: Status
    created: datetime

    @property
    def refused(self) -> bool:
        return self.status in (Status.REJECTED, Status.SPAM)


def verdict_row(verdict: Verdict) -> tuple[str, str, float | None, str, str]:
    """(phase, action, score, reason, model) of a verdict, as stored beside its features."""
    return (verdict.phase, verdict.action.value, verdict.score, verdict.reason[:500],
            verdict.model[:64])


def verdict_from_row(phase: str, action: str, score: float | None, reason: str, model: str,
                     features: list[tuple[str, float]]) -> Verdict:
    return Verdict(phase=phase, action=Action(action), score=score, reason=reason,
                   features=tuple((str(name), float(weight)) for name, weight in features),
                   model=model)
