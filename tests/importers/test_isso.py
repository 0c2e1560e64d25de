"""Isso: a database made here with Isso's own schema, and the generic JSON fixture."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from palabre.importers import CommentRecord, ImportFormatError, Skipped, ThreadRecord
from palabre.importers.isso import parse_isso_json, parse_isso_sqlite
from tests.importers.helpers import comments, fixture, skipped, threads

# isso/db/threads.py and isso/db/comments.py (isso-comments/isso)
SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE IF NOT EXISTS comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
"""
T0 = 1_600_000_000.25  # 2020-09-13T12:26:40.25Z


def make_database(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    connection.executemany("INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)", [
        (1, "/blog/first/", "First"), (2, "/blog/second/?ref=x", None), (3, "/empty/", "E"),
    ])
    rows = [
        # tid, id, parent, created, mode, text, author, email, website, likes, dislikes
        (1, 1, None, T0, 1, "**Bold** _text_\n\n<b>html</b>\n", "Ann", "ann@example.org",
         "https://ann.example", 3, 1),
        (1, 2, 1, T0 + 60, 2, "pending\x00 reply", "Bob\x07", None, None, 0, 0),
        (1, 3, None, T0 + 120, 4, "", None, "gone@example.org", None, 0, 0),
        (1, 4, 3, T0 + 180, 1, "reply to deleted", "Cy", "", "", 0, 0),
        (2, 5, None, T0 + 240, 1, "second thread", "Di", "", "", 0, 0),
        (9, 6, None, T0 + 300, 1, "no thread", "Ed", "", "", 0, 0),
        (2, 7, None, T0 + 360, 8, "odd mode", "Fa", "", "", 0, 0),
    ]
    connection.executemany(
        "INSERT INTO comments (tid, id, parent, created, mode, text, author, email, website,"
        " likes, dislikes, remote_addr, voters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " '127.0.0.0', x'00')", rows)
    connection.commit()
    connection.close()
    return path


def test_isso_database(tmp_path: Path) -> None:
    path = make_database(tmp_path / "comments.db")
    before = path.read_bytes()
    records = list(parse_isso_sqlite(path))
    assert path.read_bytes() == before  # opened read-only
    assert threads(records) == [
        ThreadRecord("1", "/blog/first/", "First", None, False, "/blog/first/"),
        ThreadRecord("2", "/blog/second/", "", None, False, "/blog/second/?ref=x"),
    ]
    assert comments(records) == [
        CommentRecord("1", "1", None, "Ann", "ann@example.org", "https://ann.example",
                      "**Bold** _text_\n\n<b>html</b>",
                      datetime(2020, 9, 13, 12, 26, 40, 250000, tzinfo=UTC), "approved", 3, 1),
        CommentRecord("2", "1", "1", "Bob", "", "", "pending reply",
                      datetime(2020, 9, 13, 12, 27, 40, 250000, tzinfo=UTC), "pending"),
        CommentRecord("3", "1", None, "", "", "", "",
                      datetime(2020, 9, 13, 12, 28, 40, 250000, tzinfo=UTC), "deleted"),
        CommentRecord("4", "1", "3", "Cy", "", "", "reply to deleted",
                      datetime(2020, 9, 13, 12, 29, 40, 250000, tzinfo=UTC), "approved"),
        CommentRecord("5", "2", None, "Di", "", "", "second thread",
                      datetime(2020, 9, 13, 12, 30, 40, 250000, tzinfo=UTC), "approved"),
    ]
    assert skipped(records) == [
        Skipped("comment", "7", "unknown mode 8"),
        Skipped("comment", "6", "orphan: thread 9 is not in the database"),
    ]
    # each thread before its comments, threads in id order
    assert [type(r).__name__ for r in records][:6] == [
        "ThreadRecord", "CommentRecord", "CommentRecord", "CommentRecord", "CommentRecord",
        "ThreadRecord"]


def test_not_an_isso_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE sites (id INTEGER)")
    connection.commit()
    connection.close()
    with pytest.raises(ImportFormatError, match=r"^isso: the database has no Isso .*sites"):
        list(parse_isso_sqlite(other))
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(ImportFormatError, match=r"^isso: "):
        list(parse_isso_sqlite(garbage))


def test_isso_generic_json() -> None:
    records = list(parse_isso_json(fixture("isso/generic.json")))
    assert records == [
        ThreadRecord("/posts/0001/", "/posts/0001/", "Test+post", None, False, "/posts/0001/"),
        CommentRecord("0", "/posts/0001/", None, "texas holdem", "", "http://www.tigerspice.com",
                      "Great men can't be ruled. by free online poker",
                      datetime(2005, 2, 24, 4, 3, 37, tzinfo=UTC), "approved"),
        ThreadRecord("/posts/0007/", "/posts/0007/", "Nat+%26+Miguel", None, False,
                     "/posts/0007/"),
        CommentRecord("0", "/posts/0007/", None, "Richard Crinshaw", "105421439@87750645.com",
                      "", "Ja-make-a me crazzy mon :)",
                      datetime(2005, 5, 8, 6, 50, 26, tzinfo=UTC), "approved"),
    ]


def test_isso_generic_json_edge_cases(tmp_path: Path) -> None:
    data = [
        {"id": "/a/", "title": "A", "comments": [
            {"id": 1, "created": "2020-01-01 00:00:00", "text": "ok", "author": "x"},
            {"id": 2, "created": "yesterday", "text": "bad date"},
            {"created": "2020-01-01 00:00:00", "text": "no id"},
            "not an object",
            {"id": 3, "parent": 1, "created": "2020-01-01 00:01:00", "text": "reply\ud800"},
        ]},
        {"id": "", "comments": [{"id": 9}]},
        {"id": "/no-comments/", "comments": []},
        42,
    ]
    path = tmp_path / "generic.json"
    path.write_text(json.dumps(data))
    records = list(parse_isso_json(path))
    assert [(type(r).__name__, getattr(r, "source_id", "")) for r in records] == [
        ("ThreadRecord", "/a/"), ("CommentRecord", "1"), ("Skipped", "2"), ("Skipped", ""),
        ("Skipped", ""), ("CommentRecord", "3"), ("Skipped", ""), ("Skipped", "9"),
        ("Skipped", ""),
    ]
    reply = records[5]
    assert isinstance(reply, CommentRecord)
    assert (reply.parent_id, reply.text) == ("1", "reply")
    assert records[2] == Skipped(
        "comment", "2",
        "malformed: comment 2 of thread 1 of the list has no valid created time ('yesterday')")


def test_isso_json_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"id": "/a/",\n  "comments": [}\n]')
    with pytest.raises(ImportFormatError, match=r"^isso-json: line 3: not JSON"):
        list(parse_isso_json(path))
    path.write_text('{"comments": []}')
    with pytest.raises(ImportFormatError, match=r"^isso-json: expected a list of threads"):
        list(parse_isso_json(path))
