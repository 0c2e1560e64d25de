"""Posting, editing, deleting and voting, called on the domain directly: what each does to
the thread and which typed events it records (in memory: no HTTP, no SQL)."""

from __future__ import annotations

import pytest

from palabre.domain import comments, moderation, threads
from palabre.domain.comments import record_vote, store_comment
from palabre.domain.errors import Forbidden, InvalidInput, ThreadClosed
from palabre.domain.events import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    CommentModerated,
    CommentVoted,
    SiteSettingsChanged,
    ThreadOpened,
)
from palabre.domain.events import ThreadClosed as ThreadClosedEvent
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.inputs import (
    CommentDraft,
    EditDraft,
    VoteDraft,
    parse_comment_draft,
    parse_vote_draft,
)
from palabre.domain.models import Moderator, Sort, Status
from tests.conftest import START
from tests.domain.conftest import Domain, reader

MODERATOR = Actor(client="mod", moderator=Moderator(1, "mod", "hash"))


def post(domain: Domain, text: str = "Bonjour", actor: Actor | None = None,
         **fields: object) -> comments.Posted:
    draft = parse_comment_draft({"uri": "/a", "text": text, **fields})
    return domain.run(comments.post_comment(domain.ctx, draft, actor or reader()))


def version(domain: Domain, uri: str = "/a") -> int:
    found = domain.run(domain.storage.thread_version(1, uri))
    assert found is not None
    return found[0]


def test_the_draft_parser_names_the_field_at_fault() -> None:
    draft = parse_comment_draft({"uri": "https://x.example/a/#c", "text": "a\r\nb\x07",
                                 "author": "  Jeanne   D. ", "website": "example.org"})
    assert (draft.uri, draft.text, draft.author, draft.website) == (
        "/a/", "a\nb", "Jeanne D.", "https://example.org")
    assert draft.html == "<p>a\nb</p>"
    bodies: list[tuple[dict[str, object], str]] = [
        ({"uri": "/a", "text": 3}, "text"), ({"text": "x"}, "uri"),
        ({"uri": "/a", "text": "x", "parent": True}, "parent"),
        ({"uri": "/a", "text": "x", "email": "nope"}, "email"),
        ({"uri": "/a", "text": "x", "notify": "yes"}, "notify")]
    for body, field in bodies:
        with pytest.raises(InvalidInput) as refused:
            parse_comment_draft(body)
        assert refused.value.field == field
    with pytest.raises(InvalidInput):
        parse_vote_draft({"value": True})
    assert parse_vote_draft({"value": -1}) == VoteDraft(-1)


def test_posting_stores_one_row_records_it_and_bumps_the_thread(domain: Domain) -> None:
    first = post(domain, title="Titre")
    assert first.thread.title == "Titre" and first.comment.status is Status.APPROVED
    before = version(domain)
    reply = post(domain, "Réponse", reader(2), parent=first.comment.id)
    assert version(domain) == before + 1
    assert (reply.comment.parent, reply.comment.depth) == (first.comment.id, 1)
    assert domain.events() == [
        CommentCreated(site_id=1, thread_id=first.thread.id, comment_id=first.comment.id,
                       parent=None, reply_to=None, status="approved"),
        CommentCreated(site_id=1, thread_id=first.thread.id, comment_id=reply.comment.id,
                       parent=first.comment.id, reply_to=first.comment.id,
                       status="approved"),
    ]


def test_a_refused_post_leaves_no_thread_no_row_and_no_event(domain: Domain) -> None:
    domain.settings(blocked_words="spam")
    events_before = domain.events()
    with pytest.raises(InvalidInput):
        post(domain, "buy spam now")
    with pytest.raises(InvalidInput):
        post(domain, "hello", parent=999)
    assert domain.run(domain.storage.get_thread(1, "/a")) is None
    assert domain.events() == events_before


def test_admission_holds_by_moderation_mode(domain: Domain) -> None:
    domain.settings(moderation="links")
    assert post(domain, "voir https://example.org").comment.status is Status.PENDING
    assert post(domain, "sans lien").comment.status is Status.APPROVED
    domain.settings(moderation="first_time")
    assert post(domain, "nouveau", reader(7)).comment.status is Status.PENDING
    assert post(domain, "habitué", reader(1)).comment.status is Status.APPROVED
    domain.settings(moderation="all")
    assert post(domain, "tout", reader(1)).comment.status is Status.PENDING


