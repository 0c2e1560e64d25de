"""Moderation phases applied to posts and edits (in memory): the "are you sure?" nudge and
its confirmation, holds naming the phase, the assistant rejecting only at its site's own
threshold, flags filed as reports, verdicts kept for the card, staff never screened, and a
failing or slow phase never blocking a post.

The phases here answer from a table of words: they stand for the external service and the
model, whose own behaviour has tests of its own (tests/assist, tests/api)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import pytest

from palabre.domain import comments, moderation
from palabre.domain.errors import InvalidInput
from palabre.domain.events import CommentCreated, CommentReported
from palabre.domain.identity import Actor
from palabre.domain.inputs import EditDraft
from palabre.domain.models import Status
from palabre.domain.phases import Action, Candidate, Verdict
from tests.domain.conftest import Domain
from tests.domain.test_desk import ADMIN, count, post, shown


@dataclass
class WordPhase:
    """A phase that scores by words it was given, and says what it was shown."""

    name: str
    words: dict[str, tuple[Action, float]]
    seen: list[Candidate]
    delay: float = 0.0
    broken: bool = False

    async def assess(self, candidate: Candidate) -> Verdict | None:
        self.seen.append(candidate)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.broken:
            raise ConnectionError("the service is down")
        for word, (action, score) in self.words.items():
            if word in candidate.text:
                return Verdict(self.name, action, score, f"{word} found",
                               ((word, 0.9),), f"{self.name}-v1")
        return Verdict(self.name, Action.NONE, 0.05, "", (), f"{self.name}-v1")


def with_phases(domain: Domain, *phases: WordPhase) -> None:
    domain.ctx = replace(domain.ctx, phases=phases)


def assistant(**words: tuple[Action, float]) -> WordPhase:
    return WordPhase("assistant", dict(words), [])


def test_the_nudge_asks_once_and_a_confirmed_post_is_held_by_the_assistant(
        domain: Domain) -> None:
    domain.settings(assist_nudge_percent=70)
    with_phases(domain, assistant(abruti=(Action.NONE, 0.92), bof=(Action.NONE, 0.4)))
    with pytest.raises(InvalidInput) as asked:
        post(domain, "Quel abruti ce ministre")
    assert asked.value.reason == "confirm_required"
    assert count(domain) == 0
    assert not any(isinstance(e, CommentCreated) for e in domain.events())
    held = post(domain, "Quel abruti ce ministre", confirm=True)
    assert held.comment.status is Status.PENDING and held.comment.held == ("assistant",)
    calm = post(domain, "Bof, un article moyen")
    assert calm.comment.status is Status.APPROVED
    verdicts = domain.run(domain.storage.verdicts_of([held.comment.id, calm.comment.id]))
    assert verdicts[held.comment.id][0].score == 0.92
    assert verdicts[held.comment.id][0].features == (("abruti", 0.9),)
    assert verdicts[calm.comment.id][0].action is Action.NONE


def test_confirm_without_a_nudge_changes_nothing_and_an_unset_threshold_never_nudges(
        domain: Domain) -> None:
    with_phases(domain, assistant(abruti=(Action.NONE, 0.99)))
    assert post(domain, "Quel abruti").comment.status is Status.APPROVED
    domain.settings(assist_nudge_percent=70)
    assert post(domain, "Très juste", confirm=True).comment.status is Status.APPROVED


def test_holds_name_their_phase_and_an_external_reject_only_holds(domain: Domain) -> None:
    external = WordPhase("external", {"promo": (Action.REJECT, 0.0),
                                      "lien": (Action.HOLD, 0.0)}, [])
    with_phases(domain, assistant(arnaque=(Action.HOLD, 0.8)), external)
    assert post(domain, "Une arnaque").comment.held == ("assistant",)
    assert post(domain, "Un lien douteux").comment.held == ("external",)
    promo = post(domain, "Grosse promo arnaque")
    assert promo.comment.status is Status.PENDING
    assert promo.comment.held == ("assistant", "external")
    assert count(domain) == 0


def test_the_assistant_rejects_by_itself_only_when_it_says_so(domain: Domain) -> None:
    with_phases(domain, assistant(haine=(Action.REJECT, 0.97)))
    posted = post(domain, "Un message de haine")
    assert posted.comment.status is Status.PENDING  # as its author sees it
    stored = domain.run(domain.storage.get_comment(posted.comment.id))
    assert stored is not None and stored.status is Status.REJECTED
    page = domain.run(moderation.queue_page(domain.ctx, "default", ADMIN,
                                                kind="rejected"))
    assert [card.comment.id for card in page.cards] == [posted.comment.id]


def test_a_flag_publishes_and_files_a_report_in_the_phases_name(domain: Domain) -> None:
    domain.settings(report_threshold=3)
    # The assistant speaks first and flags nothing: the report is the external phase's.
    with_phases(domain, assistant(), WordPhase("external", {"vaccin": (Action.FLAG, 0.0)}, []))
    flagged = post(domain, "Le vaccin, parlons-en")
    assert flagged.comment.status is Status.APPROVED and shown(domain) == [flagged.comment.id]
    reports = domain.run(domain.storage.reports_of(flagged.comment.id))
    assert [(r.reporter, r.reason, r.note) for r in reports] == [
        ("phase:external", "other", "vaccin found")]
    assert any(isinstance(e, CommentReported) for e in domain.events())
    page = domain.run(moderation.queue_page(domain.ctx, "default", ADMIN,
                                                kind="reported"))
    assert [card.comment.id for card in page.cards] == [flagged.comment.id]


def test_phases_see_the_words_and_the_place_never_the_email(domain: Domain) -> None:
    phase = assistant()
    with_phases(domain, phase)
    first = post(domain, "Premier avis", title="Le tram arrive")
    post(domain, "Je réponds", parent=first.comment.id, email="lecteur@example.org",
         author="Lou", title="Le tram arrive")
    answer = phase.seen[-1]
    assert (answer.text, answer.author, answer.uri, answer.title, answer.parent_text) == (
        "Je réponds", "Lou", "/a", "Le tram arrive", "Premier avis")
    assert "lecteur@example.org" not in repr(answer)


def test_staff_and_the_operators_tools_are_never_screened(domain: Domain) -> None:
    domain.settings(assist_nudge_percent=10)
    phase = assistant(abruti=(Action.HOLD, 0.99))
    with_phases(domain, phase)
    staff = post(domain, "Cet abruti de spammeur est banni", ADMIN)
    assert staff.comment.status is Status.APPROVED and phase.seen == []


def test_a_broken_or_slow_phase_never_blocks_a_post(domain: Domain,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("palabre.domain.screening.PHASE_TIMEOUT", 0.05)
    broken = WordPhase("external", {}, [], broken=True)
    slow = WordPhase("assistant", {"x": (Action.HOLD, 1.0)}, [], delay=5.0)
    with_phases(domain, broken, slow)
    posted = post(domain, "x marque l'endroit")
    assert posted.comment.status is Status.APPROVED
    assert domain.run(domain.storage.verdicts_of([posted.comment.id])) == {}


def test_an_edit_is_screened_again_and_taken_back_when_a_phase_holds_it(
        domain: Domain) -> None:
    phase = assistant(ordure=(Action.HOLD, 0.9))
    with_phases(domain, phase)
    posted = post(domain, "Bon article")
    author = Actor(client="client-1", token=posted.token)
    domain.run(comments.edit_comment(domain.ctx, posted.comment.id,
                                     EditDraft("Bon article, ordure"), author))
    assert phase.seen[-1].edit and phase.seen[-1].comment_id == posted.comment.id
    assert shown(domain) == [] and count(domain) == 0
    stored = domain.run(domain.storage.get_comment(posted.comment.id))
    assert stored is not None and stored.held == ("assistant",)
