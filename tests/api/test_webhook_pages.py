"""The Webhooks page of the desk (admins only): adding an endpoint shows its secret once,
a rotation shows the new one and keeps the old until retired, every form needs its CSRF
token, the delivery log lists a test event. In process, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from palabre.domain.context import Context
from palabre.domain.identity import SYSTEM
from palabre.domain.moderators import save_moderator, set_access
from palabre.domain.webhooks.models import Endpoint
from tests.api.test_admin_pages import (
    PASSWORD,
    assert_secured,
    desk,  # noqa: F401 (a fixture)
    get,
    page_token,
    post,
    sign_in,
)
from tests.conftest import Api

PAGE = "/admin/webhooks"
SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{43}")


def endpoints(api: Api) -> list[Endpoint]:
    async def read(ctx: Context) -> list[Endpoint]:
        site = await ctx.storage.get_site("default")
        assert site is not None
        return await ctx.storage.webhook_endpoints(site.id)
    return api.domain(read)


def form(api: Api, **fields: object) -> dict[str, object]:
    return {"csrf": page_token(api, PAGE), "site": "default", **fields}


def test_an_endpoint_is_added_its_secret_shown_once_rotated_tested_and_deleted(
        desk: Api) -> None:  # noqa: F811 (the fixture)
    page = get(desk, PAGE)
    assert page.status_code == 200 and 'href="/admin/webhooks?site=default"' in page.text
    assert_secured(page)
    refused = post(desk, PAGE, {"site": "default", "url": "https://hooks.example.org/in",
                                "events": ["comment.created"]})
    assert refused.status_code == 403 and endpoints(desk) == []
    invalid = post(desk, PAGE, form(desk, url="ftp://hooks.example.org/in",
                                    events=["comment.created"]))
    assert invalid.status_code == 422 and "http:// or https://" in invalid.text
    assert endpoints(desk) == []
    added = post(desk, PAGE, form(desk, url="https://hooks.example.org/in?x=<b>", kind="events",
                                  events=["comment.created", "thread.closed"]))
    assert added.status_code == 200 and added.headers["cache-control"] == "no-store"
    [shown] = SECRET.findall(added.text)
    [made] = endpoints(desk)
    assert (made.secret, made.url, made.events) == (
        shown, "https://hooks.example.org/in?x=<b>", ("comment.created", "thread.closed"))
    assert "x=&lt;b&gt;" in added.text and "x=<b>" not in added.text
    assert SECRET.findall(get(desk, PAGE).text) == []  # shown once
    rotated = post(desk, f"{PAGE}/{made.id}/rotate", form(desk))
    [new] = SECRET.findall(rotated.text)
    assert new != shown and endpoints(desk)[0].secrets == (new, shown)
    retired = post(desk, f"{PAGE}/{made.id}/retire", form(desk))
    assert retired.status_code == 303 and "done=webhook_retired" in retired.headers["location"]
    assert endpoints(desk)[0].secrets == (new,)
    assert post(desk, f"{PAGE}/{made.id}/test", form(desk)).status_code == 303
    log = get(desk, PAGE + "?done=webhook_test")
    assert "Test event queued" in log.text and "<code>ping</code>" in log.text
    assert post(desk, f"{PAGE}/{made.id}/disable", form(desk)).status_code == 303
    assert not endpoints(desk)[0].enabled
    assert post(desk, f"{PAGE}/{made.id}/delete", {"site": "default"}).status_code == 403
    assert post(desk, f"{PAGE}/{made.id}/delete", form(desk)).status_code == 303
    assert endpoints(desk) == []


def test_the_page_speaks_french(desk: Api) -> None:  # noqa: F811 (the fixture)
    page = get(desk, PAGE + "?lang=fr")
    assert "Nouvelle adresse" in page.text and "Envois" in page.text


def test_a_moderator_who_is_not_an_admin_has_no_webhooks(api: Api) -> None:
    async def prepare(ctx: Context) -> None:
        await save_moderator(ctx, "claire", PASSWORD)
        await save_moderator(ctx, "marc", PASSWORD)
        await set_access(ctx, "marc", SYSTEM, role="moderator", sites=["default"])
    api.domain(prepare)
    assert sign_in(api, "marc").status_code == 303
    assert "/admin/webhooks" not in get(api, "/admin/queue/pending").text
    assert get(api, PAGE).status_code == 403
    token = page_token(api)
    refused = post(api, PAGE, {"csrf": token, "site": "default",
                               "url": "https://hooks.example.org/in",
                               "events": ["comment.created"]})
    assert refused.status_code == 403 and endpoints(api) == []
