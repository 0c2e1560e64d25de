"""Request ids: the one a client or proxy sent (``X-Request-ID``) when it is sane, else one
made here; echoed in the answer and carried by every log record made while handling it."""

from __future__ import annotations

import itertools
import os
import re
from contextvars import ContextVar

HEADER = b"x-request-id"
SANE = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")
_prefix = os.urandom(4).hex().encode()  # this process's, so ids differ across workers
# New ids, made by C code alone (the cache layer takes one per hit: ``next(new_ids)``).
new_ids = map((_prefix + b"-%x").__mod__, itertools.count(1))

current: ContextVar[str] = ContextVar("palabre_request_id", default="")


def request_id(asked: bytes | None) -> bytes:
    """The id of a request: ``asked`` if it is 1-128 plain characters (no spaces, quotes or
    controls, which could forge a log line or a header), else a new one."""
    if asked is not None and SANE.fullmatch(asked):
        return asked
    return next(new_ids)


def from_headers(headers: list[tuple[bytes, bytes]]) -> bytes:
    """The id of a request whose raw ASGI headers are ``headers``."""
    for name, value in headers:
        if name == HEADER:
            return request_id(bytes(value))
    return request_id(None)
