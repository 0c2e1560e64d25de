"""Reply notifications through a real `palabre serve --workers 2` (settings from the
environment) and a real SMTP server (aiosmtpd in this process): the widget's switch,
double opt-in, the notification in the reader's language with its headers, sent once
although two workers follow the outbox, and one-click unsubscribe; a moderator's alert
whose reject link works once, and the statement of reasons it sends in the author's
language."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from palabre.domain.models import utcnow
from palabre.domain.sites import ensure_site
from palabre.settings import AlertMode, ModerationMode
from palabre.storage import migrate, open_storage
from tests.conftest import TEST_SITE_SETTINGS
from tests.server.conftest import clean_env, free_port, serving
from tests.smtp_inbox import Inbox, link, smtp_server, text_of

FROM = "Commentaires <comments@example.org>"
MODERATOR = "mod@example.org"


def prepared(database_url: str) -> None:
    migrate.upgrade(database_url)

    async def made() -> None:
        storage = open_storage(database_url)
        try:
            await ensure_site(storage, settings=replace(TEST_SITE_SETTINGS,
                                                        site_url="https://blog.example.org"))
            await ensure_site(storage, "desk", settings=replace(
                TEST_SITE_SETTINGS, moderation=ModerationMode.ALL,
                moderator_alerts=AlertMode.NOW, statement_of_reasons=True,
                redress_contact="recours@example.org"))
            async with storage.write() as tx:
                moderator = await tx.save_moderator("mod", "no-password", utcnow())
                await tx.set_moderator_address(moderator.id, MODERATOR, "en")
        finally:
            await storage.close()

    asyncio.run(made())


@pytest.fixture(scope="module")
def mailing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Inbox]]:
    folder: Path = tmp_path_factory.mktemp("mail")
    database_url = f"sqlite:///{folder / 'palabre.db'}"
    prepared(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**clean_env(), "PALABRE_SMTP_URL": "", "PALABRE_MAIL_FROM": FROM,
           "PALABRE_PUBLIC_URL": base}
    log = folder / "server.log"
    with smtp_server() as (inbox, smtp_port):
        env["PALABRE_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"
        with serving(log, "--workers", "2", "--database", database_url,
                     "--post-rate-limit", "0", env=env, port=port):
            yield base, inbox


def arrived(inbox: Inbox, count: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count:
        assert time.monotonic() < deadline, [m["Subject"] for m in inbox.messages]
        time.sleep(0.05)


def post(base: str, **body: object) -> int:
    answer = httpx.post(f"{base}/api/v1/comments", json={"uri": "/billet", **body})
    assert answer.status_code == 201, answer.text
    comment_id: int = answer.json()["comment"]["id"]
    return comment_id


def test_notifications_through_a_running_server(mailing: tuple[str, Inbox]) -> None:
    base, inbox = mailing
    assert httpx.get(f"{base}/mail/options").json() == {"notify": True}
    first = post(base, text="Premier", author="Anne", email="anne@example.org", notify=True)
    arrived(inbox, 1)
    token = link(inbox.messages[0], "/mail/confirm")
    page = httpx.get(f"{base}/mail/confirm", params={"token": token},
                     headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert page.status_code == 200 and "Adresse confirmée" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    answer = post(base, text="Réponse", author="Bruno", email="bruno@example.org", parent=first)
    arrived(inbox, 2)
    mail = inbox.messages[1]
    assert (mail["To"], mail["From"]) == ("anne@example.org", FROM)
    assert mail["Subject"] == "Bruno a répondu à votre commentaire sur « /billet »"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"https://blog.example.org/billet#comment-{answer}" in text_of(mail)
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{base}/mail/unsubscribe?token=")
    asking = httpx.get(unsubscribe, headers={"Accept-Language": "en"})
    assert asking.status_code == 200 and 'method="post"' in asking.text
    once = httpx.post(unsubscribe, content=b"List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert once.status_code == 200 and "Désinscription faite" in once.text
    again = httpx.post(unsubscribe, content=b"List-Unsubscribe=One-Click")
    assert again.status_code == 200 and "déjà" in again.text
    post(base, text="Encore", author="Claire", email="claire@example.org", parent=first)
    time.sleep(1.5)  # two workers follow the outbox: still one mail each, and none after
    assert len(inbox.messages) == 2
    assert [to for _, to in inbox.envelopes] == [["anne@example.org"], ["anne@example.org"]]




def test_an_alert_link_rejects_once_and_the_author_is_told_why(
        mailing: tuple[str, Inbox]) -> None:
    base, inbox = mailing
    answer = httpx.post(f"{base}/api/v1/comments", headers={"Accept-Language": "fr"},
                        json={"uri": "/debat", "site": "desk", "text": "Hors sujet",
                              "author": "Denise", "email": "denise@example.org"})
    assert answer.status_code == 201, answer.text
    deadline = time.monotonic() + 10
    while not inbox.to(MODERATOR):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    [alert] = inbox.to(MODERATOR)
    assert alert["Subject"] == "Comment held for review on “/debat” (desk)"
    approve, reject = re.findall(r"(http\S+/mail/moderate\?token=\S+)", text_of(alert))
    page = httpx.get(reject)
    assert page.status_code == 200 and "Reject this comment?" in page.text
    assert httpx.post(reject).status_code == 200
    assert httpx.post(reject).status_code == 409  # used
    assert httpx.post(approve).status_code == 409  # decided already: nothing to do
    while not inbox.to("denise@example.org"):
        assert time.monotonic() < deadline + 10
        time.sleep(0.05)
    [told] = inbox.to("denise@example.org")
    assert told["Subject"] == "Votre commentaire sur « /debat » a été retiré (desk)"
    assert (told["From"], told["Auto-Submitted"]) == (FROM, "auto-generated")
    assert told["List-Unsubscribe"] is None
    assert "recours@example.org" in text_of(told)
    assert "La décision a été prise par un modérateur." in text_of(told)
