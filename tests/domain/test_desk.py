"""The moderation desk on the domain (in memory): the rules that refuse or hold a post,
readers' reports, featured comments, sanctions, undo, roles and the audit log."""

from __future__ import annotations

import pytest

from palabre.domain import (
    audit,
    comments,
    dashboard,
    moderation,
    moderators,
    reports,
    sanctions,
    threads,
)
from palabre.domain.errors import Forbidden, InvalidInput, NotFound, ThreadClosed
from palabre.domain.events import CommentFeatured, CommentModerated, CommentReported
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.inputs import (
    EditDraft,
    parse_comment_draft,
    parse_report_draft,
    parse_vote_draft,
)
from palabre.domain.models import Moderator, Role, Sort, Status
from palabre.domain.sites import ensure_site
from tests.conftest import TEST_SITE_SETTINGS
from tests.domain.conftest import Domain, reader

ADMIN = Actor(client="admin", moderator=Moderator(1, "chef", "hash"))


def post(domain: Domain, text: str, actor: Actor | None = None, uri: str = "/a",
         **fields: object) -> comments.Posted:
    draft = parse_comment_draft({"uri": uri, "text": text, **fields})
    return domain.run(comments.post_comment(domain.ctx, draft, actor or reader()))


def refusal(domain: Domain, text: str, actor: Actor | None = None, uri: str = "/a",
            **fields: object) -> str:
    with pytest.raises((InvalidInput, Forbidden)) as refused:
        post(domain, text, actor, uri, **fields)
    return str(refused.value.reason)


def report(domain: Domain, comment_id: int, n: int, reason: str = "abusive") -> None:
    draft = parse_report_draft({"reason": reason, "note": f"lecteur {n}"})
    domain.run(reports.report_comment(domain.ctx, comment_id, draft, reader(100 + n)))


def shown(domain: Domain, uri: str = "/a") -> list[int]:
    page = domain.run(threads.thread_page(domain.ctx, "default", uri, Sort.OLDEST, 50, None))
    return [c.id for c in page.comments if c.status is Status.APPROVED]


def count(domain: Domain, uri: str = "/a") -> int:
    return domain.run(threads.thread_info(domain.ctx, "default", uri)).count


def test_blocked_words_match_whole_words_in_french_and_english(domain: Domain) -> None:
    domain.settings(blocked_words=["con", "connard", "idiot*", "fake news"])
    assert post(domain, "Le conseil municipal a voté.").comment.status is Status.APPROVED
    assert post(domain, "A fine cone of ice cream.").comment.status is Status.APPROVED
    for n, text in enumerate(["Quel con !", "espèce de c0nnard", "C.O.N.N.A.R.D",
                              "des IDIOTS partout", "Encore des Fake  News"]):
        assert refusal(domain, text, reader(n)) == "blocked_words", text


def test_watched_words_hold_and_say_why(domain: Domain) -> None:
    domain.settings(watched_words=["propagande", "vaccin*"])
    held = post(domain, "Les VACCINS, quelle propagande").comment
    assert held.status is Status.PENDING and held.held == ("watched_words",)
    assert post(domain, "Une propagation lente", reader(2)).comment.status is Status.APPROVED


def test_an_edit_with_a_watched_word_takes_the_comment_back(domain: Domain) -> None:
    domain.settings(watched_words=["arnaque"], blocked_words=["ordure"])
    posted = post(domain, "Bon article")
    edit = EditDraft
    author = Actor(client="client-1", token=posted.token)
    with pytest.raises(InvalidInput):
        domain.run(comments.edit_comment(domain.ctx, posted.comment.id, edit("ordure"), author))
    domain.run(comments.edit_comment(domain.ctx, posted.comment.id, edit("une arnaque"),
                                     author))
    assert shown(domain) == [] and count(domain) == 0


