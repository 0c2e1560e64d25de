"""Reading write requests: JSON only, within the size limit."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from palabre.domain.errors import InvalidInput, PalabreError


class PayloadTooLarge(PalabreError):
    code = "payload_too_large"


class UnsupportedMediaType(PalabreError):
    code = "unsupported_media_type"


def require_json(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType("Content-Type must be application/json")


async def json_body(request: Request, max_bytes: int) -> dict[str, Any]:
    """The request's JSON object; 415 without a JSON content type, 413 past the limit."""
    require_json(request)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge("request body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge("request body too large")
        chunks.append(chunk)
    try:
        data = orjson.loads(b"".join(chunks))
    except orjson.JSONDecodeError as exc:
        raise InvalidInput("body is not valid JSON", reason="json_invalid") from exc
    if not isinstance(data, dict):
        raise InvalidInput("body must be a JSON object", reason="json_invalid")
    return data


async def optional_json_body(request: Request, max_bytes: int) -> dict[str, Any]:
    """A write's JSON object, or ``{}`` when the (JSON-typed) request has no body."""
    require_json(request)
    if request.headers.get("content-length", "") in ("", "0"):
        return {}
    return await json_body(request, max_bytes)
