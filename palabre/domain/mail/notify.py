"""The outbox consumer's handler: from approved comments to queued mails.

- A comment approved (at once, or later by a moderator) whose author left an address and
  asked to be notified: if the address is not confirmed on the site, a confirmation mail
  is queued (once a week at most; nothing else goes to a pending address).
- The same comment answers another one whose author asked to be notified and whose
  address is confirmed: the notification is queued, unless both are by the same address.

Held comments send nothing (their approval does); imported ones never do. Each mail's
queue key is unique per subscriber (``confirm:<event>``, ``reply:<comment>``), so a
repeated event (the outbox delivers at least once) or a second approval queues nothing.
A subscriber who chose hourly or daily digests gets the reply put in their box instead
(``digests.py``), once (the box holds a comment once).

The same consumer queues the moderators' alerts (a comment held at posting, or
reported: ``alerts.py``) and the statements of reasons (a rejection: ``reasons.py``)."""

from __future__ import annotations

from datetime import timedelta

from palabre.domain.context import Context
from palabre.domain.events import (
    CommentCreated,
    CommentModerated,
    CommentReported,
    StoredEvent,
)
from palabre.domain.mail import compose, reasons
from palabre.domain.mail.alerts import HELD, REPORTED, AlertSender
from palabre.domain.mail.digests import PERIODS, put_in_box
from palabre.domain.mail.log import mask
from palabre.domain.mail.models import Digest, MailKind, Subscriber, SubscriberState
from palabre.domain.mail.subscriptions import address_key
from palabre.domain.mail.tokens import CONFIRM, UNSUBSCRIBE, MailTokens
from palabre.domain.models import Comment, CommentId, Site, Status
from palabre.i18n import DEFAULT_LANGUAGE

ASK_AGAIN_AFTER = timedelta(days=7)  # a pending address is asked again once its link expired


class MailNotifier:
    def __init__(self, ctx: Context, links: compose.Links) -> None:
        self.ctx = ctx
        self.links = links
        self.tokens = MailTokens(ctx.secret)
        self.alerts = AlertSender(ctx, links)

    async def handle(self, stored: StoredEvent) -> None:
        event = stored.event
        if isinstance(event, CommentCreated) and not event.imported:
            if event.status == Status.APPROVED.value:
                await self.approved(stored.id, event.comment_id)
            elif event.status == Status.PENDING.value:
                await self.alerts.comment(stored.id, event.site_id, event.comment_id, HELD)
            elif event.status == Status.REJECTED.value:  # by the assistant, at posting
                await reasons.statement(self.ctx, self.links, stored.id, event)
        elif isinstance(event, CommentModerated):
            if event.status == Status.APPROVED.value:
                await self.approved(stored.id, event.comment_id)
            elif event.action == "reject":
                await reasons.statement(self.ctx, self.links, stored.id, event)
        elif isinstance(event, CommentReported) and (event.held or event.reports == 1):
            await self.alerts.comment(stored.id, event.site_id, event.comment_id,
                                      HELD if event.held else REPORTED)

    async def approved(self, event_id: int, comment_id: CommentId) -> None:
        storage = self.ctx.storage
        comment = await storage.get_comment(comment_id)
        thread = await storage.get_thread_by_id(comment.thread_id) if comment else None
        site = await storage.get_site_by_id(thread.site_id) if thread else None
        if comment is None or site is None or comment.status is not Status.APPROVED:
            return  # gone or undone since: the event that undid it says so
        if comment.email and await storage.wants_replies(comment.id):
            await self.ask_confirmation(event_id, site, comment.email)
        answered = comment.reply_to or comment.parent
        target = await storage.get_comment(answered) if answered else None
        if target is not None and await self._wants(target, comment):
            await self.notify_reply(event_id, site, target, comment)

    async def _wants(self, target: Comment, answer: Comment) -> bool:
        same = target.email.strip().lower() == answer.email.strip().lower()
        return (bool(target.email) and not same
                and await self.ctx.storage.wants_replies(target.id))

    async def ask_confirmation(self, event_id: int, site: Site, email: str) -> None:
        key = address_key(self.ctx.secret, email)
        now = self.ctx.clock()
        async with self.ctx.storage.write() as tx:
            found = await tx.find_subscriber(site.id, key)
            if found is not None and (found.state is SubscriberState.CONFIRMED or (
                    found.state is SubscriberState.PENDING and found.asked is not None
                    and now - found.asked < ASK_AGAIN_AFTER)):
                return
            lang = found.lang if found else DEFAULT_LANGUAGE
            subscriber = await tx.save_subscriber(site.id, key, email.strip(), lang,
                                                  SubscriberState.PENDING, now, now)
            token = self.tokens.issue(CONFIRM, subscriber.id, key)
            draft = compose.confirmation(lang, site, self.links.confirm(token),
                                         self.links.message_id("confirm"))
            await tx.enqueue_mail(subscriber.id, f"confirm:{event_id}", MailKind.CONFIRM,
                                  event_id, draft.dumps(), now, masked=mask(email))

    async def notify_reply(self, event_id: int, site: Site, target: Comment,
                           answer: Comment) -> None:
        subscriber = await self.ctx.storage.find_subscriber(
            site.id, address_key(self.ctx.secret, target.email))
        thread = await self.ctx.storage.get_thread_by_id(answer.thread_id)
        if thread is None or not _confirmed(subscriber):
            return
        assert subscriber is not None
        if subscriber.digest is not Digest.NOW:
            async with self.ctx.storage.write() as tx:
                await put_in_box(tx, f"reply:{subscriber.id}", answer.id, "reply", event_id,
                                 PERIODS[subscriber.digest], answer.created,
                                 self.ctx.clock())
            return
        token = self.tokens.issue(UNSUBSCRIBE, subscriber.id, subscriber.address_key)
        draft = compose.reply(subscriber.lang, site, thread, answer,
                              self.links.unsubscribe(token), self.links.message_id("reply"))
        async with self.ctx.storage.write() as tx:
            await tx.enqueue_mail(subscriber.id, f"reply:{answer.id}", MailKind.REPLY,
                                  event_id, draft.dumps(), self.ctx.clock(),
                                  masked=mask(subscriber.email))


def _confirmed(subscriber: Subscriber | None) -> bool:
    return (subscriber is not None and subscriber.state is SubscriberState.CONFIRMED
            and bool(subscriber.email))
