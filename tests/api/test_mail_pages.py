"""Mail's pages and switch in process: no SMTP, no "notify me"; bad links are refused in
the reader's language, and a GET never unsubscribes (mail scanners follow links)."""

from __future__ import annotations

from palabre.domain.context import Context
from palabre.domain.mail.models import SubscriberState
from palabre.domain.mail.subscriptions import address_key
from palabre.domain.mail.tokens import CONFIRM, UNSUBSCRIBE, MailTokens
from tests.conftest import SECRET, AppFactory


def test_without_smtp_the_widget_offers_no_notify_box(make_api: AppFactory) -> None:
    off = make_api().get("/mail/options", headers={"Origin": "https://blog.example.org"})
    assert off.json() == {"notify": False}
    assert off.headers["access-control-allow-origin"] == "*"
    on = make_api(smtp_url="smtp://127.0.0.1:1", mail_from="c@example.org",
                  public_url="https://comments.example.org")
    assert on.get("/mail/options").json() == {"notify": True}


def test_links_are_checked_and_a_get_only_asks(make_api: AppFactory) -> None:
    api = make_api()
    bad = api.get("/mail/confirm?token=nope", headers={"Accept-Language": "fr"})
    assert bad.status_code == 400 and "Lien non valable" in bad.text
    assert bad.headers["cache-control"] == "no-store"
    site = api.domain(lambda ctx: ctx.storage.get_site("default"))
    assert site is not None

    async def subscribe(ctx: Context) -> int:
        async with ctx.storage.write() as tx:
            made = await tx.save_subscriber(site.id, address_key(SECRET, "a@example.org"),
                                            "a@example.org", "en",
                                            SubscriberState.CONFIRMED, None, api.clock())
        return made.id

    subscriber = api.domain(subscribe)
    tokens = MailTokens(SECRET)
    token = tokens.issue(UNSUBSCRIBE, subscriber, address_key(SECRET, "a@example.org"))
    asking = api.get("/mail/unsubscribe", params={"token": token})
    assert asking.status_code == 200 and "Stop the e-mails" in asking.text
    stored = api.domain(lambda ctx: ctx.storage.get_subscriber(subscriber))
    assert stored is not None and stored.state is SubscriberState.CONFIRMED
    wrong = tokens.issue(CONFIRM, subscriber, address_key(SECRET, "a@example.org"))
    assert api.request("POST", "/mail/unsubscribe", params={"token": wrong}).status_code == 400
    done = api.request("POST", "/mail/unsubscribe", params={"token": token})
    assert done.status_code == 200 and "Unsubscribed" in done.text
    stored = api.domain(lambda ctx: ctx.storage.get_subscriber(subscriber))
    assert stored is not None and stored.state is SubscriberState.UNSUBSCRIBED
