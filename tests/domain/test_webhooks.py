"""Signed webhooks on the domain (in memory), delivered over real HTTP to a local
receiver: the signature verifies and fails when tampered with, the body says public facts
only, a receiver that is down gets the event later, a crash between sending and recording
repeats the request with the same delivery id and one row in the log, a rotation signs
with both secrets until the old one is retired."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from palabre.domain import comments
from palabre.domain.errors import Forbidden, InvalidInput
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.inputs import CommentDraft
from palabre.domain.models import CommentId
from palabre.domain.moderation import moderate
from palabre.domain.threads import set_closed
from palabre.domain.webhooks import endpoints as hooks
from palabre.domain.webhooks.delivery import MAX_ATTEMPTS, STALE_AFTER
from palabre.domain.webhooks.models import DeliveryStatus, Endpoint, EndpointKind
from palabre.domain.webhooks.signing import verify
from palabre.domain.webhooks.worker import CONSUMER, WebhookWorker
from palabre.web.api.serialise import comment_json
from palabre.web.webhooks.transport import HttpxTransport
from tests.domain.conftest import Domain, reader
from tests.http_receiver import Answer, Received, Receiver, receiving
from tests.smtp_inbox import free_port

ALL = ("comment.created", "comment.edited", "comment.deleted", "comment.moderated",
       "comment.reported", "thread.closed")


class Setup:
    def __init__(self, domain: Domain, receiver: Receiver) -> None:
        self.domain = domain
        self.receiver = receiver
        self.transport = HttpxTransport(timeout=2)
        self.worker = self.new_worker("w1")
        assert domain.run(self.worker.hold_lease())  # the first holder starts from now

    def new_worker(self, holder: str) -> WebhookWorker:
        return WebhookWorker(self.domain.ctx, self.transport, comment_json, holder=holder)

    def add(self, url: str | None = None, events: tuple[str, ...] = ALL,
            site: str = "default") -> hooks.Created:
        return self.domain.run(hooks.add_endpoint(self.domain.ctx, site,
                                                  url or self.receiver.url, "events",
                                                  events, SYSTEM))

    def step(self) -> None:
        assert self.domain.run(self.worker.step())

    def post(self, n: int = 1, parent: int | None = None, email: str = "") -> CommentId:
        draft = CommentDraft(uri="/a", text=f"Texte *{n}*", author=f"Auteur {n}",
                             email=email, parent=parent, title="Le billet")
        return self.domain.run(comments.post_comment(self.domain.ctx, draft, reader(n))).comment.id

    def log(self) -> list[Any]:
        return self.domain.run(self.domain.storage.webhook_deliveries(1, 100))

    def now(self) -> float:
        return self.domain.clock().timestamp()


@pytest.fixture
def setup(domain: Domain) -> Iterator[Setup]:
    with receiving() as receiver:
        made = Setup(domain, receiver)
        yield made
        domain.run(made.transport.close())


def body(received: Received) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(received.body)
    return data


def signatures(headers: Mapping[str, str]) -> list[str]:
    return [p for p in headers["palabre-signature"].split(",") if p.startswith("v1=")]


def test_a_new_comment_arrives_signed_with_public_facts_only(setup: Setup) -> None:
    made = setup.add()
    comment = setup.post(1, email="anne@example.org")
    setup.step()
    [got] = setup.receiver.received
    headers = got.headers
    assert headers["content-type"] == "application/json"
    assert headers["palabre-event"] == "comment.created"
    assert verify(headers["palabre-signature"], got.body, made.secret, setup.now())
    data = body(got)
    assert data["id"] == headers["palabre-delivery"] and len(data["id"]) == 32
    assert {k: data[k] for k in ("event", "site", "uri", "comment_id", "status", "parent")} == {
        "event": "comment.created", "site": "default", "uri": "/a", "comment_id": comment,
        "status": "approved", "parent": None}
    assert data["comment"]["id"] == comment and data["comment"]["author"] == "Auteur 1"
    assert data["comment"]["html"] == "<p>Texte <em>1</em></p>"
    assert "anne@" not in got.body.decode() and "client-1" not in got.body.decode()
    assert "Texte *1*" not in got.body.decode()  # the HTML, never the Markdown source
    [logged] = setup.log()
    assert (logged.status, logged.attempts, logged.http_status, logged.uid) == (
        DeliveryStatus.SENT, 1, 200, data["id"])


def test_a_tampered_body_or_timestamp_or_an_old_request_does_not_verify(setup: Setup) -> None:
    made = setup.add()
    setup.post(1)
    setup.step()
    [got] = setup.receiver.received
    header, now = got.headers["palabre-signature"], setup.now()
    assert verify(header, got.body, made.secret, now)
    assert not verify(header, got.body.replace(b"Auteur 1", b"Auteur 2"), made.secret, now)
    stamp = header.split(",")[0]
    later = f"t={int(stamp[2:]) + 1}"
    assert not verify(header.replace(stamp, later), got.body, made.secret, now)
    assert not verify(header, got.body, made.secret, now + 600)  # a replay, 10 minutes on
    assert not verify(header, got.body, "whsec_another", now)


def test_only_subscribed_events_of_the_endpoints_site_are_sent(setup: Setup) -> None:
    domain = setup.domain
    domain.settings("other")
    setup.add(events=("thread.closed", "comment.moderated"))
    setup.add(url=setup.receiver.url + "/other", site="other")
    first = setup.post(1)
    domain.run(moderate(domain.ctx, first, "reject", SYSTEM))
    domain.run(set_closed(domain.ctx, "default", "/a", True, SYSTEM))
    setup.step()
    sent = [(r.path, body(r)["event"]) for r in setup.receiver.received]
    assert sorted(sent) == [("/hook", "comment.moderated"), ("/hook", "thread.closed")]
    moderated = next(body(r) for r in setup.receiver.received
                     if body(r)["event"] == "comment.moderated")
    assert (moderated["action"], moderated["status"], moderated["comment"]) == (
        "reject", "rejected", None)  # a rejected comment is not shown


def test_an_endpoint_gets_nothing_from_before_it_was_added(setup: Setup) -> None:
    setup.post(1)
    setup.step()  # no endpoint anywhere: the position moves on to the newest event
    cursor = setup.domain.run(setup.domain.storage.get_cursor(CONSUMER))
    assert cursor == setup.domain.run(setup.domain.storage.last_event_id())
    setup.domain.clock.advance(seconds=1)
    setup.add()
    setup.step()
    assert setup.receiver.received == []
    setup.post(2)
    setup.step()
    assert [body(r)["event"] for r in setup.receiver.received] == ["comment.created"]


def test_a_receiver_that_is_down_gets_the_event_later(setup: Setup) -> None:
    port = free_port()
    setup.add(url=f"http://127.0.0.1:{port}/hook")
    comment = setup.post(1)
    setup.step()
    [waiting] = setup.log()
    assert (waiting.status, waiting.attempts, waiting.http_status) == (
        DeliveryStatus.QUEUED, 1, None)
    assert "cannot reach the receiver" in waiting.last_error
    assert waiting.next_attempt == setup.domain.clock() + timedelta(minutes=1)
    with receiving(port) as back:
        back.answer = Answer(status=503)
        setup.step()
        assert back.received == []  # not due yet
        setup.domain.clock.advance(minutes=1)
        setup.step()
        [refused] = setup.log()
        assert (refused.status, refused.attempts, refused.http_status) == (
            DeliveryStatus.QUEUED, 2, 503)
        back.answer = Answer(status=204, body=b"")
        setup.domain.clock.advance(minutes=2)
        setup.step()
        assert [body(r)["comment_id"] for r in back.received] == [comment, comment]
        assert len({r.headers["palabre-delivery"] for r in back.received}) == 1
    [done] = setup.log()
    assert (done.status, done.attempts, done.http_status, done.last_error) == (
        DeliveryStatus.SENT, 3, 204, "")


def test_a_delivery_is_given_up_after_its_last_attempt(setup: Setup) -> None:
    setup.receiver.answer = Answer(status=500)
    setup.add()
    setup.post(1)
    for _ in range(MAX_ATTEMPTS):
        setup.step()
        setup.domain.clock.advance(hours=7)
    [failed] = setup.log()
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert len(setup.receiver.received) == MAX_ATTEMPTS


class Crash(Exception):
    """The process dies here."""


class CrashAfterSending:
    """Sends, then dies before the answer is recorded."""

    def __init__(self, inner: HttpxTransport) -> None:
        self.inner = inner

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        await self.inner.post(url, body, headers)
        raise Crash()


def test_a_crash_after_sending_repeats_the_request_with_the_same_delivery_id(
        setup: Setup) -> None:
    setup.add()
    setup.post(1)
    crashing = WebhookWorker(setup.domain.ctx, CrashAfterSending(setup.transport),
                             comment_json, holder="w1")
    with pytest.raises(Crash):
        setup.domain.run(crashing.step())
    [sending] = setup.log()
    assert (sending.status, sending.attempts) == (DeliveryStatus.SENDING, 1)
    # The outbox hands the event over again: it makes no second delivery.
    setup.domain.run(_rewind(setup))
    setup.domain.clock.advance(seconds=STALE_AFTER.total_seconds() + 61)
    setup.worker = setup.new_worker("w2")  # the next process, once the lease expired
    setup.step()
    [done] = setup.log()
    assert (done.status, done.attempts, done.id) == (DeliveryStatus.SENT, 2, sending.id)
    ids = [r.headers["palabre-delivery"] for r in setup.receiver.received]
    assert ids == [sending.uid, sending.uid]  # at least once, with a stable id


async def _rewind(setup: Setup) -> None:
    async with setup.domain.storage.write() as tx:
        await tx.set_cursor(CONSUMER, 0)


def test_a_rotation_signs_with_both_secrets_until_the_old_one_is_retired(
        setup: Setup) -> None:
    domain = setup.domain
    made = setup.add()
    new = domain.run(hooks.rotate_secret(domain.ctx, "default", made.endpoint.id, SYSTEM))
    assert new != made.secret and new.startswith("whsec_")
    domain.run(hooks.send_test(domain.ctx, "default", made.endpoint.id, SYSTEM))
    setup.step()
    [ping] = setup.receiver.received
    assert body(ping)["event"] == "ping" and len(signatures(ping.headers)) == 2
    for secret in (made.secret, new):
        assert verify(ping.headers["palabre-signature"], ping.body, secret, setup.now())
    domain.run(hooks.retire_secret(domain.ctx, "default", made.endpoint.id, SYSTEM))
    domain.run(hooks.send_test(domain.ctx, "default", made.endpoint.id, SYSTEM))
    setup.step()
    retired = setup.receiver.received[1]
    assert len(signatures(retired.headers)) == 1
    assert verify(retired.headers["palabre-signature"], retired.body, new, setup.now())
    assert not verify(retired.headers["palabre-signature"], retired.body, made.secret,
                      setup.now())


def test_a_disabled_endpoint_gets_nothing_and_a_deleted_one_takes_its_log(setup: Setup) -> None:
    domain = setup.domain
    made = setup.add()
    domain.run(hooks.set_enabled(domain.ctx, "default", made.endpoint.id, False, SYSTEM))
    setup.post(1)
    setup.step()
    assert setup.receiver.received == [] and setup.log() == []
    domain.run(hooks.set_enabled(domain.ctx, "default", made.endpoint.id, True, SYSTEM))
    domain.run(hooks.send_test(domain.ctx, "default", made.endpoint.id, SYSTEM))
    domain.run(hooks.delete_endpoint(domain.ctx, "default", made.endpoint.id, SYSTEM))
    assert setup.log() == []
    assert domain.run(domain.storage.webhook_endpoints(1)) == []


def test_endpoint_urls_and_events_are_checked_and_only_admins_manage_them(
        setup: Setup) -> None:
    for bad in ("ftp://example.org/x", "javascript:alert(1)", "http://", "example.org/x",
                "https://user:pw@example.org/x", "https://example.org/a b",
                "https://example.org/x#frag", "https://example.org:port/", "x" * 3000):
        with pytest.raises(InvalidInput) as refused:
            hooks.parse_url(bad)
        assert refused.value.reason == "webhook_url_invalid"
    assert hooks.parse_url(" https://hooks.example.org/in?token=1 ") == (
        "https://hooks.example.org/in?token=1")
    with pytest.raises(InvalidInput):
        setup.add(events=())
    with pytest.raises(InvalidInput):
        setup.add(events=("comment.voted",))
    with pytest.raises(Forbidden):
        setup.domain.run(hooks.add_endpoint(setup.domain.ctx, "default", setup.receiver.url,
                                            "events", ALL, Actor(client="someone")))


def test_secrets_never_show_in_a_repr() -> None:
    endpoint = Endpoint(1, 1, "https://x.example/", EndpointKind.EVENTS, (), True,
                        None, 0, "whsec_current", "whsec_old")  # type: ignore[arg-type]
    assert "whsec_" not in repr(endpoint)


def test_the_documented_python_check_verifies_a_real_request(setup: Setup) -> None:
    """docs/notifications.md's receiver code, run against what the receiver got."""
    docs = (Path(__file__).parents[2] / "docs" / "notifications.md").read_text()
    code = docs.split("### Verifying the signature", 1)[1].split("```python\n", 1)[1]
    scope: dict[str, Any] = {}
    exec(code.split("```", 1)[0], scope)
    made = setup.add()
    setup.post(1)
    setup.step()
    [got] = setup.receiver.received
    header, check = got.headers["palabre-signature"], scope["verified"]
    forever = 10**10  # the tests' clock is not the machine's
    assert check(header, got.body, made.secret, forever)
    assert not check(header, got.body + b" ", made.secret, forever)
    assert not check(header, got.body, made.secret)  # signed at the tests' clock: too old
