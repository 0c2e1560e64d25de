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

ERROR = {"$ref": "#/components/schemas/Error"}
SITE = {"name": "site", "in": "query", "schema": {"type": "string", "default": "default"}}
URI = {"name": "uri", "in": "query", "required": True, "schema": {"type": "string"}}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
AUTH = {"name": "Authorization", "in": "header", "schema": {"type": "string"},
        "description": "Bearer <token from the POST answer>"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _json(ERROR, "Error envelope") for code in codes}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "reason": {"type": "string"}, "field": {"type": "string"}}}}},
    "Comment": {"type": "object", "properties": {
        "id": {"type": "integer"}, "parent": {"type": ["integer", "null"]},
        "reply_to": {"type": ["integer", "null"]}, "depth": {"type": "integer"},
        "author": {"type": "string"}, "website": {"type": "string"},
        "avatar": {"type": "string"}, "html": {"type": "string"},
        "created": {"type": "string", "format": "date-time"},
        "edited": {"type": ["string", "null"], "format": "date-time"},
        "likes": {"type": "integer"}, "dislikes": {"type": "integer"},
        "status": {"enum": ["approved", "pending", "deleted"]}}},
    "Thread": {"type": "object", "properties": {
        "site": {"type": "string"}, "uri": {"type": "string"}, "title": {"type": "string"},
        "closed": {"type": "boolean"}, "count": {"type": "integer"},
        "created": {"type": ["string", "null"], "format": "date-time"},
        "edit_window_seconds": {"type": "integer"}}},
    "NewComment": {"type": "object", "required": ["uri", "text"], "properties": {
        "site": {"type": "string"}, "uri": {"type": "string"},
        "parent": {"type": ["integer", "null"]}, "text": {"type": "string"},
        "author": {"type": "string"}, "email": {"type": "string"},
        "website": {"type": "string"}, "title": {"type": "string"},
        "notify": {"type": "boolean"}}},
}
SITE_URI = {"type": "object", "required": ["uri"], "properties": {
    "site": {"type": "string"}, "uri": {"type": "string"}}}
REF = {name: {"$ref": f"#/components/schemas/{name}"} for name in SCHEMAS}


def _paths() -> dict[str, Any]:
    page = {"type": "object", "properties": {
        "thread": REF["Thread"], "comments": {"type": "array", "items": REF["Comment"]},
        "next_cursor": {"type": ["string", "null"]}}}
    listing = [SITE, URI,
               {"name": "sort", "in": "query", "schema": {"enum": ["oldest", "newest", "top"]}},
               {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 200}},
               {"name": "cursor", "in": "query", "schema": {"type": "string"}}]
    return {
        "/api/v1/comments": {
            "get": {"summary": "A page of a thread, depth-first", "parameters": listing,
                    "responses": {"200": _json(page), "304": {"description": "Not modified"},
                                  **_errors(422)}},
            "post": {"summary": "Post a comment", "requestBody": _body(REF["NewComment"]),
                     "responses": {"201": _json({"type": "object", "properties": {
                         "comment": REF["Comment"], "token": {"type": "string"}}}),
                         **_errors(403, 413, 415, 422, 429)}}},
        "/api/v1/comments/{id}": {
            "patch": {"summary": "Edit a comment (author token or moderator)",
                      "parameters": [ID, AUTH],
                      "requestBody": _body({"type": "object", "required": ["text"],
                                            "properties": {"text": {"type": "string"}}}),
                      "responses": {"200": _json({"type": "object", "properties": {
                          "comment": REF["Comment"]}}), **_errors(401, 403, 404, 415, 422)}},
            "delete": {"summary": "Delete a comment (author token or moderator)",
                       "parameters": [ID, AUTH],
                       "responses": {"204": {"description": "Deleted"},
                                     **_errors(401, 403, 404)}}},
        "/api/v1/comments/{id}/vote": {"post": {
            "summary": "Like (1), dislike (-1) or withdraw (0)", "parameters": [ID],
            "requestBody": _body({"type": "object", "required": ["value"], "properties": {
                "value": {"enum": [-1, 0, 1]}}}),
            "responses": {"200": _json({"type": "object", "properties": {
                "likes": {"type": "integer"}, "dislikes": {"type": "integer"}}}),
                **_errors(403, 404, 415, 422, 429)}}},
        "/api/v1/threads": {"get": {"summary": "A thread's details", "parameters": [SITE, URI],
                                    "responses": {"200": _json(REF["Thread"]),
                                                  **_errors(422)}}},
        "/api/v1/counts": {"get": {
            "summary": "Approved comments per page (up to 500 uris)",
            "parameters": [SITE, {**URI, "schema": {"type": "array",
                                                    "items": {"type": "string"}}}],
            "responses": {"200": _json({"type": "object", "properties": {"counts": {
                "type": "object", "additionalProperties": {"type": "integer"}}}}),
                **_errors(422)}}},
        "/api/admin/login": {"post": {
            "summary": "Moderator login: sets an HttpOnly session cookie",
            "requestBody": _body({"type": "object", "required": ["username", "password"],
                                  "properties": {"username": {"type": "string"},
                                                 "password": {"type": "string"}}}),
            "responses": {"200": {"description": "Logged in"}, **_errors(401, 415)}}},
        "/api/admin/logout": {"post": {"summary": "End the moderator session",
                                       "responses": {"204": {"description": "Logged out"}}}},
        "/api/admin/me": {"get": {"summary": "The logged-in moderator",
                                  "responses": {"200": {"description": "Moderator"},
                                                **_errors(401)}}},
        "/api/admin/queue": {"get": {
            "summary": "Pending comments of a site, oldest first (moderator)",
            "parameters": [SITE],
            "responses": {"200": {"description": "Queue"}, **_errors(401, 422)}}},
        "/api/admin/comments/{id}/{action}": {"post": {
            "summary": "approve, reject or spam a comment (moderator)",
            "parameters": [ID, {"name": "action", "in": "path", "required": True,
                                "schema": {"enum": ["approve", "reject", "spam"]}}],
            "responses": {"200": {"description": "Moderated"},
                          **_errors(401, 404, 415, 422)}}},
        "/api/admin/threads/close": {"post": {
            "summary": "Close a thread (moderator)", "requestBody": _body(SITE_URI),
            "responses": {"200": {"description": "Closed"}, **_errors(401, 415, 422)}}},
        "/api/admin/threads/open": {"post": {
            "summary": "Reopen a thread (moderator)", "requestBody": _body(SITE_URI),
            "responses": {"200": {"description": "Reopened"}, **_errors(401, 415, 422)}}},
        "/api/v1/feed.atom": {"get": {
            "summary": "Atom feed of the newest comments", "parameters": [
                SITE, {**URI, "required": False}],
            "responses": {"200": {"description": "Atom feed", "content": {
                "application/atom+xml": {}}}}}},
    }


@cache
def spec() -> bytes:
    return orjson.dumps({
        "openapi": "3.1.0",
        "info": {"title": "Palabre API", "version": __version__},
        "paths": _paths(),
        "components": {"schemas": SCHEMAS},
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
