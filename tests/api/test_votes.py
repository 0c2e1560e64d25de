"""POST /api/v1/comments/{id}/vote: one vote per voter, replace, withdraw, never one's own."""

from __future__ import annotations

import pytest

from tests.conftest import Api


def test_like_dislike_replace_withdraw(api: Api) -> None:
    comment_id = api.comment()["id"]
    first = api.vote(comment_id, 1)
    assert first.status_code == 200
    assert first.json() == {"likes": 1, "dislikes": 0}
    assert api.vote(comment_id, 1).json() == {"likes": 1, "dislikes": 0}
    assert api.vote(comment_id, -1).json() == {"likes": 0, "dislikes": 1}
    assert api.vote(comment_id, 0).json() == {"likes": 0, "dislikes": 0}
    assert api.vote(comment_id, 0).json() == {"likes": 0, "dislikes": 0}


def test_votes_of_several_voters_add_up_and_show_in_the_list(api: Api) -> None:
    comment_id = api.comment()["id"]
    for n in range(3):
        api.vote(comment_id, 1, client_ip=f"198.51.100.{n + 1}")
    answer = api.vote(comment_id, -1, client_ip="198.51.100.9").json()
    assert answer == {"likes": 3, "dislikes": 1}
    listed = api.page()["comments"][0]
    assert (listed["likes"], listed["dislikes"]) == (3, 1)


def test_voting_on_ones_own_comment_is_forbidden(api: Api) -> None:
    comment_id = api.comment(client_ip="192.0.2.1")["id"]
    response = api.vote(comment_id, 1, client_ip="192.0.2.1")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert api.page()["comments"][0]["likes"] == 0


def test_voting_with_ones_own_token_from_elsewhere_is_forbidden(api: Api) -> None:
    posted = api.post(client_ip="192.0.2.1")
    response = api.vote(posted["comment"]["id"], 1, client_ip="192.0.2.2",
                        token=posted["token"])
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("value", [2, -2, "1", True, None, 0.5, [1]])
def test_bad_vote_value_is_invalid_input(api: Api, value: object) -> None:
    comment_id = api.comment()["id"]
    response = api.vote(comment_id, value)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_missing_vote_value_is_invalid_input(api: Api) -> None:
    comment_id = api.comment()["id"]
    response = api.client.post(f"/api/v1/comments/{comment_id}/vote", json={})
    assert response.status_code == 422


@pytest.mark.parametrize("comment_id", [999, 2**63])
def test_vote_on_unknown_comment_is_not_found(api: Api, comment_id: int) -> None:
    response = api.vote(comment_id, 1)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_vote_on_pending_comment_is_not_found(api: Api) -> None:
    api.site_settings(moderation="all")
    comment_id = api.comment()["id"]
    assert api.vote(comment_id, 1).status_code == 404
