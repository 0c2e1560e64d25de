"""Isso: its SQLite database, and its generic JSON import format.

Database (opened read-only): ``threads(id, uri, title)`` and ``comments(tid, id, parent,
created, mode, text, author, email, website, likes, dislikes, ...)``. Order: threads by id,
each followed by its comments by id; threads without comments yield nothing. Mapped: mode 1
approved, 2 pending, 4 deleted (author, email, website and text emptied); ``created`` (a UNIX
time) as UTC; ``text`` is Markdown already; likes and dislikes. Skipped: comments of another
mode, comments whose thread is missing, comments without a time, threads without a usable uri
(with their comments). Voters' Bloom filters, IP addresses and notification flags are not
imported.

Generic JSON (``[{"id": uri, "title": ..., "comments": [{"id", "author", "email", "website",
"created": "YYYY-MM-DD HH:MM:SS", "text"}]}]``): read whole; each thread then its comments in
the file's order; comment ids repeat across threads. ``created`` is taken as UTC; comments are
approved and top-level (an optional ``parent`` is kept).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from palabre.domain.records import (
    CommentRecord,
    CommentStatus,
    ImportFormatError,
    Record,
    Skipped,
    ThreadRecord,
)
from palabre.importers.jsonfile import load_json, text_of
from palabre.importers.text import clean_line, clean_text, page_path, parse_sql_datetime

SQLITE_FORMAT = "isso"
JSON_FORMAT = "isso-json"
_MODES: dict[int, CommentStatus] = {1: "approved", 2: "pending", 4: "deleted"}
_COLUMNS = ("tid", "id", "parent", "created", "mode", "text", "author", "email", "website",
            "likes", "dislikes")
_REQUIRED = frozenset({"tid", "id", "created"})


def _connect(path: Path) -> sqlite3.Connection:
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise ImportFormatError(f"{SQLITE_FORMAT}: not a readable SQLite database: {exc}") \
            from exc
    return connection


def isso_tables(path: Path) -> bool:
    """Whether the SQLite database at ``path`` has Isso's tables."""
    connection = _connect(path)
    try:
        return {"threads", "comments"} <= _tables(connection)
    finally:
        connection.close()


def _tables(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(name) for (name,) in rows}


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in connection.execute(f"PRAGMA table_info({table})")}


def parse_isso_sqlite(path: Path) -> Iterator[Record]:
    """Yield the threads and comments of an Isso database (see the module's docstring)."""
    connection = _connect(path)
    try:
        tables = _tables(connection)
        if not {"threads", "comments"} <= tables:
            raise ImportFormatError(
                f"{SQLITE_FORMAT}: the database has no Isso threads and comments tables "
                f"(tables: {', '.join(sorted(tables)) or 'none'})")
        columns = _columns(connection, "comments")
        missing = _REQUIRED - columns
        if missing or not {"id", "uri"} <= _columns(connection, "threads"):
            raise ImportFormatError(f"{SQLITE_FORMAT}: the comments or threads table lacks "
                                    f"columns ({', '.join(sorted(missing)) or 'id, uri'})")
        yield from _read_database(connection, columns)
    except sqlite3.Error as exc:
        raise ImportFormatError(f"{SQLITE_FORMAT}: cannot read the database: {exc}") from exc
    finally:
        connection.close()


def _read_database(connection: sqlite3.Connection, columns: set[str]) -> Iterator[Record]:
    title_column = "title" if "title" in _columns(connection, "threads") else "NULL"
    threads: dict[int, tuple[object, object]] = {
        row[0]: (row[1], row[2]) for row in connection.execute(
            f"SELECT id, uri, {title_column} FROM threads ORDER BY id")  # noqa: S608
    }
    selected = ", ".join(name if name in columns else "NULL" for name in _COLUMNS)
    rows = connection.execute(
        f"SELECT {selected} FROM comments ORDER BY tid, id")  # noqa: S608
    current: int | None = None
    thread: ThreadRecord | Skipped | None = None
    for row in rows:
        values = dict(zip(_COLUMNS, row, strict=True))
        tid, comment_id = values["tid"], str(values["id"])
        if tid != current:
            current = tid
            thread = _database_thread(tid, threads) if isinstance(tid, int) else None
            if thread is not None:
                yield thread
        if thread is None:
            yield Skipped("comment", comment_id, f"orphan: thread {tid} is not in the database")
        elif isinstance(thread, Skipped):
            yield Skipped("comment", comment_id, f"orphan: its thread {thread.reason}")
        else:
            yield _database_comment(values, thread.source_id)


