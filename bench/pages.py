"""Uncached pages of a 10,000-comment thread: page 1 and page 20, in process.

A page must cost what it shows, not the whole thread: this times one read of page 1 and
of page 20 (50 top-level comments with their replies each) of a thread of 10,000
comments in 1,000 conversations, with the read cache emptied before every request, by
calling the ASGI application directly (no HTTP server; best of five batches).

``--checkout DIR`` runs the same measure on another checkout of Palabre (its own code
and migrations, its own seeded database), so two trees can be timed turn about:

    .venv/bin/python bench/pages.py                       # this checkout
    .venv/bin/python bench/pages.py --checkout ../before  # another one

Usage: .venv/bin/python bench/pages.py [--n 50] [--checkout DIR] [--cpu]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
URI = "/articles/10000-comments"
SORTS = ("oldest", "newest", "top")


def page_path(sort: str, cursor: str | None = None) -> str:
    query = {"site": "default", "uri": URI, "sort": sort}
    if cursor:
        query["cursor"] = cursor
    return "/api/v1/comments?" + urlencode(query)


def fixed(path: str, i: int) -> dict[str, Any]:
    import paths

    return paths.scope(path)


def schema_key(root: Path) -> str:
    digest = hashlib.sha256(b"pages-1")
    for path in sorted((root / "palabre" / "storage" / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def seeded(root: Path) -> Path:
    """The 10,000-comment database for the checkout at ``root`` (made once, then kept)."""
    import seed

    path = WORK / f"pages-{schema_key(root)}.db"
    if path.exists():
        return path
    WORK.mkdir(exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{tmp}"
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-m", "palabre.cli.main", "db", "upgrade", "--database",
                    url], check=True, cwd=root, env=env, stdout=subprocess.DEVNULL)
    thread = seed.Thread(URI, "Dix mille commentaires",
                         seed.discussion(10_000, 1_000, random.Random(10_000)))
    started = time.monotonic()
    store = getattr(seed, "store_all", None) or seed._store_all  # type: ignore[attr-defined]
    count = asyncio.run(store(url, iter([thread]), {URI}))
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    tmp.rename(path)
    Path(f"{tmp}-commits").unlink(missing_ok=True)  # the writers' counter: not needed now
    print(f"bench: seeded {path.name}: {count:,} comments in "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    return path


async def measure(db: Path, n: int) -> dict[str, float]:
    import orjson
    import paths

    from palabre.settings import ServerConfig
    from palabre.web.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="palabre-pages-"))
    try:
        copy = folder / "palabre.db"
        shutil.copyfile(db, copy)
        app: Any = create_app(ServerConfig(database_url=f"sqlite:///{copy}",
                                           secret="pages-only-secret"))
        async with app.router.lifespan_context(app):
            async def body_of(path: str) -> dict[str, Any]:
                chunks: list[bytes] = []

                async def receive() -> paths.Message:
                    return {"type": "http.request", "body": b"", "more_body": False}

                async def send(message: paths.Message) -> None:
                    chunks.append(message.get("body", b""))

                app.cache.clear()
                await app(paths.scope(path), receive, send)
                found: dict[str, Any] = orjson.loads(b"".join(chunks))
                return found

            async def uncached(sc: Any, receive: Any, send: Any) -> None:
                app.cache.clear()
                await app(sc, receive, send)

            results: dict[str, float] = {}
            for sort in SORTS:
                cursor = None
                for _ in range(19):  # to page 20 along the cursors
                    cursor = (await body_of(page_path(sort, cursor)))["next_cursor"]
                for name, path in ((f"{sort} page 1", page_path(sort)),
                                   (f"{sort} page 20", page_path(sort, cursor))):
                    shown = len((await body_of(path))["comments"])
                    micros = await paths.per_request(uncached, partial(fixed, path), n, 200)
                    results[f"{name} ({shown} comments)"] = micros
            return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--n", type=int, default=50,
                        help="requests a path, after as many to warm up (5 batches)")
    parser.add_argument("--checkout", type=Path, help="another checkout of Palabre to time")
    parser.add_argument("--cpu", action="store_true",
                        help="time with this process's CPU time instead of wall time")
    args = parser.parse_args()
    if args.cpu:
        import paths

        paths.CLOCK = time.process_time
    root = (args.checkout or HERE.parent).resolve()
    sys.path.insert(0, str(root))
    db = seeded(root)
    import palabre

    print(f"palabre from {Path(palabre.__file__).parent.parent}")
    for name, micros in asyncio.run(measure(db, args.n)).items():
        print(f"{name:<32} {micros / 1000:8.2f} ms per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