def test_reserved_names_and_staff(domain: Domain) -> None:
    domain.settings(staff_label="La rédaction", reserved_names=["Le Directeur"])
    domain.run(moderators.save_moderator(domain.ctx, "claire", "un mot de passe"))
    for n, name in enumerate(["la redaction", "LA RÉDACTION", "le-directeur", "Claire"]):
        assert refusal(domain, f"texte {n}", reader(n), author=name) == "name_reserved"
    staff = post(domain, "Précision de la rédaction", ADMIN, author="La rédaction").comment
    assert staff.staff and staff.status is Status.APPROVED
    assert not post(domain, "Lecteur", reader(9), author="Jeanne").comment.staff


def test_the_same_text_twice_within_the_window_is_refused(domain: Domain) -> None:
    domain.settings(duplicate_window_seconds=300)
    post(domain, "Premier !")
    assert refusal(domain, "Premier !", uri="/b") == "duplicate"
    assert post(domain, "Premier !", reader(2)).comment.status is Status.APPROVED
    domain.clock.advance(seconds=301)
    assert post(domain, "Premier !").comment.status is Status.APPROVED


def test_a_card_tells_the_authors_history_by_email_and_by_client(domain: Domain) -> None:
    domain.settings(moderation="all")
    for n in range(2):
        made = post(domain, f"avant {n}", reader(4)).comment  # same client, no email
        domain.run(moderation.moderate(domain.ctx, made.id, "reject", ADMIN))
    post(domain, "signé", reader(4), email="nouveau@example.org")
    card = domain.run(moderation.queue_page(domain.ctx, "default", ADMIN)).cards[0]
    assert (card.history.pending, card.history.rejected) == (1, 0)
    assert card.client_history is not None and card.client_history.rejected == 2


def test_new_authors_are_held_and_a_typed_email_carries_no_standing(domain: Domain) -> None:
    domain.settings(new_author_approvals=2)
    regular = post(domain, "un", reader(1), email="habitue@example.org").comment
    assert regular.held == ("new_author",)
    domain.run(moderation.moderate(domain.ctx, regular.id, "approve", ADMIN))
    second = post(domain, "deux", reader(1), email="habitue@example.org").comment
    domain.run(moderation.moderate(domain.ctx, second.id, "approve", ADMIN))
    assert post(domain, "trois", reader(1), email="habitue@example.org").comment.status \
        is Status.APPROVED
    # Someone else typing the regular's address is a new author.
    impostor = post(domain, "moi aussi", reader(2), email="habitue@example.org").comment
    assert impostor.status is Status.PENDING and impostor.held == ("new_author",)


def test_an_author_often_rejected_is_held(domain: Domain) -> None:
    domain.settings(rejection_hold_percent=50)
    for text in ("a", "b"):
        made = post(domain, text, reader(3)).comment
        domain.run(moderation.moderate(domain.ctx, made.id, "reject", ADMIN, "abusive"))
    assert post(domain, "c", reader(3)).comment.held == ("rejections",)
    assert post(domain, "d", reader(4)).comment.status is Status.APPROVED


def test_reports_hold_at_the_threshold_and_approval_restores(domain: Domain) -> None:
    top = post(domain, "Sujet", reader(1)).comment
    reply = post(domain, "Réponse", reader(2), parent=top.id).comment
    report(domain, top.id, 1)
    report(domain, top.id, 1, "spam")  # the same reader again: still one
    report(domain, top.id, 2)
    assert count(domain) == 2
    report(domain, top.id, 3)
    # Held: it leaves the thread, its reply keeps its place under a placeholder.
    assert shown(domain) == [reply.id] and count(domain) == 1
    page = domain.run(moderation.queue_page(domain.ctx, "default", ADMIN, kind="pending"))
    card = page.cards[0]
    assert card.comment.held == ("reports",) and len(card.reports) == 3
    assert card.client_history is None  # no email: the history is the client key's already
    assert {r.reason for r in card.reports} == {"spam", "abusive"}
    domain.run(moderation.moderate(domain.ctx, top.id, "approve", ADMIN))
    assert shown(domain) == [top.id, reply.id] and count(domain) == 2
    assert domain.run(domain.storage.reports_of(top.id)) == []
    names = [type(e) for e in domain.events()]
    assert names.count(CommentReported) == 4 and CommentModerated in names


