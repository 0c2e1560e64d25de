"""The moderation assistant on the desk: each card shows the phases' verdicts (the
assistant's score, model and the words that drove it; the external service's answer), the
pending queue ordered by risk (page and API), and the Assistant page with the stored figures.
In process, on SQLite and PostgreSQL, with the starter model trained once (scikit-learn)."""

from __future__ import annotations

import asyncio
import html as markup
import re
import subprocess
import sys
from typing import Any

import pytest

from palabre.assist.phase import ModelPhase
from palabre.assist.training import ensure_starter
from palabre.domain.assistant import EXTERNAL, StoredModel
from palabre.domain.context import Context
from palabre.domain.identity import SYSTEM
from palabre.domain.models import CommentId
from palabre.domain.moderators import save_moderator, set_access
from palabre.domain.phases import Action, Verdict
from palabre.domain.sites import ensure_site
from palabre.storage.memory import MemoryStorage
from tests.api.test_admin_pages import (
    PASSWORD,
    assert_secured,
    desk,  # noqa: F401 (a fixture)
    get,
    sign_in,
)
from tests.api.test_openapi import Observer
from tests.conftest import SECRET, Api

INSULT = "Tu es un idiot fini, ferme-la espèce de crétin."
CIVIL = "Merci pour cet article très clair, j'ai appris beaucoup."
SCORE = re.compile(r"Assistant: (\d+)% likely to be rejected \(model (starter-\w+)\)")


@pytest.fixture(scope="module")
def starter() -> StoredModel:
    """The starter model of the shipped set, trained once for the module."""
    async def train() -> StoredModel:
        store = MemoryStorage()
        await ensure_starter(Context(storage=store, secret=SECRET))
        model = await store.latest_model(None)
        assert model is not None
        return model
    return asyncio.run(train())


@pytest.fixture
def assisted(desk: Api, starter: StoredModel) -> Api:  # noqa: F811 (the fixture)
    """The desk's app with the assistant scoring (the starter model stored) and a nudge
    from 60 %."""
    async def store(ctx: Context) -> None:
        async with ctx.storage.write() as tx:
            await tx.save_model(starter)
    desk.domain(store)
    desk.ctx.phases = (ModelPhase(desk.ctx.storage),)
    desk.site_settings(assist_nudge_percent=60)
    return desk


def confirmed(api: Api, text: str, **fields: Any) -> dict[str, Any]:
    """Post as a reader: nudged first, then confirmed and held for review."""
    nudged = api.post("/a", text, expect=422, **fields)
    assert nudged["error"]["reason"] == "confirm_required"
    comment: dict[str, Any] = api.post("/a", text, confirm=True, **fields)["comment"]
    assert comment["status"] == "pending"
    return comment


def held_by_external(api: Api, text: str) -> int:
    """A comment held with the external service's verdict, as its phase leaves them."""
    comment_id = int(api.comment("/a", text)["id"])

    async def mark(ctx: Context) -> None:
        async with ctx.storage.write() as tx:
            await tx.hold_comment(CommentId(comment_id), (EXTERNAL,))
            await tx.save_verdicts(comment_id, [
                Verdict(EXTERNAL, Action.HOLD, reason="looks like <b>spam</b>",
                        model="https://mod.example.org")])
    api.domain(mark)
    return comment_id


def test_a_card_shows_the_assistants_score_model_and_words(assisted: Api,
                                                          starter: StoredModel) -> None:
    api = assisted
    comment = confirmed(api, INSULT)
    page = get(api, "/admin/queue/pending")
    assert page.status_code == 200
    html = page.text
    card = html[html.index(f'id="comment-{comment["id"]}"'):]
    score, model = SCORE.search(card).groups()  # type: ignore[union-attr]
    assert 60 <= int(score) <= 100 and model == starter.version
    assert "the moderation assistant" in card  # why it is held
    words = re.findall(r'<li><span class="tag( towards)?">([^<]+)</span> '
                       r'<span class="weight">([+-]\d\.\d\d)</span> (towards|away from) '
                       r"rejection</li>", card)
    assert words, "the words that drove the score"
    for towards, _, weight, said in words:
        assert (float(weight) > 0) == bool(towards) == (said == "towards")
    shown = {markup.unescape(w) for _, w, _, _ in words}
    assert "idiot" in shown or "cretin" in shown
    french = get(api, "/admin/queue/pending?lang=fr").text
    assert re.search(r"Assistant : risque de refus \d+ % \(modèle starter-", french)
    assert "l’assistant de modération" in french and "vers le refus" in french


def test_a_card_shows_the_external_services_answer_escaped(assisted: Api) -> None:
    api = assisted
    api.site_settings(assist_nudge_percent=0)
    comment_id = held_by_external(api, "Achetez des montres pas chères")
    html = get(api, "/admin/queue/pending").text
    card = html[html.index(f'id="comment-{comment_id}"'):]
    assert "the external moderation service: asks to hold for review" in card.lower()
    assert "<q>looks like &lt;b&gt;spam&lt;/b&gt;</q>" in card and "<b>spam" not in card
    french = get(api, "/admin/queue/pending?lang=fr").text
    assert "demande une relecture" in french