def test_closed_threads_refuse_readers(domain: Domain) -> None:
    post(domain)
    domain.run(threads.set_closed(domain.ctx, "default", "/a", True, SYSTEM))
    with pytest.raises(ThreadClosed):
        post(domain, "trop tard")
    with pytest.raises(Forbidden):
        domain.run(threads.set_closed(domain.ctx, "default", "/a", False, reader()))
    domain.run(threads.set_closed(domain.ctx, "default", "/a", False, MODERATOR))
    assert [type(e) for e in domain.events()[-2:]] == [ThreadClosedEvent, ThreadOpened]


def test_the_store_step_takes_the_callers_time_and_status(domain: Domain) -> None:
    """What the demo, the bench seeder and the importers use: no policy, no rate limit."""
    async def work() -> None:
        site = await domain.ctx.site("default")
        async with domain.storage.write() as tx:
            thread = await tx.get_or_create_thread(site.id, "/imported", "Archive", START)
            old = await store_comment(tx, site, thread, CommentDraft(uri="/imported",
                                      text="*Vieux*"), at=START, status=Status.PENDING,
                                      client="", imported=True)
            reply = await store_comment(tx, site, thread, CommentDraft(
                uri="/imported", text="réponse", parent=old.id), at=START,
                status=Status.APPROVED, client="")
            assert (reply.parent, reply.reply_to, reply.depth) == (old.id, old.id, 1)
            assert old.html == "<p><em>Vieux</em></p>" and old.created == START
            assert await record_vote(tx, site, reply, "voter", 1) == (1, 0)

    domain.run(work())
    created = [e for e in domain.events() if isinstance(e, CommentCreated)]
    assert [(e.status, e.imported) for e in created] == [("pending", True),
                                                         ("approved", False)]
    assert isinstance(domain.events()[-1], CommentVoted)


def test_edit_delete_vote_and_moderation_each_record_their_event(domain: Domain) -> None:
    top = post(domain)
    reply = post(domain, "réponse", reader(2), parent=top.comment.id)
    author = reader(1, token=top.token)
    domain.run(comments.edit_comment(domain.ctx, top.comment.id, EditDraft("modifié"), author))
    assert domain.run(comments.vote(domain.ctx, top.comment.id, VoteDraft(1), reader(3))) == (
        1, 0)
    domain.run(comments.delete_comment(domain.ctx, top.comment.id, author))
    domain.run(moderation.moderate(domain.ctx, reply.comment.id, "reject", MODERATOR))
    thread_id = top.thread.id
    assert domain.events()[2:] == [
        CommentEdited(site_id=1, thread_id=thread_id, comment_id=top.comment.id),
        CommentVoted(site_id=1, thread_id=thread_id, comment_id=top.comment.id, likes=1,
                     dislikes=0),
        CommentDeleted(site_id=1, thread_id=thread_id, comment_id=top.comment.id,
                       placeholder=True, removed=()),
        CommentModerated(site_id=1, thread_id=thread_id, comment_id=reply.comment.id,
                         action="reject", status="rejected",
                         removed=(reply.comment.id, top.comment.id)),  # pruned, with it
    ]
    page = domain.run(threads.thread_page(domain.ctx, "default", "/a", Sort.OLDEST, 50, None))
    assert page.comments == [] and page.thread.count == 0


def test_settings_change_through_the_domain_and_stale_every_page(domain: Domain) -> None:
    post(domain)
    before = version(domain)
    domain.settings(max_depth="2", blocked_words="a, b")
    site = domain.run(domain.ctx.site("default"))
    assert (site.settings.max_depth, site.settings.blocked_words) == (2, ("a", "b"))
    assert version(domain) == before + 1
    assert domain.events()[-1] == SiteSettingsChanged(site_id=1,
                                                      changed=("blocked_words", "max_depth"))
    with pytest.raises(InvalidInput) as unknown:
        domain.settings(colour="red")
    assert unknown.value.field == "colour"
    with pytest.raises(InvalidInput) as bad:
        domain.settings(moderation="sometimes")
    assert bad.value.reason == "setting_invalid"


def test_moderators_title_threads_and_a_site_can_lock_titles(domain: Domain) -> None:
    first = post(domain, title="Titre squatté")
    assert first.thread.title == "Titre squatté"
    with pytest.raises(Forbidden):
        domain.run(threads.set_title(domain.ctx, "default", "/a", "Autre", reader()))
    fixed = domain.run(threads.set_title(domain.ctx, "default", "/a", " Le  vrai titre ",
                                         MODERATOR))
    assert fixed.title == "Le vrai titre"
    assert domain.run(threads.thread_info(domain.ctx, "default", "/a")).title == "Le vrai titre"
    domain.settings(lock_titles=True)
    draft = parse_comment_draft({"uri": "/b", "text": "Premier", "title": "Mon titre à moi"})
    locked = domain.run(comments.post_comment(domain.ctx, draft, reader(2)))
    assert locked.thread.title == ""