def _database_thread(tid: int, threads: dict[int, tuple[object, object]]) -> \
        ThreadRecord | Skipped | None:
    if tid not in threads:
        return None
    raw_uri, raw_title = threads[tid]
    uri = clean_line(raw_uri) if isinstance(raw_uri, str) else ""
    try:
        path = page_path(uri)
    except ValueError:
        return Skipped("thread", str(tid), f"has no usable uri ({uri!r})")
    title = clean_line(raw_title) if isinstance(raw_title, str) else ""
    return ThreadRecord(source_id=str(tid), uri=path, title=title, created=None, closed=False,
                        url=uri)


def _database_comment(values: dict[str, Any], thread_id: str) -> CommentRecord | Skipped:
    comment_id = str(values["id"])
    mode = values["mode"]
    status = _MODES.get(mode) if isinstance(mode, int) else None
    if status is None:
        return Skipped("comment", comment_id, f"unknown mode {mode!r}")
    created = values["created"]
    if not isinstance(created, int | float) or isinstance(created, bool):
        return Skipped("comment", comment_id, "malformed: no creation time")
    try:
        moment = datetime.fromtimestamp(float(created), UTC)
    except (OverflowError, OSError, ValueError):
        return Skipped("comment", comment_id, f"malformed: bad creation time {created!r}")
    parent = values["parent"]
    deleted = status == "deleted"
    return CommentRecord(
        source_id=comment_id,
        thread_id=thread_id,
        parent_id=None if parent is None else str(parent),
        author="" if deleted else _line(values["author"]),
        email="" if deleted else _line(values["email"]),
        website="" if deleted else _line(values["website"]),
        text="" if deleted else clean_text(values["text"] if isinstance(values["text"], str)
                                           else None).rstrip(),
        created=moment,
        status=status,
        likes=_count(values["likes"]),
        dislikes=_count(values["dislikes"]),
    )


def _line(value: object) -> str:
    return clean_line(value) if isinstance(value, str) else ""


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def parse_isso_json(path: Path) -> Iterator[Record]:
    """Yield the threads and comments of Isso's generic JSON (see the module's docstring)."""
    data = load_json(path, JSON_FORMAT)
    if not isinstance(data, list):
        raise ImportFormatError(f"{JSON_FORMAT}: expected a list of threads at the top level")
    return _read_json(data)


def _read_json(data: list[Any]) -> Iterator[Record]:
    for index, entry in enumerate(data):
        where = f"thread {index + 1} of the list"
        if not isinstance(entry, dict):
            yield Skipped("thread", "", f"malformed: {where} is not an object")
            continue
        raw_id = text_of(entry.get("id"))
        thread_id = clean_line(raw_id)
        raw_comments = entry.get("comments")
        if not isinstance(raw_comments, list):
            raw_comments = []
        try:
            uri = page_path(thread_id)
        except ValueError:
            yield Skipped("thread", thread_id, f"malformed: {where} has no usable id (its uri)")
            for raw in raw_comments:
                cid = clean_line(text_of(raw.get("id"))) if isinstance(raw, dict) else ""
                yield Skipped("comment", cid, f"orphan: {where} has no usable id")
            continue
        if not raw_comments:
            continue
        yield ThreadRecord(source_id=thread_id, uri=uri, title=_line(entry.get("title")),
                           created=None, closed=False, url=thread_id)
        for position, raw in enumerate(raw_comments):
            yield _json_comment(raw, thread_id, f"comment {position + 1} of {where}")


def _json_comment(raw: object, thread_id: str, where: str) -> CommentRecord | Skipped:
    if not isinstance(raw, dict):
        return Skipped("comment", "", f"malformed: {where} is not an object")
    comment_id = clean_line(text_of(raw.get("id")))
    if not comment_id:
        return Skipped("comment", "", f"malformed: {where} has no id")
    created_text = raw.get("created")
    try:
        created = parse_sql_datetime(created_text) if isinstance(created_text, str) else None
    except ValueError:
        created = None
    if created is None:
        return Skipped("comment", comment_id,
                       f"malformed: {where} has no valid created time ({created_text!r})")
    parent = clean_line(text_of(raw.get("parent")))
    return CommentRecord(
        source_id=comment_id,
        thread_id=thread_id,
        parent_id=parent or None,
        author=_line(raw.get("author")),
        email=_line(raw.get("email")),
        website=_line(raw.get("website")),
        text=clean_text(raw.get("text") if isinstance(raw.get("text"), str) else None).rstrip(),
        created=created,
        status="approved",
    )
