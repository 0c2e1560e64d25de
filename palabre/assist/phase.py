"""The assistant as a moderation phase: scores each new or edited comment with the model
its site would use now (its own once trained, else the starter model), and asks for a hold
or a rejection only where the site set a threshold and has a model of its own.

Each worker keeps the models it loaded and asks the storage, at most every
``refresh_seconds`` (every 2 s while it has none), for the newest version's name: a model
trained by any process reaches every worker and instance within that time, and a score
never waits on the database otherwise.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from palabre.assist.model import ModelError, TextModel
from palabre.domain.assistant import ASSISTANT
from palabre.domain.models import Site, SiteSettings
from palabre.domain.phases import Action, Candidate, Verdict
from palabre.domain.ports import Reads

log = logging.getLogger("palabre.assist")
NO_MODEL_RECHECK_SECONDS = 2.0


@dataclass(frozen=True)
class Loaded:
    version: str
    model: TextModel
    own: bool  # the site's own model (not the starter one)


class ModelPhase:
    name = ASSISTANT

    def __init__(self, storage: Reads, refresh_seconds: float = 30.0) -> None:
        self.storage = storage
        self.refresh_seconds = refresh_seconds
        self._models: dict[int | None, Loaded | None] = {}
        self._checked: dict[int | None, float] = {}

    async def _current(self, site_id: int | None) -> Loaded | None:
        now = time.monotonic()
        held = self._models.get(site_id)
        # Without a model yet (a fresh server training its starter model), ask more often.
        wait = self.refresh_seconds if held is not None else min(self.refresh_seconds,
                                                                 NO_MODEL_RECHECK_SECONDS)
        if site_id in self._checked and now - self._checked[site_id] < wait:
            return held
        self._checked[site_id] = now
        version = await self.storage.latest_model_version(site_id)
        if version is None or (held is not None and held.version == version):
            self._models[site_id] = held if version else None
            return self._models[site_id]
        stored = await self.storage.latest_model(site_id)
        try:
            loaded = Loaded(stored.version, TextModel.from_bytes(stored.weights),
                            site_id is not None) if stored else None
        except ModelError:
            log.exception("model %s cannot be read; keeping the one in use", version)
            return held
        self._models[site_id] = loaded
        return loaded

    async def model_for(self, site: Site) -> Loaded | None:
        """The model the site uses now: its own, else the starter one (None: neither)."""
        return await self._current(site.id) or await self._current(None)

    async def assess(self, candidate: Candidate) -> Verdict | None:
        loaded = await self.model_for(candidate.site)
        if loaded is None:
            return None
        score, reasons = loaded.model.assess(candidate.text)
        return Verdict(phase=ASSISTANT, score=round(score, 4),
                       action=_action(candidate.site.settings, score, loaded.own),
                       features=reasons, model=loaded.version)


def _action(settings: SiteSettings, score: float, own: bool) -> Action:
    """Hold or reject only with the site's own model and the site's thresholds."""
    percent = score * 100
    if own and settings.assist_reject_percent and percent >= settings.assist_reject_percent:
        return Action.REJECT
    if own and settings.assist_hold_percent and percent >= settings.assist_hold_percent:
        return Action.HOLD
    return Action.NONE
