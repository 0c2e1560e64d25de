"""A site's rules for what readers post: who may post, what is refused, what waits.

:func:`check_author` refuses a banned or suspended author; :func:`check_content` refuses a
reserved name, a duplicate or a blocked word; :func:`hold_reasons` says why a comment must
wait for a moderator (none: it is published). Moderators of the site posting as staff pass
every rule but the text's length.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from palabre.domain.errors import Forbidden, InvalidInput
from palabre.domain.identity import email_hash
from palabre.domain.inputs import CommentDraft
from palabre.domain.models import Ban, ModerationMode, SanctionAction, Site, Status, Thread
from palabre.domain.ports import WriteTx
from palabre.domain.wordlists import compile_words
from palabre.rendering import has_link

# Why a comment waits, as shown on its card in the queue.
HOLD_SITE = "site"  # the site pre-moderates everything
HOLD_THREAD = "thread"  # this thread is pre-moderated
HOLD_NEW_AUTHOR = "new_author"  # too few approved comments yet
HOLD_LINK = "link"  # links are held on this site
HOLD_WATCHED = "watched_words"
HOLD_AUTHOR = "author"  # a moderator put this author under pre-moderation
HOLD_REJECTIONS = "rejections"  # many of the author's recent comments were rejected
HOLD_REPORTS = "reports"  # readers reported it (a published comment, taken back)
RECENT_DECISIONS = 10


def fold(name: str) -> str:
    """A name as compared with reserved ones: no case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


async def check_author(tx: WriteTx, site: Site, email: str, client: str,
                       now: datetime) -> Ban | None:
    """Refuse a banned or suspended author; returns the sanction they are under, if any."""
    sanction = await tx.sanction_of(site.id, email_hash(email), client, now)
    if sanction is None or sanction.action is SanctionAction.PREMODERATE:
        return sanction
    if sanction.action is SanctionAction.SUSPEND and sanction.until is not None:
        until = sanction.until.strftime("%Y-%m-%d %H:%M UTC")
        raise Forbidden(f"suspended until {until}", reason="suspended",
                        params={"until": until})
    raise Forbidden("banned", reason="banned")


async def check_content(tx: WriteTx, site: Site, draft: CommentDraft, client: str,
                        now: datetime) -> None:
    """Refuse a reserved name, the same text again within the window, a blocked word."""
    await check_name(tx, site, draft.author)
    window = site.settings.duplicate_window_seconds
    if window > 0 and await tx.posted_since(site.id, draft.text, draft.email, client,
                                            now - timedelta(seconds=window)):
        raise InvalidInput("you have just posted this same text", reason="duplicate",
                           field="text")
    check_blocked(site, draft.text)


async def check_name(tx: WriteTx, site: Site, author: str) -> None:
    folded = fold(author)
    if not folded:
        return
    reserved = {fold(name) for name in (site.settings.staff_label,
                                        *site.settings.reserved_names)}
    reserved |= {fold(m.username) for m in await tx.list_moderators()}
    if folded in reserved:
        raise InvalidInput("this name is reserved", reason="name_reserved", field="author")


def check_blocked(site: Site, text: str) -> None:
    if compile_words(site.settings.blocked_words).find(text):
        raise InvalidInput("text contains a blocked word", reason="blocked_words",
                           field="text")


def watched(site: Site, text: str) -> bool:
    return bool(compile_words(site.settings.watched_words).find(text))


async def hold_reasons(tx: WriteTx, site: Site, thread: Thread | None, draft: CommentDraft,
                       client: str, sanction: Ban | None) -> tuple[str, ...]:
    """Every reason this comment must wait for a moderator, in a stable order."""
    settings = site.settings
    reasons = []
    if settings.moderation is ModerationMode.ALL:
        reasons.append(HOLD_SITE)
    if thread is not None and thread.premoderate:
        reasons.append(HOLD_THREAD)
    if sanction is not None:
        reasons.append(HOLD_AUTHOR)
    if settings.moderation is ModerationMode.LINKS and has_link(draft.html):
        reasons.append(HOLD_LINK)
    if watched(site, draft.text):
        reasons.append(HOLD_WATCHED)
    needed = max(settings.new_author_approvals,
                 1 if settings.moderation is ModerationMode.FIRST_TIME else 0)
    if needed and await tx.approved_comments_of(site.id, draft.email, client) < needed:
        reasons.append(HOLD_NEW_AUTHOR)
    if settings.rejection_hold_percent > 0 and await _rejected_often(tx, site, draft, client):
        reasons.append(HOLD_REJECTIONS)
    return tuple(reasons)


async def _rejected_often(tx: WriteTx, site: Site, draft: CommentDraft, client: str) -> bool:
    decisions = await tx.recent_decisions(site.id, draft.email, client, RECENT_DECISIONS)
    if not decisions:
        return False
    refused = sum(1 for status in decisions if status in (Status.REJECTED, Status.SPAM))
    return refused * 100 >= site.settings.rejection_hold_percent * len(decisions)
