"""The external moderation phase against a real local HTTP receiver: the candidate posted
signed and nothing else, approve / hold / reject / flag mapped to a verdict, and a timeout,
a refused connection, an error status or a garbage answer leaving no verdict (logged
without the comment's words) while run_phases returns within its bound."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator

import pytest

from palabre.domain.identity import SYSTEM
from palabre.domain.models import Site
from palabre.domain.phases import Action, Candidate, Verdict, run_phases
from palabre.domain.webhooks import endpoints as hooks
from palabre.domain.webhooks.signing import verify
from palabre.storage.memory import MemoryStorage
from palabre.web.webhooks.external import ExternalPhase
from tests.domain.conftest import Domain
from tests.http_receiver import Answer, Receiver, receiving
from tests.smtp_inbox import free_port

WORDS = "Un avis tranché sur la réforme"


def answer(action: str, reason: str = "") -> Answer:
    return Answer(body=json.dumps({"action": action, "reason": reason}).encode())


class Setup:
    def __init__(self, domain: Domain, receiver: Receiver) -> None:
        self.domain = domain
        self.receiver = receiver
        self.secret = ""

    def add(self, url: str | None = None) -> int:
        made = self.domain.run(hooks.add_endpoint(self.domain.ctx, "default",
                                                  url or self.receiver.url, "moderation",
                                                  (), SYSTEM))
        self.secret = made.secret
        return made.endpoint.id

    def site(self) -> Site:
        site = self.domain.run(self.domain.storage.get_site("default"))
        assert site is not None
        return site

    def candidate(self) -> Candidate:
        return Candidate(site=self.site(), uri="/a", title="Le billet", text=WORDS,
                         author="Anne", parent_text="Le commentaire d’avant")

    def assess(self, timeout: float = 2.0) -> Verdict | None:
        candidate = self.candidate()

        async def ask() -> Verdict | None:
            phase = ExternalPhase(self.domain.storage, timeout)
            try:
                return await phase.assess(candidate)
            finally:
                await phase.close()
        return self.domain.run(ask())


@pytest.fixture
def setup(domain: Domain) -> Iterator[Setup]:
    with receiving() as receiver:
        yield Setup(domain, receiver)


@pytest.mark.parametrize(("action", "expected"), [
    ("approve", Action.APPROVE), ("hold", Action.HOLD), ("reject", Action.REJECT),
    ("flag", Action.FLAG)])
def test_an_answer_becomes_the_phases_verdict(setup: Setup, action: str,
                                              expected: Action) -> None:
    setup.add()
    setup.receiver.answer = answer(action, "looks fine\x00")
    verdict = setup.assess()
    assert verdict == Verdict(phase="external", action=expected, reason="looks fine",
                              model="127.0.0.1")


def test_the_candidate_is_posted_signed_and_nothing_else(setup: Setup) -> None:
    setup.add()
    setup.receiver.answer = answer("hold", "insults")
    assert setup.assess() is not None
    [got] = setup.receiver.received
    assert json.loads(got.body) == {"site": "default", "uri": "/a", "title": "Le billet",
                                    "text": WORDS, "author": "Anne",
                                    "parent_text": "Le commentaire d’avant"}
    assert got.headers["palabre-event"] == "moderation.assess"
    assert verify(got.headers["palabre-signature"], got.body, setup.secret, time.time())


def test_without_a_moderation_endpoint_nothing_is_asked(setup: Setup) -> None:
    assert setup.assess() is None
    endpoint = setup.add()
    setup.domain.run(hooks.set_enabled(setup.domain.ctx, "default", endpoint, False, SYSTEM))
    assert setup.assess() is None
    assert setup.receiver.received == []


@pytest.mark.parametrize("bad", [
    Answer(body=b"not json"), Answer(body=b'{"action": "delete"}'), Answer(body=b"[]"),
    Answer(body=b'{"action": "approve", "reason": 3}'), Answer(status=500, body=b"{}"),
    Answer(status=302, body=b'{"action": "approve"}'),
    Answer(body=b'{"action": "approve", "reason": "' + b"x" * 20000 + b'"}')])
def test_a_garbage_answer_leaves_no_verdict(setup: Setup, bad: Answer,
                                            caplog: pytest.LogCaptureFixture) -> None:
    setup.add()
    setup.receiver.answer = bad
    with caplog.at_level(logging.WARNING, "palabre.phases"):
        assert setup.assess() is None
    assert "not an answer" in caplog.text and WORDS not in caplog.text


def test_a_receiver_that_is_down_leaves_no_verdict(setup: Setup,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    setup.add(url=f"http://127.0.0.1:{free_port()}/moderate")
    with caplog.at_level(logging.WARNING, "palabre.phases"):
        assert setup.assess() is None
    assert "cannot reach" in caplog.text and WORDS not in caplog.text


def test_a_timeout_leaves_no_verdict_and_run_phases_returns_within_its_bound(
        setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    setup.add()
    setup.receiver.answer = Answer(hang=True)  # answers nothing for 30 seconds
    candidate = setup.candidate()

    async def both() -> tuple[Verdict | None, float, int]:
        phase = ExternalPhase(setup.domain.storage, 0.3)
        try:
            started = time.monotonic()
            alone = await phase.assess(candidate)
            assessment = await run_phases([phase], candidate, timeout=5.0)
            return alone, time.monotonic() - started, len(assessment.verdicts)
        finally:
            await phase.close()

    with caplog.at_level(logging.WARNING, "palabre.phases"):
        alone, took, verdicts = setup.domain.run(both())
    assert alone is None and verdicts == 0
    assert took < 10  # two questions to a receiver that would wait 30 seconds each
    assert "no answer in time" in caplog.text and WORDS not in caplog.text
    assert len(setup.receiver.received) == 2


def test_a_phase_needs_no_event_loop_of_its_own() -> None:
    """Built before the app's loop runs (as create_app does), it makes its client on use."""
    phase = ExternalPhase(MemoryStorage(), 1.0)
    assert phase._client is None
    asyncio.run(phase.close())
