"""Digests: a subscriber may take their replies one mail each (``now``), or gathered
``hourly`` or ``daily``; a site's moderator alerts likewise (``moderator_alerts``).

A reply (or alert) to be gathered goes into a box (``reply:<subscriber>``,
``alert:<moderator>:<site>``). The first item of an empty box opens its window: the box
is due one period later, and whatever joined it by then goes as one mail, composed and
queued in the same transaction that empties the box (so a crash never loses nor doubles
it: the queue key is the box and its last item). Comments no longer approved by then
(deleted, rejected) are left out; a box left with nothing sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from palabre.domain.context import Context
from palabre.domain.mail import compose, letters
from palabre.domain.mail.log import mask
from palabre.domain.mail.models import Digest, DigestItem, MailKind, SubscriberState
from palabre.domain.mail.subscriptions import Answer, Outcome
from palabre.domain.mail.tokens import MANAGE, UNSUBSCRIBE, MailTokens
from palabre.domain.models import Comment, CommentId, Status, Thread
from palabre.domain.ports import Reads, WriteTx

PERIODS = {Digest.HOURLY: timedelta(hours=1), Digest.DAILY: timedelta(days=1)}
BATCH = 20


async def put_in_box(tx: WriteTx, box: str, comment_id: int, note: str, event_id: int,
                     period: timedelta, start: datetime, now: datetime) -> None:
    """Add an item to a box: due with the box's first item, or one period after ``start``
    (when the reply was written: a backlog of the outbox does not stretch the window)."""
    waiting = await tx.digest_items(box)
    due = waiting[0].due if waiting else start + period
    await tx.add_digest_item(box, comment_id, note, event_id, due, now)


async def shown(reads: Reads, items: list[DigestItem]) -> list[tuple[DigestItem, Thread,
                                                                     Comment]]:
    """The items whose comment is still there, with its thread, in the box's order."""
    found = []
    for item in items:
        comment = await reads.get_comment(CommentId(item.comment_id))
        thread = await reads.get_thread_by_id(comment.thread_id) if comment else None
        if comment is not None and thread is not None:
            found.append((item, thread, comment))
    return found


class ReplyDigests:
    """Composing the due digests of replies (the worker's lease holder runs it)."""

    def __init__(self, ctx: Context, links: compose.Links) -> None:
        self.ctx = ctx
        self.links = links
        self.tokens = MailTokens(ctx.secret)

    async def flush(self, tx: WriteTx, box: str) -> None:
        items = await tx.digest_items(box)
        if not items:
            return
        await tx.drop_digest_items(box, items[-1].id)
        subscriber = await tx.get_subscriber(int(box.removeprefix("reply:")))
        if subscriber is None or subscriber.state is not SubscriberState.CONFIRMED:
            return
        site = await tx.get_site_by_id(subscriber.site_id)
        replies = [(thread, comment) for _, thread, comment in await shown(tx, items)
                   if comment.status is Status.APPROVED]
        if site is None or not replies:
            return
        token = self.tokens.issue(UNSUBSCRIBE, subscriber.id, subscriber.address_key)
        unsubscribe = self.links.unsubscribe(token)
        if len(replies) == 1:  # a window with one reply: the ordinary notification
            thread, comment = replies[0]
            draft = compose.reply(subscriber.lang, site, thread, comment, unsubscribe,
                                  self.links.message_id("reply"))
        else:
            draft = letters.digest(subscriber.lang, site, replies, unsubscribe).draft(
                self.links.message_id("digest"), unsubscribe)
        await tx.enqueue_mail(subscriber.id, f"digest:{items[-1].id}", MailKind.DIGEST,
                              items[-1].event_id, draft.dumps(), self.ctx.clock(),
                              masked=mask(subscriber.email))


async def choose_digest(ctx: Context, token: str, choice: str) -> Answer:
    """Record how often a subscriber wants their replies (now, hourly, daily)."""
    claim = MailTokens(ctx.secret).read(MANAGE, token)
    if claim is None or choice not in {d.value for d in Digest}:
        return Answer(Outcome.INVALID, "en")
    async with ctx.storage.write() as tx:
        found = await tx.get_subscriber(claim.subscriber_id)
        if found is None or found.address_key != claim.address_key or not found.email:
            return Answer(Outcome.INVALID, "en")
        await tx.set_digest(found.id, Digest(choice))
    return Answer(Outcome.DONE, found.lang)
