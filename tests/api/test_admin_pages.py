"""The moderation desk's pages (/admin): signing in, the queue and its forms, CSRF, headers,
escaping. In process, against a real SQLite file (and PostgreSQL where it runs)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from palabre.domain.identity import SYSTEM
from palabre.domain.moderators import save_moderator, set_access
from palabre.domain.sites import change_settings, ensure_site
from palabre.settings import SITE_SETTINGS, SiteSettings
from palabre.web.admin import pages as admin_pages
from palabre.web.admin.charts import Series, line, stacked_bars
from palabre.web.admin.views import env
from tests.conftest import Api, AppFactory

PASSWORD = "correct horse battery"
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def token_in(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def get(api: Api, url: str, **kwargs: Any) -> httpx.Response:
    response: httpx.Response = api.client.get(url, follow_redirects=False, **kwargs)
    return response


def post(api: Api, url: str, data: dict[str, Any]) -> httpx.Response:
    response: httpx.Response = api.client.post(url, data=data, follow_redirects=False)
    return response


def sign_in(api: Api, username: str = "claire", password: str = PASSWORD) -> httpx.Response:
    form = get(api, "/admin/login")
    return post(api, "/admin/login", {"csrf": token_in(form.text), "username": username,
                                      "password": password, "next": "/admin/queue/pending"})


NO_CHALLENGE: dict[str, object] = {name: 0 for name in ("pow_difficulty", "min_submit_seconds")
                if name in {f.name for f in dataclasses.fields(SiteSettings)}}


@pytest.fixture
def desk(api: Api) -> Api:
    """A signed-in moderator's client (readers post without a proof of work, when the
    server would ask for one)."""
    if NO_CHALLENGE:
        api.site_settings("default", **NO_CHALLENGE)
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    assert sign_in(api).status_code == 303
    return api


def page_token(api: Api, url: str = "/admin/queue/pending") -> str:
    return token_in(get(api, url).text)


def assert_secured(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"


def test_signing_in_opens_the_queue_and_signing_out_closes_it(api: Api) -> None:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    signed = sign_in(api)
    assert signed.status_code == 303 and signed.headers["location"] == "/admin/queue/pending"
    assert_secured(signed)
    queue = get(api, "/admin/queue/pending")
    assert queue.status_code == 200 and "claire" in queue.text
    out = post(api, "/admin/logout", {"csrf": token_in(queue.text)})
    assert out.status_code == 303
    again = get(api, "/admin/queue/pending")
    assert again.status_code == 303 and again.headers["location"].startswith("/admin/login")


def test_a_wrong_password_shows_the_form_again(api: Api) -> None:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    refused = sign_in(api, password="not the password")
    assert refused.status_code == 401 and "Wrong username or password." in refused.text
    assert get(api, "/admin/queue/pending").status_code == 303


def test_signing_in_needs_the_form_token(api: Api) -> None:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    get(api, "/admin/login")
    forged = post(api, "/admin/login", {"username": "claire", "password": PASSWORD})
    assert forged.status_code == 403 and "palabre_session" not in forged.headers.get(
        "set-cookie", "")


@pytest.mark.parametrize("path", ["/admin", "/admin/queue/pending", "/admin/queue/spam"])
def test_signed_out_pages_send_to_the_sign_in_page(api: Api, path: str) -> None:
    response = get(api, path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login")
    assert_secured(response)


def test_the_next_address_stays_on_the_desk(api: Api) -> None:
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    form = get(api, "/admin/login")
    signed = post(api, "/admin/login", {
        "csrf": token_in(form.text), "username": "claire", "password": PASSWORD,
        "next": "//evil.example/admin"})
    assert signed.headers["location"] == "/admin/queue/pending"


def held(api: Api, text: str = "À relire", **fields: Any) -> dict[str, Any]:
    api.site_settings(moderation="all")
    comment: dict[str, Any] = api.comment("/a", text, **fields)
    assert comment["status"] == "pending"
    return comment


def test_the_queue_shows_a_held_comment_with_its_article_and_author(desk: Api) -> None:
    api = desk
    api.site_settings(site_url="https://news.example.org")
    parent = api.comment("/a", "Premier", title="Le budget")
    comment = held(api, "Une *réponse*", parent=parent["id"], author="Jeanne",
                   email="jeanne@example.org", website="https://jeanne.example.org")
    page = get(api, "/admin/queue/pending")
    assert page.status_code == 200
    assert_secured(page)
    html = page.text
    assert f'id="comment-{comment["id"]}"' in html
    assert "<p>Une <em>réponse</em></p>" in html  # the sanitised HTML, as stored
    assert 'href="https://news.example.org/a"' in html and "Le budget" in html
    assert "jeanne@example.org" in html and "https://jeanne.example.org" in html
    assert "In reply to Anonymous:" in html and "Premier" in html


def test_moderating_without_the_token_is_refused_and_changes_nothing(desk: Api) -> None:
    api = desk
    comment = held(api)
    for data in ({}, {"csrf": "0" * 64}):
        refused = post(api, f"/admin/comments/{comment['id']}/approve", data)
        assert refused.status_code == 403
        assert_secured(refused)
    assert api.page("/a")["comments"] == []
    assert f'id="comment-{comment["id"]}"' in get(api, "/admin/queue/pending").text


def test_a_token_of_another_session_is_refused(desk: Api, make_api: AppFactory) -> None:
    comment = held(desk)
    other = make_api()
    other.domain(lambda ctx: save_moderator(ctx, "paul", PASSWORD))
    assert sign_in(other, "paul").status_code == 303
    stolen = page_token(other)
    assert post(desk, f"/admin/comments/{comment['id']}/approve",
                {"csrf": stolen}).status_code == 403
    assert desk.page("/a")["comments"] == []


def test_approving_publishes_the_comment(desk: Api) -> None:
    api = desk
    comment = held(api)
    done = post(api, f"/admin/comments/{comment['id']}/approve",
                {"csrf": page_token(api), "next": "/admin/queue/pending?site=default"})
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/queue/pending?site=default&done=approved"
    assert [c["id"] for c in api.page("/a")["comments"]] == [comment["id"]]
    after = get(api, done.headers["location"])
    assert "Comment approved." in after.text and f'id="comment-{comment["id"]}"' not in after.text


def test_deleting_from_the_desk_takes_a_published_comment_away(desk: Api) -> None:
    api = desk
    comment = api.comment("/a", "Publié puis retiré")
    refused = post(api, f"/admin/comments/{comment['id']}/delete", {"csrf": "forged"})
    assert refused.status_code == 403 and api.thread("/a")["count"] == 1
    done = post(api, f"/admin/comments/{comment['id']}/delete", {"csrf": page_token(api)})
    assert done.status_code == 303 and "done=deleted" in done.headers["location"]
    assert api.page("/a")["comments"] == [] and api.thread("/a")["count"] == 0
    log = get(api, "/admin/audit").text
    assert f"comment:{comment['id']}" in log


@pytest.mark.parametrize("action", ["reject", "spam"])
def test_rejecting_and_spam_keep_the_comment_hidden(desk: Api, action: str) -> None:
    api = desk
    comment = held(api)
    done = post(api, f"/admin/comments/{comment['id']}/{action}",
                {"csrf": page_token(api), "reason": "off_topic"})
    assert done.status_code == 303
    assert api.page("/a")["comments"] == []
    assert f'id="comment-{comment["id"]}"' not in get(api, "/admin/queue/pending").text


def test_a_selection_is_approved_at_once(desk: Api) -> None:
    api = desk
    first, second, third = held(api, "un"), held(api, "deux"), held(api, "trois")
    done = post(api, "/admin/comments/bulk", {
        "csrf": page_token(api), "action": "approve", "ids": [first["id"], third["id"]]})
    assert done.status_code == 303
    assert "2 comments approved." in get(api, done.headers["location"]).text
    assert {c["id"] for c in api.page("/a")["comments"]} == {first["id"], third["id"]}
    assert f'id="comment-{second["id"]}"' in get(api, "/admin/queue/pending").text


def test_search_and_pages_narrow_the_queue(desk: Api) -> None:
    api = desk
    api.site_settings(moderation="all")
    for n in range(23):
        api.comment("/a" if n % 2 else "/b", f"numéro {n}", author=f"Auteur{n}")
    first = get(api, "/admin/queue/pending").text
    assert "23 comments" in first and "Page 1 of 2" in first
    second = get(api, "/admin/queue/pending?page=2").text
    assert second.count('class="card"') == 3
    found = get(api, "/admin/queue/pending?q=numéro+7").text
    assert found.count('class="card"') == 1 and "Auteur7" in found
    by_author = get(api, "/admin/queue/pending?q=auteur1").text  # 1 and 10 to 19
    assert by_author.count('class="card"') == 11
    by_article = get(api, "/admin/queue/pending?q=/b").text
    assert by_article.count('class="card"') == 12


def test_user_text_is_escaped_everywhere(desk: Api) -> None:
    api = desk
    attack = "<img src=x onerror=alert(1)>"
    held(api, attack, author=attack)
    html = get(api, "/admin/queue/pending").text
    assert attack not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_pages_speak_french_when_asked(desk: Api) -> None:
    api = desk
    french = get(api, "/admin/queue/pending", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in french.text and "En attente" in french.text
    toggled = get(api, "/admin/queue/pending?lang=fr")
    assert "palabre_admin_lang=fr" in toggled.headers["set-cookie"]
    assert '<html lang="fr">' in get(api, "/admin/queue/pending").text


def test_an_unknown_admin_page_is_an_html_404(desk: Api) -> None:
    missing = get(desk, "/admin/nowhere")
    assert missing.status_code == 404 and "Error 404" in missing.text
    assert_secured(missing)
    assert get(desk, "/admin/queue/elsewhere").status_code == 404


DESK_PAGES = ["/admin/queue/pending", "/admin/queue/reported", "/admin/queue/recent",
              "/admin/queue/rejected", "/admin/queue/spam", "/admin/threads",
              "/admin/threads?uri=/a", "/admin/settings", "/admin/moderators"]


@pytest.mark.parametrize("path", DESK_PAGES)
def test_every_page_renders_for_a_moderator(desk: Api, path: str) -> None:
    desk.comment("/a", "Bonjour")
    response = get(desk, path)
    assert response.status_code == 200, response.text
    assert_secured(response)
    assert "<script>" not in response.text and "style=" not in response.text
    assert get(desk, f"{path}{'&' if '?' in path else '?'}lang=fr").status_code == 200


@pytest.mark.parametrize("path", DESK_PAGES[5:])
def test_every_page_needs_a_session(api: Api, path: str) -> None:
    assert get(api, path).status_code == 303


def test_closing_reopening_and_retitling_a_thread(desk: Api) -> None:
    api = desk
    api.comment("/a", "Bonjour")
    token = page_token(api, "/admin/threads?uri=/a")
    assert post(api, "/admin/threads/close", {"uri": "/a"}).status_code == 403
    assert api.thread("/a")["closed"] is False
    closed = post(api, "/admin/threads/close", {"csrf": token, "site": "default", "uri": "/a"})
    assert closed.status_code == 303 and "done=closed" in closed.headers["location"]
    assert api.thread("/a")["closed"] is True
    assert "Reopen" in get(api, closed.headers["location"]).text
    post(api, "/admin/threads/open", {"csrf": token, "site": "default", "uri": "/a"})
    assert api.thread("/a")["closed"] is False
    post(api, "/admin/threads/title", {"csrf": token, "site": "default", "uri": "/a",
                                        "title": "Le <b>budget</b>"})
    assert api.thread("/a")["title"] == "Le <b>budget</b>"
    assert "Le &lt;b&gt;budget&lt;/b&gt;" in get(api, "/admin/threads?uri=/a").text


def settings_form(api: Api, **changes: str) -> dict[str, Any]:
    html = get(api, "/admin/settings").text
    fields = dict(re.findall(r'<input id="set-(\w+)" name="\w+" value="([^"]*)"', html))
    fields.update(re.findall(r'<select id="set-(\w+)"[^>]*>(?:(?!</select>).)*?'
                             r'<option value="([^"]*)" selected', html, re.S))
    return {"csrf": token_in(html), "site": "default", **fields, **changes}


def test_settings_are_saved_through_the_domain(desk: Api) -> None:
    api = desk
    saved = post(api, "/admin/settings", settings_form(
        api, max_depth="2", moderation="all", watched_words="gratuit\npromo", lock_titles="true"))
    assert saved.status_code == 303
    html = get(api, saved.headers["location"]).text
    assert "Settings saved." in html
    assert 'id="set-max_depth" name="max_depth" value="2"' in html
    assert ">gratuit\npromo</textarea>" in html
    assert api.comment("/x", "Texte")["status"] == "pending"


def test_an_invalid_setting_is_shown_beside_its_field_and_nothing_changes(desk: Api) -> None:
    api = desk
    refused = post(api, "/admin/settings", settings_form(api, max_depth="deep",
                                                         moderation="all"))
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert '<p class="error" id="error-max_depth">Enter a whole number.</p>' in refused.text
    assert 'value="deep"' in refused.text
    assert api.comment("/x", "Texte")["status"] == "approved"
    assert post(api, "/admin/settings", {"site": "default", "max_depth": "2"}).status_code == 403


def test_creating_a_moderator_never_replaces_an_account(desk: Api,
                                                        make_api: AppFactory) -> None:
    api = desk
    token = page_token(api, "/admin/moderators")
    made = post(api, "/admin/moderators", {"csrf": token, "username": "paul",
                                           "password": "another long password"})
    assert made.status_code == 303
    taken = post(api, "/admin/moderators", {"csrf": token, "username": "paul",
                                            "password": "a third long password"})
    assert taken.status_code == 422 and "This username is taken." in taken.text
    short = post(api, "/admin/moderators", {"csrf": token, "username": "zoe",
                                            "password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert sign_in(make_api(), "paul", "another long password").status_code == 303


def test_the_desk_catalogues_agree() -> None:
    """Both languages have every key; each site setting has its label and French help (the
    English page shows the declaration's help itself)."""
    folder = Path(__file__).resolve().parents[2] / "palabre" / "locales" / "admin"
    en = json.loads((folder / "en.json").read_text("utf-8"))
    fr = json.loads((folder / "fr.json").read_text("utf-8"))
    assert en.keys() == fr.keys() and all(key.startswith("admin.") for key in en)
    for setting in SITE_SETTINGS:
        assert fr[f"admin.setting.{setting.name}"] and fr[f"admin.setting.{setting.name}.help"]


def test_a_moderator_edits_a_comment_from_the_desk(desk: Api) -> None:
    api = desk
    comment = held(api, "Texte avec une ereur")
    form = get(api, f"/admin/comments/{comment['id']}/edit?next=/admin/queue/pending")
    assert form.status_code == 200 and ">Texte avec une ereur</textarea>" in form.text
    token = token_in(form.text)
    assert post(api, f"/admin/comments/{comment['id']}/edit",
                {"text": "Corrigé"}).status_code == 403
    empty = post(api, f"/admin/comments/{comment['id']}/edit", {"csrf": token, "text": " "})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    saved = post(api, f"/admin/comments/{comment['id']}/edit",
                 {"csrf": token, "text": "Texte avec une *erreur* corrigée",
                  "next": "/admin/queue/pending"})
    assert saved.headers["location"] == "/admin/queue/pending?done=edited"
    assert "<p>Texte avec une <em>erreur</em> corrigée</p>" in get(api, "/admin/queue/pending").text
    assert get(api, "/admin/comments/999999/edit").status_code == 404


def test_charts_are_drawn_as_escaped_svg() -> None:
    draw = env.get_template("chart.html").module.draw  # type: ignore[attr-defined]
    bars = stacked_bars("Comments <per> day", ["1 Dec", "<b>2</b>"],
                        [Series("approved", "s1", [3, 1]), Series("spam", "s3", [1, 0])])
    svg = str(draw(bars))
    assert svg.count("<rect ") == 3 and "&lt;b&gt;2&lt;/b&gt;" in svg
    assert 'aria-label="Comments &lt;per&gt; day"' in svg and "<b>" not in svg
    tallest = max(m.height for m in bars.marks)
    assert tallest == pytest.approx((220 - 24 - 8) * 3 / 4)  # 3 of the tallest total, 4
    drawn = line("Queue", ["a", "b", "c"], Series("pending", "s5", [0, 2, 1]))
    assert str(draw(drawn)).count("<circle ") == 3 and "<polyline " in str(draw(drawn))
    assert stacked_bars("Empty", ["a"], [Series("x", "s1", [0])]).marks == []


def test_a_rejection_keeps_its_reason_in_the_audit_log(desk: Api) -> None:
    api = desk
    comment = held(api)
    post(api, f"/admin/comments/{comment['id']}/reject",
         {"csrf": page_token(api), "reason": "harassment"})
    log = get(api, "/admin/audit?action=reject").text
    assert f"comment:{comment['id']}" in log and "harassment" in log and "claire" in log
    assert "comment:" not in get(api, "/admin/audit?action=spam").text


def test_featuring_a_published_comment(desk: Api) -> None:
    api = desk
    comment = api.comment("/a", "Remarquable")
    token = page_token(api, "/admin/queue/recent")
    done = post(api, f"/admin/comments/{comment['id']}/feature",
                {"csrf": token, "featured": "true", "next": "/admin/queue/recent"})
    assert done.headers["location"] == "/admin/queue/recent?done=featured"
    assert [c["id"] for c in api.page("/a", featured="only")["comments"]] == [comment["id"]]
    assert "Unfeature" in get(api, "/admin/queue/recent").text


def test_undo_puts_the_last_decision_back(desk: Api) -> None:
    api = desk
    comment = held(api)
    token = page_token(api)
    post(api, f"/admin/comments/{comment['id']}/approve", {"csrf": token})
    assert len(api.page("/a")["comments"]) == 1
    assert post(api, "/admin/undo", {"site": "default"}).status_code == 403
    undone = post(api, "/admin/undo", {"csrf": token, "site": "default"})
    assert undone.headers["location"] == "/admin/queue/pending?done=undone"
    assert api.page("/a")["comments"] == []
    assert f'id="comment-{comment["id"]}"' in get(api, "/admin/queue/pending").text


def test_a_ban_from_the_card_refuses_the_author_and_is_lifted(desk: Api) -> None:
    api = desk
    comment = held(api, email="troll@example.org", client_ip="198.51.100.7")
    token = page_token(api)
    assert post(api, f"/admin/comments/{comment['id']}/sanction",
                {"kind": "ban"}).status_code == 403
    done = post(api, f"/admin/comments/{comment['id']}/sanction",
                {"csrf": token, "kind": "ban", "why": "insultes <b>répétées</b>"})
    assert done.headers["location"] == "/admin/queue/pending?done=sanction_ban"
    api.post("/a", "Encore", email="troll@example.org", client_ip="198.51.100.7", expect=403)
    listed = get(api, "/admin/sanctions").text
    assert "insultes &lt;b&gt;répétées&lt;/b&gt;" in listed
    ids = re.findall(r'name="id" value="(\d+)"', listed)
    assert len(ids) == 2  # the email and the device
    for ban in ids:
        assert post(api, "/admin/sanctions/lift", {"csrf": token, "site": "default",
                                                   "id": ban}).status_code == 303
    assert "No sanction in force." in get(api, "/admin/sanctions").text
    api.post("/a", "Enfin", email="troll@example.org", client_ip="198.51.100.7")


def test_a_suspension_needs_its_hours(desk: Api) -> None:
    api = desk
    comment = held(api, email="vite@example.org")
    refused = post(api, f"/admin/comments/{comment['id']}/sanction",
                   {"csrf": page_token(api), "kind": "suspend", "hours": "never"})
    assert refused.status_code == 422 and "A suspension lasts 1 to 8,784 hours." in refused.text
    assert "No sanction in force." in get(api, "/admin/sanctions").text


def test_thread_options_hold_new_comments_and_show_a_message(desk: Api) -> None:
    api = desk
    api.comment("/a", "Bonjour")
    token = page_token(api, "/admin/threads?uri=/a")
    done = post(api, "/admin/threads/options", {"csrf": token, "site": "default", "uri": "/a",
                                                 "premoderate": ["false", "true"],
                                                 "message": "Restez **courtois**."})
    assert done.status_code == 303
    assert api.comment("/a", "Après")["status"] == "pending"
    assert api.thread("/a")["message"] == "<p>Restez <strong>courtois</strong>.</p>"
    page = get(api, "/admin/threads?uri=/a").text
    assert 'id="t-pre" name="premoderate" value="true" checked' in page
    assert ">Restez **courtois**.</textarea>" in page


@pytest.fixture
def site_moderator(api: Api) -> Api:
    """Signed in as a moderator of the default site alone; a second site exists."""
    async def prepare(ctx: Any) -> None:
        await ensure_site(ctx.storage, "other")
        for slug in ("default", "other") if NO_CHALLENGE else ():
            await change_settings(ctx, slug, NO_CHALLENGE, SYSTEM)
        await save_moderator(ctx, "marc", PASSWORD)
        await set_access(ctx, "marc", SYSTEM, role="moderator", sites=["default"])
    api.domain(prepare)
    assert sign_in(api, "marc").status_code == 303
    return api


def test_a_moderator_of_one_site_is_refused_the_others(site_moderator: Api) -> None:
    api = site_moderator
    api.site_settings("other", moderation="all")
    theirs = api.post("/a", "Ailleurs", site="other")["comment"]
    assert get(api, "/admin/queue/pending").status_code == 200
    for path in ("/admin/queue/pending?site=other", "/admin/threads?site=other",
                 "/admin/sanctions?site=other", "/admin/dashboard?site=other"):
        refused = get(api, path)
        assert refused.status_code == 403, path
        assert "You do not moderate this site." in refused.text
    token = page_token(api)
    assert post(api, f"/admin/comments/{theirs['id']}/approve",
                {"csrf": token}).status_code == 403
    assert api.page("/a", site="other")["comments"] == []


def test_only_admins_manage_moderators_and_settings(site_moderator: Api) -> None:
    api = site_moderator
    assert get(api, "/admin/moderators").status_code == 403
    assert 'href="/admin/moderators"' not in get(api, "/admin/queue/pending").text
    settings = get(api, "/admin/settings")
    assert settings.status_code == 200 and "Only admins change" in settings.text
    refused = post(api, "/admin/settings", settings_form(api, max_depth="2"))
    assert refused.status_code == 403
    made = post(api, "/admin/moderators", {"csrf": page_token(api), "username": "zoe",
                                           "password": "another long password"})
    assert made.status_code == 403


def test_an_admin_gives_a_moderator_their_sites(desk: Api, make_api: AppFactory) -> None:
    api = desk
    api.domain(lambda ctx: ensure_site(ctx.storage, "other"))
    token = page_token(api, "/admin/moderators")
    post(api, "/admin/moderators", {"csrf": token, "username": "paul",
                                    "password": "another long password"})
    done = post(api, "/admin/moderators/access", {
        "csrf": token, "username": "paul", "role": "moderator", "sites": ["other"],
        "disabled": "false"})
    assert done.headers["location"] == "/admin/moderators?done=access"
    paul = make_api()
    sign_in(paul, "paul", "another long password")
    assert get(paul, "/admin/queue/pending?site=other").status_code == 200
    assert get(paul, "/admin/queue/pending?site=default").status_code == 403
    post(api, "/admin/moderators/access", {"csrf": token, "username": "paul",
                                           "role": "moderator", "disabled": ["false", "true"]})
    assert get(paul, "/admin/queue/pending?site=other").status_code == 303


def test_the_dashboard_draws_the_site_s_figures(desk: Api) -> None:
    api = desk
    api.comment("/a", "Publié", title="Le budget")
    comment = held(api)
    post(api, f"/admin/comments/{comment['id']}/spam", {"csrf": page_token(api)})
    held(api, "Encore")
    html = get(api, "/admin/dashboard").text
    assert html.count("<svg ") == 2 and html.count("<rect ") >= 2
    assert "Le budget" in html
    assert re.search(r'/admin/queue/pending\?site=default">1</a>', html)


def test_reported_comments_show_their_reports_and_are_kept(desk: Api) -> None:
    api = desk
    comment = api.comment("/a", "Discutable")
    with api.as_reader():
        answer = api.client.post(f"/api/v1/comments/{comment['id']}/report",
                                 json={"reason": "abusive", "note": "<script>alert(1)</script>"},
                                 headers={"X-Forwarded-For": "203.0.113.10"})
    assert answer.status_code == 204
    html = get(api, "/admin/queue/reported").text
    assert f'id="comment-{comment["id"]}"' in html and "1 report:" in html
    assert "Abusive" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    kept = post(api, f"/admin/comments/{comment['id']}/approve",
                {"csrf": token_in(html), "next": "/admin/queue/reported"})
    assert kept.status_code == 303
    assert f'id="comment-{comment["id"]}"' not in get(api, "/admin/queue/reported").text
    assert [c["id"] for c in api.page("/a")["comments"]] == [comment["id"]]


def test_too_many_sign_in_attempts_get_a_429_page(make_api: AppFactory) -> None:
    api = make_api(login_rate_limit=2)
    api.domain(lambda ctx: save_moderator(ctx, "claire", PASSWORD))
    assert sign_in(api, password="wrong password 1").status_code == 401
    assert sign_in(api, password="wrong password 2").status_code == 401
    limited = sign_in(api)
    assert limited.status_code == 429 and "Too many requests" in limited.text
    assert limited.headers["retry-after"].isdigit()
    assert_secured(limited)


def test_every_form_of_the_desk_needs_its_token(desk: Api) -> None:
    """Each POST route, signed in but without the token, is refused and changes nothing."""
    api = desk
    comment = held(api)
    posts = [r.path.replace("{id:int}", str(comment["id"])).replace("{action}", "approve")
             for r in admin_pages.routes
             if isinstance(r, Route) and "POST" in (r.methods or ()) and r.path != "/admin/login"]
    assert len(posts) >= 14
    before = api.domain(lambda ctx: ctx.storage.audit_entries(None, None, None, 100))
    for path in posts:
        refused = post(api, path, {"site": "default", "uri": "/a", "username": "zoe",
                                   "password": "a long enough password", "kind": "ban",
                                   "action": "approve", "ids": [comment["id"]], "text": "x"})
        assert refused.status_code == 403, path
    assert api.domain(lambda ctx: ctx.storage.audit_entries(None, None, None, 100)) == before
    assert api.page("/a")["comments"] == []
    assert get(api, "/admin/queue/pending").status_code == 200  # still signed in


def test_undo_with_nothing_to_undo_says_so(desk: Api) -> None:
    done = post(desk, "/admin/undo", {"csrf": page_token(desk), "site": "default"})
    assert "Nothing to undo." in get(desk, done.headers["location"]).text
