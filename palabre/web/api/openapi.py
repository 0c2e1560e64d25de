"""The OpenAPI description of the public API, served at /api/openapi.json, and its reference
at /api/docs: Swagger UI (shipped in palabre/static/apidocs/, built by apidocs/) under a
strict Content-Security-Policy, with its bootstrap in a file of its own."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from markupsafe import escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre import __version__
from palabre.domain.models import REPORT_REASONS, SanctionAction, Status
from palabre.domain.moderation import ACTIONS, ORDERS, QUEUES, REJECT_REASONS
from palabre.domain.phases import Action
from palabre.domain.sanctions import KINDS as SANCTION_KINDS
from palabre.i18n import translate
from palabre.web.http.errors import STATUS

SITE = {"name": "site", "in": "query", "schema": {"type": "string", "default": "default"}}
URI = {"name": "uri", "in": "query", "required": True, "schema": {"type": "string"}}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
SECURITY_SCHEMES = {
    "authorToken": {"type": "http", "scheme": "bearer", "description":
                    "The token of the POST answer (`Authorization: Bearer <token>`): its "
                    "author may edit and delete that comment within the site's edit window."},
    "moderatorSession": {"type": "apiKey", "in": "cookie", "name": "palabre_session",
                         "description": "The HttpOnly, SameSite=Strict session cookie that "
                         "`POST /api/admin/login` sets (Secure over HTTPS)."},
}
AUTHOR_OR_MODERATOR: list[dict[str, list[str]]] = [{"authorToken": []}, {"moderatorSession": []}]
MODERATOR: list[dict[str, list[str]]] = [{"moderatorSession": []}]
ANYONE_OR_MODERATOR: list[dict[str, list[str]]] = [{}, {"moderatorSession": []}]
ETAG = {"ETag": {"required": True, "schema": {"type": "string"},
                 "description": "Send it back in If-None-Match to get 304 while unchanged"}}
RETRY_AFTER = {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1},
                               "description": "Seconds to wait before trying again"}}
DESCRIPTION = (
    "The public API of a Palabre server. Every error answers the `Error` envelope, whose "
    "`code` each status lists. Beyond the statuses listed per operation: a path under "
    "`/api/` not listed here answers 404 (`components.responses.NotFound`), a listed path "
    "asked with a method not listed for it answers 405 (`MethodNotAllowed`), an "
    "unexpected failure answers 500 (`InternalError`), a database briefly unreachable or "
    "full answers 503 (`Unavailable`, with `Retry-After`), and a request line over 64 KB or a "
    "request head over 80 KB answers 414 or 400 (`Unreadable`, `reason` "
    "`request_unreadable`) before any operation runs. Cross-origin calls get CORS headers "
    "for the origins the addressed site allows. Writes need `Content-Type: "
    "application/json` (415 otherwise) and a body under the server's `max_body_bytes` "
    "(413). A POST may answer 422 `invalid_input` with the `reason` `confirm_required` (post "
    "the same body with `\"confirm\": true` to go ahead), `duplicate` (the same text again "
    "within minutes) or `name_reserved` (the staff label or a moderator's name).")


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object with exactly these properties (all required unless ``required`` says)."""
    return {"type": "object", "required": list(properties) if required is None else required,
            "additionalProperties": False, "properties": properties}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK",
          headers: dict[str, Any] | None = None, example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    answer = {"description": description, "content": {"application/json": media}}
    return {**answer, "headers": headers} if headers else answer


def _error(status: int) -> dict[str, Any]:
    """The envelope, with the codes (web/http/errors.py) that this status carries."""
    codes = sorted(code for code, code_status in STATUS.items() if code_status == status)
    assert codes, f"no error code answers {status}"
    schema = {"allOf": [_ref("Error"), {"properties": {"error": {"properties": {
        "code": {"enum": codes}}}}}]}
    example = {"error": {"code": codes[0], "message": translate("en", f"error.{codes[0]}")}}
    return _json(schema, "Error envelope: " + ", ".join(codes),
                 RETRY_AFTER if status in (429, 503) else None, example)


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): _error(status) for status in statuses}


