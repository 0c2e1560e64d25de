"""Query-string parameters as Starlette reads them, without decoding what is not needed.

``request.query_params`` splits on ``&``, skips empty parts, splits each at its first ``=``
and percent-decodes names and values (``+`` is a space); the last value of a name wins for
``get``. :func:`raw_params` yields the same names with their values left encoded, so a
cache key or a CORS decision made from them names exactly what the handlers will read.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote_plus


def raw_params(query_string: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(decoded name, still-encoded value) pairs, in order."""
    for part in query_string.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        if b"%" in name or b"+" in name:
            name = unquote_plus(name.decode("latin-1")).encode("utf-8", "surrogatepass")
        yield name, value


def decoded(value: bytes) -> str:
    """A value as Starlette decodes it."""
    return unquote_plus(value.decode("latin-1")) if b"%" in value or b"+" in value \
        else value.decode("latin-1")
