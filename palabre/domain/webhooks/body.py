"""The body of a webhook request, built when it is sent: the event's facts as queued, the
delivery id, and the comment as it is now.

The comment is the public comment object (``describe``, given by the caller: the API's
serialiser) of an approved or held comment, the ``deleted`` placeholder of a deleted one,
and ``null`` once it is gone, rejected or spam. Never an email, a client key, an address
or the Markdown source. Read afresh at each attempt: a retry tells the present state, and
erasing an author's comments leaves nothing of them in the queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from palabre.domain.models import Comment, CommentId, Status
from palabre.domain.ports import Reads
from palabre.domain.threads import placeholder
from palabre.domain.webhooks.models import Delivery

Describe = Callable[[Comment], dict[str, Any]]
OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


async def shown(storage: Reads, comment_id: CommentId) -> Comment | None:
    comment = await storage.get_comment(comment_id)
    if comment is None or comment.status in (Status.REJECTED, Status.SPAM):
        return None
    return placeholder(comment) if comment.status is Status.DELETED else comment


async def request_body(storage: Reads, delivery: Delivery, describe: Describe) -> bytes:
    data: dict[str, Any] = orjson.loads(delivery.payload)
    body: dict[str, Any] = {"id": delivery.uid, **data}
    if isinstance(comment_id := data.get("comment_id"), int):
        comment = await shown(storage, CommentId(comment_id))
        body["comment"] = describe(comment) if comment is not None else None
    return orjson.dumps(body, option=OPTIONS)