def _body(schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema,
                                                                "example": example}}}


STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
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
    "featured": {**BOOLEAN, "description": "A moderator's pick (the editor's picks)"},
    "staff": {**BOOLEAN, "description": "Posted by a signed-in moderator of the site, shown "
              "with the thread's `staff_label`"},
}
# What serialise.thread_json writes; edit_window_seconds is the site's, for the widget.
THREAD = {"site": STRING, "uri": STRING, "title": STRING, "closed": BOOLEAN, "count": COUNT,
          "created": {"type": ["string", "null"], "format": "date-time"},
          "edit_window_seconds": COUNT,
          "featured": {**COUNT, "description": "How many of its comments are editor's picks"},
          "staff_label": {**STRING, "description": "How the site labels its moderators' "
                          "comments (empty: the widget's own word, Staff)"},
          "message": {**STRING, "description": "A note the moderators set on the thread, as "
                      "sanitised HTML (empty: none)"}}
NEW_COMMENT = {"site": STRING, "uri": STRING, "parent": {"type": ["integer", "null"]},
               "text": STRING, "author": STRING, "email": STRING, "website": STRING,
               "title": STRING, "notify": BOOLEAN,
               "confirm": {**BOOLEAN, "description": "Post anyway after a 422 whose reason "
                           "is confirm_required"},
               "proof": {**STRING, "description": "The solved challenge of GET "
                         "/api/v1/challenge (ALTCHA's base64 payload), when the site asks "
                         "for one: readers only"},
               "honeypot": {**STRING, "description": "Leave empty (a field people never "
                            "see)"}}
# A comment as moderators see it (admin/api.py, moderated_json): with email and source.
MODERATED = {**COMMENT, "status": {"enum": [s.value for s in Status]}, "email": STRING,
             "text": STRING}
SCHEMAS: dict[str, Any] = {
    "Error": _closed({"error": _closed({
        "code": {"enum": sorted(STATUS)}, "message": {"type": "string", "minLength": 1},
        "reason": STRING, "field": STRING}, required=["code", "message"])}),
    "Comment": _closed(COMMENT),
    "Thread": _closed(THREAD),
    "NewComment": {"type": "object", "required": ["uri", "text"], "properties": NEW_COMMENT},
    "ModeratedComment": _closed(MODERATED),
    # What admin/api.py sanction_json writes.
    "Sanction": _closed({"id": {"type": "integer", "minimum": 1},
                         "action": {"enum": [a.value for a in SanctionAction]},
                         "kind": {"enum": ["email", "client"]}, "reason": STRING,
                         "created": DATE_TIME,
                         "until": {"type": ["string", "null"], "format": "date-time"}}),
    # A comment in a moderator's queue (admin/api.py card_json): why it is there, where,
    # in answer to what, its reports, its author's history and sanctions.
    "QueueCard": _closed({
        **MODERATED, "held": {"type": "array", "items": STRING},
        "thread": _closed({"uri": STRING, "title": STRING, "closed": BOOLEAN}),
        "answers": {"anyOf": [_ref("ModeratedComment"), {"type": "null"}]},
        "reports": {"type": "array", "items": _closed({
            "reason": {"enum": list(REPORT_REASONS)}, "note": STRING,
            "created": DATE_TIME})},
        "history": _closed({"approved": COUNT, "pending": COUNT, "rejected": COUNT,
                            "spam": COUNT,
                            "first_seen": {"type": ["string", "null"], "format": "date-time"}}),
        "sanctions": {"type": "array", "items": _ref("Sanction")},
        "verdicts": {"type": "array", "items": _ref("Verdict")}}),
    # What a moderation phase said of a comment (admin/api.py verdict_json).
    "Verdict": _closed({
        "phase": {**STRING, "description": "assistant, external, …"},
        "action": {"enum": [a.value for a in Action]},
        "score": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                  "description": "Higher: more likely to be rejected"},
        "reason": STRING, "model": {**STRING, "description": "The model or endpoint"},
        "features": {"type": "array", "description": "The words that drove the score, each "
                     "with its weight (positive: towards rejection)", "items": {
                         "type": "array", "prefixItems": [STRING, {"type": "number"}],
                         "minItems": 2, "maxItems": 2}}}),
}
SITE_URI = {"type": "object", "required": ["uri"], "properties": {
    "site": STRING, "uri": STRING}}