def test_reports_and_votes_on_closed_threads_are_refused(domain: Domain) -> None:
    top = post(domain, "Sujet").comment
    domain.run(threads.set_closed(domain.ctx, "default", "/a", True, ADMIN))
    with pytest.raises(ThreadClosed):
        report(domain, top.id, 1)
    with pytest.raises(ThreadClosed):
        domain.run(comments.vote(domain.ctx, top.id, parse_vote_draft({"value": 1}),
                                 reader(5)))
    with pytest.raises(InvalidInput):
        parse_report_draft({"reason": "boring"})
    with pytest.raises(InvalidInput):
        parse_report_draft({"reason": "other", "note": "x" * 501})


def test_featured_comments_are_listed_apart(domain: Domain) -> None:
    first = post(domain, "Un", reader(1)).comment
    second = post(domain, "Deux", reader(2)).comment
    domain.run(moderation.set_featured(domain.ctx, second.id, True, ADMIN))
    page = domain.run(threads.thread_page(domain.ctx, "default", "/a", Sort.OLDEST, 50, None,
                                          featured_only=True))
    assert [c.id for c in page.comments] == [second.id] and page.thread.featured == 1
    assert page.thread.count == 2 and first.id not in [c.id for c in page.comments]
    assert isinstance(domain.events()[-1], CommentFeatured)
    domain.run(moderation.undo_last(domain.ctx, ADMIN, "default"))
    assert domain.run(threads.thread_info(domain.ctx, "default", "/a")).featured == 0


def test_undo_brings_a_decision_back(domain: Domain) -> None:
    domain.settings(moderation="all")
    held = post(domain, "À relire").comment
    domain.run(moderation.moderate(domain.ctx, held.id, "spam", ADMIN))
    back = domain.run(moderation.undo_last(domain.ctx, ADMIN, "default"))
    assert back.status is Status.PENDING and back.held == ("site",)
    with pytest.raises(NotFound):
        domain.run(moderation.undo_last(domain.ctx, Actor("x", moderator=Moderator(
            2, "autre", "h")), "default"))


def test_sanctions_ban_suspend_premoderate_and_spamban(domain: Domain) -> None:
    bad = post(domain, "insulte", reader(6), email="troll@example.org").comment
    other = post(domain, "autre", reader(6), uri="/b").comment
    ban = sanctions.parse_sanction("ban", reason="insultes")
    made = domain.run(sanctions.sanction_author(domain.ctx, bad.id, ban, ADMIN))
    assert {b.kind for b in made} == {"email", "client"}
    assert refusal(domain, "encore", reader(6)) == "banned"
    assert refusal(domain, "encore", reader(7), email="TROLL@example.org") == "banned"
    for sanction in made:
        domain.run(sanctions.lift(domain.ctx, sanction.id, ADMIN))
    suspend = sanctions.parse_sanction("suspend", hours=24)
    domain.run(sanctions.sanction_author(domain.ctx, bad.id, suspend, ADMIN))
    assert refusal(domain, "encore", reader(6)) == "suspended"
    domain.clock.advance(hours=25)
    assert post(domain, "de retour", reader(6)).comment.status is Status.APPROVED
    pre = sanctions.parse_sanction("premoderate")
    domain.run(sanctions.sanction_author(domain.ctx, bad.id, pre, ADMIN))
    assert post(domain, "sous contrôle", reader(6)).comment.held == ("author",)
    spamban = sanctions.parse_sanction("spamban")
    domain.run(sanctions.sanction_author(domain.ctx, bad.id, spamban, ADMIN))
    assert shown(domain) == [] and shown(domain, "/b") == []
    gone = domain.run(domain.storage.get_comment(other.id))
    assert gone is not None and gone.status is Status.SPAM
    with pytest.raises(InvalidInput):
        sanctions.parse_sanction("suspend", hours=0)


