"""The storage contract, moderation desk part: queues, reports, authors' standing,
sanctions, moderators' roles and the audit log, alike on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from palabre.domain.assistant import ASSISTANT, EXTERNAL
from palabre.domain.models import (
    CommentId,
    Report,
    Role,
    SanctionAction,
    Status,
)
from palabre.domain.phases import Action, Verdict
from palabre.domain.ports import Storage
from tests.storage.conftest import Backend
from tests.storage.test_contract import NOW, new_comment, run, site_and_thread


@pytest.fixture
def url(backend: Backend) -> Backend:
    return backend


def test_queues_are_filtered_searched_ordered_and_paged(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, a = await site_and_thread(tx, "/a")
            held = [await tx.insert_comment(new_comment(a, f"held {n}", status=Status.PENDING,
                                                        minutes=n)) for n in range(3)]
            shown = await tx.insert_comment(new_comment(a, "Le conseil 100%", minutes=5))
            await tx.insert_comment(new_comment(a, "spam", status=Status.SPAM, minutes=6))
            await tx.add_report(Report(shown.id, "r1", "spam", "", NOW))
        page, total = await store.moderation_queue(site_id, "pending", "", 1, 1)
        assert total == 3 and [c.id for c, _ in page] == [held[1].id]
        assert page[0][1].uri == "/a"
        recent, total = await store.moderation_queue(site_id, "recent", "", 0, 10)
        assert total == 4 and recent[0][0].id == shown.id
        reported, _ = await store.moderation_queue(site_id, "reported", "", 0, 10)
        assert [c.id for c, _ in reported] == [shown.id]
        found, total = await store.moderation_queue(site_id, "recent", "CONSEIL 100%", 0, 10)
        assert total == 1 and found[0][0].id == shown.id
        # LIKE's wildcards in a search are plain characters.
        assert (await store.moderation_queue(site_id, "recent", "_", 0, 10))[1] == 0
        assert (await store.moderation_queue(site_id, "spam", "", 0, 10))[1] == 1

    run(url, work)


def test_the_pending_queue_by_risk_puts_the_highest_scores_first(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, a = await site_and_thread(tx, "/a")
            held = [await tx.insert_comment(new_comment(a, f"held {n}", status=Status.PENDING,
                                                        minutes=n)) for n in range(5)]
            shown = await tx.insert_comment(new_comment(a, "published", minutes=6))
            scores = {held[0].id: 0.2, held[2].id: 0.9, held[3].id: 0.2, shown.id: 1.0}
            for comment_id, score in scores.items():
                await tx.save_verdicts(comment_id, [
                    Verdict(EXTERNAL, Action.HOLD, score=0.99),  # not the assistant's
                    Verdict(ASSISTANT, score=score, features=(("word", 1.5),))])
            await tx.save_verdicts(held[4].id, [Verdict(EXTERNAL, Action.HOLD, score=1.0)])
        ranked, total = await store.moderation_queue(site_id, "risk", "", 0, 10)
        # Highest first; equal scores oldest first; unscored (by the assistant) last.
        assert total == 5
        assert [c.id for c, _ in ranked] == [held[2].id, held[0].id, held[3].id, held[1].id,
                                             held[4].id]
        second, _ = await store.moderation_queue(site_id, "risk", "", 1, 2)
        assert [c.id for c, _ in second] == [held[0].id, held[3].id]
        found, total = await store.moderation_queue(site_id, "risk", "held 3", 0, 10)
        assert total == 1 and found[0][0].id == held[3].id

    run(url, work)


def test_reports_count_readers_once_and_go_with_their_comment(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            _, a = await site_and_thread(tx)
            comment = await tx.insert_comment(new_comment(a))
            assert await tx.add_report(Report(comment.id, "r1", "spam", "", NOW)) == 1
            assert await tx.add_report(Report(comment.id, "r1", "abusive", "rude", NOW)) == 1
            assert await tx.add_report(Report(comment.id, "r2", "other", "", NOW)) == 2
        reports = await store.reports_of(comment.id)
        assert [(r.reporter, r.reason, r.note) for r in reports] == [
            ("r1", "abusive", "rude"), ("r2", "other", "")]
        async with store.write() as tx:
            await tx.clear_reports(comment.id)
            assert await tx.add_report(Report(comment.id, "r3", "spam", "", NOW)) == 1
            await tx.delete_comment_row(comment.id)
        assert await store.reports_of(comment.id) == []

    run(url, work)


def test_held_featured_and_staff_comments(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            _, a = await site_and_thread(tx)
            top = await tx.insert_comment(new_comment(a))
            reply = await tx.insert_comment(new_comment(a, "reply", parent=top.id, minutes=1))
            await tx.set_featured(reply.id, True)
            await tx.hold_comment(top.id, ("reports",))
        held = await store.get_comment(top.id)
        assert held is not None and held.status is Status.PENDING and held.held == ("reports",)
        visible = {c.id: c for c in await store.visible_comments(a)}
        # The held comment shelters an approved reply: it comes, for a placeholder.
        assert set(visible) == {top.id, reply.id} and visible[reply.id].featured
        async with store.write() as tx:
            await tx.set_comment_status(top.id, Status.APPROVED)
            await tx.delete_comment_row(reply.id)
            await tx.hold_comment(top.id, ("watched_words",))
        assert await store.visible_comments(a) == []
        approved = await store.get_comment(top.id)
        assert approved is not None and approved.held == ("watched_words",)

    run(url, work)


def test_authors_standing_duplicates_and_sanctions(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, a = await site_and_thread(tx)
            await tx.insert_comment(new_comment(a, "one", email="Ana@Example.org"))
            await tx.insert_comment(new_comment(a, "two", status=Status.REJECTED, minutes=1,
                                                email="ana@example.org", client="other"))
            assert await tx.recent_decisions(site_id, "ana@example.org", "x", 10) == [
                Status.REJECTED, Status.APPROVED]
            assert await tx.posted_since(site_id, "one", "", "client-a", NOW)
            assert not await tx.posted_since(site_id, "one", "", "client-a",
                                             NOW + timedelta(seconds=1))
            assert await tx.posted_since(site_id, "two", "ana@example.org", "z", NOW)
            assert not await tx.posted_since(site_id, "two", "", "z", NOW)
            later = NOW + timedelta(hours=1)
            await tx.add_ban(site_id, "email", "h", "slow down", NOW, SanctionAction.SUSPEND,
                             later)
            pre = await tx.add_ban(site_id, "client", "c", "", NOW,
                                   SanctionAction.PREMODERATE)
            found = await tx.sanction_of(site_id, "h", "c", NOW)
            assert found is not None and found.action is SanctionAction.SUSPEND
            assert found.until == later
            # A suspension over is no sanction; an empty email hash matches no email ban.
            assert await tx.sanction_of(site_id, "h", "c", later) == pre
            assert await tx.sanction_of(site_id, "", "nobody", NOW) is None
            await tx.lift_ban(pre.id)
            assert await tx.get_ban(pre.id) is None
        history = await store.author_history(site_id, "ana@example.org", "")
        assert (history.approved, history.rejected, history.first_seen) == (1, 1, NOW)
        assert [b.action for b in await store.bans_of_site(site_id)] == [
            SanctionAction.SUSPEND]

    run(url, work)


def test_moderator_roles_sites_and_the_audit_log(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, _ = await site_and_thread(tx)
            mod = await tx.save_moderator("mod", "hash", NOW)
            assert mod.role is Role.ADMIN and mod.moderates(site_id)
            await tx.set_moderator_access(mod.id, Role.MODERATOR, frozenset({site_id}), False)
            await tx.audit(site_id, "mod", "approve", "comment:1", {"status": "pending"},
                           {"status": "approved"}, NOW)
            await tx.audit(None, "admin", "moderator", "moderator:1", {}, {"role": "x"}, NOW)
        found = await store.get_moderator("mod")
        assert found is not None and found.sites == frozenset({site_id})
        assert found.moderates(site_id) and not found.moderates(site_id + 1)
        session = await store.get_moderator_session(mod.id)
        assert session is not None and session[1] == 0
        async with store.write() as tx:
            await tx.set_moderator_access(mod.id, Role.MODERATOR, frozenset(), True)
        disabled = await store.get_moderator_session(mod.id)
        assert disabled is not None and disabled[0].disabled and disabled[1] == 1
        assert [m.username for m in await store.list_moderators()] == ["mod"]
        entries = await store.audit_entries(None, None, None, 10)
        assert [e.action for e in entries] == ["moderator", "approve"]
        assert entries[1].after == {"status": "approved"} and entries[1].created == NOW
        mine = await store.audit_entries([site_id], "approve", None, 10)
        assert [e.target for e in mine] == ["comment:1"]
        assert await store.audit_entries([site_id], None, entries[1].id, 10) == []

    run(url, work)


def test_restored_comments_keep_featured_staff_and_held(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            _, a = await site_and_thread(tx)
            made = await tx.insert_comment(new_comment(a))
            await tx.set_featured(made.id, True)
        comment = await store.get_comment(made.id)
        assert comment is not None and comment.featured
        async with store.write() as tx:
            _, b = await site_and_thread(tx, "/b")
            comment.id, comment.thread_id = CommentId(made.id + 100), b
            comment.staff, comment.held = True, ("site",)
            await tx.restore_comment(comment, False)
        back = await store.get_comment(CommentId(made.id + 100))
        assert back == comment

    run(url, work)


def test_activity_by_day_and_the_busiest_threads(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, a = await site_and_thread(tx, "/a")
            _, b = await site_and_thread(tx, "/b")
            first = await tx.insert_comment(new_comment(a, "1"))
            await tx.insert_comment(new_comment(a, "2", minutes=60 * 24))
            await tx.insert_comment(new_comment(a, "3", status=Status.SPAM, minutes=60 * 24))
            await tx.insert_comment(new_comment(b, "4", minutes=60 * 24 + 1))
            await tx.add_report(Report(first.id, "r", "spam", "", NOW + timedelta(days=1)))
        day = int(NOW.timestamp()) // 86400
        assert await store.daily_outcomes(site_id, NOW) == [
            (day, "approved", 1), (day + 1, "approved", 2), (day + 1, "spam", 1)]
        assert await store.daily_reports(site_id, NOW) == [(day + 1, 1)]
        later = NOW + timedelta(days=1)
        busiest = await store.busiest_threads(site_id, later, 5)
        assert [(t.uri, n) for t, n in busiest] == [("/a", 2), ("/b", 1)]

    run(url, work)


def test_a_challenge_is_spent_once_until_it_expires(url: Backend) -> None:
    async def work(store: Storage) -> None:
        later = NOW + timedelta(minutes=10)
        async with store.write() as tx:
            assert await tx.spend_challenge("sig-1", later, NOW)
            assert not await tx.spend_challenge("sig-1", later, NOW)
            assert await tx.spend_challenge("sig-2", later, NOW)
        async with store.write() as tx:
            assert not await tx.spend_challenge("sig-2", later, NOW + timedelta(minutes=9))
            # Once expired it is forgotten (and an expired challenge is refused before).
            assert await tx.spend_challenge("sig-1", later + timedelta(minutes=10), later)

    run(url, work)


def test_an_authors_shown_comments_by_client_or_email(url: Backend) -> None:
    async def work(store: Storage) -> None:
        async with store.write() as tx:
            site_id, a = await site_and_thread(tx)
            mine = await tx.insert_comment(new_comment(a, "1", client="k1"))
            by_mail = await tx.insert_comment(new_comment(a, "2", client="k2", minutes=1,
                                                          email="Troll@Example.org"))
            held = await tx.insert_comment(new_comment(a, "3", client="k1", minutes=2,
                                                       status=Status.PENDING))
            await tx.insert_comment(new_comment(a, "4", client="k1", minutes=3,
                                                status=Status.SPAM))
            await tx.insert_comment(new_comment(a, "5", client="", minutes=4))
            found = await tx.shown_comments_of(site_id, "troll@example.org", "k1")
            assert [c.id for c in found] == [mine.id, by_mail.id, held.id]
            assert [c.id for c in await tx.shown_comments_of(site_id, "", "k2")] == [by_mail.id]
            assert await tx.shown_comments_of(site_id, "", "") == []

    run(url, work)
