"""Mail's pages and switch in process: no SMTP, no "notify me"; bad links are refused in
the reader's language, and a GET never unsubscribes (mail scanners follow links) nor
moderates; the digest choice; the admin's mail page and alert addresses."""

from __future__ import annotations

import re
from urllib.parse import unquote

from palabre.domain.context import Context
from palabre.domain.mail.links import AlertLinks
from palabre.domain.mail.models import Digest, MailKind, SubscriberState
from palabre.domain.mail.subscriptions import address_key
from palabre.domain.mail.tokens import CONFIRM, UNSUBSCRIBE, MailTokens
from palabre.domain.moderators import save_moderator
from tests.api.test_admin_pages import NO_CHALLENGE, PASSWORD, desk, get, post, token_in
from tests.conftest import SECRET, Api, AppFactory

__all__ = ["desk"]


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


def subscriber_of(api: Api, email: str, state: SubscriberState) -> int:
    site = api.domain(lambda ctx: ctx.storage.get_site("default"))
    assert site is not None

    async def subscribe(ctx: Context) -> int:
        async with ctx.storage.write() as tx:
            made = await tx.save_subscriber(site.id, address_key(SECRET, email), email, "en",
                                            state, None, api.clock())
        return made.id

    return api.domain(subscribe)


def test_the_pages_offer_digests_and_the_choice_is_kept(make_api: AppFactory) -> None:
    api = make_api()
    subscriber = subscriber_of(api, "a@example.org", SubscriberState.CONFIRMED)
    token = MailTokens(SECRET).issue(UNSUBSCRIBE, subscriber, address_key(SECRET,
                                                                          "a@example.org"))
    asking = api.get("/mail/unsubscribe", params={"token": token},
                     headers={"Accept-Language": "fr"})
    found = re.search(r'action="/mail/digest\?token=([^"]+)"', asking.text)
    assert found is not None and "At most one mail a day" in asking.text  # their language
    manage = unquote(found.group(1))
    assert api.request("POST", "/mail/digest", params={"token": token},
                       data={"digest": "daily"}).status_code == 400  # not a manage token
    assert api.request("POST", "/mail/digest", params={"token": manage},
                       data={"digest": "weekly"}).status_code == 400
    done = api.request("POST", "/mail/digest", params={"token": manage},
                       data={"digest": "daily"})
    assert done.status_code == 200 and "Choice saved" in done.text
    stored = api.domain(lambda ctx: ctx.storage.get_subscriber(subscriber))
    assert stored is not None and stored.digest is Digest.DAILY


def test_an_alert_link_asks_then_acts_once(make_api: AppFactory) -> None:
    api = make_api()
    api.site_settings("default", moderation="all", **NO_CHALLENGE)
    held = api.comment(text="Attends")
    mod = api.domain(lambda ctx: save_moderator(ctx, "mod", PASSWORD))
    token = AlertLinks(SECRET).issue(mod.id, held["id"], "approve", api.clock())
    asking = api.get("/mail/moderate", params={"token": token})
    assert asking.status_code == 200 and "Approve this comment?" in asking.text
    assert "Attends" in asking.text and 'method="post"' in asking.text
    assert api.page()["comments"] == []  # looking did nothing
    done = api.request("POST", "/mail/moderate", params={"token": token})
    assert done.status_code == 200 and "The comment is approved." in done.text
    assert [c["id"] for c in api.page()["comments"]] == [held["id"]]
    again = api.request("POST", "/mail/moderate", params={"token": token})
    assert again.status_code == 409 and "Link already used" in again.text
    assert api.request("POST", "/mail/moderate",
                       params={"token": token[:-2] + "xx"}).status_code == 400


def test_the_admin_sees_a_masked_log_and_queues_a_test_mail(desk: Api) -> None:
    page = get(desk, "/admin/mail")
    assert page.status_code == 200 and "Delivery log" in page.text
    assert post(desk, "/admin/mail/test", {"email": "t@example.org"}).status_code == 403
    sent = post(desk, "/admin/mail/test", {"csrf": token_in(page.text),
                                           "email": "tester@example.org"})
    assert sent.status_code == 303 and sent.headers["location"].startswith(
        "/admin/mail?done=test_queued")
    log = get(desk, "/admin/mail").text
    assert "t***@e***.org" in log and "tester@example.org" not in log
    [mail] = desk.domain(lambda ctx: ctx.storage.outgoing_mails(None, 10))
    assert (mail.kind, mail.recipient) == (MailKind.TEST, "tester@example.org")
    bad = post(desk, "/admin/mail/test", {"csrf": token_in(log), "email": "not an address"})
    assert bad.status_code == 422


def test_the_admin_sets_a_moderators_alert_address(desk: Api) -> None:
    page = get(desk, "/admin/moderators")
    saved = post(desk, "/admin/moderators/alerts", {
        "csrf": token_in(page.text), "username": "claire", "email": "claire@example.org",
        "lang": "fr"})
    assert saved.status_code == 303
    assert 'value="claire@example.org"' in get(desk, "/admin/moderators").text
    claire = desk.domain(lambda ctx: ctx.storage.get_moderator("claire"))
    assert claire is not None
    assert desk.domain(lambda ctx: ctx.storage.moderator_address(claire.id)) == (
        "claire@example.org", "fr")


def test_the_posting_language_is_noted_for_an_address_asking_for_replies(
        make_api: AppFactory) -> None:
    api = make_api(smtp_url="smtp://127.0.0.1:1", mail_from="c@example.org",
                   public_url="https://comments.example.org")
    api.site_settings("default", **NO_CHALLENGE)
    with api.as_reader():
        answer = api.client.post("/api/v1/comments", headers={"Accept-Language": "fr"},
                                 json={"uri": "/a", "text": "Bonjour", "notify": True,
                                       "email": "anne@example.org"})
    assert answer.status_code == 201, answer.text
    site = api.domain(lambda ctx: ctx.storage.get_site("default"))
    assert site is not None
    noted = api.domain(lambda ctx: ctx.storage.find_subscriber(
        site.id, address_key(SECRET, "anne@example.org")))
    assert noted is not None and noted.lang == "fr"
