"""Moderator alerts with single-use links, and statements of reasons, on the domain (in
memory), delivered to a real SMTP server (aiosmtpd in this process)."""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import unquote

import pytest
from itsdangerous import URLSafeSerializer

from palabre.domain.audit import entries
from palabre.domain.comments import store_comment
from palabre.domain.errors import Forbidden
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.inputs import CommentDraft, parse_report_draft
from palabre.domain.mail.alerts import LinkOutcome, check_link, set_alert_address, use_link
from palabre.domain.mail.links import NAMESPACE
from palabre.domain.mail.log import mask
from palabre.domain.mail.models import MailKind
from palabre.domain.mail.subscriptions import note_language
from palabre.domain.mail.worker import MailWorker
from palabre.domain.models import Moderator, Role, Status
from palabre.domain.moderation import moderate
from palabre.domain.reports import report_comment
from tests.conftest import SECRET
from tests.domain.conftest import Domain, reader
from tests.domain.test_mail import ANNE, BRUNO, FROM, PUBLIC, inbox, post
from tests.domain.test_mail_digests import mailing
from tests.smtp_inbox import Inbox, html_of, text_of

__all__ = ["inbox"]
MOD = "mod@example.org"


def moderator(domain: Domain, name: str = "mod", email: str = MOD, lang: str = "en",
              role: Role = Role.ADMIN) -> Moderator:
    async def make() -> Moderator:
        async with domain.storage.write() as tx:
            made = await tx.save_moderator(name, "not-a-hash", domain.clock())
            if role is not Role.ADMIN:
                await tx.set_moderator_access(made.id, role, frozenset(), False)
        await set_alert_address(domain.ctx, SYSTEM, name, email, lang)
        found = await domain.storage.get_moderator(name)
        assert found is not None
        return found

    return domain.run(make())


def links(mail: EmailMessage) -> list[str]:
    return [unquote(t) for t in re.findall(r"/mail/moderate\?token=(\S+)", text_of(mail))]


