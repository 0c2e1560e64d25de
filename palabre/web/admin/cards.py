"""What a queue card shows, gathered for each comment the domain's queue returns: the
article, the comment it answers, why it is held, its reports, the author's history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from palabre.domain.context import Context
from palabre.domain.models import Comment, Site, Thread

PAGE_SIZE = 20


@dataclass(frozen=True)
class History:
    approved: int = 0
    pending: int = 0
    rejected: int = 0
    spam: int = 0


@dataclass(frozen=True)
class Card:
    comment: Comment
    thread: Thread | None
    article_url: str
    answered: Comment | None
    held: tuple[str, ...]
    reports: tuple[str, ...] = ()
    history: History = field(default_factory=History)


@dataclass(frozen=True)
class CardPage:
    cards: list[Card]
    page: int
    pages: int
    total: int


def article_url(site: Site, thread: Thread | None) -> str:
    """Where readers see the thread: the site's ``site_url`` and the page's path."""
    base = site.settings.site_url.rstrip("/")
    if not base or thread is None or not base.startswith(("https://", "http://")):
        return ""
    return base + thread.uri


def matches(comment: Comment, thread: Thread | None, *, text: str, author: str,
            article: str) -> bool:
    """Whether a comment fits the search (each given term a case-blind substring)."""
    def has(haystack: str, needle: str) -> bool:
        return not needle or needle.casefold() in haystack.casefold()
    where = f"{thread.uri} {thread.title}" if thread else ""
    return (has(comment.text, text) and has(f"{comment.author} {comment.email}", author)
            and has(where, article))


async def author_history(ctx: Context, comment: Comment) -> History:
    """How the author's earlier comments fared, by their email (none without one)."""
    if not comment.email:
        return History()
    counted = Counter(c.status.value for c in await ctx.storage.comments_by_email(comment.email)
                      if c.id != comment.id)
    return History(counted["approved"], counted["pending"], counted["rejected"],
                   counted["spam"])


async def card(ctx: Context, site: Site, comment: Comment, thread: Thread | None) -> Card:
    answered = (await ctx.storage.get_comment(comment.parent)
                if comment.parent is not None else None)
    held = tuple(getattr(comment, "held", ()) or (site.settings.moderation.value,))
    return Card(comment, thread, article_url(site, thread), answered, held,
                history=await author_history(ctx, comment))


async def threads_of(ctx: Context, comments: list[Comment]) -> dict[int, Thread | None]:
    ids = {c.thread_id for c in comments}
    return {i: await ctx.storage.get_thread_by_id(i) for i in ids}


async def card_page(ctx: Context, site: Site, comments: list[Comment], *, text: str = "",
                    author: str = "", article: str = "", page: int = 1) -> CardPage:
    """The ``page``-th page of cards among the comments that fit the search."""
    threads = await threads_of(ctx, comments)
    found = [c for c in comments if matches(c, threads[c.thread_id], text=text,
                                            author=author, article=article)]
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    return CardPage([await card(ctx, site, c, threads[c.thread_id]) for c in shown],
                    page, pages, len(found))
