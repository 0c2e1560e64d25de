"""Training a site's model from its own decisions (in memory): too few decisions keep the
starter model, enough train one that every worker then scores with, retraining comes due
after enough new decisions, and one process at a time holds the training lease."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from palabre.assist import starter, training, upkeep
from palabre.assist.phase import ModelPhase
from palabre.domain.comments import store_comment
from palabre.domain.inputs import parse_comment_draft
from palabre.domain.models import Status
from palabre.domain.phases import Action, Candidate
from tests.assist.conftest import put_starter
from tests.domain.conftest import Domain, domain

__all__ = ["domain"]  # the fixture, shared with the domain tests


def decide(domain: Domain, count: int, offset: int = 0) -> None:
    """Store ``count`` decided comments of the shipped set on the default site, one a
    minute, each with the status its label gives."""
    comments = starter.load()[offset:offset + count]

    async def work() -> None:
        site = await domain.ctx.site("default")
        async with domain.storage.write() as tx:
            thread = await tx.get_or_create_thread(site.id, "/debat", "Débat", domain.clock())
            for n, comment in enumerate(comments):
                draft = parse_comment_draft({"uri": "/debat", "text": comment.text})
                await store_comment(tx, site, thread, draft, client=f"c{n}",
                                    at=domain.clock() + timedelta(minutes=offset + n),
                                    status=Status.REJECTED if comment.refused
                                    else Status.APPROVED)

    domain.run(work())


def candidate(domain: Domain, text: str) -> Candidate:
    site = domain.run(domain.ctx.site("default"))
    return Candidate(site=site, uri="/debat", title="Débat", text=text, author="Lou")


def test_a_site_without_enough_decisions_uses_the_starter_model(domain: Domain) -> None:
    domain.settings(assist_min_decisions=300, assist_hold_percent=50)
    decide(domain, 100)
    site = domain.run(domain.ctx.site("default"))
    assert domain.run(upkeep.decisions_needed(domain.ctx, site)) == 200
    assert domain.run(training.train_site(domain.ctx, site)) is None
    phase = ModelPhase(domain.storage, refresh_seconds=0)
    assert domain.run(phase.assess(candidate(domain, "Merci"))) is None  # no model at all
    version = domain.run(training.ensure_starter(domain.ctx))
    assert version == starter.version()
    assert domain.run(training.ensure_starter(domain.ctx)) == version  # stored once
    verdict = domain.run(phase.assess(candidate(domain, "Espèce d'abruti, dégage")))
    assert verdict is not None and verdict.model == version and verdict.score is not None
    assert verdict.score > 0.5
    assert verdict.action is Action.NONE  # the starter model never holds by itself
    metrics = json.loads(domain.run(domain.storage.latest_model(None)).metrics)  # type: ignore[union-attr]
    assert metrics["tested_on"] > 300 and metrics["auc"] > 0.9


def test_enough_decisions_train_the_sites_own_model_which_workers_pick_up(
        domain: Domain) -> None:
    domain.settings(assist_min_decisions=300, assist_hold_percent=60)
    domain.run(put_starter(domain.ctx))
    decide(domain, 400)
    site = domain.run(domain.ctx.site("default"))
    worker = ModelPhase(domain.storage, refresh_seconds=0)
    assert domain.run(worker.model_for(site)).own is False  # type: ignore[union-attr]
    stored = domain.run(training.train_site(domain.ctx, site))
    assert stored is not None and stored.site_id == site.id and stored.trained_on == 400
    metrics = json.loads(stored.metrics)
    assert (metrics["trained_on"], metrics["tested_on"]) == (320, 80)  # older / newer
    print(f"site model on the newer 20 %: ROC AUC {metrics['auc']:.3f}")
    assert metrics["auc"] > 0.8
    verdict = domain.run(worker.assess(candidate(domain, "Tu es un abruti fini, dégage")))
    assert verdict is not None and verdict.model == stored.version
    assert verdict.action is Action.HOLD  # its own model, and a threshold set
    calm = domain.run(worker.assess(candidate(domain, "Je ne partage pas votre avis sur le "
                                                      "budget, mais merci pour l'article")))
    assert calm is not None and calm.action is Action.NONE


def test_a_worker_keeps_its_model_until_the_refresh_time(
        domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    domain.settings(assist_min_decisions=300)
    domain.run(put_starter(domain.ctx))
    decide(domain, 400)
    site = domain.run(domain.ctx.site("default"))
    first = domain.run(training.train_site(domain.ctx, site))
    slow = ModelPhase(domain.storage, refresh_seconds=3600)
    assert domain.run(slow.model_for(site)).version == first.version  # type: ignore[union-attr]
    second = domain.run(training.train_site(domain.ctx, site))
    assert second is not None and second.version != first.version  # type: ignore[union-attr]
    assert domain.run(slow.model_for(site)).version == first.version  # type: ignore[union-attr]
    slow.refresh_seconds = 0
    assert domain.run(slow.model_for(site)).version == second.version  # type: ignore[union-attr]


def test_a_worker_without_a_model_asks_again_soon(domain: Domain,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    phase = ModelPhase(domain.storage, refresh_seconds=3600)
    site = domain.run(domain.ctx.site("default"))
    assert domain.run(phase.model_for(site)) is None
    domain.run(put_starter(domain.ctx))
    assert domain.run(phase.model_for(site)) is None  # asked a moment ago
    monkeypatch.setattr("palabre.assist.phase.NO_MODEL_RECHECK_SECONDS", 0)
    assert domain.run(phase.model_for(site)) is not None  # no hour's wait for a first model


def test_retraining_comes_due_after_enough_new_decisions(domain: Domain) -> None:
    domain.settings(assist_min_decisions=300)
    domain.ctx = replace(domain.ctx, config=replace(domain.ctx.config,
                                                    assist_retrain_decisions=50))
    assert domain.run(upkeep.starter_due(domain.ctx))
    domain.run(put_starter(domain.ctx))
    assert not domain.run(upkeep.starter_due(domain.ctx))
    decide(domain, 299)
    assert domain.run(upkeep.sites_due(domain.ctx)) == []
    decide(domain, 1, offset=299)
    assert [s.slug for s in domain.run(upkeep.sites_due(domain.ctx))] == ["default"]
    site = domain.run(domain.ctx.site("default"))
    domain.run(training.train_site(domain.ctx, site))
    assert domain.run(upkeep.sites_due(domain.ctx)) == []
    decide(domain, 49, offset=300)
    assert domain.run(upkeep.sites_due(domain.ctx)) == []
    decide(domain, 1, offset=349)
    assert [s.slug for s in domain.run(upkeep.sites_due(domain.ctx))] == ["default"]


def test_one_process_at_a_time_holds_the_training_lease(domain: Domain) -> None:
    ctx = domain.ctx
    assert domain.run(upkeep.take_lease(ctx, "a"))
    assert domain.run(upkeep.take_lease(ctx, "a"))  # renewed by its holder
    assert not domain.run(upkeep.take_lease(ctx, "b"))
    assert not domain.run(upkeep.lease_free(ctx)) and domain.run(upkeep.lease_free(ctx, "a"))
    domain.run(upkeep.release_lease(ctx, "b"))  # not b's to release
    assert not domain.run(upkeep.take_lease(ctx, "b"))
    domain.run(upkeep.release_lease(ctx, "a"))
    assert domain.run(upkeep.take_lease(ctx, "b"))
    domain.clock.advance(seconds=upkeep.LEASE_TIME.total_seconds() + 1)
    assert domain.run(upkeep.take_lease(ctx, "c"))  # a holder that died is taken over
