"""Reply notifications on the domain (in memory), delivered to a real SMTP server
(aiosmtpd in this process): double opt-in, headers and language, self-replies and held
comments, one-click unsubscribe, crashes and retries, the lease."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from palabre.domain import comments
from palabre.domain.authors import erase_author
from palabre.domain.identity import SYSTEM
from palabre.domain.inputs import CommentDraft
from palabre.domain.mail.compose import Links
from palabre.domain.mail.delivery import STALE_AFTER, MailError
from palabre.domain.mail.models import MailStatus, SubscriberState
from palabre.domain.mail.subscriptions import (
    Outcome,
    address_key,
    check_unsubscribe,
    confirm,
    unsubscribe,
)
from palabre.domain.mail.tokens import CONFIRM, UNSUBSCRIBE, MailTokens
from palabre.domain.mail.worker import MailWorker
from palabre.domain.models import CommentId
from palabre.domain.moderation import moderate
from tests.domain.conftest import Domain, reader
from tests.smtp_inbox import Inbox, free_port, html_of, link, smtp_server, text_of, transport

ANNE, BRUNO, CLAIRE = "anne@example.org", "bruno@example.org", "claire@example.org"
FROM = "Commentaires <comments@example.org>"
PUBLIC = "https://comments.example.org"


@pytest.fixture
def inbox(domain: Domain) -> Iterator[tuple[Inbox, MailWorker]]:
    domain.settings(site_url="https://blog.example.org")
    with smtp_server() as (box, port):
        worker = MailWorker(domain.ctx, transport(port), Links(PUBLIC), FROM, holder="w1")
        assert domain.run(worker.hold_lease())
        yield box, worker


def post(domain: Domain, n: int, email: str, parent: int | None = None,
         notify: bool = False, text: str = "") -> CommentId:
    draft = CommentDraft(uri="/a", text=text or f"Texte {n} {email} {parent}",
                         author=f"Auteur {n}", email=email, parent=parent, notify=notify,
                         title="Le billet")
    return domain.run(comments.post_comment(domain.ctx, draft, reader(n))).comment.id


def confirmed(domain: Domain, box: Inbox, worker: MailWorker, n: int, email: str,
              lang: str = "en") -> CommentId:
    """A comment by ``email`` asking for replies, its address confirmed."""
    comment = post(domain, n, email, notify=True)
    domain.run(worker.step())
    token = link(box.to(email)[-1], "/mail/confirm")
    assert domain.run(confirm(domain.ctx, token, lang)).outcome is Outcome.DONE
    return comment


def test_first_use_asks_confirmation_then_replies_come_with_their_headers(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    first = post(domain, 1, ANNE, notify=True)
    domain.run(worker.step())
    [asking] = box.messages
    assert asking["To"] == ANNE and asking["From"] == FROM
    site = domain.run(domain.storage.get_site("default"))
    assert site is not None
    assert asking["Subject"] == f"Confirm reply notifications from {site.name}"
    assert "This link is valid for 7 days." in text_of(asking)
    assert asking["List-Unsubscribe"] is None
    post(domain, 2, BRUNO, parent=first)  # not confirmed yet: nothing
    domain.run(worker.step())
    assert len(box.messages) == 1
    token = link(asking, "/mail/confirm")
    assert domain.run(confirm(domain.ctx, token, "fr")).outcome is Outcome.DONE
    assert domain.run(confirm(domain.ctx, token, "fr")).outcome is Outcome.ALREADY
    answer = post(domain, 3, CLAIRE, parent=first, text="Bien **vu** & merci")
    domain.run(worker.step())
    [mail] = box.messages[1:]
    assert (mail["From"], mail["To"]) == (FROM, ANNE)
    assert mail["Subject"] == "Auteur 3 a répondu à votre commentaire sur « Le billet »"
    assert mail["List-Unsubscribe"].startswith(f"<{PUBLIC}/mail/unsubscribe?token=")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Message-ID"].endswith("@comments.example.org>") and mail["Date"]
    text = text_of(mail)
    assert "Bien **vu** & merci" in text
    assert f"https://blog.example.org/a#comment-{answer}" in text
    assert "<strong>vu</strong> &amp; merci" in html_of(mail)
    post(domain, 1, ANNE, notify=True)  # confirmed already: no new confirmation
    domain.run(worker.step())
    assert len(box.messages) == 2


def test_confirmation_is_asked_once_a_week_per_address(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    post(domain, 1, ANNE, notify=True)
    post(domain, 1, ANNE.upper(), notify=True)
    post(domain, 2, BRUNO)  # no notify: nothing
    domain.run(worker.step())
    assert [m["To"] for m in box.messages] == [ANNE]
    domain.clock.advance(days=8)
    post(domain, 1, ANNE, notify=True)
    domain.run(worker.hold_lease())
    domain.run(worker.step())
    assert [m["To"] for m in box.messages] == [ANNE, ANNE]


def test_self_replies_and_held_comments_send_nothing_until_approved(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    first = confirmed(domain, box, worker, 1, ANNE)
    post(domain, 1, ANNE.upper(), parent=first)  # to herself
    domain.run(worker.step())
    assert len(box.messages) == 1
    domain.settings(moderation="all", site_url="https://blog.example.org")
    held = post(domain, 2, BRUNO, parent=first)
    domain.run(worker.step())
    assert len(box.messages) == 1
    domain.run(moderate(domain.ctx, held, "approve", SYSTEM))
    domain.run(worker.step())
    assert [m["To"] for m in box.messages] == [ANNE, ANNE]
    assert f"#comment-{held}" in text_of(box.messages[-1])
    assert box.messages[-1]["Subject"].startswith("Auteur 2 replied to your comment")


def test_unsubscribe_works_once_and_only_for_its_address(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    anne = confirmed(domain, box, worker, 1, ANNE)
    claire = confirmed(domain, box, worker, 3, CLAIRE)
    post(domain, 2, BRUNO, parent=anne)
    post(domain, 2, BRUNO, parent=claire)
    domain.run(worker.step())
    token = link(box.to(ANNE)[-1], "/mail/unsubscribe")
    assert link(box.to(CLAIRE)[-1], "/mail/unsubscribe") != token
    ctx = domain.ctx
    assert domain.run(check_unsubscribe(ctx, token)) is not None
    assert domain.run(unsubscribe(ctx, "x" + token)).outcome is Outcome.INVALID
    confirm_token = link(box.to(ANNE)[0], "/mail/confirm")
    assert domain.run(unsubscribe(ctx, confirm_token)).outcome is Outcome.INVALID
    assert domain.run(unsubscribe(ctx, token)).outcome is Outcome.DONE
    assert domain.run(unsubscribe(ctx, token)).outcome is Outcome.ALREADY
    key = address_key(ctx.secret, ANNE)
    site = domain.run(ctx.storage.get_site("default"))
    assert site is not None
    anne_row = domain.run(ctx.storage.find_subscriber(site.id, key))
    assert anne_row is not None and anne_row.state is SubscriberState.UNSUBSCRIBED
    assert anne_row.email == ""  # the address itself is no longer kept
    # Bound to its own subscriber and address: a token naming another address fails.
    foreign = MailTokens(ctx.secret).issue(UNSUBSCRIBE, anne_row.id,
                                           address_key(ctx.secret, CLAIRE))
    assert domain.run(unsubscribe(ctx, foreign)).outcome is Outcome.INVALID
    sent = len(box.messages)
    post(domain, 2, BRUNO, parent=anne)
    post(domain, 2, BRUNO, parent=claire)
    domain.run(worker.step())
    assert [m["To"] for m in box.messages[sent:]] == [CLAIRE]


def test_a_crash_between_queueing_and_sending_sends_once(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    first = confirmed(domain, box, worker, 1, ANNE)
    post(domain, 2, BRUNO, parent=first)
    domain.run(worker.consumer.deliver_pending())  # queued, then the process dies
    assert len(box.messages) == 1
    successor = MailWorker(domain.ctx, transport(box.port), Links(PUBLIC), FROM, holder="w2")
    assert not domain.run(successor.step())  # the dead one's lease has not expired yet
    domain.clock.advance(seconds=61)

    # The outbox hands the same events again (the cursor was saved, but say it was not).
    async def rewind() -> None:
        async with domain.storage.write() as tx:
            await tx.set_cursor("mail", 0)
    domain.run(rewind())
    assert domain.run(successor.step())
    domain.run(successor.step())
    assert [m["To"] for m in box.messages] == [ANNE, ANNE]


def test_a_crash_during_the_smtp_exchange_is_not_sent_again(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    first = confirmed(domain, box, worker, 1, ANNE)
    post(domain, 2, BRUNO, parent=first)
    domain.run(worker.consumer.deliver_pending())
    storage = domain.storage
    [mail] = domain.run(storage.due_mails(domain.clock(), 10))

    async def claim() -> None:  # the sender claimed it, and died before hearing back
        async with storage.write() as tx:
            assert await tx.claim_mail(mail.id, "mail", "w1", domain.clock())

    domain.run(claim())
    domain.clock.advance(seconds=STALE_AFTER.total_seconds() + 1)
    domain.run(worker.step())
    assert len(box.messages) == 1
    [logged] = [m for m in domain.run(storage.outgoing_mails(None, 10)) if m.id == mail.id]
    assert logged.status is MailStatus.FAILED and "interrupted" in logged.last_error
    assert logged.message == ""


def test_an_unreachable_server_is_tried_again_later(domain: Domain) -> None:
    domain.settings(site_url="https://blog.example.org")
    port = free_port()  # nobody listens there yet
    worker = MailWorker(domain.ctx, transport(port), Links(PUBLIC), FROM, holder="w1")
    assert domain.run(worker.hold_lease())
    post(domain, 1, ANNE, notify=True)
    domain.run(worker.step())
    [mail] = domain.run(domain.storage.outgoing_mails(None, 10))
    assert (mail.status, mail.attempts) == (MailStatus.QUEUED, 1)
    assert mail.last_error and mail.next_attempt == domain.clock() + timedelta(minutes=1)
    with smtp_server(port) as (box, _):
        domain.run(worker.step())  # not due yet
        assert box.messages == []
        domain.clock.advance(seconds=61)
        domain.run(worker.step())
        assert [m["To"] for m in box.messages] == [ANNE]
    [mail] = domain.run(domain.storage.outgoing_mails(None, 10))
    assert (mail.status, mail.attempts, mail.message) == (MailStatus.SENT, 2, "")


def test_one_worker_holds_the_lease_at_a_time(domain: Domain) -> None:
    first = MailWorker(domain.ctx, transport(free_port()), Links(PUBLIC), FROM, holder="a")
    second = MailWorker(domain.ctx, transport(free_port()), Links(PUBLIC), FROM, holder="b")
    assert domain.run(first.hold_lease())
    assert not domain.run(second.hold_lease())
    domain.clock.advance(seconds=30)
    assert domain.run(first.hold_lease())  # renewed
    domain.clock.advance(seconds=45)
    assert not domain.run(second.hold_lease())
    domain.run(first.release())
    assert domain.run(second.hold_lease())
    assert not domain.run(first.hold_lease())


def test_erasing_an_author_forgets_their_address(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    confirmed(domain, box, worker, 1, ANNE)
    site = domain.run(domain.storage.get_site("default"))
    assert site is not None
    key = address_key(domain.ctx.secret, ANNE)
    assert domain.run(domain.storage.find_subscriber(site.id, key)) is not None
    domain.run(erase_author(domain.ctx, ANNE, SYSTEM))
    assert domain.run(domain.storage.find_subscriber(site.id, key)) is None
    assert domain.run(domain.storage.outgoing_mails(None, 10)) == []


def test_tokens_name_their_purpose() -> None:
    tokens = MailTokens("secret")
    made = tokens.issue(CONFIRM, 4, "key")
    assert tokens.read(CONFIRM, made) is not None
    assert tokens.read(UNSUBSCRIBE, made) is None
    assert MailTokens("other").read(CONFIRM, made) is None
    assert MailError("x", permanent=True).permanent


def test_the_mail_catalogues_agree_and_hold_every_key_used() -> None:
    package = Path(__file__).resolve().parents[2] / "palabre"
    en, fr = (json.loads((package / "locales" / "mail" / f"{lang}.json").read_text("utf-8"))
              for lang in ("en", "fr"))
    assert en.keys() == fr.keys()
    sources = [*package.glob("domain/mail/*.py"), *package.glob("web/mail/*.py"),
               *package.glob("templates/mail/*.html")]
    used = {key for path in sources
            for key in re.findall(r"\"(mail\.[a-z_.]+)\"", path.read_text("utf-8"))}
    used |= {f"mail.page.{name}.{part}" for name in ("confirmed", "invalid", "unsubscribe",
                                                     "unsubscribed") for part in ("title",)}
    plurals = {key.removesuffix(".other") for key in en if key.endswith(".other")}
    assert used and used <= en.keys() | plurals, used - en.keys() - plurals


def test_a_mail_that_cannot_be_written_is_given_up_not_blocking_the_others(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, _ = inbox
    broken = MailWorker(domain.ctx, transport(box.port), Links(PUBLIC), "bad\nheader",
                        holder="w1")
    post(domain, 1, ANNE, notify=True)
    domain.run(broken.step())
    [mail] = domain.run(domain.storage.outgoing_mails(None, 10))
    assert mail.status is MailStatus.FAILED and "cannot be written" in mail.last_error
    assert box.messages == []
