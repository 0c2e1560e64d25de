"""Export to a file, restore into an empty database, export again: the same bytes, on
SQLite and PostgreSQL and from one to the other (the demo's discussions with their votes and a
closed thread, plus a deleted comment kept as a placeholder, a notify flag and a ban)."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from pathlib import Path

import pytest

from palabre.demo import load_demo, seed_demo
from palabre.domain import comments
from palabre.domain.context import Context
from palabre.domain.identity import Actor
from palabre.domain.inputs import CommentDraft
from palabre.domain.restore import restore
from palabre.domain.sites import ensure_site
from palabre.storage import open_storage
from palabre.transfer import read_export, write_export
from tests.conftest import SECRET, TEST_SITE_SETTINGS, migrated_database

KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


async def fill(ctx: Context) -> None:
    await ensure_site(ctx.storage, settings=TEST_SITE_SETTINGS)  # readers prove no work here
    await seed_demo(ctx)
    async with ctx.storage.write() as tx:
        await tx.add_ban(1, "client", "0123abcd", "insultes", ctx.clock())
    top = await comments.post_comment(ctx, CommentDraft(
        uri="/held", text="Premier", email="a@example.org", notify=True), Actor(client="c1"))
    await comments.post_comment(ctx, CommentDraft(uri="/held", text="Réponse",
                                                  parent=top.comment.id), Actor(client="c2"))
    await comments.delete_comment(ctx, top.comment.id, Actor(client="c1", token=top.token))
    await ctx.storage.close()


async def export_to(url: str, path: Path) -> bytes:
    ctx = Context(storage=open_storage(url), secret=SECRET)
    try:
        with path.open("wb") as out:
            await write_export(ctx, out)
    finally:
        await ctx.storage.close()
    return path.read_bytes()


async def restore_from(url: str, path: Path) -> None:
    ctx = Context(storage=open_storage(url), secret=SECRET)
    try:
        await ensure_site(ctx.storage)
        await restore(ctx, read_export(path))
    finally:
        await ctx.storage.close()


@pytest.mark.parametrize("target", KINDS)
@pytest.mark.parametrize("source", KINDS)
def test_export_restore_export_is_byte_identical(source: str, target: str,
                                                 tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with ExitStack() as stack:
        first_url = stack.enter_context(migrated_database(source, tmp_path / "a"))
        second_url = stack.enter_context(migrated_database(target, tmp_path / "b"))

        async def work() -> tuple[bytes, bytes]:
            await fill(Context(storage=open_storage(first_url), secret=SECRET))
            first = await export_to(first_url, tmp_path / "first.jsonl")
            await restore_from(second_url, tmp_path / "first.jsonl")
            return first, await export_to(second_url, tmp_path / "second.jsonl")

        first, second = asyncio.run(work())
    assert second == first
    lines = first.splitlines()
    assert lines[0] == b'{"format":"palabre","version":1}'
    demo = sum(len(article.comments) for article in load_demo().articles)
    assert sum(b'"type":"comment"' in line for line in lines) == demo + 2
    assert b'"status":"deleted"' in first and b'"type":"ban"' in first
    assert b'"closed":true' in first and b'"type":"vote"' in first
