"""The moderation assistant through the public API, with the starter model stored: an
abusive comment is asked "are you sure?" (422 confirm_required, in the reader's language),
the same body with confirm is accepted and held, a civil comment goes straight through, and
the verdict is kept for the moderators; with the assistant off, nothing changes."""

from __future__ import annotations

from typing import Any

from palabre.domain.models import CommentId, Status
from tests.assist.conftest import put_starter
from tests.conftest import Api, AppFactory

INSULT = "Espèce d'abruti, tu racontes n'importe quoi, retourne dans ton trou"
CIVIL = "Je ne partage pas l'avis du maire, mais l'article explique bien le budget."


def assisted(make_api: AppFactory) -> Api:
    api = make_api(assist=True, assist_check_seconds=0)  # no training child in tests
    api.domain(put_starter)
    api.site_settings(assist_nudge_percent=60)
    return api


def nudge(api: Api, lang: str, **fields: Any) -> dict[str, Any]:
    with api.as_reader():
        answer = api.client.post("/api/v1/comments", headers={"Accept-Language": lang},
                                 json={"uri": "/a", "text": INSULT, **fields})
    assert answer.status_code == 422, answer.text
    body: dict[str, Any] = answer.json()["error"]
    return body


def test_the_nudge_then_confirm_holds_the_comment(make_api: AppFactory) -> None:
    api = assisted(make_api)
    french = nudge(api, "fr-FR,fr;q=0.9")
    assert french["reason"] == "confirm_required" and french["field"] == "text"
    assert "modération" in french["message"]
    assert "moderator" in nudge(api, "en")["message"]
    held = api.post(text=INSULT, confirm=True)
    assert held["comment"]["status"] == "pending"
    assert api.thread()["count"] == 0 and api.all_comments() == []
    stored = api.domain(lambda ctx: ctx.storage.get_comment(CommentId(held["comment"]["id"])))
    assert stored is not None and stored.status is Status.PENDING
    assert stored.held == ("assistant",)
    verdicts = api.domain(lambda ctx: ctx.storage.verdicts_of([held["comment"]["id"]]))
    verdict = verdicts[held["comment"]["id"]][0]
    assert verdict.phase == "assistant" and verdict.score is not None
    assert verdict.score >= 0.6 and verdict.model.startswith("starter-")
    assert verdict.features and all(w in INSULT.lower().replace("è", "e")
                                    for w, _ in verdict.features)


def test_a_civil_comment_is_published_and_scored(make_api: AppFactory) -> None:
    api = assisted(make_api)
    posted = api.post(text=CIVIL)
    assert posted["comment"]["status"] == "approved" and api.thread()["count"] == 1
    verdicts = api.domain(lambda ctx: ctx.storage.verdicts_of([posted["comment"]["id"]]))
    score = verdicts[posted["comment"]["id"]][0].score
    assert score is not None and score < 0.6


def test_with_the_assistant_off_nothing_is_asked_or_scored(make_api: AppFactory) -> None:
    api = make_api()  # the tests' default: assist off
    api.domain(put_starter)
    api.site_settings(assist_nudge_percent=60)
    posted = api.post(text=INSULT)
    assert posted["comment"]["status"] == "approved"
    assert api.domain(lambda ctx: ctx.storage.verdicts_of([posted["comment"]["id"]])) == {}