REF = {name: _ref(name) for name in SCHEMAS}
UNREADABLE = {"description": "The request line or head could not be read (414 when the URL "
              "alone is long); answered by the server before any operation",
              "content": {"application/json": {"schema": REF["Error"], "example": {"error": {
                  "code": "invalid_input", "reason": "request_unreadable",
                  "message": translate("en", "error.invalid_input")}}}}}
RESPONSES = {"NotFound": _error(404), "MethodNotAllowed": _error(405),
             "InternalError": _error(500), "Unavailable": _error(503),
             "Unreadable": UNREADABLE}

# Examples, from the contract (docs/api.md).
COMMENT_EXAMPLE: dict[str, Any] = {
    "id": 17, "parent": 12, "reply_to": 15, "depth": 2, "author": "Jeanne",
    "website": "https://example.org", "avatar": "9f86d081884c7d65",
    "html": "<p>Texte <em>sûr</em></p>", "created": "2026-11-25T08:00:00Z", "edited": None,
    "likes": 3, "dislikes": 0, "status": "approved", "featured": False, "staff": False}
THREAD_EXAMPLE: dict[str, Any] = {
    "site": "default", "uri": "/a", "title": "Un article", "closed": False, "count": 34,
    "created": "2026-11-20T07:30:00Z", "edit_window_seconds": 900, "featured": 1,
    "staff_label": "La rédaction", "message": ""}
POST_EXAMPLE = {"site": "default", "uri": "/a", "parent": None, "text": "markdown",
                "author": "", "email": "", "website": "", "title": "page title",
                "notify": False}
TOKEN_EXAMPLE = "eyJjIjoxN30.Z0Zx2A.n3jD0Qh2n5oS2Rr1lR3m9VtOa1Q"  # noqa: S105 (an example)
MODERATED_EXAMPLE = {**COMMENT_EXAMPLE, "status": "pending", "email": "jeanne@example.org",
                     "text": "Texte *sûr*"}
SITE_URI_EXAMPLE = {"site": "default", "uri": "/a"}

