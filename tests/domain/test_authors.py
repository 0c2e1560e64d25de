"""An author's access to their data and its erasure, by email, on the domain (in memory)."""

from __future__ import annotations

import pytest

from palabre.domain import comments, threads
from palabre.domain.authors import author_data, erase_author
from palabre.domain.errors import Forbidden
from palabre.domain.identity import SYSTEM
from palabre.domain.inputs import CommentDraft, VoteDraft
from palabre.domain.models import CommentId, Sort, Status
from tests.domain.conftest import Domain, reader

EMAIL = "Jeanne@Example.org"


def post(domain: Domain, text: str, n: int, email: str = "", parent: int | None = None,
         uri: str = "/a") -> CommentId:
    draft = CommentDraft(uri=uri, text=text, author=f"Auteur {n}", email=email,
                         website="https://jeanne.example", parent=parent)
    return domain.run(comments.post_comment(domain.ctx, draft, reader(n))).comment.id


def test_an_author_sees_everything_stored_under_their_email(domain: Domain) -> None:
    first = post(domain, "Premier", 1, EMAIL)
    post(domain, "Ailleurs", 1, "jeanne@example.org", uri="/b")
    post(domain, "Un autre", 2, "marc@example.org")
    data = domain.run(author_data(domain.ctx, "jeanne@example.org", SYSTEM))
    assert [c["id"] for c in data["comments"]] == [first, first + 1]
    assert {c["uri"] for c in data["comments"]} == {"/a", "/b"}
    assert all(c["email"].lower() == "jeanne@example.org" for c in data["comments"])
    with pytest.raises(Forbidden):
        domain.run(author_data(domain.ctx, EMAIL, reader(1)))


def test_erasure_keeps_bare_placeholders_only_above_others_replies(domain: Domain) -> None:
    answered = post(domain, "On me répond", 1, EMAIL)
    post(domain, "Réponse de Marc", 2, "marc@example.org", parent=answered)
    alone = post(domain, "Seul", 1, EMAIL)
    domain.run(comments.vote(domain.ctx, answered, VoteDraft(1), reader(3)))
    domain.run(comments.vote(domain.ctx, alone, VoteDraft(1), reader(3)))
    before = domain.run(threads.thread_info(domain.ctx, "default", "/a")).count
    erased = domain.run(erase_author(domain.ctx, EMAIL, SYSTEM))
    assert (erased.comments, erased.placeholders, erased.votes) == (2, 1, 1)
    assert domain.run(domain.storage.get_comment(alone)) is None
    kept = domain.run(domain.storage.get_comment(answered))
    assert kept is not None and kept.status is Status.DELETED
    assert (kept.author, kept.email, kept.website, kept.text, kept.client, kept.avatar,
            kept.likes) == ("", "", "", "", "", "", 0)
    page = domain.run(threads.thread_page(domain.ctx, "default", "/a", Sort.OLDEST, 50, None))
    assert page.thread.count == before - 2
    assert [c.author for c in page.comments] == ["", "Auteur 2"]
    assert domain.run(author_data(domain.ctx, EMAIL, SYSTEM))["comments"] == []
    assert domain.run(erase_author(domain.ctx, EMAIL, SYSTEM)).comments == 0
