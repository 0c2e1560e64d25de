"""Digests of replies and the reader's language, on the domain (in memory), delivered to
a real SMTP server (aiosmtpd in this process)."""

from __future__ import annotations

from dataclasses import replace

from palabre.domain.authors import author_data
from palabre.domain.context import Context
from palabre.domain.identity import SYSTEM
from palabre.domain.mail.digests import choose_digest
from palabre.domain.mail.models import Digest, MailKind, SubscriberState
from palabre.domain.mail.subscriptions import Outcome, address_key, manage_token, note_language
from palabre.domain.mail.worker import MailWorker
from palabre.domain.moderation import moderate
from tests.domain.conftest import Domain
from tests.domain.test_mail import ANNE, BRUNO, CLAIRE, PUBLIC, confirmed, inbox, post
from tests.smtp_inbox import Inbox, html_of, link, text_of

__all__ = ["inbox"]


def choose(domain: Domain, email: str, choice: str) -> Outcome:
    site = domain.run(domain.storage.get_site("default"))
    assert site is not None
    found = domain.run(domain.storage.find_subscriber(site.id, address_key(
        domain.ctx.secret, email)))
    assert found is not None
    token = manage_token(domain.ctx.secret, found.id, found.address_key)
    return domain.run(choose_digest(domain.ctx, token, choice)).outcome


def test_replies_within_an_hour_come_as_one_mail(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    first = confirmed(domain, box, worker, 1, ANNE, "fr")
    assert choose(domain, ANNE, "hourly") is Outcome.DONE
    post(domain, 2, BRUNO, parent=first, text="Première **réponse**")
    domain.clock.advance(minutes=20)
    post(domain, 3, CLAIRE, parent=first, text="Deuxième réponse")
    post(domain, 1, ANNE, parent=first, text="Moi-même")  # a self-reply: never told
    domain.run(worker.step())
    assert len(box.to(ANNE)) == 1  # the confirmation only: the window is open
    domain.clock.advance(minutes=41)
    domain.run(worker.hold_lease())
    domain.run(worker.step())
    [_, digest] = box.to(ANNE)
    assert digest["Subject"] == "2 nouvelles réponses à vos commentaires sur default"
    assert digest["List-Unsubscribe"].startswith(f"<{PUBLIC}/mail/unsubscribe?token=")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = text_of(digest)
    assert "Première **réponse**" in text and "Deuxième réponse" in text
    assert "Moi-même" not in text
    assert text.index("Auteur 2 sur « Le billet »") < text.index("Auteur 3 sur")
    assert "<strong>réponse</strong>" in html_of(digest)
    assert link(digest, "/mail/unsubscribe") == link(digest, "/mail/unsubscribe")
    [mail] = [m for m in domain.run(domain.storage.outgoing_mails(None, 10))
              if m.kind is MailKind.DIGEST]
    assert mail.masked == "a***@e***.org"
    domain.run(worker.step())
    assert len(box.to(ANNE)) == 2  # the box went with the mail


def test_a_window_with_one_reply_sends_the_ordinary_notification_and_skips_removed_ones(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    first = confirmed(domain, box, worker, 1, ANNE)
    assert choose(domain, ANNE, "daily") is Outcome.DONE
    post(domain, 2, BRUNO, parent=first, text="Gardée")
    removed = post(domain, 3, CLAIRE, parent=first, text="Retirée")
    domain.run(moderate(domain.ctx, removed, "reject", SYSTEM))
    domain.run(worker.step())
    domain.clock.advance(hours=23)
    domain.run(worker.hold_lease())
    domain.run(worker.step())
    assert len(box.to(ANNE)) == 1
    domain.clock.advance(hours=1, minutes=1)
    domain.run(worker.hold_lease())
    domain.run(worker.step())
    [_, mail] = box.to(ANNE)
    assert mail["Subject"] == "Auteur 2 replied to your comment on “Le billet”"
    assert "Gardée" in text_of(mail) and "Retirée" not in text_of(mail)


def test_going_back_to_one_mail_a_reply(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    first = confirmed(domain, box, worker, 1, ANNE)
    assert choose(domain, ANNE, "daily") is Outcome.DONE
    assert choose(domain, ANNE, "now") is Outcome.DONE
    post(domain, 2, BRUNO, parent=first)
    domain.run(worker.step())
    assert len(box.to(ANNE)) == 2


def test_a_digest_choice_needs_a_valid_token_and_choice(domain: Domain) -> None:
    assert domain.run(choose_digest(domain.ctx, "forged", "daily")).outcome is Outcome.INVALID
    domain.run(note_language(mailing(domain.ctx), "default", ANNE, "fr", notify=True))
    assert choose(domain, ANNE, "weekly") is Outcome.INVALID
    assert choose(domain, ANNE, "daily") is Outcome.INVALID  # no address kept yet


def mailing(ctx: Context) -> Context:
    """The context of a server that sends mail (only then is a language noted)."""
    return replace(ctx, config=replace(ctx.config, smtp_url="smtp://127.0.0.1:25"))


def test_the_posting_language_writes_the_confirmation(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    domain.run(note_language(domain.ctx, "default", ANNE, "fr", notify=True))
    site = domain.run(domain.storage.get_site("default"))
    assert site is not None
    key = address_key(domain.ctx.secret, ANNE)
    assert domain.run(domain.storage.find_subscriber(site.id, key)) is None  # no mail: no row
    ctx = mailing(domain.ctx)
    domain.run(note_language(ctx, "default", BRUNO, "fr", notify=False))  # asks nothing
    domain.run(note_language(ctx, "default", ANNE, "fr", notify=True))
    noted = domain.run(domain.storage.find_subscriber(site.id, key))
    assert noted is not None
    assert (noted.email, noted.lang, noted.state, noted.digest) == (
        "", "fr", SubscriberState.NONE, Digest.NOW)
    post(domain, 1, ANNE, notify=True)
    domain.run(worker.step())
    [asking] = box.to(ANNE)
    assert asking["Subject"] == "default : confirmez votre adresse pour être prévenu des réponses"
    assert domain.run(domain.storage.find_subscriber(site.id, address_key(
        domain.ctx.secret, BRUNO))) is None


def test_the_authors_data_export_lists_their_subscriptions(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    confirmed(domain, box, worker, 1, ANNE, "fr")
    assert choose(domain, ANNE, "daily") is Outcome.DONE
    data = domain.run(author_data(domain.ctx, ANNE.upper(), SYSTEM))
    [subscription] = data["subscriptions"]
    assert {k: subscription[k] for k in ("site", "state", "lang", "digest", "address_kept")} == {
        "site": "default", "state": "confirmed", "lang": "fr", "digest": "daily",
        "address_kept": True}
    assert domain.run(author_data(domain.ctx, BRUNO, SYSTEM))["subscriptions"] == []