def _reads() -> dict[str, Any]:
    page = _closed({"thread": REF["Thread"],
                    "comments": {"type": "array", "items": REF["Comment"]},
                    "next_cursor": {"type": ["string", "null"]}})
    not_modified = {"description": "Not modified", "headers": ETAG}
    listing = [SITE, URI,
               {"name": "sort", "in": "query", "schema": {"enum": ["oldest", "newest", "top"]}},
               {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 200}},
               {"name": "cursor", "in": "query", "schema": {"type": "string"}},
               {"name": "featured", "in": "query", "schema": {"enum": ["only"]},
                "description": "`only`: the editor's picks alone"}]
    uris = {**URI, "schema": {"type": "array", "items": {"type": "string"}, "maxItems": 500}}
    return {
        "/api/v1/comments": {"get": {
            "summary": "A page of a thread, depth-first", "parameters": listing,
            "responses": {
                "200": _json(page, headers=ETAG, example={
                    "thread": THREAD_EXAMPLE, "comments": [COMMENT_EXAMPLE],
                    "next_cursor": None}),
                "304": not_modified, **_errors(422)}}},
        "/api/v1/threads": {"get": {
            "summary": "A thread's details", "parameters": [SITE, URI],
            "responses": {"200": _json(REF["Thread"], example=THREAD_EXAMPLE),
                          **_errors(422)}}},
        "/api/v1/counts": {"get": {
            "summary": "Approved comments per page (up to 500 uris)",
            "parameters": [SITE, uris],
            "responses": {"200": _json(_closed({"counts": {
                "type": "object", "additionalProperties": COUNT}}), headers=ETAG,
                example={"counts": {"/a": 34, "/b": 0}}),
                "304": not_modified, **_errors(422)}}},
        "/api/v1/challenge": {"get": {
            "summary": "A proof-of-work challenge for a reader's comment (ALTCHA v1)",
            "description": "Find `number` in 0..`maxNumber` whose SHA-256 of `salt` + "
                           "`number` (hex) is `challenge`; post it as `proof`. `challenge` is "
                           "null when the site asks for none; `wait`: seconds to let pass "
                           "before posting.",
            "parameters": [SITE, {**URI, "required": False}],
            "responses": {"200": _json(_closed({
                "challenge": {"anyOf": [_closed({
                    "algorithm": {"enum": ["SHA-256"]}, "challenge": STRING,
                    "maxNumber": COUNT, "salt": STRING, "signature": STRING}),
                    {"type": "null"}]},
                "wait": COUNT}), example={"challenge": {
                    "algorithm": "SHA-256", "challenge": "9f86d08...", "maxNumber": 50000,
                    "salt": "4d3c...?expires=1764668400&site=1&issued=1764666600&",
                    "signature": "1b4e..."}, "wait": 3}), **_errors(422)}}},
        "/api/v1/feed.atom": {"get": {
            "summary": "Atom feed of the newest comments", "parameters": [
                SITE, {**URI, "required": False}],
            "responses": {"200": {"description": "Atom feed", "content": {
                "application/atom+xml": {}}}, **_errors(422)}}},
        "/api/v1/events": {"get": {
            "summary": "Live events of a thread (Server-Sent Events)",
            "description": "`comment` events (data: the public comment object) and `removed` "
                           "events (data: `{\"id\": N}`); each has the outbox `id`. A client "
                           "reconnecting with `Last-Event-ID` (or `?last_event_id=`) gets what "
                           "it missed (`reset`: "
                           "too much to replay, reload the thread). A comment line every "
                           "`live_heartbeat_seconds`.",
            "parameters": [SITE, URI, {"name": "Last-Event-ID", "in": "header",
                                       "schema": {"type": "string", "pattern": "^[0-9]*$"}},
                           {"name": "last_event_id", "in": "query",
                            "description": "The same as `Last-Event-ID`, for a client that "
                                           "cannot set headers (a new EventSource); the "
                                           "header wins when both are given.",
                            "schema": {"type": "string", "pattern": "^[0-9]*$"}}],
            "responses": {"200": {"description": "An endless event stream", "content": {
                "text/event-stream": {}}}, **_errors(422, 429)}}},
    }


