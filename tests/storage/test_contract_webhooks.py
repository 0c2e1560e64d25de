"""The storage contract, webhooks part: endpoints and their secrets, the idempotent queue of
deliveries (also the delivery log), claims fenced by the lease, requeueing and pruning,
alike on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from palabre.domain.events import ThreadClosed
from palabre.domain.ports import Storage
from palabre.domain.webhooks.models import DeliveryStatus, EndpointKind
from tests.storage.conftest import Backend
from tests.storage.test_contract import NOW, run, site_and_thread

EVENTS = ("comment.created", "thread.closed")


@pytest.fixture
def url(backend: Backend) -> Backend:
    return backend


def test_endpoints_are_added_listed_changed_and_deleted(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, thread_id = await site_and_thread(tx)
            before = await tx.add_webhook_endpoint(site_id, "https://hooks.example.org/0",
                                                   EndpointKind.EVENTS, EVENTS, "s0", NOW)
            await tx.emit(ThreadClosed(site_id=site_id, thread_id=thread_id))
            made = await tx.add_webhook_endpoint(site_id, "https://hooks.example.org/a",
                                                 EndpointKind.EVENTS, EVENTS, "s1", NOW)
            await tx.delete_webhook_endpoint(before.id)
            other = await tx.add_webhook_endpoint(site_id, "http://mod.example.org/",
                                                  EndpointKind.MODERATION, (), "s2", NOW)
        # Each endpoint knows the newest event when it was added: it gets later ones only.
        assert before.after_event < made.after_event == await store.last_event_id()
        assert (made.url, made.kind, made.events, made.enabled, made.created) == (
            "https://hooks.example.org/a", EndpointKind.EVENTS, EVENTS, True, NOW)
        assert (made.secret, made.old_secret, made.secrets) == ("s1", "", ("s1",))
        assert await store.webhook_endpoints(site_id) == [made, other]
        assert await store.webhook_endpoints(site_id + 1) == []
        assert other.events == () and "s2" not in repr(other)
        async with store.write() as tx:
            await tx.set_webhook_secrets(made.id, "s3", "s1")
            await tx.set_webhook_enabled(made.id, False)
        changed = await store.get_webhook_endpoint(made.id)
        assert changed is not None and changed.secrets == ("s3", "s1") and not changed.enabled
        async with store.write() as tx:
            await tx.enqueue_webhook(made.id, "event:1", "u1", "comment.created", 1, "{}", NOW)
            await tx.delete_webhook_endpoint(made.id)
        assert await store.get_webhook_endpoint(made.id) is None
        assert await store.webhook_deliveries(site_id, 10) == []
        assert await store.webhook_endpoints(site_id) == [other]

    run(url, work)


def test_a_delivery_is_queued_once_per_endpoint_and_key(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            a = await tx.add_webhook_endpoint(site_id, "https://a.example/", EndpointKind.EVENTS,
                                              EVENTS, "sa", NOW)
            b = await tx.add_webhook_endpoint(site_id, "https://b.example/", EndpointKind.EVENTS,
                                              EVENTS, "sb", NOW)
            assert await tx.enqueue_webhook(a.id, "event:7", "u1", "thread.closed", 7,
                                            '{"x": 1}', NOW)
            assert not await tx.enqueue_webhook(a.id, "event:7", "u2", "thread.closed", 7,
                                                '{"x": 2}', NOW)
            assert await tx.enqueue_webhook(b.id, "event:7", "u3", "thread.closed", 7,
                                            '{"x": 1}', NOW)
        log = await store.webhook_deliveries(site_id, 10)
        assert [(d.endpoint_id, d.key, d.uid, d.payload, d.status, d.attempts)
                for d in log] == [(b.id, "event:7", "u3", '{"x": 1}', DeliveryStatus.QUEUED, 0),
                                  (a.id, "event:7", "u1", '{"x": 1}', DeliveryStatus.QUEUED, 0)]
        assert log[0].event == "thread.closed" and log[0].event_id == 7
        assert (log[0].http_status, log[0].claimed, log[0].sent) == (None, None, None)

    run(url, work)


def test_claims_are_fenced_by_the_lease_and_outcomes_recorded(url: Backend) -> None:
    async def work(store: Storage) -> None:
        later = NOW + timedelta(minutes=5)
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            a = await tx.add_webhook_endpoint(site_id, "https://a.example/", EndpointKind.EVENTS,
                                              EVENTS, "sa", NOW)
            await tx.enqueue_webhook(a.id, "one", "u1", "thread.closed", 1, "{}", NOW)
            await tx.enqueue_webhook(a.id, "two", "u2", "thread.closed", 2, "{}", later)
            await tx.set_lease("webhooks", "me", NOW + timedelta(minutes=1))
        [due] = await store.due_webhook_deliveries(NOW, 10)
        assert due.key == "one"
        assert [d.key for d in await store.due_webhook_deliveries(later, 10)] == ["one", "two"]
        async with store.write() as tx:
            assert not await tx.claim_webhook(due.id, "webhooks", "someone else", NOW)
            assert not await tx.claim_webhook(due.id, "mail", "me", NOW)
            assert await tx.claim_webhook(due.id, "webhooks", "me", NOW)
            assert not await tx.claim_webhook(due.id, "webhooks", "me", NOW)  # not queued now
        claimed = (await store.webhook_deliveries(site_id, 10))[1]
        assert (claimed.status, claimed.attempts, claimed.claimed) == (
            DeliveryStatus.SENDING, 1, NOW)
        assert await store.due_webhook_deliveries(later, 10) != []
        async with store.write() as tx:
            await tx.finish_webhook(due.id, DeliveryStatus.QUEUED, "the receiver answered 503",
                                    503, later, NOW)
        retried = (await store.webhook_deliveries(site_id, 10))[1]
        assert (retried.status, retried.last_error, retried.http_status, retried.next_attempt,
                retried.claimed, retried.sent) == (
            DeliveryStatus.QUEUED, "the receiver answered 503", 503, later, None, None)
        async with store.write() as tx:
            assert await tx.claim_webhook(due.id, "webhooks", "me", NOW + timedelta(seconds=1))
            await tx.finish_webhook(due.id, DeliveryStatus.SENT, "", 204, later, later)
        sent = (await store.webhook_deliveries(site_id, 10))[1]
        assert (sent.status, sent.attempts, sent.http_status, sent.sent) == (
            DeliveryStatus.SENT, 2, 204, later)
        async with store.write() as tx:  # an expired lease claims nothing
            assert not await tx.claim_webhook(sent.id + 1, "webhooks", "me", later)

    run(url, work)


def test_interrupted_deliveries_are_queued_again_and_old_ones_pruned(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            a = await tx.add_webhook_endpoint(site_id, "https://a.example/", EndpointKind.EVENTS,
                                              EVENTS, "sa", NOW)
            for key in ("stale", "fresh", "done", "failed"):
                await tx.enqueue_webhook(a.id, key, key, "thread.closed", 1, "{}", NOW)
            await tx.set_lease("webhooks", "me", NOW + timedelta(hours=1))
        ids = {d.key: d.id for d in await store.webhook_deliveries(site_id, 10)}
        async with store.write() as tx:
            await tx.claim_webhook(ids["stale"], "webhooks", "me", NOW)
            await tx.claim_webhook(ids["fresh"], "webhooks", "me", NOW + timedelta(minutes=5))
            await tx.finish_webhook(ids["done"], DeliveryStatus.SENT, "", 200, NOW, NOW)
            await tx.finish_webhook(ids["failed"], DeliveryStatus.FAILED, "no", None, NOW, NOW)
            assert await tx.requeue_webhooks(NOW + timedelta(minutes=2)) == 1
        after = {d.key: d for d in await store.webhook_deliveries(site_id, 10)}
        assert after["stale"].status is DeliveryStatus.QUEUED
        assert after["stale"].attempts == 1 and "interrupted" in after["stale"].last_error
        assert after["fresh"].status is DeliveryStatus.SENDING
        async with store.write() as tx:
            assert await tx.prune_webhooks(NOW) == 0
            assert await tx.prune_webhooks(NOW + timedelta(seconds=1)) == 2
        assert sorted(d.key for d in await store.webhook_deliveries(site_id, 10)) == [
            "fresh", "stale"]

    run(url, work)