def test_moderators_of_one_site_are_refused_on_another(domain: Domain) -> None:
    domain.run(ensure_site(domain.storage, "autre", settings=TEST_SITE_SETTINGS))
    domain.run(moderators.save_moderator(domain.ctx, "paul", "un mot de passe"))
    domain.run(moderators.set_access(domain.ctx, "paul", ADMIN, role="moderator",
                                     sites=["autre"]))
    paul = domain.run(domain.storage.get_moderator("paul"))
    assert paul is not None and paul.role is Role.MODERATOR
    as_paul = Actor("paul", moderator=paul)
    mine = post(domain, "ici", reader(1), uri="/x", site="autre").comment
    theirs = post(domain, "là", reader(2)).comment
    domain.run(moderation.moderate(domain.ctx, mine.id, "reject", as_paul, "off_topic"))
    with pytest.raises(Forbidden):
        domain.run(moderation.moderate(domain.ctx, theirs.id, "reject", as_paul))
    with pytest.raises(Forbidden):
        domain.run(moderation.queue_page(domain.ctx, "default", as_paul))
    with pytest.raises(Forbidden):
        domain.run(moderators.set_access(domain.ctx, "paul", as_paul, role="admin"))
    entries = domain.run(audit.entries(domain.ctx, as_paul))
    assert [(e.action, e.actor, e.after.get("reason")) for e in entries] == [
        ("reject", "paul", "off_topic")]
    every = domain.run(audit.entries(domain.ctx, ADMIN))
    assert {"moderator", "reject"} <= {e.action for e in every}


def test_thread_options_premoderate_and_message(domain: Domain) -> None:
    domain.run(threads.set_options(domain.ctx, "default", "/a", ADMIN, premoderate=True,
                                   message="Débat **modéré**"))
    assert post(domain, "avis").comment.held == ("thread",)
    info = domain.run(threads.thread_info(domain.ctx, "default", "/a"))
    assert info.message == "<p>Débat <strong>modéré</strong></p>"
    with pytest.raises(Forbidden):
        domain.run(threads.set_options(domain.ctx, "default", "/a", reader(),
                                       premoderate=False))
    assert SYSTEM.is_admin and not reader().is_admin


def test_the_dashboard_counts_days_reports_waits_and_busy_threads(domain: Domain) -> None:
    domain.settings(moderation="all")
    held = post(domain, "un", reader(1)).comment
    domain.clock.advance(minutes=30)
    domain.run(moderation.moderate(domain.ctx, held.id, "approve", ADMIN))
    post(domain, "deux", reader(2), uri="/b")
    post(domain, "trois", reader(3), uri="/b")
    report(domain, held.id, 1)
    board = domain.run(dashboard.dashboard(domain.ctx, "default", ADMIN, days=7))
    assert len(board.days) == 7 and board.days[-1] == domain.clock().date()
    assert board.outcomes["approved"][-1] == 1 and board.outcomes["pending"][-1] == 2
    assert sum(board.outcomes["approved"][:-1]) == 0 and board.reports[-1] == 1
    assert board.queue_length == 2 and board.median_decision_seconds == 30 * 60
    assert [(t.uri, n) for t, n in board.busiest] == [("/b", 2), ("/a", 1)]
    with pytest.raises(Forbidden):
        domain.run(dashboard.dashboard(domain.ctx, "default", reader()))


def test_pages_and_positions_beyond_any_database_are_refused_or_empty(domain: Domain) -> None:
    post(domain, "un")
    far = domain.run(moderation.queue_page(domain.ctx, "default", ADMIN, kind="recent",
                                           page=10**30))
    assert far.cards == [] and far.total == 1
    with pytest.raises(InvalidInput):
        domain.run(audit.entries(domain.ctx, ADMIN, before_id=10**30))


def test_an_admin_creates_moderators_of_no_site_and_never_overwrites_one(
        domain: Domain) -> None:
    made = domain.run(moderators.create_moderator(domain.ctx, "lea", "un mot de passe",
                                                  ADMIN))
    assert made.role is Role.MODERATOR and made.sites == frozenset()
    with pytest.raises(InvalidInput):
        domain.run(moderators.create_moderator(domain.ctx, "lea", "autre mot de passe",
                                               ADMIN))
    as_lea = Actor("lea", moderator=made)
    with pytest.raises(Forbidden):
        domain.run(moderators.create_moderator(domain.ctx, "tom", "un mot de passe", as_lea))
    with pytest.raises(Forbidden):
        domain.run(moderation.queue_page(domain.ctx, "default", as_lea))
