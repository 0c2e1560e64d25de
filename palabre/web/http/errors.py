"""The error envelope: every failure under /api/ answers JSON, never a stack trace."""

from __future__ import annotations

import logging

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from palabre.domain.errors import PalabreError
from palabre.i18n import negotiate, translate

log = logging.getLogger("palabre.web")

STATUS = {
    "invalid_input": 422,
    "not_found": 404,
    "thread_closed": 403,
    "edit_window_expired": 403,
    "forbidden": 403,
    "unauthorized": 401,
    "rate_limited": 429,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "method_not_allowed": 405,
    "internal_error": 500,
    "unavailable": 503,
}
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
              415: "unsupported_media_type", 401: "unauthorized", 403: "forbidden"}


def error_response(request: Request, code: str, *, reason: str | None = None,
                   field: str | None = None, params: dict[str, object] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    lang = negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    key = f"error.{reason}" if reason else f"error.{code}"
    message = translate(lang, key, **(params or {}))
    if message == key:
        message = translate(lang, f"error.{code}")
    error: dict[str, object] = {"code": code, "message": message}
    if reason:
        error["reason"] = reason
    if field:
        error["field"] = field
    return Response(orjson.dumps({"error": error}), status_code=STATUS[code],
                    media_type="application/json", headers=headers)


async def on_palabre_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PalabreError)
    if exc.code == "unavailable":  # the database is gone or full (storage/errors.py)
        log.warning("%s %s: %s", request.method, request.url.path, exc.message)
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return error_response(request, exc.code, reason=exc.reason, field=exc.field,
                          params=exc.params, headers=headers)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, "invalid_input")
    if exc.status_code not in HTTP_CODES and exc.status_code != 422:
        code = "not_found" if exc.status_code == 404 else "invalid_input"
    return error_response(request, code)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(request, "internal_error")
