"""The spam defence on the domain (in memory): a proof of work issued, solved and spent
once, the honeypot, the minimum time, the work rising under load, and who is exempt."""

from __future__ import annotations

import base64

import orjson
import pytest

from palabre.domain import challenge, comments
from palabre.domain.context import Context
from palabre.domain.errors import InvalidInput
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.inputs import parse_comment_draft
from palabre.domain.models import Moderator
from palabre.settings import ServerConfig
from tests.conftest import SECRET
from tests.domain.conftest import Domain, reader

ADMIN = Actor(client="admin", moderator=Moderator(1, "chef", "hash"))
WORK = 2000  # small enough for tests to solve in milliseconds


@pytest.fixture
def guarded(domain: Domain) -> Domain:
    domain.settings(pow_difficulty=WORK, min_submit_seconds=3, pow_max_rise=4)
    return domain


def fetch(domain: Domain, uri: str | None = "/a", network: str = "net-1",
          site: str = "default") -> dict[str, object]:
    issued = domain.run(challenge.issue(domain.ctx, site, uri, network))
    assert issued.challenge is not None
    return issued.challenge


def span(domain: Domain, uri: str | None = "/a", network: str = "net-1") -> int:
    """The range a fresh challenge asks to search."""
    found = fetch(domain, uri, network)["maxNumber"]
    assert isinstance(found, int)
    return found


def post(domain: Domain, uri: str = "/a", actor: Actor | None = None,
         **fields: object) -> comments.Posted:
    draft = parse_comment_draft({"uri": uri, "text": "Un avis", **fields})
    return domain.run(comments.post_comment(domain.ctx, draft, actor or reader()))


def refusal(domain: Domain, **fields: str) -> str | None:
    draft = parse_comment_draft({"uri": "/a", "text": "Un avis", **fields})
    with pytest.raises(InvalidInput) as refused:
        domain.run(comments.post_comment(domain.ctx, draft, reader()))
    return refused.value.reason


def test_a_solved_challenge_posts_once_after_the_minimum_time(guarded: Domain) -> None:
    proof = challenge.solve(fetch(guarded))
    guarded.clock.advance(seconds=3)
    assert post(guarded, proof=proof).comment.text == "Un avis"
    assert refusal(guarded, proof=proof) == "challenge_used"


def test_the_same_proof_is_spent_for_every_instance_of_the_storage(guarded: Domain) -> None:
    """Two workers share the database, not their memory: the second refuses the replay."""
    other = Context(storage=guarded.storage, secret=SECRET, clock=guarded.clock,
                    config=ServerConfig(post_rate_limit=0))
    proof = challenge.solve(fetch(guarded))
    guarded.clock.advance(seconds=5)
    post(guarded, proof=proof)
    draft = parse_comment_draft({"uri": "/a", "text": "Encore", "proof": proof})
    with pytest.raises(InvalidInput) as refused:
        guarded.run(comments.post_comment(other, draft, reader(2)))
    assert refused.value.reason == "challenge_used"


def test_sent_too_soon_is_refused_saying_how_long_to_wait(guarded: Domain) -> None:
    proof = challenge.solve(fetch(guarded))
    guarded.clock.advance(seconds=1)
    with pytest.raises(InvalidInput) as refused:
        post(guarded, proof=proof)
    assert (refused.value.reason, refused.value.params) == ("too_fast", {"wait": 2})
    guarded.clock.advance(seconds=2)
    post(guarded, proof=proof)  # the refusal did not spend it


