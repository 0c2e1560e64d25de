"""Commento (and Commento++) JSON export: ``comments``, ``commenters`` and, when present,
``pages``.

Read whole. Order: threads in the order their first comment appears, each followed by its
comments in the file's order. A thread is a page, keyed by domain and path (``url``); its
title and lock come from ``pages`` when the export has them.

Mapped: ``commentHex``, ``parentHex`` ("root" = top level), ``markdown`` (Markdown already),
``creationDate``, ``state`` (approved; unapproved → pending), ``deleted`` (status "deleted",
author, email, website and text emptied), ``score`` (positive: likes, negative: dislikes), the
commenter's name, email and link (``anonymous`` has none). Skipped: ``flagged`` comments (the
spam filter's), other states, comments without id, page or valid date.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from palabre.importers.text import clean_line, clean_text, page_path, parse_iso

FORMAT = "commento"
_STATES: dict[str, CommentStatus] = {"approved": "approved", "unapproved": "pending"}
_NO_LINK = frozenset({"", "undefined", "null"})


def parse_commento(path: Path) -> Iterator[Record]:
    """Yield the threads and comments of a Commento export (see the module's docstring)."""
    data = load_json(path, FORMAT)
    if not isinstance(data, dict) or not isinstance(data.get("comments"), list):
        raise ImportFormatError(f"{FORMAT}: expected an object with a list of comments")
    return _read(data)


def _line(value: object) -> str:
    return clean_line(value) if isinstance(value, str) else ""


def _read(data: dict[str, Any]) -> Iterator[Record]:
    commenters: dict[str, dict[str, Any]] = {}
    for commenter in data.get("commenters") or []:
        if isinstance(commenter, dict) and isinstance(commenter.get("commenterHex"), str):
            commenters[commenter["commenterHex"]] = commenter
    pages: dict[tuple[str, str], dict[str, Any]] = {}
    for page in data.get("pages") or []:
        if isinstance(page, dict):
            pages[(_line(page.get("domain")), _line(page.get("path")))] = page

    order: list[str] = []
    threads: dict[str, ThreadRecord | Skipped] = {}
    grouped: dict[str, list[CommentRecord | Skipped]] = {}
    loose: list[Skipped] = []
    for index, raw in enumerate(data["comments"]):
        where = f"comment {index + 1} of the list"
        if not isinstance(raw, dict):
            loose.append(Skipped("comment", "", f"malformed: {where} is not an object"))
            continue
        comment_id = _line(raw.get("commentHex"))
        if not comment_id:
            loose.append(Skipped("comment", "", f"malformed: {where} has no commentHex"))
            continue
        domain, url = _line(raw.get("domain")), _line(raw.get("url"))
        key = f"{domain}{url}"
        if key not in threads:
            order.append(key)
            threads[key] = _thread(key, domain, url, pages.get((domain, url)))
            grouped[key] = []
        thread = threads[key]
        if isinstance(thread, Skipped):
            grouped[key].append(Skipped("comment", comment_id,
                                        f"orphan: its page {thread.reason}"))
        else:
            grouped[key].append(_comment(raw, comment_id, key, where, commenters))
    for key in order:
        yield threads[key]
        yield from grouped[key]
    yield from loose


def _thread(key: str, domain: str, url: str, page: dict[str, Any] | None) -> \
        ThreadRecord | Skipped:
    try:
        uri = page_path(url)
    except ValueError:
        return Skipped("thread", key, f"has no usable url ({url!r})")
    page = page or {}
    return ThreadRecord(source_id=key, uri=uri, title=_line(page.get("title")), created=None,
                        closed=page.get("isLocked") is True, url=url)


def _comment(raw: dict[str, Any], comment_id: str, thread_id: str, where: str,
             commenters: dict[str, dict[str, Any]]) -> CommentRecord | Skipped:
    state = _line(raw.get("state")).lower()
    if state == "flagged":
        return Skipped("comment", comment_id, "spam (flagged)")
    status = _STATES.get(state)
    if status is None:
        return Skipped("comment", comment_id, f"unknown state {state!r}")
    try:
        created = parse_iso(raw["creationDate"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return Skipped("comment", comment_id,
                       f"malformed: {where} has no valid creationDate "
                       f"({raw.get('creationDate')!r})")
    parent = _line(text_of(raw.get("parentHex")))
    score = raw.get("score")
    score = score if isinstance(score, int) and not isinstance(score, bool) else 0
    commenter = commenters.get(_line(raw.get("commenterHex")), {})
    link = _line(commenter.get("link"))
    deleted = raw.get("deleted") is True
    return CommentRecord(
        source_id=comment_id,
        thread_id=thread_id,
        parent_id=None if parent in ("", "root") else parent,
        author="" if deleted else _line(commenter.get("name")),
        email="" if deleted else _line(commenter.get("email")),
        website="" if deleted or link.lower() in _NO_LINK else link,
        text="" if deleted else clean_text(raw.get("markdown")
                                           if isinstance(raw.get("markdown"), str)
                                           else None).rstrip(),
        created=created,
        status="deleted" if deleted else status,
        likes=max(score, 0),
        dislikes=max(-score, 0),
    )
