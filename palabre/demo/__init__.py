"""The demo: French news articles and their reader discussions, for `palabre serve --demo`.

The discussions are stored through the same store step as readers' comments (parsed by the
same draft parser), with their times spread over the hours after publication, so the demo
exercises the real engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from palabre.domain import threads
from palabre.domain.comments import record_vote, store_comment
from palabre.domain.context import Context
from palabre.domain.identity import SYSTEM
from palabre.domain.inputs import parse_comment_draft
from palabre.domain.models import Comment, Site, Status
from palabre.domain.ports import WriteTx

DATA = Path(__file__).with_name("discussion.json")
SITE = "default"


@dataclass(frozen=True)
class Article:
    uri: str
    title: str
    standfirst: str
    body: list[str]
    closed: bool
    comments: list[dict[str, Any]]
    published: str


@dataclass(frozen=True)
class Demo:
    articles: list[Article]


@cache
def load_demo() -> Demo:
    raw = json.loads(DATA.read_text("utf-8"))
    articles = [
        Article(uri=a["uri"], title=a["title"], standfirst=a["standfirst"], body=a["body"],
                closed=a["closed"], comments=a["comments"],
                published=_date_from_uri(a["uri"]))
        for a in raw["articles"]
    ]
    return Demo(articles)


def _date_from_uri(uri: str) -> str:
    year, month, day = uri.strip("/").split("/")[:3]
    return f"{int(day)}/{int(month)}/{year}"


async def seed_demo(ctx: Context) -> bool:
    """Post the demo discussions unless they are there already. True when seeded now."""
    demo = load_demo()
    site = await ctx.site(SITE)
    if await ctx.storage.get_thread(site.id, demo.articles[0].uri) is not None:
        return False
    start = ctx.clock() - timedelta(hours=7)
    for index, article in enumerate(demo.articles):
        await _seed_article(ctx, article, start - timedelta(days=index))
    return True


async def _seed_article(ctx: Context, article: Article, published: datetime) -> None:
    site = await ctx.site(SITE)
    async with ctx.storage.write() as tx:
        thread = await tx.get_or_create_thread(site.id, article.uri, article.title, published)
        ids: dict[str, int] = {}
        for number, item in enumerate(article.comments):
            draft = parse_comment_draft({
                "site": SITE, "uri": article.uri, "title": article.title,
                "parent": ids.get(item["parent"]) if item["parent"] else None,
                "text": item["text"], "author": item["author"], "email": item["email"],
                "website": item["website"],
            })
            moment = published + timedelta(minutes=item["minutes_after_publication"])
            comment = await store_comment(tx, site, thread, draft, at=moment,
                                          status=Status.APPROVED,
                                          client=f"demo-author-{number}", imported=True)
            ids[item["key"]] = comment.id
            await _votes(tx, site, comment, item["likes"], item["dislikes"])
    if article.closed:
        await threads.set_closed(ctx, SITE, article.uri, True, SYSTEM)


async def _votes(tx: WriteTx, site: Site, comment: Comment, likes: int, dislikes: int) -> None:
    for voter in range(likes + dislikes):
        await record_vote(tx, site, comment, f"demo-voter-{voter}", 1 if voter < likes else -1)
