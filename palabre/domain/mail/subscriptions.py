"""Who may be mailed: double opt-in per site and address, confirmation and one-click
unsubscribe by signed links, and forgetting an address (GDPR erasure).

An address is personal data: a subscriber row is found by a keyed hash of it, and keeps
the address itself only while mail may go to it (pending or confirmed); unsubscribing
blanks it. The comments that asked for notifications keep their own copy, as they did."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from palabre.domain.context import Context
from palabre.domain.exports import timestamp
from palabre.domain.identity import client_key
from palabre.domain.mail.models import MailStatus, Subscriber, SubscriberState
from palabre.domain.mail.tokens import CONFIRM, MANAGE, UNSUBSCRIBE, MailTokens
from palabre.i18n import LANGUAGES


def address_key(secret: str, email: str) -> str:
    """The keyed hash that finds an address's subscriber rows (useless without the secret)."""
    return client_key(secret, "mail:" + email.strip().lower())


class Outcome(StrEnum):
    DONE = "done"
    ALREADY = "already"  # confirmed or unsubscribed before: nothing changed
    INVALID = "invalid"  # bad, expired or foreign token, or a subscriber no longer there


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    lang: str
    manage: str = ""  # for a page's "how often" form: a token to choose with (a day)
    digest: str = "now"  # the subscriber's choice so far


def manage_token(secret: str, subscriber_id: int, address_key: str) -> str:
    """The token a page embeds in its "how often" form (valid for a day)."""
    return MailTokens(secret).issue(MANAGE, subscriber_id, address_key)


def _managing(secret: str, found: Subscriber, outcome: Outcome, lang: str) -> Answer:
    return Answer(outcome, lang, manage_token(secret, found.id, found.address_key),
                  found.digest.value)


async def confirm(ctx: Context, token: str, lang: str) -> Answer:
    """Confirm the address a confirmation link names; ``lang`` (the language of the
    reader's own request) becomes the language of their notifications."""
    claim = MailTokens(ctx.secret).read(CONFIRM, token)
    if claim is None:
        return Answer(Outcome.INVALID, lang)
    async with ctx.storage.write() as tx:
        found = await tx.get_subscriber(claim.subscriber_id)
        if found is None or found.address_key != claim.address_key or not found.email:
            return Answer(Outcome.INVALID, lang)
        if found.state is SubscriberState.CONFIRMED:
            return _managing(ctx.secret, found, Outcome.ALREADY, found.lang)
        if found.state is not SubscriberState.PENDING:
            return Answer(Outcome.ALREADY, found.lang)
        chosen = lang if lang in LANGUAGES else found.lang
        confirmed = await tx.save_subscriber(found.site_id, found.address_key, found.email,
                                             chosen, SubscriberState.CONFIRMED, found.asked,
                                             ctx.clock())
    return _managing(ctx.secret, confirmed, Outcome.DONE, chosen)


async def check_unsubscribe(ctx: Context, token: str) -> Answer | None:
    """Whether an unsubscribe link is valid (for the page asking to confirm); None if not."""
    claim = MailTokens(ctx.secret).read(UNSUBSCRIBE, token)
    found = await ctx.storage.get_subscriber(claim.subscriber_id) if claim else None
    if claim is None or found is None or found.address_key != claim.address_key:
        return None
    if found.state is SubscriberState.UNSUBSCRIBED:
        return Answer(Outcome.ALREADY, found.lang)
    return _managing(ctx.secret, found, Outcome.DONE, found.lang)


async def unsubscribe(ctx: Context, token: str) -> Answer:
    """Stop every notification to the address the link names, on that site, forgetting
    the address; mails still queued for it are given up."""
    claim = MailTokens(ctx.secret).read(UNSUBSCRIBE, token)
    if claim is None:
        return Answer(Outcome.INVALID, "en")
    now = ctx.clock()
    async with ctx.storage.write() as tx:
        found = await tx.get_subscriber(claim.subscriber_id)
        if found is None or found.address_key != claim.address_key:
            return Answer(Outcome.INVALID, "en")
        if found.state is SubscriberState.UNSUBSCRIBED:
            return Answer(Outcome.ALREADY, found.lang)
        await tx.save_subscriber(found.site_id, found.address_key, "", found.lang,
                                 SubscriberState.UNSUBSCRIBED, None, now)
        for mail in await tx.outgoing_mails(found.id, 1000):
            if mail.status is MailStatus.QUEUED:
                await tx.finish_mail(mail.id, MailStatus.FAILED, "unsubscribed", now, now)
    return Answer(Outcome.DONE, found.lang)


async def forget_address(ctx: Context, email: str) -> int:
    """Erase an address from every site's subscribers and their mails (GDPR erasure):
    found by the address itself, or by its keyed hash once unsubscribed (when the
    caller's context has the server's secret)."""
    if not email.strip():
        return 0
    async with ctx.storage.write() as tx:
        return await tx.forget_subscribers(address_key(ctx.secret, email), email)


async def note_language(ctx: Context, site_slug: str, email: str, lang: str,
                        notify: bool) -> None:
    """Remember the language a reader posts in (the widget's, or Accept-Language), before
    their comment is stored: the confirmation mail, and a statement of reasons, are then
    written in it. Only the address's keyed hash and the language are kept (no address),
    and only for an address that asks for replies or on a site that sends statements of
    reasons; a confirmed or unsubscribed address keeps the language it chose."""
    if not (email.strip() and lang in LANGUAGES and ctx.config.smtp_url.strip()):
        return  # nothing to note, or no mail: not even a read
    site = await ctx.storage.get_site(site_slug)
    if site is None or not (notify or site.settings.statement_of_reasons):
        return
    key = address_key(ctx.secret, email)
    if not _relabel(await ctx.storage.find_subscriber(site.id, key), lang):
        return
    async with ctx.storage.write() as tx:
        found = await tx.find_subscriber(site.id, key)
        if found is None:
            await tx.save_subscriber(site.id, key, "", lang, SubscriberState.NONE, None,
                                     ctx.clock())
        elif _relabel(found, lang):
            await tx.save_subscriber(site.id, key, found.email, lang, found.state,
                                     found.asked, ctx.clock())


def _relabel(found: Subscriber | None, lang: str) -> bool:
    return found is None or (found.lang != lang and found.state in (SubscriberState.NONE,
                                                                     SubscriberState.PENDING))


async def subscriptions_of(ctx: Context, email: str) -> list[dict[str, object]]:
    """What the mail part keeps about an address, for the author's data export: each
    site's subscriber row (found by the address, or by its keyed hash once unsubscribed)."""
    found = await ctx.storage.subscribers_of(address_key(ctx.secret, email), email)
    sites = {s.id: s.slug for s in await ctx.storage.list_sites()}
    return [{"site": sites.get(s.site_id, ""), "state": s.state.value, "lang": s.lang,
             "digest": s.digest.value, "created": timestamp(s.created),
             "asked": timestamp(s.asked) if s.asked else None,
             "address_kept": bool(s.email)} for s in found]
