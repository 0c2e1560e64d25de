"""The storage contract, assistant part: stored models (newest per site, the starter model
under no site, pruning), the decisions a model learns from, and the verdicts left on
comments, alike on every backend."""

from __future__ import annotations

import pytest

from palabre.domain.assistant import StoredModel
from palabre.domain.models import Status
from palabre.domain.phases import Action, Verdict
from palabre.domain.ports import Storage
from tests.storage.conftest import Backend
from tests.storage.test_contract import NOW, new_comment, run, site_and_thread


@pytest.fixture
def url(backend: Backend) -> Backend:
    return backend


def model(version: str, site_id: int | None, weights: bytes = b"\x00\x01\xff") -> StoredModel:
    return StoredModel(version=version, site_id=site_id, created=NOW, trained_on=12,
                       features="char", metrics='{"auc": 0.9}', weights=weights)


def test_models_are_kept_per_site_newest_first_and_pruned(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            await tx.save_model(model("starter-1", None))
            await tx.save_model(model("site-1", site_id, b"\x00" * 70_000))
            await tx.save_model(model("site-2", site_id, bytes(range(256))))
        assert await store.latest_model_version(None) == "starter-1"
        assert await store.latest_model_version(site_id) == "site-2"
        assert await store.latest_model_version(site_id + 1) is None
        newest = await store.latest_model(site_id)
        assert newest is not None and newest.weights == bytes(range(256))
        assert (newest.site_id, newest.trained_on, newest.metrics) == (site_id, 12,
                                                                        '{"auc": 0.9}')
        async with store.write() as tx:
            assert await tx.prune_models(site_id, keep=1) == 1
            assert await tx.prune_models(None, keep=1) == 0
        assert await store.latest_model_version(site_id) == "site-2"
        async with store.write() as tx:
            await tx.save_model(model("site-3", site_id))
            assert await tx.prune_models(site_id, keep=0) == 2
        assert await store.latest_model(site_id) is None
        assert await store.latest_model_version(None) == "starter-1"

    run(url, work)


def test_decisions_are_the_newest_decided_comments_oldest_first(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, thread = await site_and_thread(tx)
            _, other = await site_and_thread(tx, "/b")
            statuses = [Status.APPROVED, Status.REJECTED, Status.PENDING, Status.SPAM,
                        Status.APPROVED, Status.DELETED]
            for minute, status in enumerate(statuses):
                await tx.insert_comment(new_comment(thread if minute % 2 else other,
                                                    f"text {minute}", status=status,
                                                    minutes=minute))
        decided = await store.decided_comments(site_id, 10)
        assert [(d.text, d.status) for d in decided] == [
            ("text 0", Status.APPROVED), ("text 1", Status.REJECTED),
            ("text 3", Status.SPAM), ("text 4", Status.APPROVED)]
        assert [d.refused for d in decided] == [False, True, True, False]
        assert decided[0].created == NOW
        assert [d.text for d in await store.decided_comments(site_id, 2)] == ["text 3",
                                                                              "text 4"]
        assert await store.decision_counts(site_id) == (2, 2)
        assert await store.decision_counts(site_id + 1) == (0, 0)

    run(url, work)


def test_verdicts_are_replaced_read_in_order_and_go_with_their_comment(url: Backend) -> None:
    first = Verdict("assistant", Action.HOLD, 0.91, "likely rejected",
                    (("connard", 0.42), ("«nul»", 0.1)), "site-2")
    second = Verdict("external", Action.FLAG, None, "", (), "https://mod.example.org/")
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            _, thread = await site_and_thread(tx)
            a = await tx.insert_comment(new_comment(thread, "a"))
            b = await tx.insert_comment(new_comment(thread, "b", minutes=1))
            await tx.save_verdicts(a.id, [first, second])
            await tx.save_verdicts(b.id, [second])
        assert await store.verdicts_of([a.id, b.id, b.id + 9]) == {a.id: [first, second],
                                                                   b.id: [second]}
        async with store.write() as tx:
            await tx.save_verdicts(b.id, [first])
            await tx.delete_comment_row(a.id)
        assert await store.verdicts_of([a.id, b.id]) == {b.id: [first]}
        assert await store.verdicts_of([]) == {}

    run(url, work)