def test_the_pending_queue_by_risk_puts_the_riskiest_first(assisted: Api) -> None:
    api = assisted
    api.site_settings(moderation="all")
    civil = api.comment("/a", CIVIL)
    risky = confirmed(api, INSULT)
    phases, api.ctx.phases = api.ctx.phases, ()
    unscored = api.comment("/a", "Posté quand l'assistant ne tournait pas")
    api.ctx.phases = phases
    api.site_settings(moderation="none")
    oldest = [c["id"] for c in api.get("/api/admin/queue").json()["comments"]]
    assert oldest == [civil["id"], risky["id"], unscored["id"]]
    seen = Observer(api)  # the answers hold to the OpenAPI description, verdicts included
    answer = seen.json("GET", "/api/admin/queue", params={"order": "risk"})
    assert answer["order"] == "risk"
    assert [c["id"] for c in answer["comments"]] == [risky["id"], civil["id"], unscored["id"]]
    first = answer["comments"][0]["verdicts"][0]
    assert first["phase"] == "assistant" and first["score"] >= 0.6
    assert first["features"] and all(isinstance(w, str) and isinstance(x, float)
                                     for w, x in first["features"])
    assert answer["comments"][2]["verdicts"] == []
    refused = seen.json("GET", "/api/admin/queue", 422, params={"order": "risk", "kind": "spam"})
    assert refused["error"]["reason"] == "order_invalid"

    page = get(api, "/admin/queue/pending?order=risk").text
    ids = [int(i) for i in re.findall(r'<article class="card" id="comment-(\d+)"', page)]
    assert ids == [risky["id"], civil["id"], unscored["id"]]
    assert ('href="/admin/queue/pending?site=default&amp;order=risk" aria-current="true"'
            in page and 'name="order" value="risk"' in page)
    # An order the queue does not have is ignored by the page.
    assert get(api, "/admin/queue/spam?order=risk").status_code == 200


def test_the_assistant_page_shows_decisions_model_figures_and_thresholds(
        assisted: Api, starter: StoredModel) -> None:
    api = assisted
    api.site_settings(assist_hold_percent=80, assist_min_decisions=5)
    api.comment("/a", CIVIL)  # one kept decision
    page = get(api, "/admin/assist")
    assert page.status_code == 200
    assert_secured(page)
    text = re.sub(r"\s+", " ", markup.unescape(re.sub(r"<[^>]+>", " ", page.text)))
    assert "Kept (approved) 1" in text and "Refused (rejected or spam) 0" in text
    assert "30 more decided comments are needed" in text  # 30 refused at least
    assert starter.version in text and "the starter model" in text
    assert "Trained on 1,753 comments" in text or "Trained on 1753 comments" in text
    assert re.search(r"ROC AUC \(1: perfect ranking, 0\.5: chance\) 0\.9\d\d", text)
    assert "Precision at 50.0%" in text and "Recall at 50.0%" in text
    assert "not on your readers" in text
    assert re.search(r"Assistant holds from \(%\) assist_hold_percent 80", text)
    assert "Ask “are you sure?” from (%) assist_nudge_percent 60" in text
    assert "Assistant rejects from (%) assist_reject_percent off" in text
    assert 'href="/admin/settings?site=default#set-assist_nudge_percent"' in page.text
    assert 'href="/admin/assist?site=default" aria-current="page"' in page.text
    french = get(api, "/admin/assist?lang=fr").text
    assert "Assistant de modération — " in french and "pas sur vos lecteurs" in french


def test_the_assistant_page_without_a_model_and_for_a_sites_moderator(desk: Api) -> None:  # noqa: F811
    api = desk
    page = get(api, "/admin/assist").text
    assert "No model yet" in page and "300 more decided comments" in page

    async def other_site(ctx: Context) -> None:
        await ensure_site(ctx.storage, "other")
        paul = await save_moderator(ctx, "paul", PASSWORD)
        other = await ctx.storage.get_site("other")
        assert other is not None
        await set_access(ctx, paul.username, SYSTEM, role="moderator", sites=["other"])
    api.domain(other_site)
    api.client.cookies.clear()
    assert sign_in(api, "paul").status_code == 303
    assert get(api, "/admin/assist?site=other").status_code == 200
    assert get(api, "/admin/assist?site=default").status_code == 403


def test_the_settings_page_names_the_assistants_settings(desk: Api) -> None:  # noqa: F811
    html = get(desk, "/admin/settings?lang=fr").text
    for name, label in (("assist_nudge_percent", "Demander « êtes-vous sûr ? »"),
                        ("assist_hold_percent", "L’assistant retient à partir de"),
                        ("assist_reject_percent", "L’assistant refuse à partir de"),
                        ("assist_min_decisions", "Décisions avant le modèle propre au site")):
        assert f'id="set-{name}"' in html and label in html


def test_the_web_process_never_loads_scikit_learn() -> None:
    code = ("import sys; import palabre.web.app, palabre.web.admin.assist_page; "
            "assert 'sklearn' not in sys.modules, 'scikit-learn loaded'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
