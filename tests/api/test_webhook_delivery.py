"""Webhooks and the external phase through the running app (its lifespan starts the
webhook worker; create_app puts the external phase among the moderation phases): a
comment posted through the API reaches a real local receiver, signed; a moderation
endpoint's "hold" holds a reader's comment, and one that never answers leaves it
published. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from palabre.domain.context import Context
from palabre.domain.identity import SYSTEM
from palabre.domain.webhooks import endpoints as hooks
from palabre.domain.webhooks.signing import verify
from tests.conftest import Api
from tests.http_receiver import Answer, Receiver, receiving


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as found:
        yield found


def add(api: Api, url: str, kind: str, events: tuple[str, ...] = ()) -> hooks.Created:
    async def work(ctx: Context) -> hooks.Created:
        return await hooks.add_endpoint(ctx, "default", url, kind, events, SYSTEM)
    return api.domain(work)


def arrived(receiver: Receiver, count: int, within: float = 20.0) -> bool:
    """Whether ``count`` requests reached the receiver (the worker sends in the
    background: it looks for new endpoints every 5 seconds, then wakes with the outbox)."""
    deadline = time.monotonic() + within
    while len(receiver.received) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(receiver.received) >= count


def test_a_posted_comment_reaches_the_receiver_signed(api: Api, receiver: Receiver) -> None:
    made = add(api, receiver.url, "events", ("comment.created",))
    posted = api.comment(text="Un *avis*", email="anne@example.org")
    assert arrived(receiver, 1)
    [got] = receiver.received
    signed_at = api.clock().timestamp()  # the app signs with its clock (the tests')
    assert verify(got.headers["palabre-signature"], got.body, made.secret, signed_at)
    data = json.loads(got.body)
    assert (data["event"], data["comment_id"], data["comment"]["html"]) == (
        "comment.created", posted["id"], "<p>Un <em>avis</em></p>")
    assert "anne@" not in got.body.decode()


def test_a_moderation_endpoint_holds_a_readers_comment(api: Api, receiver: Receiver) -> None:
    add(api, receiver.url, "moderation")
    receiver.answer = Answer(body=b'{"action": "hold", "reason": "insults"}')
    held = api.post(text="Des mots durs")["comment"]
    assert held["status"] == "pending"
    [asked] = receiver.received
    assert json.loads(asked.body)["text"] == "Des mots durs"
    receiver.answer = Answer(hang=True)  # never answers: the comment goes on
    assert api.post(text="Des mots doux")["comment"]["status"] == "approved"
