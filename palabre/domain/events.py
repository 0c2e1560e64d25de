"""Named lifecycle events: side effects (mail, webhooks, cache purges) hang here.

Handlers run after the write has been committed; a failing handler is logged and never
undoes or fails the write that fired it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("palabre.events")

COMMENT_CREATED = "comment.created"
COMMENT_EDITED = "comment.edited"
COMMENT_DELETED = "comment.deleted"
COMMENT_VOTED = "comment.voted"
COMMENT_MODERATED = "comment.moderated"
THREAD_CLOSED = "thread.closed"
THREAD_OPENED = "thread.opened"
NAMES = (COMMENT_CREATED, COMMENT_EDITED, COMMENT_DELETED, COMMENT_VOTED, COMMENT_MODERATED,
         THREAD_CLOSED, THREAD_OPENED)

Handler = Callable[..., Awaitable[None]]


class Events:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def on(self, name: str, handler: Handler) -> None:
        if name not in NAMES:
            raise ValueError(f"unknown event {name!r}")
        self._handlers[name].append(handler)

    async def emit(self, name: str, **payload: Any) -> None:
        for handler in self._handlers.get(name, ()):
            try:
                await handler(**payload)
            except Exception:
                log.exception("handler for %s failed", name)
