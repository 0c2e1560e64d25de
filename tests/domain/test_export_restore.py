"""Palabre's own export, restored into an empty database, exports the very same records:
for generated discussions (Hypothesis) with replies past the deepest level, deletions,
held and rejected comments, votes, reports, featured comments, bans and suspensions,
closed and pre-moderated threads with their messages. On the in-memory backend; the
file, SQLite and PostgreSQL are in tests/storage/test_transfer.py."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from palabre.domain import comments, moderation, reports, threads
from palabre.domain.context import Context
from palabre.domain.errors import InvalidInput
from palabre.domain.exports import export_sites, header
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.inputs import CommentDraft, ReportDraft, VoteDraft
from palabre.domain.models import Moderator, SanctionAction, Sort
from palabre.domain.restore import numbered, restore
from palabre.domain.sites import change_settings, ensure_site
from palabre.settings import ServerConfig
from palabre.storage.memory import MemoryStorage
from tests.conftest import SECRET, TEST_SITE_SETTINGS, Clock

MODERATOR = Actor(client="mod", moderator=Moderator(1, "mod", "hash"))
TEXTS = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1,
                max_size=40).filter(str.strip)
STEP = st.one_of(
    st.tuples(st.just("post"), st.none() | st.integers(0, 30), TEXTS,
              st.sampled_from(["", "Jeanne", "Marc D."]),
              st.sampled_from(["", "lecteur@example.org"]), st.booleans()),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("vote"), st.integers(0, 30), st.sampled_from([1, -1, 0]),
              st.integers(0, 3)),
    st.tuples(st.just("moderate"), st.integers(0, 30),
              st.sampled_from(["approve", "reject", "spam"])),
    st.tuples(st.just("close"), st.sampled_from(["/a", "/b"])),
    st.tuples(st.just("feature"), st.integers(0, 30), st.booleans()),
    st.tuples(st.just("report"), st.integers(0, 30), st.integers(0, 3)),
    st.tuples(st.just("options"), st.sampled_from(["/a", "/b"]), st.booleans(), TEXTS),
)


def context(clock: Clock) -> Context:
    return Context(storage=MemoryStorage(), secret=SECRET, clock=clock,
                   config=ServerConfig(post_rate_limit=0, write_rate_limit=0))


async def build(ctx: Context, clock: Clock, steps: list[tuple[Any, ...]]) -> None:
    await ensure_site(ctx.storage, settings=TEST_SITE_SETTINGS)  # readers prove no work
    await change_settings(ctx, "default", {"max_depth": 2, "moderation": "links"}, SYSTEM)
    await change_settings(ctx, "default", {"report_threshold": 2}, SYSTEM)
    async with ctx.storage.write() as tx:
        await tx.add_ban(1, "client", "troll", "insults", clock())
        await tx.add_ban(1, "email", "0123", "", clock(), SanctionAction.SUSPEND,
                         clock() + timedelta(hours=3))
    made: list[tuple[int, str]] = []
    for n, step in enumerate(steps):
        clock.advance(seconds=7, microseconds=n)
        try:
            await _apply(ctx, step, made, n)
        except InvalidInput:
            pass  # a reply to what is gone, and the like: refused as for a reader
        except Exception as exc:  # NotFound, Forbidden: the same
            if type(exc).__module__ != "palabre.domain.errors":
                raise


async def _apply(ctx: Context, step: tuple[Any, ...], made: list[tuple[int, str]],
                 n: int) -> None:
    kind = step[0]
    target = made[step[1] % len(made)] if made and kind not in ("close", "options") \
        and step[1] is not None else None
    if kind == "post":
        _, _, text, author, email, notify = step
        uri = "/a" if n % 3 else "/b"
        draft = CommentDraft(uri=uri, text=text + (" https://example.org" if n % 5 == 0 else ""),
                             author=author, email=email, notify=notify,
                             parent=target[0] if target else None)
        posted = await comments.post_comment(ctx, draft, Actor(client=f"c{n}"))
        made.append((posted.comment.id, posted.token))
    elif kind == "delete" and target:
        await comments.delete_comment(ctx, target[0], Actor(client="x", token=target[1]))
    elif kind == "vote" and target:
        await comments.vote(ctx, target[0], VoteDraft(step[2]), Actor(client=f"v{step[3]}"))
    elif kind == "moderate" and target:
        await moderation.moderate(ctx, target[0], step[2], MODERATOR)
    elif kind == "close":
        await threads.set_closed(ctx, "default", step[1], True, SYSTEM)
    elif kind == "feature" and target:
        await moderation.set_featured(ctx, target[0], step[2], MODERATOR)
    elif kind == "report" and target:
        await reports.report_comment(ctx, target[0], ReportDraft("spam", "note"),
                                     Actor(client=f"r{step[2]}"))
    elif kind == "options":
        await threads.set_options(ctx, "default", step[1], SYSTEM, premoderate=step[2],
                                  message=step[3])


async def export(ctx: Context) -> list[dict[str, Any]]:
    return [header()] + [record async for record in export_sites(ctx)]


async def same_rows(source: Context, target: Context) -> None:
    """Every stored fact came back: threads (with their options) and comments, field by
    field (nothing an export forgets can hide behind a second export forgetting it too)."""
    threads_before = await source.storage.threads_of_site(1)
    threads_after = await target.storage.threads_of_site(1)
    assert [replace(t, version=0) for t in threads_after] == [
        replace(t, version=0) for t in threads_before]
    for thread in threads_before:
        assert await target.storage.comments_of_thread(thread.id) == \
            await source.storage.comments_of_thread(thread.id)
    assert await target.storage.bans_of_site(1) == await source.storage.bans_of_site(1)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=25))
@example(steps=[("post", None, "Un", "", "", False), ("feature", 0, True),
                ("options", "/a", True, "Lisez"), ("post", None, "Deux", "", "", False),
                ("report", 1, 1), ("report", 1, 2)])
def test_export_restore_export_gives_the_same_records(steps: list[tuple[Any, ...]]) -> None:
    clock = Clock()

    async def work() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        source = context(clock)
        await build(source, clock, steps)
        first = await export(source)
        target = context(clock)
        await ensure_site(target.storage)  # a fresh server has its default site
        report = await restore(target, numbered(first))
        assert report.comments == sum(r.get("type") == "comment" for r in first)
        again = await restore(target, numbered(first))  # a second run changes nothing
        assert again.threads == 0 and again.already_there == report.threads
        await same_rows(source, target)
        return first, await export(target)

    first, second = asyncio.run(work())
    assert second == first


def test_a_restored_discussion_reads_as_the_original(clock: Clock) -> None:
    async def work() -> None:
        source = context(clock)
        await build(source, clock, [("post", None, "Premier", "Jeanne", "", False),
                                    ("post", 0, "Réponse", "Marc", "m@example.org", True),
                                    ("post", 1, "Trop profond", "", "", False),
                                    ("vote", 0, 1, 2), ("close", "/a")])
        target = context(clock)
        await restore(target, numbered(await export(source)))
        for uri in ("/a", "/b"):
            original = await threads.thread_page(source, "default", uri,
                                                 Sort.OLDEST, 50, None)
            restored = await threads.thread_page(target, "default", uri,
                                                 Sort.OLDEST, 50, None)
            assert restored.comments == original.comments
            assert restored.thread.count == original.thread.count
            assert restored.thread.closed == original.thread.closed

    asyncio.run(work())


@pytest.mark.parametrize(("change", "message"), [
    ({"parent": 999}, "its parent is not an earlier comment"),
    ({"depth": 3}, "its depth or root does not match"),
    ({"website": "javascript:alert(1)"}, "website is not valid"),
    ({"status": "published"}, "unknown status"),
    ({"created": "yesterday"}, "'created' is not a time"),
    ({"likes": 5}, "do not add up to its likes"),
    ({"id": True}, "'id' is missing or not a int"),
])
def test_a_tampered_export_is_refused_naming_the_line(clock: Clock, change: dict[str, Any],
                                                       message: str) -> None:
    async def work() -> None:
        source = context(clock)
        await build(source, clock, [("post", None, "Premier", "", "", False),
                                    ("post", 0, "Réponse", "", "", False)])
        records = await export(source)
        line = max(n for n, r in enumerate(records, 1) if r.get("type") == "comment")
        records[line - 1] = {**records[line - 1], **change}
        target = context(clock)
        with pytest.raises(InvalidInput) as refused:
            await restore(target, numbered(records))
        assert message in refused.value.message
        if "add up" not in message:
            assert refused.value.message.startswith(f"line {line}:")
        thread = await target.storage.get_thread(1, "/b")
        assert thread is None or await target.storage.comments_of_thread(thread.id) == []

    asyncio.run(work())


def test_a_restore_into_a_database_holding_other_discussions_is_refused(clock: Clock) -> None:
    async def work() -> None:
        source, target = context(clock), context(clock)
        await build(source, clock, [("post", None, "Premier", "", "", False)])
        await build(target, clock, [("post", None, "Autre", "", "", False)])
        with pytest.raises(InvalidInput) as refused:
            await restore(target, numbered(await export(source)))
        assert refused.value.reason == "import_conflict"

    asyncio.run(work())
