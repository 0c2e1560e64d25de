"""Thread keys: the page path as the embed sends it, normalised."""

from __future__ import annotations

import posixpath
from urllib.parse import quote, unquote, urlsplit

from palabre.domain.errors import InvalidInput

MAX_URI_LENGTH = 2000
# Characters left as they are in a path: RFC 3986 unreserved, sub-delims, ':' and '@'.
_SAFE = "/:@!$&'()*+,;=-._~"


def normalise_uri(raw: str) -> str:
    """Drop scheme, host, query and fragment; normalise percent-encoding and dot segments.

    ``https://example.org/a/b#comments``, ``/a/b`` and ``/a/%62`` are the same thread.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("uri is required", reason="uri_invalid", field="uri")
    if len(raw) > MAX_URI_LENGTH or any(ord(ch) < 32 or ch == "\x7f" for ch in raw):
        raise InvalidInput("uri is not a valid page path", reason="uri_invalid", field="uri")
    try:
        parts = urlsplit(raw.strip())
    except ValueError as exc:  # a host such as "[" that is no IPv6 address
        raise InvalidInput("uri is not a valid page path", reason="uri_invalid",
                           field="uri") from exc
    try:
        path = unquote(parts.path, errors="strict") if parts.path else "/"
    except UnicodeDecodeError as exc:
        raise InvalidInput("uri is not valid UTF-8", reason="uri_invalid", field="uri") from exc
    if not path.startswith("/"):
        path = "/" + path
    trailing = path.endswith("/") and path != "/"
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if trailing and path != "/":
        path += "/"
    return quote(path, safe=_SAFE)
