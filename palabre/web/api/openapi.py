"""The OpenAPI description of the public API, served at /api/openapi.json and /api/docs."""

from __future__ import annotations

from functools import cache
from typing import Any

import orjson
from markupsafe import escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from palabre import __version__
from palabre.domain.models import Status
from palabre.web.http.errors import STATUS

SITE = {"name": "site", "in": "query", "schema": {"type": "string", "default": "default"}}
URI = {"name": "uri", "in": "query", "required": True, "schema": {"type": "string"}}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
AUTH = {"name": "Authorization", "in": "header", "schema": {"type": "string"},
        "description": "Bearer <token from the POST answer>"}
ETAG = {"ETag": {"required": True, "schema": {"type": "string"},
                 "description": "Send it back in If-None-Match to get 304 while unchanged"}}
RETRY_AFTER = {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1},
                               "description": "Seconds to wait before trying again"}}
DESCRIPTION = (
    "The public API of a Palabre server. Every error answers the `Error` envelope, whose "
    "`code` each status lists. Beyond the statuses listed per operation: a path under "
    "`/api/` not listed here answers 404 (`components.responses.NotFound`), a listed path "
    "asked with a method not listed for it answers 405 (`MethodNotAllowed`), and an "
    "unexpected failure answers 500 (`InternalError`).")


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object with exactly these properties (all required unless ``required`` says)."""
    return {"type": "object", "required": list(properties) if required is None else required,
            "additionalProperties": False, "properties": properties}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK",
          headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = {"description": description, "content": {"application/json": {"schema": schema}}}
    return {**answer, "headers": headers} if headers else answer


def _error(status: int) -> dict[str, Any]:
    """The envelope, with the codes (web/http/errors.py) that this status carries."""
    codes = sorted(code for code, code_status in STATUS.items() if code_status == status)
    assert codes, f"no error code answers {status}"
    schema = {"allOf": [_ref("Error"), {"properties": {"error": {"properties": {
        "code": {"enum": codes}}}}}]}
    return _json(schema, "Error envelope: " + ", ".join(codes),
                 RETRY_AFTER if status == 429 else None)


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): _error(status) for status in statuses}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


STRING = {"type": "string"}
DATE_TIME = {"type": "string", "format": "date-time"}
ID_OR_NULL = {"type": ["integer", "null"], "minimum": 1}
COUNT = {"type": "integer", "minimum": 0}
# What serialise.comment_json writes, exactly.
COMMENT = {
    "id": {"type": "integer", "minimum": 1}, "parent": ID_OR_NULL, "reply_to": ID_OR_NULL,
    "depth": COUNT, "author": STRING, "website": STRING,
    "avatar": {"type": "string", "pattern": "^[0-9a-f]*$"}, "html": STRING,
    "created": DATE_TIME, "edited": {"type": ["string", "null"], "format": "date-time"},
    "likes": COUNT, "dislikes": COUNT,
    "status": {"enum": [Status.APPROVED.value, Status.PENDING.value, Status.DELETED.value]},
}
SCHEMAS: dict[str, Any] = {
    "Error": _closed({"error": _closed({
        "code": {"enum": sorted(STATUS)}, "message": {"type": "string", "minLength": 1},
        "reason": STRING, "field": STRING}, required=["code", "message"])}),
    "Comment": _closed(COMMENT),
    # What serialise.thread_json writes; edit_window_seconds is the site's, for the widget.
    "Thread": _closed({
        "site": STRING, "uri": STRING, "title": STRING, "closed": {"type": "boolean"},
        "count": COUNT, "created": {"type": ["string", "null"], "format": "date-time"},
        "edit_window_seconds": COUNT}),
    "NewComment": {"type": "object", "required": ["uri", "text"], "properties": {
        "site": STRING, "uri": STRING, "parent": {"type": ["integer", "null"]},
        "text": STRING, "author": STRING, "email": STRING, "website": STRING,
        "title": STRING, "notify": {"type": "boolean"}}},
    # A comment as moderators see it (admin/api.py, moderated_json): with email and source.
    "ModeratedComment": _closed({**COMMENT, "status": {"enum": [s.value for s in Status]},
                                 "email": STRING, "text": STRING}),
}
SITE_URI = {"type": "object", "required": ["uri"], "properties": {
    "site": STRING, "uri": STRING}}
REF = {name: _ref(name) for name in SCHEMAS}
RESPONSES = {"NotFound": _error(404), "MethodNotAllowed": _error(405),
             "InternalError": _error(500)}


def _paths() -> dict[str, Any]:
    page = _closed({"thread": REF["Thread"],
                    "comments": {"type": "array", "items": REF["Comment"]},
                    "next_cursor": {"type": ["string", "null"]}})
    not_modified = {"description": "Not modified", "headers": ETAG}
    listing = [SITE, URI,
               {"name": "sort", "in": "query", "schema": {"enum": ["oldest", "newest", "top"]}},
               {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 200}},
               {"name": "cursor", "in": "query", "schema": {"type": "string"}}]
    moderator = _closed({"moderator": _closed({"username": STRING})})
    admin_thread = _closed({"thread": _closed({"uri": STRING, "closed": {"type": "boolean"},
                                                "created": DATE_TIME})})
    return {
        "/api/v1/comments": {
            "get": {"summary": "A page of a thread, depth-first", "parameters": listing,
                    "responses": {"200": _json(page, headers=ETAG), "304": not_modified,
                                  **_errors(422)}},
            "post": {"summary": "Post a comment", "requestBody": _body(REF["NewComment"]),
                     "responses": {"201": _json(_closed({"comment": REF["Comment"],
                                                         "token": STRING})),
                                   **_errors(403, 413, 415, 422, 429)}}},
        "/api/v1/comments/{id}": {
            "patch": {"summary": "Edit a comment (author token or moderator)",
                      "parameters": [ID, AUTH],
                      "requestBody": _body({"type": "object", "required": ["text"],
                                            "properties": {"text": STRING}}),
                      "responses": {"200": _json(_closed({"comment": REF["Comment"]})),
                                    **_errors(401, 403, 404, 413, 415, 422, 429)}},
            "delete": {"summary": "Delete a comment (author token or moderator)",
                       "parameters": [ID, AUTH],
                       "responses": {"204": {"description": "Deleted"},
                                     **_errors(401, 403, 404, 413, 415, 422, 429)}}},
        "/api/v1/comments/{id}/vote": {"post": {
            "summary": "Like (1), dislike (-1) or withdraw (0)", "parameters": [ID],
            "requestBody": _body({"type": "object", "required": ["value"], "properties": {
                "value": {"enum": [-1, 0, 1]}}}),
            "responses": {"200": _json(_closed({"likes": COUNT, "dislikes": COUNT})),
                          **_errors(403, 404, 413, 415, 422, 429)}}},
        "/api/v1/threads": {"get": {"summary": "A thread's details", "parameters": [SITE, URI],
                                    "responses": {"200": _json(REF["Thread"]),
                                                  **_errors(422)}}},
        "/api/v1/counts": {"get": {
            "summary": "Approved comments per page (up to 500 uris)",
            "parameters": [SITE, {**URI, "schema": {"type": "array",
                                                    "items": {"type": "string"}}}],
            "responses": {"200": _json(_closed({"counts": {
                "type": "object", "additionalProperties": COUNT}}), headers=ETAG),
                "304": not_modified, **_errors(422)}}},
        "/api/admin/login": {"post": {
            "summary": "Moderator login: sets an HttpOnly session cookie",
            "requestBody": _body({"type": "object", "required": ["username", "password"],
                                  "properties": {"username": STRING, "password": STRING}}),
            "responses": {"200": _json(moderator, "Logged in"),
                          **_errors(401, 413, 415, 422, 429)}}},
        "/api/admin/logout": {"post": {"summary": "End the moderator session",
                                       "responses": {"204": {"description": "Logged out"}}}},
        "/api/admin/me": {"get": {"summary": "The logged-in moderator",
                                  "responses": {"200": _json(moderator, "Moderator"),
                                                **_errors(401)}}},
        "/api/admin/queue": {"get": {
            "summary": "Pending comments of a site, oldest first (moderator)",
            "parameters": [SITE],
            "responses": {"200": _json(_closed({"comments": {
                "type": "array", "items": REF["ModeratedComment"]}}), "Queue"),
                **_errors(401, 422)}}},
        "/api/admin/comments/{id}/{action}": {"post": {
            "summary": "approve, reject or spam a comment (moderator)",
            "parameters": [ID, {"name": "action", "in": "path", "required": True,
                                "schema": {"enum": ["approve", "reject", "spam"]}}],
            "responses": {"200": _json(_closed({"comment": REF["ModeratedComment"]}),
                                       "Moderated"),
                          **_errors(401, 404, 415, 422)}}},
        "/api/admin/threads/close": {"post": {
            "summary": "Close a thread (moderator)", "requestBody": _body(SITE_URI),
            "responses": {"200": _json(admin_thread, "Closed"),
                          **_errors(401, 413, 415, 422)}}},
        "/api/admin/threads/open": {"post": {
            "summary": "Reopen a thread (moderator)", "requestBody": _body(SITE_URI),
            "responses": {"200": _json(admin_thread, "Reopened"),
                          **_errors(401, 413, 415, 422)}}},
        "/api/admin/threads/title": {"post": {
            "summary": "Set or correct a thread's title (moderator)",
            "requestBody": _body({"type": "object", "required": ["uri", "title"],
                                  "properties": {"site": STRING, "uri": STRING,
                                                 "title": STRING}}),
            "responses": {"200": _json(_closed({"thread": _closed({
                "uri": STRING, "title": STRING, "closed": {"type": "boolean"},
                "created": DATE_TIME})}), "Retitled"),
                **_errors(401, 403, 413, 415, 422)}}},
        "/api/v1/feed.atom": {"get": {
            "summary": "Atom feed of the newest comments", "parameters": [
                SITE, {**URI, "required": False}],
            "responses": {"200": {"description": "Atom feed", "content": {
                "application/atom+xml": {}}}, **_errors(422)}}},
        "/api/openapi.json": {"get": {
            "summary": "This description", "responses": {"200": _json({"type": "object"})}}},
        "/api/docs": {"get": {
            "summary": "This description, browsable",
            "responses": {"200": {"description": "HTML page", "content": {"text/html": {}}}}}},
    }


@cache
def spec() -> bytes:
    return orjson.dumps({
        "openapi": "3.1.0",
        "info": {"title": "Palabre API", "version": __version__, "description": DESCRIPTION},
        "paths": _paths(),
        "components": {"schemas": SCHEMAS, "responses": RESPONSES},
    })


async def openapi_json(request: Request) -> Response:
    return Response(spec(), media_type="application/json")


async def docs(request: Request) -> Response:
    rows = []
    for path, operations in orjson.loads(spec())["paths"].items():
        for method, op in operations.items():
            rows.append(f"<tr><td><code>{escape(method.upper())}</code></td>"
                        f"<td><code>{escape(path)}</code></td><td>{escape(op['summary'])}</td>"
                        "</tr>")
    html = ("<!doctype html><meta charset=utf-8><title>Palabre API</title>"
            "<style>body{font:16px system-ui;max-width:60rem;margin:2rem auto}"
            "td{padding:.3rem .8rem;border-bottom:1px solid #ddd}</style>"
            "<h1>Palabre API v1</h1><p>Machine-readable: "
            "<a href=/api/openapi.json>/api/openapi.json</a></p><table>"
            + "".join(rows) + "</table>")
    return HTMLResponse(html)


routes = [
    Route("/api/openapi.json", openapi_json, methods=["GET"]),
    Route("/api/docs", docs, methods=["GET"]),
]
