"""The moderation queue at scale: a page of the Pending queue on a big database against the
same page on a small one (a page must cost what it shows, not what the database holds).

Two SQLite databases are seeded through the domain's store step: *big*, 100,000 comments
of which 10,000 are held, and *small*, 1,000 comments of which 100 are held; each held
comment answers a published one and its author has a history of 20 comments (a card's
history costs what its author wrote: about 1 µs a comment). Both are cached under
``bench/.work/``. The figure is the best of several timed calls of the domain's
``queue_page`` (SQL and the building of every card: article, the comment answered,
reports, the author's history and sanctions), and the ratio big / small.

Usage: .venv/bin/python bench/mod_queue.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORK = Path(__file__).resolve().parent / ".work"
SIZES = {"small": (1_000, 100), "big": (100_000, 10_000)}
PER_THREAD = 50


async def seed(path: Path, total: int, held: int) -> None:
    from palabre.domain.comments import store_comment
    from palabre.domain.inputs import CommentDraft
    from palabre.domain.models import Status
    from palabre.domain.sites import ensure_site
    from palabre.storage import migrate
    from palabre.storage.sqlite import SQLiteStorage

    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    storage = SQLiteStorage(url)
    storage.writer.execute("PRAGMA synchronous=OFF")  # a seed: rebuilt if interrupted
    base = datetime.now(UTC) - timedelta(days=30)
    every = total // held
    authors = total // 20  # each author has written 20 comments, in either database
    try:
        site = await ensure_site(storage)
        for start in range(0, total, 1000):
            async with storage.write() as tx:
                thread = await tx.get_or_create_thread(
                    site.id, f"/articles/{start // 1000}", f"Article {start // 1000}", base)
                previous = None
                for n in range(start, min(total, start + 1000)):
                    pending = n % every == every - 1
                    draft = CommentDraft(
                        uri=thread.uri, text=f"Commentaire {n} sur l'article",
                        author=f"Lecteur {n % authors}",
                        email=f"lecteur{n % authors}@example.org",
                        parent=previous.id if pending and previous else None)
                    made = await store_comment(
                        tx, site, thread, draft, at=base + timedelta(seconds=n),
                        status=Status.PENDING if pending else Status.APPROVED,
                        client=f"client{n % authors}", answered=previous if pending else None,
                        held=("new_author",) if pending else ())
                    previous = made if not pending else previous
    finally:
        await storage.close()


def database(name: str) -> Path:
    total, held = SIZES[name]
    path = WORK / f"queue-{name}-{total}-{held}-v2.db"
    if not path.exists():
        WORK.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        asyncio.run(seed(partial, total, held))
        partial.rename(path)
        print(f"seeded {path.name} in {time.perf_counter() - started:.1f} s")
    return path


async def best_time(path: Path, page: int, repeat: int) -> tuple[float, int]:
    from palabre.domain.context import Context
    from palabre.domain.identity import SYSTEM
    from palabre.domain.moderation import queue_page
    from palabre.storage.sqlite import SQLiteStorage

    storage = SQLiteStorage(f"sqlite:///{path}")
    ctx = Context(storage=storage, secret="bench")
    best, cards = float("inf"), 0
    try:
        for _ in itertools.repeat(None, repeat):
            started = time.perf_counter()
            found = await queue_page(ctx, "default", SYSTEM, kind="pending", page=page)
            best = min(best, time.perf_counter() - started)
            cards = len(found.cards)
    finally:
        await storage.close()
    return best, cards


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    paths = {name: database(name) for name in SIZES}
    print("| page | small (1k comments, 100 held) | big (100k comments, 10k held) | big / small |")
    print("|---|---|---|---|")
    for page in (1, 2):
        small, cards = asyncio.run(best_time(paths["small"], page, args.repeat))
        big, _ = asyncio.run(best_time(paths["big"], page, args.repeat))
        print(f"| {page} ({cards} cards) | {small * 1000:.2f} ms | {big * 1000:.2f} ms "
              f"| {big / small:.2f}× |")
    big, cards = asyncio.run(best_time(paths["big"], 200, args.repeat))
    print(f"| 200 of the big queue ({cards} cards) | | {big * 1000:.2f} ms | |")


if __name__ == "__main__":
    main()
