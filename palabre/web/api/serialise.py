"""Domain objects to the JSON shapes of the public API (docs: shared API contract)."""

from __future__ import annotations

from typing import Any

import orjson

from palabre.domain.models import Comment, Status
from palabre.domain.threads import ThreadInfo, ThreadPage

# Datetimes and enums are written by orjson itself: times as RFC 3339 in UTC with a "Z",
# in whole seconds, as the contract has them.
OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


def dumps(data: object) -> bytes:
    return orjson.dumps(data, option=OPTIONS)


MAX_FRAGMENTS = 4096
_fragments: dict[int, tuple[Comment, orjson.Fragment]] = {}


def comment_fragment(comment: Comment) -> orjson.Fragment:
    """The comment's JSON, serialised once per comment object: the storage gives the same
    object for the same version of a row (storage/sql_pages.py), so an uncached read
    of a thread mostly joins bytes already made. Kept by object identity, with the object (so
    its id cannot be reused meanwhile), at most ``MAX_FRAGMENTS`` a process."""
    found = _fragments.get(id(comment))
    if found is not None and found[0] is comment:
        return found[1]
    if len(_fragments) >= MAX_FRAGMENTS:
        _fragments.clear()
    fragment = orjson.Fragment(dumps(comment_json(comment)))
    _fragments[id(comment)] = (comment, fragment)
    return fragment


def comment_json(comment: Comment) -> dict[str, Any]:
    deleted = comment.status is Status.DELETED
    return {
        "id": comment.id,
        "parent": comment.parent,
        "reply_to": comment.reply_to,
        "depth": comment.depth,
        "author": "" if deleted else comment.author,
        "website": "" if deleted else comment.website,
        "avatar": "" if deleted else comment.avatar,
        "html": "" if deleted else comment.html,
        "created": comment.created,
        "edited": comment.edited,
        "likes": comment.likes,
        "dislikes": comment.dislikes,
        "status": comment.status,
        "featured": comment.featured,
        "staff": comment.staff,
    }


def thread_json(info: ThreadInfo) -> dict[str, Any]:
    return {
        "site": info.site,
        "uri": info.uri,
        "title": info.title,
        "closed": info.closed,
        "count": info.count,
        "created": info.created,
        "edit_window_seconds": info.edit_window_seconds,
        "featured": info.featured,
        "staff_label": info.staff_label,
        "message": info.message,
    }


def page_json(page: ThreadPage) -> dict[str, Any]:
    return {
        "thread": thread_json(page.thread),
        "comments": [comment_fragment(c) for c in page.comments],
        "next_cursor": page.next_cursor,
    }