def _writes() -> dict[str, Any]:
    comment = _closed({"comment": REF["Comment"]})
    text = {"type": "object", "required": ["text"], "properties": {"text": STRING}}
    vote = {"type": "object", "required": ["value"], "properties": {"value": {
        "enum": [-1, 0, 1]}}}
    report = {"type": "object", "required": ["reason"], "properties": {
        "reason": {"enum": list(REPORT_REASONS)}, "note": {"type": "string", "maxLength": 500}}}
    return {
        "/api/v1/comments": {"post": {
            "summary": "Post a comment", "security": ANYONE_OR_MODERATOR,
            "requestBody": _body(REF["NewComment"], POST_EXAMPLE),
            "responses": {"201": _json(_closed({"comment": REF["Comment"], "token": STRING}),
                                       "Posted", example={"comment": COMMENT_EXAMPLE,
                                                          "token": TOKEN_EXAMPLE}),
                          **_errors(403, 413, 415, 422, 429)}}},
        "/api/v1/comments/{id}": {
            "patch": {"summary": "Edit a comment (author token or moderator)",
                      "parameters": [ID], "security": AUTHOR_OR_MODERATOR,
                      "requestBody": _body(text, {"text": "Texte *corrigé*"}),
                      "responses": {"200": _json(comment, "Edited", example={"comment": {
                          **COMMENT_EXAMPLE, "edited": "2026-11-25T08:05:00Z"}}),
                                    **_errors(401, 403, 404, 413, 415, 422, 429)}},
            "delete": {"summary": "Delete a comment (author token or moderator)",
                       "parameters": [ID], "security": AUTHOR_OR_MODERATOR,
                       "responses": {"204": {"description": "Deleted"},
                                     **_errors(401, 403, 404, 413, 415, 422, 429)}}},
        "/api/v1/comments/{id}/vote": {"post": {
            "summary": "Like (1), dislike (-1) or withdraw (0)", "parameters": [ID],
            "requestBody": _body(vote, {"value": 1}),
            "responses": {"200": _json(_closed({"likes": COUNT, "dislikes": COUNT}), "Counted",
                                       example={"likes": 4, "dislikes": 0}),
                          **_errors(403, 404, 413, 415, 422, 429)}}},
        "/api/v1/comments/{id}/report": {"post": {
            "summary": "Report a published comment to the moderators (one report per reader "
                       "and comment; a second replaces the first)", "parameters": [ID],
            "requestBody": _body(report, {"reason": "off_topic", "note": "Sans rapport."}),
            "responses": {"204": {"description": "Recorded"},
                          **_errors(403, 404, 413, 415, 422, 429)}}},
    }


def _admin_answers() -> dict[str, Any]:
    """What the admin operations answer (web/admin/api.py), by name."""
    moderator = _closed({"username": STRING, "role": {"enum": ["admin", "moderator"]},
                         "sites": {"type": "array", "items": {"type": "integer"}},
                         "disabled": BOOLEAN})
    return {
        "me": _closed({"moderator": _closed({"username": STRING})}),
        "queue": _closed({"comments": {"type": "array", "items": REF["QueueCard"]},
                          "total": COUNT, "page": {"type": "integer", "minimum": 1},
                          "pages": COUNT, "order": {"enum": [*ORDERS, None]}}),
        "comment": _closed({"comment": REF["ModeratedComment"]}),
        "sanctions": _closed({"sanctions": {"type": "array", "items": REF["Sanction"]}}),
        "audit": _closed({"entries": {"type": "array", "items": _closed({
            "id": {"type": "integer", "minimum": 1}, "created": DATE_TIME,
            "site_id": ID_OR_NULL, "actor": STRING, "action": STRING, "target": STRING,
            "before": {"type": "object"}, "after": {"type": "object"}})}}),
        "closed": _closed({"thread": _closed({"uri": STRING, "closed": BOOLEAN,
                                               "created": DATE_TIME})}),
        "titled": _closed({"thread": _closed({"uri": STRING, "title": STRING,
                                               "closed": BOOLEAN, "created": DATE_TIME})}),
        "options": _closed({"thread": _closed({"uri": STRING, "premoderate": BOOLEAN,
                                                "message": STRING})}),
        "moderators": _closed({"moderators": {"type": "array", "items": moderator}}),
        "moderator": _closed({"moderator": moderator}),
    }