def test_missing_wrong_forged_foreign_and_expired_proofs_are_refused(guarded: Domain) -> None:
    guarded.settings("autre", pow_difficulty=WORK)
    assert refusal(guarded) == "challenge_required"
    good = fetch(guarded)
    guarded.clock.advance(seconds=10)
    wrong = dict(orjson.loads(base64.b64decode(challenge.solve(good))))
    wrong["number"] += 1
    assert refusal(guarded, proof=base64.b64encode(orjson.dumps(wrong)).decode()) == (
        "challenge_invalid")
    forged = {**good, "salt": str(good["salt"]).replace("site=", "site=9")}
    assert refusal(guarded, proof=challenge.solve(forged)) == "challenge_invalid"
    for junk in ("", "%%%", base64.b64encode(b"[1]").decode(), "A" * 5000):
        assert refusal(guarded, proof=junk) in ("challenge_required", "challenge_invalid")
    elsewhere = challenge.solve(fetch(guarded, site="autre"))
    assert refusal(guarded, proof=elsewhere) == "challenge_invalid"
    other_page = challenge.solve(fetch(guarded, uri="/b"))
    guarded.clock.advance(seconds=5)
    assert refusal(guarded, proof=other_page) == "challenge_invalid"
    assert post(guarded, uri="/b", proof=other_page).thread.uri == "/b"
    stale = challenge.solve(fetch(guarded))
    guarded.clock.advance(minutes=31)
    assert refusal(guarded, proof=stale) == "challenge_expired"


def test_a_challenge_for_any_page_of_the_site_posts_on_any(guarded: Domain) -> None:
    proof = challenge.solve(fetch(guarded, uri=None))
    guarded.clock.advance(seconds=3)
    assert post(guarded, uri="/ailleurs", proof=proof).thread.uri == "/ailleurs"


def test_a_filled_honeypot_is_refused_even_with_a_good_proof(guarded: Domain) -> None:
    proof = challenge.solve(fetch(guarded))
    guarded.clock.advance(seconds=3)
    assert refusal(guarded, proof=proof, honeypot="Buy now") == "spam_suspected"


def test_staff_and_the_operators_tools_need_nothing(guarded: Domain) -> None:
    assert post(guarded, actor=ADMIN).comment.staff
    assert post(guarded, actor=SYSTEM, honeypot="x").comment.text == "Un avis"


def test_off_asks_nothing_and_the_minimum_time_alone_needs_a_trivial_proof(
        domain: Domain) -> None:
    domain.settings(pow_difficulty=0, min_submit_seconds=0)
    assert domain.run(challenge.issue(domain.ctx, "default", "/a", "n")).challenge is None
    post(domain)
    domain.settings(min_submit_seconds=2)
    alone = fetch(domain)
    assert alone["maxNumber"] == challenge.TRIVIAL
    assert refusal(domain) == "challenge_required"
    domain.clock.advance(seconds=2)
    post(domain, proof=challenge.solve(alone))


def test_the_work_doubles_for_a_busy_network_and_thread_up_to_the_limit(
        guarded: Domain) -> None:
    spans = [span(guarded, network="busy") for _ in range(200)]
    assert spans[:challenge.NETWORK_FREE] == [WORK] * challenge.NETWORK_FREE
    assert spans[challenge.NETWORK_FREE] == WORK * 2
    assert max(spans) == WORK << 4  # pow_max_rise
    assert spans == sorted(spans)
    # Another network reading another thread is not slowed down by that burst...
    assert span(guarded, uri="/calme", network="quiet") == WORK
    # ...but the busy thread asks more of everyone, a little (two doublings at most).
    assert span(guarded, network="quiet") == WORK << challenge.THREAD_RISE
    guarded.clock.advance(seconds=guarded.ctx.config.rate_window_seconds)
    assert span(guarded, network="busy") == WORK


def test_no_rise_when_the_site_says_so(guarded: Domain) -> None:
    guarded.settings(pow_max_rise=0)
    assert {span(guarded, network="busy") for _ in range(50)} == {WORK}


@pytest.mark.parametrize(("hits", "free", "expected"), [
    (0, 10, 0), (10, 10, 0), (11, 10, 1), (20, 10, 1), (21, 10, 2), (40, 10, 2),
    (41, 10, 3), (81, 10, 4), (161, 10, 5)])
def test_doublings_grow_with_the_log_of_the_excess(hits: int, free: int,
                                                   expected: int) -> None:
    assert challenge.doublings(hits, free) == expected


def test_leaving_the_page_out_does_not_dodge_the_threads_rise(guarded: Domain) -> None:
    spans = [span(guarded, uri=None, network=f"net-{n}") for n in range(200)]
    assert spans[0] == WORK and spans[-1] > WORK
