"""Moderation phases: what looks at a new or edited comment before it is stored.

The desk's own rules (:mod:`palabre.domain.policy`: word lists, sanctions, the author's
standing) always run; the phases here are the optional ones a site adds: the learned model
of the moderation assistant (:mod:`palabre.assist`) and an external service (a signed HTTP
POST to a URL the site configures). Each phase reads the comment and may leave a
:class:`Verdict`; the comment code combines the verdicts (:func:`combine`) with the rules.

Phases run *before* the write transaction (an external phase waits on the network; the
write lock must not), never see an email or a client key, and a phase that fails or times
out leaves no verdict: it never blocks posting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from palabre.domain.models import Site

log = logging.getLogger("palabre.phases")


class Action(StrEnum):
    """What a phase asks for. ``FLAG`` publishes the comment and puts it in front of the
    moderators (as a report would); ``REJECT`` holds it for review unless the site lets
    phases reject by themselves."""

    APPROVE = "approve"
    HOLD = "hold"
    REJECT = "reject"
    FLAG = "flag"
    NONE = "none"


@dataclass(frozen=True)
class Candidate:
    """What a phase is shown of a comment: its words and where they are posted, nothing
    that identifies the author beyond the name they chose."""

    site: Site
    uri: str
    title: str  # the page's title (as the reader's page sent it, for a new comment)
    text: str  # the Markdown the reader wrote
    author: str
    parent_text: str = ""  # the comment answered, if any
    comment_id: int | None = None  # set for an edit
    edit: bool = False


@dataclass(frozen=True)
class Verdict:
    """One phase's answer. ``score`` runs from 0 to 1 (higher: more likely rejected);
    ``features`` are the few things that drove it, as (label, weight) pairs a card can
    show; ``reason`` is a short code or sentence for the card."""

    phase: str
    action: Action = Action.NONE
    score: float | None = None
    reason: str = ""
    features: tuple[tuple[str, float], ...] = ()
    model: str = ""  # which model or endpoint answered


class Phase(Protocol):
    """A moderation phase. ``assess`` may return None (nothing to say); it must not raise
    for a bad answer of its own service (log it and return None): :func:`run_phases` also
    catches what escapes, and bounds the time."""

    name: str

    async def assess(self, candidate: Candidate) -> Verdict | None: ...


@dataclass(frozen=True)
class Assessment:
    """Every verdict left on one comment, in the order the phases ran."""

    verdicts: tuple[Verdict, ...] = field(default_factory=tuple)

    def by(self, phase: str) -> Verdict | None:
        return next((v for v in self.verdicts if v.phase == phase), None)

    def asking(self, action: Action) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.action is action)


NO_ASSESSMENT = Assessment()


async def run_phases(phases: Sequence[Phase], candidate: Candidate,
                     timeout: float = 5.0) -> Assessment:
    """Run each phase in turn; a phase that raises or runs past ``timeout`` seconds leaves
    no verdict (logged, never shown to the reader)."""
    verdicts: list[Verdict] = []
    for phase in phases:
        try:
            verdict = await asyncio.wait_for(phase.assess(candidate), timeout)
        except Exception:
            log.warning("moderation phase %s failed; the comment goes on without it",
                        phase.name, exc_info=True)
            continue
        if verdict is not None:
            verdicts.append(verdict)
    return Assessment(tuple(verdicts))
