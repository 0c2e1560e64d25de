"""The demo: French news articles and their reader discussions, for `palabre serve --demo`.

The discussions are posted through the same domain functions as real comments, with their
times spread over the hours after publication, so the demo exercises the real engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from palabre.domain import comments, threads
from palabre.domain.comments import Actor
from palabre.domain.context import Context, Limits

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


def _fixed(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


async def _seed_article(ctx: Context, article: Article, published: datetime) -> None:
    ids: dict[str, int] = {}
    for number, item in enumerate(article.comments):
        moment = published + timedelta(minutes=item["minutes_after_publication"])
        at = replace(ctx, limits=Limits(0, 0, 60), clock=_fixed(moment))
        posted = await comments.post_comment(at, {
            "site": SITE, "uri": article.uri, "title": article.title,
            "parent": ids.get(item["parent"]) if item["parent"] else None,
            "text": item["text"], "author": item["author"], "email": item["email"],
            "website": item["website"],
        }, Actor(client=f"demo-author-{number}"))
        ids[item["key"]] = posted.comment.id
        for voter in range(item["likes"] + item["dislikes"]):
            value = 1 if voter < item["likes"] else -1
            await comments.vote(at, posted.comment.id, {"value": value},
                                Actor(client=f"demo-voter-{voter}"))
    if article.closed:
        await threads.set_closed(ctx, SITE, article.uri, True)

