"""Reply notifications through a real `palabre serve --workers 2` (settings from the
environment) and a real SMTP server (aiosmtpd in this process): the widget's switch,
double opt-in, the notification in the reader's language with its headers, sent once
although two workers follow the outbox, and one-click unsubscribe."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from palabre.domain.sites import ensure_site
from palabre.storage import migrate, open_storage
from tests.conftest import TEST_SITE_SETTINGS
from tests.server.conftest import clean_env, free_port, serving
from tests.smtp_inbox import Inbox, link, smtp_server, text_of

FROM = "Commentaires <comments@example.org>"


def prepared(database_url: str) -> None:
    migrate.upgrade(database_url)

    async def made() -> None:
        storage = open_storage(database_url)
        try:
            await ensure_site(storage, settings=replace(TEST_SITE_SETTINGS,
                                                        site_url="https://blog.example.org"))
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


