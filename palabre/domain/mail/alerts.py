"""Moderator alerts: a held or reported comment is told to the site's moderators who
gave an address (per site ``moderator_alerts``: off, now, hourly, daily), each comment
with an approve and a reject link (``links.py``: signed, expiring, single-use, bound to
that moderator, comment and action).

A link opens a page whose button POSTs (mail scanners fetch links: a GET never acts);
the POST spends the link, then acts through ``moderation.moderate`` as that moderator,
so the decision is checked (the moderator still moderates the site, the comment is
still undecided) and audited as any other; an ``alert_link`` audit entry says it came
through a mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from palabre.domain import audit
from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput, NotFound
from palabre.domain.identity import Actor
from palabre.domain.mail import compose, letters
from palabre.domain.mail.digests import PERIODS, put_in_box, shown
from palabre.domain.mail.links import LIFETIME, AlertLinks, LinkClaim
from palabre.domain.mail.log import mask
from palabre.domain.mail.models import Digest, MailKind
from palabre.domain.models import Comment, CommentId, Moderator, Site, Status, Thread
from palabre.domain.moderation import moderate
from palabre.domain.ports import WriteTx
from palabre.domain.validation import author
from palabre.i18n import DEFAULT_LANGUAGE, LANGUAGES
from palabre.settings import AlertMode

HELD, REPORTED = "held", "reported"


def still_to_review(note: str, comment: Comment) -> bool:
    """A held comment still waits; a reported one is still shown (or waits)."""
    allowed = (Status.PENDING,) if note == HELD else (Status.PENDING, Status.APPROVED)
    return comment.status in allowed


class AlertSender:
    """Queueing alerts (from the outbox consumer) and composing due alert digests."""

    def __init__(self, ctx: Context, links: compose.Links) -> None:
        self.ctx = ctx
        self.links = links
        self.signer = AlertLinks(ctx.secret)

    async def comment(self, event_id: int, site_id: int, comment_id: int, note: str) -> None:
        storage = self.ctx.storage
        site = await storage.get_site_by_id(site_id)
        mode = site.settings.moderator_alerts if site else AlertMode.OFF
        if site is None or mode is AlertMode.OFF:
            return
        comment = await storage.get_comment(CommentId(comment_id))
        if comment is None or not still_to_review(note, comment):
            return
        for moderator, email, lang in await self._recipients(site):
            async with storage.write() as tx:
                if mode is AlertMode.NOW:
                    await self._queue(tx, moderator, email, lang, site, [(note, comment_id)],
                                      f"alert:{moderator.id}:{comment_id}:{note}", event_id)
                else:
                    now = self.ctx.clock()
                    await put_in_box(tx, f"alert:{moderator.id}:{site.id}", comment_id, note,
                                     event_id, PERIODS[Digest(mode.value)], now, now)

    async def _recipients(self, site: Site) -> list[tuple[Moderator, str, str]]:
        found = []
        for moderator in await self.ctx.storage.list_moderators():
            email, lang = await self.ctx.storage.moderator_address(moderator.id)
            if email and moderator.moderates(site.id):
                found.append((moderator, email, lang))
        return found

    async def flush(self, tx: WriteTx, box: str) -> None:
        """Send what waits in a moderator's alert box as one mail."""
        items = await tx.digest_items(box)
        if not items:
            return
        await tx.drop_digest_items(box, items[-1].id)
        moderator_id, site_id = (int(part) for part in box.split(":")[1:3])
        moderator = await tx.get_moderator_by_id(moderator_id)
        site = await tx.get_site_by_id(site_id)
        email, lang = await tx.moderator_address(moderator_id)
        if moderator is None or site is None or not email or not moderator.moderates(site_id):
            return
        waiting = [(item.note, item.comment_id) for item, _, comment in await shown(tx, items)
                   if still_to_review(item.note, comment)]
        if waiting:
            await self._queue(tx, moderator, email, lang, site, waiting,
                              f"alerts:{moderator.id}:{items[-1].id}", items[-1].event_id)

    async def _queue(self, tx: WriteTx, moderator: Moderator, email: str, lang: str,
                     site: Site, waiting: list[tuple[str, int]], key: str,
                     event_id: int) -> None:
        entries = []
        for note, comment_id in waiting:
            comment = await tx.get_comment(CommentId(comment_id))
            thread = await tx.get_thread_by_id(comment.thread_id) if comment else None
            if comment is not None and thread is not None:
                entries.append(self._entry(moderator, thread, comment, note))
        if not entries:
            return
        desk = f"{self.links.public_url.rstrip('/')}/admin/queue/pending?site={site.slug}"
        draft = letters.alert(lang, site, entries, desk).draft(self.links.message_id("alert"))
        await tx.enqueue_mail(None, key, MailKind.ALERT, event_id, draft.dumps(),
                              self.ctx.clock(), recipient=email, masked=mask(email))

    def _entry(self, moderator: Moderator, thread: Thread, comment: Comment,
               note: str) -> letters.AlertEntry:
        def link(action: str) -> str:
            return self.links.moderate(self.signer.issue(moderator.id, comment.id, action,
                                                         self.ctx.clock()))

        return letters.AlertEntry(thread, comment, note, link("approve"), link("reject"))