def test_a_held_comment_alerts_with_links_that_work_once_and_only_for_their_action(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    domain.settings(moderation="all", moderator_alerts="now")
    moderator(domain)
    held = post(domain, 1, ANNE, text="À **modérer**")
    domain.run(worker.step())
    [alert] = box.to(MOD)
    assert alert["From"] == FROM and alert["List-Unsubscribe"] is None
    assert alert["Subject"] == "Comment held for review on “Le billet” (default)"
    assert "À **modérer**" in text_of(alert) and "<strong>modérer</strong>" in html_of(alert)
    assert f"{PUBLIC}/admin/queue/pending?site=default" in text_of(alert)
    approve, reject = links(alert)
    shown = domain.run(check_link(domain.ctx, approve))
    assert (shown.outcome, shown.action) == (LinkOutcome.SHOW, "approve")
    assert shown.comment is not None and shown.comment.id == held
    comment = domain.run(domain.storage.get_comment(held))
    assert comment is not None and comment.status is Status.PENDING  # looking did nothing
    done = domain.run(use_link(domain.ctx, reject))
    assert done.outcome is LinkOutcome.DONE and done.action == "reject"
    comment = domain.run(domain.storage.get_comment(held))
    assert comment is not None and comment.status is Status.REJECTED
    assert domain.run(use_link(domain.ctx, reject)).outcome is LinkOutcome.USED
    assert domain.run(use_link(domain.ctx, approve)).outcome is LinkOutcome.STALE
    assert domain.run(use_link(domain.ctx, approve)).outcome is LinkOutcome.USED
    log = list(reversed(domain.run(entries(domain.ctx, SYSTEM))))
    assert [(e.actor, e.action) for e in log if e.target == f"comment:{held}"] == [
        ("mod", "alert_link"), ("mod", "reject"), ("mod", "alert_link")]


def test_an_approve_link_cannot_be_turned_into_anything_else(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    domain.settings(moderation="all", moderator_alerts="now")
    moderator(domain)
    held = post(domain, 1, ANNE)
    domain.run(worker.step())
    approve, _ = links(box.to(MOD)[0])
    signer = URLSafeSerializer(SECRET, salt=NAMESPACE)
    claim = signer.loads(approve)
    forged = approve.replace(approve.split(".")[0], signer.dumps(
        {**claim, "a": "reject"}).split(".")[0])
    assert domain.run(use_link(domain.ctx, forged)).outcome is LinkOutcome.INVALID
    for action in ("spam", "delete"):  # signed with the secret, still not an alert action
        made = signer.dumps({**claim, "a": action, "l": "x" + action})
        assert domain.run(use_link(domain.ctx, made)).outcome is LinkOutcome.INVALID
    other = URLSafeSerializer(SECRET, salt="palabre.mail-unsubscribe.v1").dumps(claim)
    assert domain.run(use_link(domain.ctx, other)).outcome is LinkOutcome.INVALID
    domain.clock.advance(days=8)  # expired
    assert domain.run(use_link(domain.ctx, approve)).outcome is LinkOutcome.INVALID
    comment = domain.run(domain.storage.get_comment(held))
    assert comment is not None and comment.status is Status.PENDING


def test_a_moderator_who_lost_the_site_or_the_account_cannot_use_the_link(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    domain.settings(moderation="all", moderator_alerts="now")
    mod = moderator(domain)
    moderator(domain, "nobody", "nobody@example.org", role=Role.MODERATOR)  # no site
    held = post(domain, 1, ANNE)
    domain.run(worker.step())
    assert [m["To"] for m in box.messages] == [MOD]
    approve, _ = links(box.messages[0])

    async def disable() -> None:
        async with domain.storage.write() as tx:
            await tx.set_moderator_access(mod.id, Role.ADMIN, frozenset(), True)

    domain.run(disable())
    assert domain.run(use_link(domain.ctx, approve)).outcome is LinkOutcome.INVALID
    comment = domain.run(domain.storage.get_comment(held))
    assert comment is not None and comment.status is Status.PENDING


def test_reports_alert_and_hourly_alerts_come_as_one_digest_in_french(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    domain.settings(moderation="all", moderator_alerts="hourly", report_threshold=5)
    moderator(domain, lang="fr")
    first = post(domain, 1, ANNE, text="Premier")
    second = post(domain, 2, BRUNO, text="Second")
    domain.run(moderate(domain.ctx, first, "approve", SYSTEM))
    domain.run(report_comment(domain.ctx, first, parse_report_draft({"reason": "spam"}),
                              reader(7)))
    domain.run(worker.step())
    assert box.to(MOD) == []
    domain.clock.advance(hours=1, minutes=1)
    domain.run(worker.hold_lease())
    domain.run(worker.step())
    [digest] = box.to(MOD)
    assert digest["Subject"] == "2 commentaires à modérer sur default"
    text = text_of(digest)
    assert "En attente : Auteur 2" in text and "Signalé : Auteur 1" in text
    assert "Premier" in text and "Second" in text
    assert len(links(digest)) == 4  # the first is held no longer: its report is told
    assert text.index("Auteur 2") < text.index("Auteur 1")  # in the order they came
    assert domain.run(use_link(domain.ctx, links(digest)[-1])).outcome is LinkOutcome.DONE
    reported, waiting = (domain.run(domain.storage.get_comment(c)) for c in (first, second))
    assert reported is not None and reported.status is Status.REJECTED
    assert waiting is not None and waiting.status is Status.PENDING


def test_alerts_are_off_by_default_and_the_address_is_the_admins_to_set(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    domain.settings(moderation="all")
    moderator(domain)
    post(domain, 1, ANNE)
    domain.run(worker.step())
    assert box.messages == []
    stranger = Actor(client="c", moderator=Moderator(9, "x", "", Role.MODERATOR))
    with pytest.raises(Forbidden):
        domain.run(set_alert_address(domain.ctx, stranger, "mod", "evil@example.org", "en"))


def test_a_rejected_author_gets_a_statement_of_reasons_in_their_language(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    domain.settings(statement_of_reasons=True, redress_contact="recours@example.org")
    domain.run(note_language(mailing(domain.ctx), "default", ANNE, "fr", notify=False))
    rejected = post(domain, 1, ANNE, text="Hors de propos")
    kept = post(domain, 2, BRUNO)
    mod = moderator(domain)
    domain.run(moderate(domain.ctx, rejected, "reject", Actor(client="c", moderator=mod),
                        reason_code="off_topic"))
    domain.run(moderate(domain.ctx, kept, "spam", SYSTEM))  # spam: no statement
    domain.run(worker.step())
    [mail] = box.messages
    assert (mail["To"], mail["From"]) == (ANNE, FROM)
    assert mail["Subject"] == "Votre commentaire sur « Le billet » a été retiré (default)"
    assert mail["Auto-Submitted"] == "auto-generated" and mail["List-Unsubscribe"] is None
    text = text_of(mail)
    assert "Motif : off_topic (hors sujet)." in text
    assert "La décision a été prise par un modérateur." in text
    assert "Pour contester cette décision, écrivez à : recours@example.org" in text
    assert "Hors de propos" in text and "recours@example.org" in html_of(mail)
    [logged] = [m for m in domain.run(domain.storage.outgoing_mails(None, 10))
                if m.kind is MailKind.REASONS]
    assert (logged.masked, logged.recipient) == (mask(ANNE), "")  # sent: address blanked


def test_no_statement_unless_the_site_asks_for_it(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    rejected = post(domain, 1, ANNE)
    domain.run(moderate(domain.ctx, rejected, "reject", SYSTEM, reason_code="spam"))
    domain.run(worker.step())
    assert box.messages == []


def test_a_comment_the_assistant_rejects_at_posting_gets_an_automated_statement(
        domain: Domain, inbox: tuple[Inbox, MailWorker]) -> None:
    box, worker = inbox
    domain.settings(statement_of_reasons=True)

    async def rejected_at_posting() -> None:
        async with domain.storage.write() as tx:
            site = await tx.get_site("default")
            assert site is not None
            thread = await tx.get_or_create_thread(site.id, "/a", "Le billet", domain.clock())
            await store_comment(tx, site, thread, CommentDraft(uri="/a", text="Refusé",
                                                               email=BRUNO),
                                at=domain.clock(), status=Status.REJECTED, client="c")

    domain.run(rejected_at_posting())
    domain.run(worker.step())
    [mail] = box.to(BRUNO)
    text = text_of(mail)
    assert "The decision was taken by automated means." in text
    assert "Reason: none (no reason code was given" in text
    assert "To contest this decision, reply to the site’s editors." in text