def _admin_bodies() -> dict[str, Any]:
    """What the admin operations take, by name."""
    return {
        "login": {"type": "object", "required": ["username", "password"],
                  "properties": {"username": STRING, "password": STRING}},
        "decision": {"type": "object", "properties": {"reason": {
            "enum": list(REJECT_REASONS), "description": "Why a comment is rejected"}}},
        "sanction": {"type": "object", "required": ["kind"], "properties": {
            "kind": {"enum": list(SANCTION_KINDS)},
            "hours": {"type": "integer", "minimum": 1,
                      "description": "How long a suspension lasts"},
            "reason": STRING}},
        "undo": {"type": "object", "properties": {"site": STRING}},
        "titled": {"type": "object", "required": ["uri", "title"], "properties": {
            "site": STRING, "uri": STRING, "title": STRING}},
        "options": {"type": "object", "required": ["uri"], "properties": {
            "site": STRING, "uri": STRING, "premoderate": BOOLEAN,
            "message": {**STRING, "description": "Markdown shown above the thread"}}},
        "access": {"type": "object", "properties": {
            "role": {"enum": ["admin", "moderator"]},
            "sites": {"type": "array", "items": STRING}, "disabled": BOOLEAN}},
    }


def _admin_session() -> dict[str, Any]:
    answers, bodies = _admin_answers(), _admin_bodies()
    who = {"moderator": {"username": "claire"}}
    return {
        "/api/admin/login": {"post": {
            "summary": "Moderator login: sets an HttpOnly session cookie", "security": [],
            "requestBody": _body(bodies["login"], {"username": "claire",
                                                   "password": "correct horse battery"}),
            "responses": {"200": _json(answers["me"], "Logged in", example=who),
                          **_errors(401, 413, 415, 422, 429)}}},
        "/api/admin/logout": {"post": {
            "summary": "End the moderator session (every cookie of the moderator)",
            "security": ANYONE_OR_MODERATOR,
            "responses": {"204": {"description": "Logged out"}}}},
        "/api/admin/me": {"get": {
            "summary": "The logged-in moderator", "security": MODERATOR,
            "responses": {"200": _json(answers["me"], "Moderator", example=who),
                          **_errors(401)}}},
        "/api/admin/moderators": {"get": {
            "summary": "Every moderator (admins)", "security": MODERATOR,
            "responses": {"200": _json(answers["moderators"], "Moderators"),
                          **_errors(401, 403)}}},
        "/api/admin/moderators/{username}": {"post": {
            "summary": "A moderator's role, sites and whether the account is disabled "
                       "(admins)", "security": MODERATOR,
            "parameters": [{"name": "username", "in": "path", "required": True,
                            "schema": STRING}],
            "requestBody": _body(bodies["access"], {"role": "moderator",
                                                    "sites": ["default"], "disabled": False}),
            "responses": {"200": _json(answers["moderator"], "Changed"),
                          **_errors(401, 403, 404, 413, 415, 422)}}},
    }


