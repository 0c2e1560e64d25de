"""Databases for the benchmark: the same discussions for Palabre and for Isso.

Palabre's are stored through Palabre's own store step (``domain.comments.store_comment``,
the one place a comment row is made: placement, rendering, events), many threads to a
transaction, into a database migrated by ``palabre db upgrade``, and cached under
``bench/.work/`` keyed by content and schema.
Isso's are posted through its own HTTP API, so it stores them exactly as it would.
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import itertools
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from palabre.domain.models import Comment, Site
    from palabre.domain.ports import WriteTx

ROOT = Path(__file__).resolve().parent.parent
SEED_VERSION = "3"  # 2: stored through the domain's store step; 3: no proof of work asked
MAX_DEPTH = 5  # Palabre's default per site: levels 0 to 4

URI_43 = "/articles/43-comments"
URI_1000 = "/articles/1000-comments"
URI_POSTS = "/articles/sequential-posts"
COUNT_URIS = tuple(f"/articles/count-{i:02d}" for i in range(20))
COUNT_SIZES = tuple((i * 7) % 40 + 1 for i in range(20))

TEXTS = (
    "Merci pour cet article, enfin un point de vue *nuancé* sur la question.",
    "Je ne suis pas d'accord : les chiffres cités ne tiennent pas compte de l'inflation. "
    "Voir [le rapport de la Cour des comptes](https://www.example.org/rapport-2026) qui dit "
    "exactement l'inverse, page 14.",
    "> les riverains n'ont pas été consultés\n\nC'est faux, il y a eu trois réunions "
    "publiques en mairie. J'y étais, et **personne** ne s'est opposé au projet à l'époque.",
    "Qui paie, au final ? Toujours les mêmes.",
    "Quelques précisions pour ceux qui découvrent le sujet :\n\n"
    "- le budget initial était de 12 M€ ;\n- il a été revu deux fois ;\n"
    "- la livraison est prévue pour 2028.\n\nRien de tout cela n'est dans l'article.",
    "Excellent papier. Dommage que les commentaires partent toujours dans tous les sens.",
    "Le lien vers l'étude est cassé, la bonne adresse est https://www.example.org/etude "
    "(sans le `www2` devant).",
    "Vous confondez *corrélation* et *causalité*. Les deux courbes montent en même temps, "
    "certes, mais cela ne prouve rien : il faudrait comparer avec des villes témoins qui "
    "n'ont pas fait ces travaux, ce que personne n'a fait sérieusement à ma connaissance. "
    "En attendant, on tire des conclusions à partir d'un seul cas, ce qui n'est pas très "
    "rigoureux pour un journal de référence.",
    "Bien dit.",
    "J'habite le quartier depuis vingt ans. Ce qui a changé, ce n'est pas la circulation, "
    "c'est le bruit la nuit. Personne n'en parle.\n\nEt la police municipale ne se déplace "
    "plus après 22 h.",
    "Source ? Sans lien vers les données brutes, difficile de vous croire sur parole.",
    "Pour compléter : `taux = dépenses / habitants`, soit environ 340 € par an et par foyer. "
    "Ce n'est pas rien, mais ce n'est pas non plus le scandale que certains décrivent ici.",
)
AUTHORS = ("", "Jeanne", "Marc D.", "citoyen_lambda", "Sophie", "Karim B.", "Lucie",
           "Paul-Henri", "Anonyme du 12e", "Nadia", "Thomas", "Éloïse", "Raymond",
           "Fatou", "Yann", "Claire M.", "Bertrand", "Inès", "vieux_lecteur", "Olivier")
WEBSITES = ("", "", "", "https://blog.example.org", "", "https://www.example.net/~marc")


@dataclass(frozen=True)
class Item:
    """One comment of a discussion: who answers whom, in creation order."""

    parent: int | None  # index in the discussion, None for top-level
    depth: int
    text: int  # index in TEXTS
    author: int  # index in AUTHORS


def discussion(total: int, roots: int, rng: random.Random) -> list[Item]:
    """``total`` comments in ``roots`` conversations, replies nested up to MAX_DEPTH - 1."""
    sizes = [total // roots + (1 if i < total % roots else 0) for i in range(roots)]
    items: list[Item] = []
    for size in sizes:
        start = len(items)
        items.append(Item(None, 0, rng.randrange(len(TEXTS)), rng.randrange(len(AUTHORS))))
        for _ in range(size - 1):
            candidates = [i for i in range(max(start, len(items) - 4), len(items))
                          if items[i].depth < MAX_DEPTH - 1] or [start]
            parent = rng.choice(candidates)
            items.append(Item(parent, items[parent].depth + 1, rng.randrange(len(TEXTS)),
                              rng.randrange(len(AUTHORS))))
    return items


@dataclass(frozen=True)
class Thread:
    uri: str
    title: str
    items: list[Item]


def bench_threads(with_1000: bool) -> list[Thread]:
    rng = random.Random(43)
    threads = [Thread(URI_43, "Rénovation du centre-ville : le chantier de la décennie",
                      discussion(43, 14, rng))]
    if with_1000:
        threads.append(Thread(URI_1000, "Réforme des retraites : la nuit des débats",
                              discussion(1000, 100, rng)))
    for uri, size in zip(COUNT_URIS, COUNT_SIZES, strict=True):
        threads.append(Thread(uri, f"Article {uri[-2:]}", discussion(size, max(1, size // 5),
                                                                      rng)))
    return threads


def filler_threads(comments: int, rng: random.Random) -> Iterator[Thread]:
    """Other pages of the site, 40 comments each, up to ``comments`` in all."""
    n = 0
    while comments > 0:
        size = min(40, comments)
        yield Thread(f"/archive/{n:07d}", f"Archive {n}", discussion(size, max(1, size // 5),
                                                                     rng))
        comments -= size
        n += 1


# --- Palabre --------------------------------------------------------------------------

def schema_key() -> str:
    digest = hashlib.sha256(SEED_VERSION.encode())
    for path in sorted((ROOT / "palabre" / "storage" / "migrations" / "versions")
                       .glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def seed_palabre(path: Path, total: int | None, with_1000: bool) -> Path:
    """A seeded Palabre database at ``path`` (cached: built only when missing).

    ``total``: comments in the whole database (filler threads make up the difference),
    or None for the benchmark threads alone. The bench threads' comments get votes.
    """
    if path.exists():
        return path
    tmp = path.with_name(path.name + ".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{tmp}"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "palabre.cli.main", "db", "upgrade",
                    "--database", url], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    threads = bench_threads(with_1000)
    seeded = sum(len(t.items) for t in threads)
    voted = {t.uri for t in threads}
    all_threads: Iterator[Thread] = iter(threads)
    if total is not None:
        if total < seeded:
            raise ValueError(f"{total} comments cannot hold the {seeded} of the bench threads")
        all_threads = chain(threads, filler_threads(total - seeded, random.Random(1_000_000)))
    count = asyncio.run(store_all(url, all_threads, voted))
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.rename(path)
    Path(f"{tmp}-commits").unlink(missing_ok=True)  # the writers' counter: not needed now
    key = schema_key()
    for stale in path.parent.glob("palabre-*.db"):  # seeds made for an older schema
        if not stale.name.endswith(f"-{key}.db"):
            for leftover in (stale, Path(f"{stale}-wal"), Path(f"{stale}-shm")):
                leftover.unlink(missing_ok=True)
    print(f"bench: seeded {path.name}: {count:,} comments in "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    return path


async def store_all(url: str, threads: Iterator[Thread], voted: set[str]) -> int:
    """Store every thread through the domain's store step, 200 threads a transaction
    (SQLite or PostgreSQL: bench/pg.py seeds its database with the same threads)."""
    from palabre.domain.models import SiteSettings
    from palabre.domain.sites import ensure_site
    from palabre.storage import open_storage
    from palabre.storage.sqlite import SQLiteStorage

    storage = open_storage(url)
    if isinstance(storage, SQLiteStorage):
        storage.writer.execute("PRAGMA synchronous=OFF")  # a seed: rebuilt if interrupted
    base = datetime.now(UTC) - timedelta(days=30)
    count = index = 0
    try:
        # The bench posts as a script would: the site asks for no proof of work nor minimum
        # time (bench/pow.py measures those: 0.4 ms a verified post on SQLite).
        site = await ensure_site(storage, settings=SiteSettings(pow_difficulty=0,
                                                                min_submit_seconds=0))
        while batch := list(itertools.islice(threads, 200)):
            async with storage.write() as tx:
                for thread in batch:
                    index += 1  # threads a millisecond apart, their comments a second
                    count += await _store_thread(tx, site, thread, base + timedelta(
                        milliseconds=index), thread.uri in voted, count)
    finally:
        await storage.close()
    return count


async def _store_thread(tx: WriteTx, site: Site, thread: Thread, created: datetime,
                        votes: bool, first: int) -> int:
    from palabre.domain.comments import record_vote, store_comment
    from palabre.domain.inputs import CommentDraft
    from palabre.domain.models import Status

    row = await tx.get_or_create_thread(site.id, thread.uri, thread.title, created)
    stored: list[Comment] = []
    for k, item in enumerate(thread.items):
        n = first + k + 1
        answered = None if item.parent is None else stored[item.parent]
        draft = CommentDraft(uri=thread.uri, text=TEXTS[item.text], author=AUTHORS[item.author],
                             website=WEBSITES[item.author % len(WEBSITES)],
                             parent=answered.id if answered else None)
        comment = await store_comment(tx, site, row, draft, at=created + timedelta(seconds=k),
                                      status=Status.APPROVED, client=f"client{n % 97}",
                                      answered=answered, imported=True)
        stored.append(comment)
        for voter in range((n * 7) % 5 if votes else 0):
            await record_vote(tx, site, comment, f"voter{voter}", 1)
    return len(thread.items)


# --- Isso -----------------------------------------------------------------------------

def post_json(conn: http.client.HTTPConnection, path: str, body: object) -> tuple[int, bytes]:
    conn.request("POST", path, json.dumps(body).encode(),
                 {"Content-Type": "application/json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def seed_isso(port: int, threads: Sequence[Thread]) -> int:
    """Post every comment of ``threads`` to Isso, one after another; how many."""
    from urllib.parse import quote

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    posted = 0
    try:
        for thread in threads:
            ids: list[int] = []
            for item in thread.items:
                body: dict[str, object] = {
                    "text": TEXTS[item.text], "author": AUTHORS[item.author] or None,
                    "website": WEBSITES[item.author % len(WEBSITES)] or None,
                    "title": thread.title,
                    "parent": ids[item.parent] if item.parent is not None else None,
                }
                status, raw = post_json(conn, "/new?uri=" + quote(thread.uri), body)
                if status not in (201, 202):
                    raise RuntimeError(f"Isso refused a comment: {status} {raw[:300]!r}")
                ids.append(int(json.loads(raw)["id"]))
                posted += 1
    finally:
        conn.close()
    return posted
