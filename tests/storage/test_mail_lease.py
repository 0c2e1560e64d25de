"""Two mail workers on two connections to one database (two processes or instances, as
far as the database can tell), on every backend: one lease, so every mail goes once; when
the holder dies, the other takes over after the lease expires."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from palabre.domain import comments
from palabre.domain.context import Context
from palabre.domain.identity import Actor
from palabre.domain.inputs import CommentDraft
from palabre.domain.mail.compose import Links
from palabre.domain.mail.subscriptions import confirm
from palabre.domain.mail.worker import MailWorker
from palabre.domain.ports import Storage
from palabre.domain.sites import ensure_site
from tests.conftest import SECRET, TEST_SITE_SETTINGS, Clock
from tests.smtp_inbox import Inbox, link, smtp_server, transport
from tests.storage.conftest import Backend


async def post(ctx: Context, n: int, email: str, parent: int | None = None) -> int:
    draft = CommentDraft(uri="/a", text=f"Texte {n} {parent}", author=f"Auteur {n}",
                         email=email, parent=parent, notify=True)
    posted = await comments.post_comment(ctx, draft, Actor(client=f"client-{n}"))
    return posted.comment.id


async def both(*workers: MailWorker) -> list[bool]:
    return list(await asyncio.gather(*(w.step() for w in workers)))


def test_two_workers_send_each_mail_once(backend: Backend) -> None:
    clock = Clock()

    async def work(box: Inbox, first_store: Storage) -> None:
        second_store = backend.open()
        try:
            await ensure_site(first_store, settings=replace(TEST_SITE_SETTINGS,
                                                            site_url="https://blog.example"))
            one, two = (Context(storage=s, secret=SECRET, clock=clock)
                        for s in (first_store, second_store))
            workers = [MailWorker(ctx, transport(box.port), Links("https://c.example"),
                                  "c@example.org", holder=name)
                       for ctx, name in ((one, "one"), (two, "two"))]
            assert sorted(await both(*workers)) == [False, True]
            anne = await post(one, 1, "anne@example.org")
            await both(*workers)
            assert await confirm(one, link(box.messages[0], "/mail/confirm"), "en")
            for n in range(3):
                await post(two, 2 + n, f"r{n}@example.org", parent=anne)
                await both(*workers)
            assert [m["To"] for m in box.messages].count("anne@example.org") == 4
            holder = workers[0] if (await both(*workers))[0] else workers[1]
            other = workers[1] if holder is workers[0] else workers[0]
            clock.advance(seconds=61)  # the holder died: its lease runs out
            await post(one, 9, "late@example.org", parent=anne)
            assert await other.step()
            recipients = sorted(m["To"] for m in box.messages)
            # Anne: her confirmation and four replies; each replier: one confirmation.
            assert recipients == sorted(["anne@example.org"] * 5 + [
                "late@example.org", "r0@example.org", "r1@example.org", "r2@example.org"])
        finally:
            if backend.memory is None:
                await second_store.close()

    with smtp_server() as (box, _):
        backend.run(lambda store: work(box, store))
    assert len({m["Message-ID"] for m in box.messages}) == len(box.messages)
