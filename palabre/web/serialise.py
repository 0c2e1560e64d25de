"""Domain objects to the JSON shapes of the public API (docs: shared API contract)."""

from __future__ import annotations

from typing import Any

from palabre.domain.models import Comment, Status, rfc3339
from palabre.domain.threads import ThreadInfo, ThreadPage


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
        "created": rfc3339(comment.created),
        "edited": rfc3339(comment.edited) if comment.edited else None,
        "likes": comment.likes,
        "dislikes": comment.dislikes,
        "status": comment.status.value,
    }


def thread_json(info: ThreadInfo) -> dict[str, Any]:
    return {
        "site": info.site,
        "uri": info.uri,
        "title": info.title,
        "closed": info.closed,
        "count": info.count,
        "created": rfc3339(info.created) if info.created else None,
        "edit_window_seconds": info.edit_window_seconds,
    }


def page_json(page: ThreadPage) -> dict[str, Any]:
    return {
        "thread": thread_json(page.thread),
        "comments": [comment_json(c) for c in page.comments],
        "next_cursor": page.next_cursor,
    }
