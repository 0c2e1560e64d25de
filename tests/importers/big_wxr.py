"""Generate a large WXR file and time the WordPress parser on it (not a test: run by hand).

    .venv/bin/python -m tests.importers.big_wxr write /tmp/big.xml --posts 2000 --comments 50
    /usr/bin/time -v .venv/bin/python -m tests.importers.big_wxr parse /tmp/big.xml

Each post has a 400-word body; a third of the comments are HTML (paragraphs, a link,
emphasis, an entity), the others plain text with a blank line; 40 % are replies.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from palabre.importers import CommentRecord, Skipped, ThreadRecord, parse

WORDS = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed",
         "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna",
         "aliqua")
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
    'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Big</title>\n'
    "<wp:wxr_version>1.2</wp:wxr_version>\n"
)


def write(path: Path, posts: int, per_post: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    comment_id = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for post in range(posts):
            body = " ".join(rng.choice(WORDS) for _ in range(400))
            out.write(
                f"<item>\n<title>Post {post}</title>\n"
                f"<link>https://news.example/{post // 100}/post-{post}/</link>\n"
                f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded>\n"
                f"<wp:post_id>{post + 1}</wp:post_id>\n"
                "<wp:post_date>2024-01-01 00:00:00</wp:post_date>\n"
                "<wp:post_date_gmt>2024-01-01 00:00:00</wp:post_date_gmt>\n"
                "<wp:comment_status>open</wp:comment_status>\n"
                "<wp:post_type>post</wp:post_type>\n")
            first = comment_id + 1
            for index in range(per_post):
                comment_id += 1
                parent = rng.randint(first, comment_id - 1) \
                    if index and rng.random() < 0.4 else 0
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 80)))
                content = (f'<p>{text}</p>\n<p>See <a href="https://example.org/{comment_id}">'
                           "this</a> &amp; <em>that</em>.</p>" if index % 3 == 0
                           else f"{text}\n\nSecond paragraph.")
                out.write(
                    f"<wp:comment>\n<wp:comment_id>{comment_id}</wp:comment_id>\n"
                    f"<wp:comment_author><![CDATA[Reader {comment_id % 977}]]>"
                    "</wp:comment_author>\n"
                    f"<wp:comment_author_email>r{comment_id % 977}@mail.example"
                    "</wp:comment_author_email>\n"
                    "<wp:comment_author_url>https://r.example/</wp:comment_author_url>\n"
                    "<wp:comment_date>2024-02-01 10:00:00</wp:comment_date>\n"
                    "<wp:comment_date_gmt>2024-02-01 09:00:00</wp:comment_date_gmt>\n"
                    f"<wp:comment_content><![CDATA[{content}]]></wp:comment_content>\n"
                    "<wp:comment_approved>1</wp:comment_approved>\n"
                    "<wp:comment_type>comment</wp:comment_type>\n"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>\n"
                    "<wp:commentmeta><wp:meta_key>akismet_result</wp:meta_key>"
                    "<wp:meta_value>false</wp:meta_value></wp:commentmeta>\n"
                    "</wp:comment>\n")
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def measure(path: Path) -> str:
    started = time.perf_counter()
    counts = {"threads": 0, "comments": 0, "skipped": 0}
    for record in parse(path):
        if isinstance(record, ThreadRecord):
            counts["threads"] += 1
        elif isinstance(record, CommentRecord):
            counts["comments"] += 1
        elif isinstance(record, Skipped):
            counts["skipped"] += 1
    return f"{counts} in {time.perf_counter() - started:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    writing = commands.add_parser("write")
    writing.add_argument("path", type=Path)
    writing.add_argument("--posts", type=int, default=2000)
    writing.add_argument("--comments", type=int, default=50, help="comments per post")
    parsing = commands.add_parser("parse")
    parsing.add_argument("path", type=Path)
    arguments = parser.parse_args()
    if arguments.command == "write":
        write(arguments.path, arguments.posts, arguments.comments)
    else:
        print(measure(arguments.path))


if __name__ == "__main__":
    main()