class LinkOutcome(StrEnum):
    SHOW = "show"  # valid: the page shows the button
    DONE = "done"
    USED = "used"  # spent already
    STALE = "stale"  # the comment was decided already, or is gone
    INVALID = "invalid"  # bad or expired token, or a moderator who may no longer act


@dataclass(frozen=True)
class LinkAnswer:
    outcome: LinkOutcome
    action: str = ""
    comment: Comment | None = None
    thread: Thread | None = None


async def _moderator(ctx: Context, claim: LinkClaim | None) -> Moderator | None:
    found = await ctx.storage.get_moderator_by_id(claim.moderator_id) if claim else None
    return found if found is not None and not found.disabled else None


async def check_link(ctx: Context, token: str) -> LinkAnswer:
    """What a link would do, for the page that asks to confirm (nothing is changed)."""
    claim = AlertLinks(ctx.secret).read(token, ctx.clock())
    moderator = await _moderator(ctx, claim)
    if claim is None or moderator is None:
        return LinkAnswer(LinkOutcome.INVALID)
    comment = await ctx.storage.get_comment(CommentId(claim.comment_id))
    thread = await ctx.storage.get_thread_by_id(comment.thread_id) if comment else None
    if comment is None or thread is None or not moderator.moderates(thread.site_id):
        return LinkAnswer(LinkOutcome.STALE, claim.action)
    return LinkAnswer(LinkOutcome.SHOW, claim.action, comment, thread)


async def use_link(ctx: Context, token: str) -> LinkAnswer:
    """Spend a link and act as its moderator, once."""
    claim = AlertLinks(ctx.secret).read(token, ctx.clock())
    moderator = await _moderator(ctx, claim)
    if claim is None or moderator is None:
        return LinkAnswer(LinkOutcome.INVALID)
    actor = Actor(client="palabre:mail-link", moderator=moderator)
    if not await _spend(ctx, claim, actor):
        return LinkAnswer(LinkOutcome.USED, claim.action)
    try:
        changed = await moderate(ctx, claim.comment_id, claim.action, actor)
    except (NotFound, InvalidInput):
        return LinkAnswer(LinkOutcome.STALE, claim.action)
    except Forbidden:
        return LinkAnswer(LinkOutcome.INVALID, claim.action)
    return LinkAnswer(LinkOutcome.DONE, claim.action, changed)


async def _spend(ctx: Context, claim: LinkClaim, actor: Actor) -> bool:
    now: datetime = ctx.clock()
    async with ctx.storage.write() as tx:
        if not await tx.spend_link(claim.link, now + LIFETIME, now):
            return False
        comment = await tx.get_comment(CommentId(claim.comment_id))
        thread = await tx.get_thread_by_id(comment.thread_id) if comment else None
        await audit.record(tx, actor, thread.site_id if thread else None, "alert_link",
                           f"comment:{claim.comment_id}", {}, {"action": claim.action}, now)
    return True


async def set_alert_address(ctx: Context, actor: Actor, username: str, raw_email: str,
                            lang: str) -> Moderator:
    """Give a moderator the address their alerts go to ("" for none) and its language
    (admins, or the operator's tools)."""
    if not actor.is_admin:
        raise Forbidden("only admins manage moderators", reason="admins_only")
    email = author("", raw_email, "").email
    async with ctx.storage.write() as tx:
        found = await tx.get_moderator(username)
        if found is None:
            raise NotFound("no such moderator")
        before, before_lang = await tx.moderator_address(found.id)
        chosen = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        await tx.set_moderator_address(found.id, email, chosen)
        await audit.record(tx, actor, None, "moderator_email", f"moderator:{found.id}",
                           {"email": mask(before) if before else "", "lang": before_lang},
                           {"email": mask(email) if email else "", "lang": chosen},
                           ctx.clock())
    return found


async def alert_addresses(ctx: Context, actor: Actor) -> dict[int, tuple[str, str]]:
    """Each moderator's alert address and language, by moderator id (admins only)."""
    if not actor.is_admin:
        raise Forbidden("only admins manage moderators", reason="admins_only")
    return {m.id: await ctx.storage.moderator_address(m.id)
            for m in await ctx.storage.list_moderators()}
