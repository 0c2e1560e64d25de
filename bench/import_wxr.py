"""Time and peak memory of `palabre import` on a generated 100,000-comment WordPress export.

Generates (once, cached in bench/.work/) a WXR 1.2 file of 2,500 posts with 40 comments each,
threaded like real discussions (from seed.discussion), bodies as WordPress keeps them (text,
sometimes inline HTML) in CDATA, some pending, spam and pingbacks; then runs
`palabre db upgrade` and `palabre import` on a new SQLite database, and reports the
import's wall time and peak resident memory (its getrusage), against the goal of at most
20 s and 200 MB.

Usage: .venv/bin/python bench/import_wxr.py [--comments 100000]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import seed

WORK = Path(__file__).resolve().parent / ".work"
PER_POST = 40
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench blog</title><wp:wxr_version>1.2</wp:wxr_version>
"""


def body(rng: random.Random) -> str:
    """As WordPress stores comments: plain text with blank lines between paragraphs, and
    in one comment out of four some inline markup."""
    text = escape(seed.TEXTS[rng.randrange(len(seed.TEXTS))])
    if rng.random() < 0.25:
        text += ' <em>Voir</em> <a href="https://www.example.org/source">la source</a>.'
    return text


def comment_xml(cid: int, parent: int, minute: int, rng: random.Random) -> str:
    approved = rng.choices(["1", "0", "spam"], [96, 3, 1])[0]
    kind = "pingback" if rng.random() < 0.005 else ""
    author = seed.AUTHORS[rng.randrange(len(seed.AUTHORS))] or "Anonyme"
    return (f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
            f"<wp:comment_author><![CDATA[{author}]]></wp:comment_author>"
            f"<wp:comment_author_email>reader{cid % 997}@example.org</wp:comment_author_email>"
            f"<wp:comment_author_url>https://blog{cid % 13}.example.org/</wp:comment_author_url>"
            f"<wp:comment_date_gmt>2024-03-{1 + minute // 1440 % 28:02d} "
            f"{minute // 60 % 24:02d}:{minute % 60:02d}:00</wp:comment_date_gmt>"
            f"<wp:comment_content><![CDATA[{body(rng)}]]></wp:comment_content>"
            f"<wp:comment_approved>{approved}</wp:comment_approved>"
            f"<wp:comment_type>{kind}</wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n")


def generate(path: Path, comments: int) -> Path:
    if path.exists():
        return path
    rng = random.Random(100_000)
    tmp = path.with_suffix(".tmp")
    next_id = 1
    with tmp.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for post in range(comments // PER_POST):
            out.write(f"<item><title>Article {post}</title>"
                      f"<link>https://blog.example.org/{2024}/{post:05d}/</link>"
                      f"<wp:post_id>{post + 1}</wp:post_id>"
                      f"<wp:post_date_gmt>2024-03-01 08:00:00</wp:post_date_gmt>"
                      f"<wp:comment_status>{'closed' if post % 10 == 0 else 'open'}"
                      f"</wp:comment_status><wp:post_type>post</wp:post_type>\n")
            ids: list[int] = []
            for k, item in enumerate(seed.discussion(PER_POST, PER_POST // 5, rng)):
                parent = 0 if item.parent is None else ids[item.parent]
                out.write(comment_xml(next_id, parent, post * 7 + k, rng))
                ids.append(next_id)
                next_id += 1
            out.write("</item>\n")
        out.write("</channel></rss>\n")
    tmp.rename(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--comments", type=int, default=100_000)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    wxr = generate(WORK / f"wordpress-{args.comments}-v2.xml", args.comments)
    palabre = [sys.executable, "-m", "palabre.cli.main"]
    with tempfile.TemporaryDirectory(prefix="palabre-import-") as folder:
        url = f"sqlite:///{folder}/import.db"
        subprocess.run([*palabre, "db", "upgrade", "--database", url], check=True,
                       capture_output=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.monotonic()
        done = subprocess.run([*palabre, "import", str(wxr), "--database", url], check=True,
                              capture_output=True, text=True)
        seconds = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    size = wxr.stat().st_size / 1e6
    print(done.stdout.strip())
    print(f"file: {wxr.name}, {size:.1f} MB")
    print(f"import: {seconds:.1f} s (goal <= 20 s), peak RSS {max(peak, before) / 1024:.0f} MB "
          "(goal <= 200 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
