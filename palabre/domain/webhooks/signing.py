"""Signing a webhook request, and checking a signature (what a receiver does).

The header is ``Palabre-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]``: each ``v1`` is
the HMAC-SHA256, keyed with one of the endpoint's active secrets, of ``"{t}.{body}"``.
During a rotation two secrets are active, so two ``v1`` are sent and a receiver holding
either secret accepts the request. The timestamp is signed with the body: a receiver
refuses a request whose ``t`` is too far from its own clock (a replay of an old request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as random
from collections.abc import Sequence

HEADER = "Palabre-Signature"
TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    """A fresh endpoint secret (256 random bits)."""
    return SECRET_PREFIX + random.token_urlsafe(32)


def digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """The header's value: the time, then one ``v1`` per active secret."""
    return ",".join([f"t={timestamp}", *(f"v1={digest(s, timestamp, body)}" for s in secrets)])


def verify(header: str, body: bytes, secret: str, now: float,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether ``header`` signs ``body`` with ``secret``, at a time within ``tolerance``
    seconds of ``now``."""
    timestamp: int | None = None
    sent: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit() and len(value) < 16:
            timestamp = int(value)
        elif name == "v1":
            sent.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance:
        return False
    expected = digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, value) for value in sent)
