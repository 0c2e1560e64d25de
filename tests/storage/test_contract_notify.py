"""The storage contract, mail part: subscribers, the idempotent queue (also the delivery
log), claims fenced by the lease, and forgetting an address, alike on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from palabre.domain.events import ThreadClosed
from palabre.domain.mail.models import Digest, MailKind, MailStatus, SubscriberState
from palabre.domain.models import SiteSettings
from palabre.domain.ports import Storage
from tests.storage.conftest import Backend
from tests.storage.test_contract import NOW, new_comment, run, site_and_thread


@pytest.fixture
def url(backend: Backend) -> Backend:
    return backend


def test_subscribers_are_saved_found_and_changed(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            made = await tx.save_subscriber(site_id, "key-a", "a@example.org", "fr",
                                            SubscriberState.PENDING, NOW, NOW)
        assert await store.get_subscriber(made.id) == made
        assert made.state is SubscriberState.PENDING and made.asked == NOW
        assert await store.find_subscriber(site_id, "key-a") == made
        assert await store.find_subscriber(site_id, "key-b") is None
        async with store.write() as tx:
            again = await tx.save_subscriber(site_id, "key-a", "", "en",
                                             SubscriberState.UNSUBSCRIBED, None,
                                             NOW + timedelta(days=1))
        assert again.id == made.id and again.created == NOW
        assert (again.email, again.lang, again.state, again.asked) == (
            "", "en", SubscriberState.UNSUBSCRIBED, None)

    run(url, work)


def test_enqueueing_is_idempotent_per_subscriber_and_key(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            a = await tx.save_subscriber(site_id, "a", "a@x.org", "en",
                                         SubscriberState.CONFIRMED, None, NOW)
            b = await tx.save_subscriber(site_id, "b", "b@x.org", "en",
                                         SubscriberState.CONFIRMED, None, NOW)
            assert await tx.enqueue_mail(a.id, "reply:7", MailKind.REPLY, 3, "{}", NOW)
            assert not await tx.enqueue_mail(a.id, "reply:7", MailKind.REPLY, 4, "{}", NOW)
            assert await tx.enqueue_mail(b.id, "reply:7", MailKind.REPLY, 3, "{}", NOW)
        mails = await store.outgoing_mails(a.id, 10)
        assert [(m.key, m.event_id, m.status, m.attempts) for m in mails] == [
            ("reply:7", 3, MailStatus.QUEUED, 0)]
        assert len(await store.outgoing_mails(None, 10)) == 2

    run(url, work)


def test_due_mails_claims_and_outcomes(url: Backend) -> None:
    async def work(store: Storage) -> None:
        later = NOW + timedelta(minutes=5)
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            a = await tx.save_subscriber(site_id, "a", "a@x.org", "en",
                                         SubscriberState.CONFIRMED, None, NOW)
            await tx.enqueue_mail(a.id, "one", MailKind.REPLY, 1, '{"body": 1}', NOW)
            await tx.enqueue_mail(a.id, "two", MailKind.REPLY, 2, '{"body": 2}', later)
            await tx.set_lease("mail", "me", NOW + timedelta(minutes=1))
        due = await store.due_mails(NOW, 10)
        assert [m.key for m in due] == ["one"]
        async with store.write() as tx:
            assert not await tx.claim_mail(due[0].id, "mail", "someone else", NOW)
            assert await tx.claim_mail(due[0].id, "mail", "me", NOW)
            assert not await tx.claim_mail(due[0].id, "mail", "me", NOW)  # not queued now
        claimed = (await store.outgoing_mails(a.id, 10))[1]
        assert (claimed.status, claimed.attempts, claimed.claimed) == (
            MailStatus.SENDING, 1, NOW)
        assert [m.key for m in await store.due_mails(later, 10)] == ["two"]
        async with store.write() as tx:
            await tx.finish_mail(due[0].id, MailStatus.QUEUED, "421 busy", later, NOW)
        retried = (await store.outgoing_mails(a.id, 10))[1]
        assert (retried.status, retried.last_error, retried.message) == (
            MailStatus.QUEUED, "421 busy", '{"body": 1}')
        assert [m.key for m in await store.due_mails(later, 10)] == ["one", "two"]
        async with store.write() as tx:
            assert await tx.claim_mail(due[0].id, "mail", "me", NOW)
            await tx.finish_mail(due[0].id, MailStatus.SENT, "", later, later)
        sent = (await store.outgoing_mails(a.id, 10))[1]
        assert (sent.status, sent.attempts, sent.sent, sent.message) == (
            MailStatus.SENT, 2, later, "")

    run(url, work)


def test_an_expired_lease_claims_nothing(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            a = await tx.save_subscriber(site_id, "a", "a@x.org", "en",
                                         SubscriberState.CONFIRMED, None, NOW)
            await tx.enqueue_mail(a.id, "one", MailKind.REPLY, 1, "{}", NOW)
            await tx.set_lease("mail", "me", NOW)
        lease = await store.get_lease("mail")
        assert lease is not None and (lease.holder, lease.expires) == ("me", NOW)
        assert await store.get_lease("other") is None
        mail = (await store.due_mails(NOW, 1))[0]
        async with store.write() as tx:
            assert not await tx.claim_mail(mail.id, "mail", "me", NOW)

    run(url, work)


def test_mails_left_sending_are_given_up_not_sent_again(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            a = await tx.save_subscriber(site_id, "a", "a@x.org", "en",
                                         SubscriberState.CONFIRMED, None, NOW)
            await tx.enqueue_mail(a.id, "one", MailKind.REPLY, 1, "{}", NOW)
            await tx.enqueue_mail(a.id, "two", MailKind.REPLY, 2, "{}", NOW)
            await tx.set_lease("mail", "me", NOW + timedelta(hours=1))
            first, second = await tx.due_mails(NOW, 10)
            await tx.claim_mail(first.id, "mail", "me", NOW)
            await tx.claim_mail(second.id, "mail", "me", NOW + timedelta(minutes=20))
            assert await tx.abandon_mails(NOW + timedelta(minutes=10), NOW) == 1
        statuses = {m.key: (m.status, m.message) for m in await store.outgoing_mails(a.id, 10)}
        assert statuses == {"one": (MailStatus.FAILED, ""), "two": (MailStatus.SENDING, "{}")}

    run(url, work)


def test_forgetting_an_address_removes_its_subscribers_and_mails(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            other = await tx.create_site("other", "Other", "salt", SiteSettings(), NOW)
            a = await tx.save_subscriber(site_id, "key-a", "Ann@x.org", "en",
                                         SubscriberState.CONFIRMED, None, NOW)
            gone = await tx.save_subscriber(other.id, "key-a", "", "en",
                                            SubscriberState.UNSUBSCRIBED, None, NOW)
            kept = await tx.save_subscriber(site_id, "key-b", "bob@x.org", "en",
                                            SubscriberState.CONFIRMED, None, NOW)
            await tx.enqueue_mail(a.id, "one", MailKind.REPLY, 1, "{}", NOW)
            await tx.enqueue_mail(kept.id, "one", MailKind.REPLY, 1, "{}", NOW)
            assert await tx.forget_subscribers("key-a", "ann@x.org") == 2
            # By the address alone too (a caller without the secret's keyed hash).
            assert await tx.forget_subscribers("wrong-key", "BOB@x.org") == 1
        assert await store.get_subscriber(a.id) is None
        assert await store.get_subscriber(gone.id) is None
        assert await store.get_subscriber(kept.id) is None
        assert await store.outgoing_mails(None, 10) == []

    run(url, work)


def test_notify_flag_and_last_event(url: Backend) -> None:
    async def work(store: Storage) -> None:
        assert await store.last_event_id() == 0
        async with store.write() as tx:
            site_id, thread_id = await site_and_thread(tx)
            quiet = await tx.insert_comment(new_comment(thread_id))
            asking = await tx.insert_comment(replace(new_comment(thread_id), notify=True))
            await tx.emit(ThreadClosed(site_id=site_id, thread_id=thread_id))
            await tx.emit(ThreadClosed(site_id=site_id, thread_id=thread_id))
        assert not await store.wants_replies(quiet.id)
        assert await store.wants_replies(asking.id)
        events = await store.events_after(0, 10)
        assert await store.last_event_id() == events[-1].id

    run(url, work)


def test_the_log_of_mails_done_with_is_pruned(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            a = await tx.save_subscriber(site_id, "a", "a@x.org", "en",
                                         SubscriberState.CONFIRMED, None, NOW)
            for key in ("sent", "failed", "queued", "recent"):
                made = NOW + timedelta(days=1 if key == "recent" else 0)
                await tx.enqueue_mail(a.id, key, MailKind.REPLY, 1, "{}", made)
            for mail in await tx.outgoing_mails(a.id, 10):
                if mail.key in ("sent", "failed", "recent"):
                    status = MailStatus.FAILED if mail.key == "failed" else MailStatus.SENT
                    await tx.finish_mail(mail.id, status, "", NOW, NOW)
            assert await tx.prune_mails(NOW + timedelta(hours=1)) == 2
        assert sorted(m.key for m in await store.outgoing_mails(None, 10)) == [
            "queued", "recent"]

    run(url, work)


def test_mails_to_no_subscriber_are_idempotent_and_blanked_when_done(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            await site_and_thread(tx)
            assert await tx.enqueue_mail(None, "alert:1:2", MailKind.ALERT, 3, "{}", NOW,
                                         recipient="mod@x.org", masked="m***@x***.org")
            assert not await tx.enqueue_mail(None, "alert:1:2", MailKind.ALERT, 4, "{}", NOW,
                                             recipient="other@x.org")
            assert await tx.enqueue_mail(None, "test:9", MailKind.TEST, 0, "{}", NOW,
                                         recipient="t@x.org")
            await tx.set_lease("mail", "me", NOW + timedelta(minutes=1))
        alert, test = sorted(await store.due_mails(NOW, 10), key=lambda m: m.key)
        assert (alert.subscriber_id, alert.recipient, alert.masked, alert.kind) == (
            None, "mod@x.org", "m***@x***.org", MailKind.ALERT)
        async with store.write() as tx:
            assert await tx.claim_mail(alert.id, "mail", "me", NOW)
            await tx.finish_mail(alert.id, MailStatus.SENT, "", NOW, NOW)
            await tx.finish_mail(test.id, MailStatus.QUEUED, "421", NOW, NOW)
        done = {m.key: m for m in await store.outgoing_mails(None, 10)}
        assert (done["alert:1:2"].recipient, done["alert:1:2"].masked) == ("", "m***@x***.org")
        assert done["test:9"].recipient == "t@x.org"  # still to be tried
        async with store.write() as tx:  # erasure reaches mails to the address itself
            await tx.forget_subscribers("no-key", "T@x.org")
        assert [m.key for m in await store.outgoing_mails(None, 10)] == ["alert:1:2"]

    run(url, work)


def test_digest_items_wait_in_their_box_until_due(url: Backend) -> None:
    async def work(store: Storage) -> None:
        hour = NOW + timedelta(hours=1)
        async with store.write() as tx:
            await site_and_thread(tx)
            assert await tx.add_digest_item("reply:1", 10, "reply", 5, hour, NOW)
            assert not await tx.add_digest_item("reply:1", 10, "reply", 6, hour, NOW)
            assert await tx.add_digest_item("reply:1", 11, "reply", 7, hour, NOW)
            assert await tx.add_digest_item("alert:3:1", 10, "held", 5, NOW, NOW)
            assert await tx.add_digest_item("alert:3:1", 10, "reported", 8, NOW, NOW)
        assert await store.due_digests(NOW, 10) == ["alert:3:1"]
        assert await store.due_digests(hour, 10) == ["alert:3:1", "reply:1"]
        items = await store.digest_items("reply:1")
        assert [(i.comment_id, i.note, i.event_id, i.due) for i in items] == [
            (10, "reply", 5, hour), (11, "reply", 7, hour)]
        async with store.write() as tx:
            await tx.drop_digest_items("reply:1", items[0].id)
        assert [i.comment_id for i in await store.digest_items("reply:1")] == [11]

    run(url, work)


def test_digest_choice_and_erasure_of_waiting_items(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            a = await tx.save_subscriber(site_id, "key-a", "a@x.org", "en",
                                         SubscriberState.CONFIRMED, None, NOW)
            assert a.digest is Digest.NOW
            await tx.set_digest(a.id, Digest.DAILY)
            again = await tx.save_subscriber(site_id, "key-a", "a@x.org", "fr",
                                             SubscriberState.CONFIRMED, None, NOW)
            assert again.digest is Digest.DAILY  # saving keeps the choice
            await tx.add_digest_item(f"reply:{a.id}", 10, "reply", 5, NOW, NOW)
        assert [s.id for s in await store.subscribers_of("key-a", "")] == [a.id]
        assert [s.id for s in await store.subscribers_of("", "A@X.org")] == [a.id]
        async with store.write() as tx:
            assert await tx.forget_subscribers("key-a", "a@x.org") == 1
        assert await store.digest_items(f"reply:{a.id}") == []

    run(url, work)


def test_links_are_spent_once_and_forgotten_once_expired(url: Backend) -> None:
    async def work(store: Storage) -> None:
        later = NOW + timedelta(days=8)
        async with store.write() as tx:
            assert await tx.spend_link("link-1", NOW + timedelta(days=7), NOW)
            assert not await tx.spend_link("link-1", NOW + timedelta(days=7), NOW)
            assert await tx.spend_link("link-2", NOW + timedelta(days=7), NOW)
        async with store.write() as tx:  # expired: forgotten (the token is refused first)
            assert await tx.spend_link("link-1", later + timedelta(days=1), later)

    run(url, work)


def test_moderators_have_an_alert_address(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            moderator = await tx.save_moderator("mod", "hash", NOW)
            assert await tx.moderator_address(moderator.id) == ("", "en")
            await tx.set_moderator_address(moderator.id, "mod@x.org", "fr")
        assert await store.moderator_address(moderator.id) == ("mod@x.org", "fr")
        assert await store.moderator_address(moderator.id + 100) == ("", "en")

    run(url, work)