def _admin_comments() -> dict[str, Any]:
    answers, bodies = _admin_answers(), _admin_bodies()
    queue = [SITE,
             {"name": "kind", "in": "query", "schema": {"enum": list(QUEUES)}},
             {"name": "q", "in": "query", "schema": STRING, "description": "Search"},
             {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
             {"name": "order", "in": "query", "schema": {"enum": list(ORDERS)},
              "description": "risk (pending only): the assistant's score, highest first"}]
    action = {"name": "action", "in": "path", "required": True,
              "schema": {"enum": [*ACTIONS, "feature", "unfeature"]}}
    return {
        "/api/admin/queue": {"get": {
            "summary": "A queue of a site's comments, 50 a page (moderator)",
            "parameters": queue, "security": MODERATOR,
            "responses": {"200": _json(answers["queue"], "Queue"),
                          **_errors(401, 403, 422)}}},
        "/api/admin/comments/{id}/{action}": {"post": {
            "summary": "approve, reject (with a reason), spam, feature or unfeature a comment "
                       "(moderator)", "parameters": [ID, action], "security": MODERATOR,
            "requestBody": {**_body(bodies["decision"], {"reason": "off_topic"}),
                            "required": False},
            "responses": {"200": _json(answers["comment"], "Moderated", example={"comment": {
                **MODERATED_EXAMPLE, "status": "approved"}}),
                          **_errors(401, 403, 404, 413, 415, 422)}}},
        "/api/admin/comments/{id}/sanction": {"post": {
            "summary": "Sanction the author of a comment (moderator)", "parameters": [ID],
            "security": MODERATOR,
            "requestBody": _body(bodies["sanction"], {"kind": "suspend", "hours": 24,
                                                      "reason": "insults"}),
            "responses": {"201": _json(answers["sanctions"], "Sanctioned"),
                          **_errors(401, 403, 404, 413, 415, 422)}}},
        "/api/admin/sanctions": {"get": {
            "summary": "A site's sanctions in force (moderator)", "parameters": [SITE],
            "security": MODERATOR,
            "responses": {"200": _json(answers["sanctions"], "Sanctions"),
                          **_errors(401, 403, 422)}}},
        "/api/admin/sanctions/{id}": {"delete": {
            "summary": "Lift a sanction (moderator)", "parameters": [ID],
            "security": MODERATOR,
            "responses": {"204": {"description": "Lifted"},
                          **_errors(401, 403, 404, 415, 422)}}},
        "/api/admin/undo": {"post": {
            "summary": "Undo the moderator's last decision", "security": MODERATOR,
            "requestBody": {**_body(bodies["undo"], {"site": "default"}), "required": False},
            "responses": {"200": _json(answers["comment"], "Undone"),
                          **_errors(401, 403, 404, 413, 415, 422)}}},
        "/api/admin/audit": {"get": {
            "summary": "The audit log, newest first (moderator)", "security": MODERATOR,
            "parameters": [{**SITE, "schema": STRING},
                           {"name": "action", "in": "query", "schema": STRING},
                           {"name": "before", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": _json(answers["audit"], "Entries"),
                          **_errors(401, 403, 422)}}},
    }


def _admin_threads() -> dict[str, Any]:
    answers, bodies = _admin_answers(), _admin_bodies()
    closed = {"thread": {"uri": "/a", "closed": True, "created": "2026-11-20T07:30:00Z"}}

    def toggle(summary: str, example: dict[str, Any]) -> dict[str, Any]:
        return {"post": {
            "summary": summary, "security": MODERATOR,
            "requestBody": _body(SITE_URI, SITE_URI_EXAMPLE),
            "responses": {"200": _json(answers["closed"], "Done", example=example),
                          **_errors(401, 403, 413, 415, 422)}}}

    return {
        "/api/admin/threads/close": toggle("Close a thread (moderator)", closed),
        "/api/admin/threads/open": toggle("Reopen a thread (moderator)", {"thread": {
            **closed["thread"], "closed": False}}),
        "/api/admin/threads/title": {"post": {
            "summary": "Set or correct a thread's title (moderator)", "security": MODERATOR,
            "requestBody": _body(bodies["titled"], {**SITE_URI_EXAMPLE, "title": "Un article"}),
            "responses": {"200": _json(answers["titled"], "Retitled", example={"thread": {
                **closed["thread"], "title": "Un article", "closed": False}}),
                          **_errors(401, 403, 413, 415, 422)}}},
        "/api/admin/threads/options": {"post": {
            "summary": "Pre-moderate a thread, set the message shown above it (moderator)",
            "security": MODERATOR,
            "requestBody": _body(bodies["options"], {**SITE_URI_EXAMPLE, "premoderate": True,
                                                     "message": "Débat modéré."}),
            "responses": {"200": _json(answers["options"], "Changed"),
                          **_errors(401, 403, 413, 415, 422)}}},
    }


def _self() -> dict[str, Any]:
    asset = {"name": "asset", "in": "path", "required": True, "schema": {"enum": sorted(ASSETS)}}
    return {
        "/api/openapi.json": {"get": {
            "summary": "This description", "responses": {"200": _json({"type": "object"})}}},
        "/api/docs": {"get": {
            "summary": "This description, browsable (Swagger UI, offline)",
            "responses": {"200": {"description": "HTML page", "content": {"text/html": {}}}}}},
        "/api/docs/{asset}": {"get": {
            "summary": "The files of the browsable description", "parameters": [asset],
            "responses": {"200": {"description": "A script or a style sheet", "content": {
                "text/javascript": {}, "text/css": {}}}, **_errors(404)}}},
    }


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for part in (_reads(), _writes(), _admin_session(), _admin_comments(), _admin_threads(),
                 _self()):
        for path, operations in part.items():
            paths.setdefault(path, {}).update(operations)
    return paths


@cache
def spec() -> bytes:
    return orjson.dumps({
        "openapi": "3.1.0",
        "info": {"title": "Palabre API", "version": __version__, "description": DESCRIPTION},
        "paths": _paths(),
        "components": {"schemas": SCHEMAS, "responses": RESPONSES,
                       "securitySchemes": SECURITY_SCHEMES},
    })


async def openapi_json(request: Request) -> Response:
    return Response(spec(), media_type="application/json")


# -- /api/docs: the page, its files, its policy ---------------------------------------------

APIDOCS = Path(__file__).resolve().parent.parent.parent / "static" / "apidocs"
ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
          "swagger-ui.css": "text/css; charset=utf-8",
          "palabre-docs.js": "text/javascript; charset=utf-8",
          "palabre-docs.css": "text/css; charset=utf-8"}
# Nothing inline, nothing from elsewhere: the page's own bootstrap is palabre-docs.js.
DOCS_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
               "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@cache
def asset_bytes(name: str) -> tuple[bytes, str]:
    data = (APIDOCS / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def operations_table() -> str:
    """Without JavaScript: the operations, and where the description is."""
    rows = "".join(
        f"<tr><td><code>{escape(method.upper())}</code></td><td><code>{escape(path)}</code>"
        f"</td><td>{escape(operation['summary'])}</td></tr>"
        for path, operations in _paths().items() for method, operation in operations.items())
    return ('<p>The reference needs JavaScript. The description: '
            f'<a href="/api/openapi.json">/api/openapi.json</a>.</p><table>{rows}</table>')


@cache
def docs_page() -> bytes:
    """The page: the files by digest (cached for good), no inline script or style."""
    def url(name: str) -> str:
        return f"docs/{name}?v={asset_bytes(name)[1]}"

    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Palabre API reference</title><link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{url("swagger-ui.css")}">'
        f'<link rel="stylesheet" href="{url("palabre-docs.css")}"></head><body>'
        f"<noscript>{operations_table()}</noscript>"
        '<main id="api-reference"></main>'
        f'<script src="{url("swagger-ui-bundle.js")}"></script>'
        f'<script src="{url("palabre-docs.js")}"></script></body></html>').encode()


async def docs(request: Request) -> Response:
    return Response(docs_page(), media_type="text/html; charset=utf-8", headers={
        "Content-Security-Policy": DOCS_POLICY, "Cache-Control": "no-cache",
        **SECURITY_HEADERS})


async def docs_asset(request: Request) -> Response:
    name = request.path_params["asset"]
    if name not in ASSETS:
        raise HTTPException(404)  # the envelope, as anywhere under /api/
    data, digest = asset_bytes(name)
    cache_control = ("public, max-age=31536000, immutable"
                     if request.query_params.get("v") == digest else "public, max-age=300")
    return Response(data, media_type=ASSETS[name], headers={
        "Cache-Control": cache_control, "ETag": f'"{digest}"', **SECURITY_HEADERS})


routes = [
    Route("/api/openapi.json", openapi_json, methods=["GET"]),
    Route("/api/docs", docs, methods=["GET"]),
    Route("/api/docs/{asset}", docs_asset, methods=["GET"]),
]
