"""The OpenAPI description cannot drift from the server: the real app, driven in process
through its public calls, answers only statuses that /api/openapi.json lists for the path and
method, every JSON answer validates against the schema it declares there (component schemas
being closed, a field added to a serialiser fails), and every property the Comment, Thread
and ModeratedComment schemas declare turns up in a real answer (a field a serialiser dropped
fails too)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from palabre.domain import threads
from palabre.domain.context import Context
from palabre.domain.identity import SYSTEM
from palabre.domain.models import Moderator, Thread
from palabre.domain.moderators import save_moderator
from palabre.web.admin.sessions import COOKIE
from tests.api.spec import refs
from tests.conftest import Api, AppFactory

SPEC_URI = "urn:palabre:openapi"
JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain"}
ANY_ORIGIN = "https://any.example"
ALLOWED_ORIGIN = "https://www.journal.example"
PASSWORD = "correct horse battery"
APIDOCS = Path(__file__).resolve().parents[2] / "palabre" / "static" / "apidocs"
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def is_utc_time(value: object) -> bool:
    """``date-time`` as the contract has it: RFC 3339, UTC, whole seconds, a ``Z``."""
    if not isinstance(value, str):
        return True  # a format only constrains strings
    if UTC_TIME.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


FORMATS = FormatChecker(formats=())
FORMATS.checks("date-time")(is_utc_time)


def pointer(*parts: str) -> str:
    """A URI naming a place in the served description (RFC 6901, percent-encoded)."""
    escaped = (quote(p.replace("~", "~0").replace("/", "~1"), safe="") for p in parts)
    return f"{SPEC_URI}#/" + "/".join(escaped)


def headers(client_ip: str, token: str | None = None, **extra: str) -> dict[str, str]:
    found = {"X-Forwarded-For": client_ip, **extra}
    if token:
        found["Authorization"] = f"Bearer {token}"
    return found


class Observer:
    """Sends requests to the app and holds every answer against the served description."""

    def __init__(self, api: Api) -> None:
        self.api = api
        response = api.get("/api/openapi.json")
        assert response.status_code == 200, response.text
        self.spec: dict[str, Any] = response.json()
        self.registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, DRAFT202012.create_resource(self.spec))
        self.statuses: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.objects: dict[str, list[Any]] = defaultdict(list)

    # -- requests -------------------------------------------------------------------------

    def call(self, method: str, url: str, expect: int, **kwargs: Any) -> httpx.Response:
        response = self.api.request(method, url, **kwargs)
        assert response.status_code == expect, f"{method} {url}: {response.text}"
        self.check(response)
        return response

    def json(self, method: str, url: str, expect: int = 200, **kwargs: Any) -> Any:
        return self.call(method, url, expect, **kwargs).json()

    def error(self, method: str, url: str, expect: int, code: str, **kwargs: Any) -> None:
        assert self.json(method, url, expect, **kwargs)["error"]["code"] == code

    # -- the description --------------------------------------------------------------------

    def template(self, path: str) -> str | None:
        """The path of the description that ``path`` is, if any (literal paths first)."""
        described: list[str] = list(self.spec["paths"])
        for template in sorted(described, key=lambda t: ("{" in t, t)):
            wanted, got = template.split("/"), path.split("/")
            if len(wanted) == len(got) and all(
                    w == g or (w.startswith("{") and self.fits(template, w[1:-1], g))
                    for w, g in zip(wanted, got, strict=True)):
                return template
        return None

    def fits(self, template: str, name: str, segment: str) -> bool:
        """Whether a URL segment can be the path parameter ``name`` of ``template``."""
        for operation in self.spec["paths"][template].values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == name:
                    if parameter["schema"].get("type") == "integer":
                        return segment.isdigit()
                    return bool(segment)
        raise AssertionError(f"{template} does not declare its parameter {name}")

    def node(self, *parts: str) -> Any:
        found: Any = self.spec
        for part in parts:
            found = found[part]
        return found

    def validate(self, instance: Any, *at: str) -> None:
        validator = Draft202012Validator({"$ref": pointer(*at)}, registry=self.registry,
                                         format_checker=FORMATS)
        problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                    for e in validator.iter_errors(instance)]
        assert not problems, f"{'/'.join(at)}:\n" + "\n".join(problems)
        self.collect(self.node(*at), instance)

    def collect(self, schema: dict[str, Any], instance: Any) -> None:
        """Record each part of a valid answer that a component schema describes."""
        ref = schema.get("$ref")
        if ref is not None:
            name = ref.removeprefix("#/components/schemas/")
            self.objects[name].append(instance)
            schema = self.spec["components"]["schemas"][name]
        for part in schema.get("allOf", []):
            self.collect(part, instance)
        if isinstance(instance, dict):
            for key, value in instance.items():
                sub = schema.get("properties", {}).get(key, schema.get("additionalProperties"))
                if isinstance(sub, dict):
                    self.collect(sub, value)
        elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
            for item in instance:
                self.collect(schema["items"], item)

    # -- the checks -------------------------------------------------------------------------

    def check(self, response: httpx.Response) -> None:
        request = response.request
        method, path, status = request.method.lower(), request.url.path, response.status_code
        template = self.template(path)
        if template is None:
            assert status == 404, f"{method.upper()} {path} is not described, yet {status}"
            self.check_body(response, self.node("components", "responses", "NotFound"),
                            "components", "responses", "NotFound")
            return
        operation = self.spec["paths"][template].get(method)
        if operation is None:
            assert status == 405, f"{method.upper()} {template} is not described, yet {status}"
            self.check_body(response, self.node("components", "responses", "MethodNotAllowed"),
                            "components", "responses", "MethodNotAllowed")
            return
        if status == 500:
            self.check_body(response, self.node("components", "responses", "InternalError"),
                            "components", "responses", "InternalError")
            return
        self.statuses[(template, method)].add(status)
        declared = operation["responses"].get(str(status))
        assert declared is not None, (
            f"{method.upper()} {template} answered {status}: the description lists only "
            f"{sorted(operation['responses'])}")
        self.check_body(response, declared, "paths", template, method, "responses", str(status))
        body = operation.get("requestBody")
        if body and status < 300 and request.content and (
                request.headers.get("content-type") == "application/json"):
            # What the test sent and the server took is what the description asks for.
            self.validate(orjson.loads(request.content), "paths", template, method,
                          "requestBody", "content", "application/json", "schema")

    def check_body(self, response: httpx.Response, declared: dict[str, Any],
                   *at: str) -> None:
        for name, header in declared.get("headers", {}).items():
            if header.get("required"):
                assert name in response.headers, f"{'/'.join(at)}: no {name} header"
        content = declared.get("content")
        if content is None:
            assert response.content == b"", f"{'/'.join(at)} declares no body"
            return
        media_type = response.headers["content-type"].split(";")[0].strip()
        assert media_type in content, f"{'/'.join(at)}: {media_type} is not declared"
        if media_type == "application/json":
            self.validate(response.json(), *at, "content", media_type, "schema")

    def assert_covered(self, name: str, *, any_of: tuple[str, ...] = ()) -> None:
        """Every property of a component schema was in some answer: with each of its enum
        values (any one of them, for the properties ``any_of`` names), and both null and not
        null when it may be null."""
        seen = self.objects[name]
        assert seen, f"no answer held a {name}"
        for prop, schema in self.spec["components"]["schemas"][name]["properties"].items():
            values = [item[prop] for item in seen if prop in item]
            assert values, f"{name}.{prop} is declared, yet no answer carried it"
            if "null" in schema.get("type", []):
                assert None in values, f"{name}.{prop} was never null"
                assert any(v is not None for v in values), f"{name}.{prop} was always null"
            for option in schema.get("enum", []) if prop not in any_of else []:
                assert option in values, f"{name}.{prop} was never {option!r}"


def close(ctx: Context) -> Any:
    return threads.set_closed(ctx, "default", "/closed", True, SYSTEM)


def close_later(ctx: Context) -> Any:
    return threads.set_closed(ctx, "default", "/later", True, SYSTEM)


def test_the_description_is_sound(api: Api) -> None:
    seen = Observer(api)
    for name, schema in seen.spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        if schema.get("additionalProperties") is False:
            assert set(schema["required"]) == set(schema["properties"]), name
    for operations in seen.spec["paths"].values():
        for operation in operations.values():
            bodies = [operation.get("requestBody", {}),
                      *operation["responses"].values()]
            for body in bodies:
                for media in body.get("content", {}).values():
                    if "schema" in media:
                        Draft202012Validator.check_schema(media["schema"])
    resolver = seen.registry.resolver(SPEC_URI)
    for ref in refs(seen.spec):
        assert resolver.lookup(SPEC_URI + ref).contents, ref


def examples(spec: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Where each example of a JSON body is, and the example."""
    def within(at: tuple[str, ...], node: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], Any]]:
        media = node.get("content", {}).get("application/json", {})
        if "example" in media:
            yield (*at, "content", "application/json", "schema"), media["example"]

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            at = ("paths", path, method)
            yield from within((*at, "requestBody"), operation.get("requestBody", {}))
            for status, answer in operation["responses"].items():
                yield from within((*at, "responses", status), answer)
    for name, answer in spec["components"]["responses"].items():
        yield from within(("components", "responses", name), answer)


def test_every_example_is_a_valid_body(api: Api) -> None:
    seen = Observer(api)
    found = list(examples(seen.spec))
    for at, example in found:
        seen.validate(example, *at)
    bodies = {at[1:3] for at, _ in found if at[3] == "requestBody"}
    assert bodies == {(path, method) for path, operations in seen.spec["paths"].items()
                      for method, operation in operations.items() if "requestBody" in operation}
    assert seen.node("paths", "/api/v1/comments", "get", "responses", "200", "content",
                     "application/json", "example")["comments"][0]["id"] == 17  # the contract's


def test_operations_name_the_credentials_they_take(api: Api) -> None:
    spec = Observer(api).spec
    schemes = spec["components"]["securitySchemes"]
    assert schemes["authorToken"] == {**schemes["authorToken"], "type": "http",
                                      "scheme": "bearer"}
    assert schemes["moderatorSession"] == {**schemes["moderatorSession"], "type": "apiKey",
                                           "in": "cookie", "name": COOKIE}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            named = [name for option in operation.get("security", []) for name in option]
            assert set(named) <= set(schemes), (path, method)
            if path.startswith("/api/admin/") and path not in ("/api/admin/login",
                                                              "/api/admin/logout"):
                assert operation["security"] == [{"moderatorSession": []}], path
            if "401" in operation["responses"] and path != "/api/admin/login":
                assert named, f"{method} {path} answers 401 yet takes no credentials"
    for method in ("patch", "delete"):
        assert spec["paths"]["/api/v1/comments/{id}"][method]["security"] == [
            {"authorToken": []}, {"moderatorSession": []}]


def test_the_reference_page_and_its_files(api: Api) -> None:
    """/api/docs: no inline script, nothing from elsewhere, every file it names served."""
    seen = Observer(api)
    page = seen.call("GET", "/api/docs", 200)
    policy = page.headers["content-security-policy"]
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"
    assert "unsafe" not in policy and "http" not in policy
    html = page.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(body == "" and "src=" in attrs for attrs, body in scripts)
    assert "<style" not in html and " style=" not in html
    files = re.findall(r'(?:src|href)="(docs/[^"]+)"', html)
    assert {f.split("?")[0] for f in files} == {
        "docs/swagger-ui-bundle.js", "docs/swagger-ui.css", "docs/palabre-docs.js",
        "docs/palabre-docs.css"}
    for file in files:
        name, _, version = file.removeprefix("docs/").partition("?v=")
        answer = seen.call("GET", f"/api/docs/{name}", 200, params={"v": version})
        assert answer.content == (APIDOCS / name).read_bytes()
        assert "immutable" in answer.headers["cache-control"]
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        assert answer.headers["content-type"].startswith(kind)
        assert answer.headers["x-content-type-options"] == "nosniff"
    bootstrap = (APIDOCS / "palabre-docs.js").read_text()
    assert "validatorUrl: null" in bootstrap and "openapi.json" in bootstrap
    seen.error("GET", "/api/docs/LICENSE", 404, "not_found")
    seen.error("GET", "/api/docs/..%2Fwidget.js", 404, "not_found")
    assert "Apache License" in (APIDOCS / "LICENSE").read_text()  # shipped with the files


def test_the_description_lists_exactly_the_api_routes(api: Api) -> None:
    seen = Observer(api)
    app: Any = api.client.app
    routes: dict[str, set[str]] = defaultdict(set)
    for route in app.routes:
        if route.path.startswith("/api/"):
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
            routes[path] |= {m.lower() for m in route.methods or ()} - {"head"}
    assert routes == {path: set(ops) for path, ops in seen.spec["paths"].items()}


def test_public_answers_match_the_description(api: Api) -> None:
    seen = Observer(api)
    never = seen.json("GET", "/api/v1/comments", params={"uri": "/a"})
    assert never["comments"] == [] and never["thread"]["created"] is None
    assert seen.json("GET", "/api/v1/threads", params={"uri": "/a"})["created"] is None

    posted = seen.json("POST", "/api/v1/comments", 201, headers=headers("192.0.2.1"), json={
        "site": "default", "uri": "/a", "parent": None, "text": "*Bonjour*",
        "author": "Jeanne", "email": "jeanne@example.org", "website": "https://example.org",
        "title": "Un article", "notify": False})
    first, token = posted["comment"]["id"], posted["token"]
    reply = seen.json("POST", "/api/v1/comments", 201, headers=headers("192.0.2.2"),
                      json={"uri": "/a", "text": "Réponse", "parent": first})["comment"]
    assert reply["parent"] == first
    seen.call("POST", "/api/v1/comments", 201, headers=headers("192.0.2.3"),
              json={"uri": "/a", "text": "Deuxième"})

    listed = seen.call("GET", "/api/v1/comments", 200, params={"uri": "/a"})
    assert len(listed.json()["comments"]) == 3
    seen.call("GET", "/api/v1/comments", 200, params={"uri": "/a"})  # from the cache
    seen.call("GET", "/api/v1/comments", 304, params={"uri": "/a"},
              headers={"If-None-Match": listed.headers["etag"]})
    paged = seen.json("GET", "/api/v1/comments", params={"uri": "/a", "limit": 1,
                                                         "sort": "newest"})
    assert isinstance(paged["next_cursor"], str)
    seen.call("GET", "/api/v1/comments", 200,
              params={"uri": "/a", "limit": 1, "sort": "newest",
                      "cursor": paged["next_cursor"]})
    assert seen.json("GET", "/api/v1/threads", params={"uri": "/a"})["count"] == 3

    counts = seen.call("GET", "/api/v1/counts", 200, params={"uri": ["/a", "/b"]})
    assert counts.json() == {"counts": {"/a": 3, "/b": 0}}
    seen.call("GET", "/api/v1/counts", 304, params={"uri": ["/a", "/b"]},
              headers={"If-None-Match": counts.headers["etag"]})

    edited = seen.json("PATCH", f"/api/v1/comments/{first}", headers=headers("192.0.2.1", token),
                       json={"text": "Modifié"})
    assert edited["comment"]["edited"] is not None
    votes = seen.json("POST", f"/api/v1/comments/{first}/vote",
                      headers=headers("198.51.100.1"), json={"value": 1})
    assert votes == {"likes": 1, "dislikes": 0}
    seen.call("POST", f"/api/v1/comments/{reply['id']}/report", 204,
              headers=headers("198.51.100.2"), json={"reason": "off_topic", "note": "Hors"})
    seen.call("POST", "/api/v1/comments", 201, headers=headers("192.0.2.5"),
              json={"uri": "/c", "text": "Sûr de moi", "confirm": True})
    picks = seen.json("GET", "/api/v1/comments", params={"uri": "/a", "featured": "only"})
    assert picks["comments"] == [] and picks["thread"]["featured"] == 0

    api.site_settings("revue", moderation="all")
    held = seen.json("POST", "/api/v1/comments", 201, headers=headers("192.0.2.4"),
                     json={"site": "revue", "uri": "/a", "text": "À relire"})
    assert held["comment"]["status"] == "pending"

    # The first comment goes, its approved reply keeps a placeholder in its place.
    seen.call("DELETE", f"/api/v1/comments/{first}", 204, headers=headers("192.0.2.1", token))
    after = seen.json("GET", "/api/v1/comments", params={"uri": "/a"})["comments"]
    assert [c["status"] for c in after] == ["deleted", "approved", "approved"]

    seen.call("GET", "/api/v1/feed.atom", 200, params={"uri": "/a"})
    seen.call("GET", "/api/v1/feed.atom", 200)
    seen.call("GET", "/api/openapi.json", 200)
    seen.call("GET", "/api/docs", 200)
    seen.assert_covered("Comment")
    seen.assert_covered("Thread")


def test_error_answers_match_the_description(make_api: AppFactory) -> None:
    api = make_api(post_rate_limit=2, write_rate_limit=2, max_body_bytes=2048)
    seen = Observer(api)
    api.domain(close)
    api.site_settings("gardee", allowed_origins=[ALLOWED_ORIGIN])
    later = seen.json("POST", "/api/v1/comments", 201, headers=headers("192.0.2.11"),
                      json={"uri": "/later", "text": "Avant la fermeture"})["comment"]["id"]
    api.domain(close_later)
    mine = seen.json("POST", "/api/v1/comments", 201, headers=headers("192.0.2.1"),
                     json={"uri": "/a", "text": "Bonjour"})
    other = seen.json("POST", "/api/v1/comments", 201, headers=headers("192.0.2.2"),
                      json={"uri": "/a", "text": "Salut"})
    guarded = seen.json("POST", "/api/v1/comments", 201, headers=headers("192.0.2.5"),
                        json={"site": "gardee", "uri": "/a", "text": "Sans origine"})
    one, two, three = (p["comment"]["id"] for p in (mine, other, guarded))
    token, other_token, guarded_token = (p["token"] for p in (mine, other, guarded))
    big = "x" * 5000

    # 422 invalid_input
    seen.error("POST", "/api/v1/comments", 422, "invalid_input", headers=headers("192.0.2.9"),
               json={"uri": "/a", "text": " "})
    seen.error("POST", "/api/v1/comments", 422, "invalid_input",
               content=b'{"uri": "/a", ', headers={**JSON, "X-Forwarded-For": "192.0.2.9"})
    seen.error("GET", "/api/v1/comments", 422, "invalid_input", params={"uri": "/a",
                                                                         "site": "nope"})
    seen.error("GET", "/api/v1/comments", 422, "invalid_input", params={"uri": "/a",
                                                                         "limit": 0})
    seen.error("GET", "/api/v1/threads", 422, "invalid_input")
    seen.error("GET", "/api/v1/counts", 422, "invalid_input")
    seen.error("GET", "/api/v1/feed.atom", 422, "invalid_input", params={"site": "nope"})
    seen.error("PATCH", f"/api/v1/comments/{one}", 422, "invalid_input",
               headers=headers("192.0.2.9", token), json={"text": ""})
    seen.error("DELETE", f"/api/v1/comments/{one}", 422, "invalid_input", content=b"[",
               headers={**headers("192.0.2.9", token), **JSON})
    seen.error("POST", f"/api/v1/comments/{one}/vote", 422, "invalid_input",
               headers=headers("198.51.100.9"), json={"value": 5})
    seen.error("POST", f"/api/v1/comments/{one}/report", 422, "invalid_input",
               headers=headers("198.51.100.9"), json={"reason": "boring"})

    # 404 not_found, on described paths and elsewhere under /api/
    seen.error("PATCH", "/api/v1/comments/999999", 404, "not_found",
               headers=headers("192.0.2.9", token), json={"text": "x"})
    seen.error("DELETE", "/api/v1/comments/999999", 404, "not_found",
               headers=headers("192.0.2.9", token))
    seen.error("POST", "/api/v1/comments/999999/vote", 404, "not_found",
               headers=headers("198.51.100.9"), json={"value": 1})
    seen.error("POST", "/api/v1/comments/999999/report", 404, "not_found",
               headers=headers("198.51.100.9"), json={"reason": "spam"})
    seen.error("GET", "/api/v1/nothing-here", 404, "not_found")
    seen.error("GET", "/api/v1/comments/abc", 404, "not_found")

    # 401 unauthorized and 403: closed thread, someone else's token, one's own comment,
    # a refused origin, the edit window (last: it moves the clock)
    seen.error("PATCH", f"/api/v1/comments/{one}", 401, "unauthorized", json={"text": "x"})
    seen.error("DELETE", f"/api/v1/comments/{one}", 401, "unauthorized")
    seen.error("POST", "/api/v1/comments", 403, "thread_closed", headers=headers("192.0.2.3"),
               json={"uri": "/closed", "text": "x"})
    seen.error("POST", f"/api/v1/comments/{later}/vote", 403, "thread_closed",
               headers=headers("198.51.100.3"), json={"value": 1})
    seen.error("POST", f"/api/v1/comments/{later}/report", 403, "thread_closed",
               headers=headers("198.51.100.3"), json={"reason": "spam"})
    seen.error("PATCH", f"/api/v1/comments/{one}", 403, "forbidden",
               headers=headers("192.0.2.9", other_token), json={"text": "x"})
    seen.error("DELETE", f"/api/v1/comments/{one}", 403, "forbidden",
               headers=headers("192.0.2.9", other_token))
    seen.error("POST", f"/api/v1/comments/{one}/vote", 403, "forbidden",
               headers=headers("192.0.2.1"), json={"value": 1})
    refused = {"Origin": ANY_ORIGIN}
    seen.error("POST", "/api/v1/comments", 403, "forbidden",
               headers=headers("192.0.2.6", **refused),
               json={"site": "gardee", "uri": "/a", "text": "x"})
    seen.error("PATCH", f"/api/v1/comments/{three}", 403, "forbidden",
               headers=headers("192.0.2.6", guarded_token, **refused), json={"text": "x"})
    seen.error("DELETE", f"/api/v1/comments/{three}", 403, "forbidden",
               headers=headers("192.0.2.6", guarded_token, **refused))
    seen.error("POST", f"/api/v1/comments/{three}/vote", 403, "forbidden",
               headers=headers("198.51.100.6", **refused), json={"value": 1})
    seen.error("POST", f"/api/v1/comments/{three}/report", 403, "forbidden",
               headers=headers("198.51.100.6", **refused), json={"reason": "spam"})

    # 415 unsupported_media_type on every write, 413 payload_too_large
    for method, url in [("POST", "/api/v1/comments"), ("PATCH", f"/api/v1/comments/{one}"),
                        ("DELETE", f"/api/v1/comments/{one}"),
                        ("POST", f"/api/v1/comments/{one}/vote"),
                        ("POST", f"/api/v1/comments/{one}/report")]:
        seen.error(method, url, 415, "unsupported_media_type",
                   content=b'{"uri": "/a", "text": "x", "value": 1, "reason": "spam"}',
                   headers={**headers("192.0.2.9", token), **TEXT})
        seen.error(method, url, 413, "payload_too_large",
                   content=orjson.dumps({"uri": "/a", "text": big, "value": 1,
                                         "reason": "spam"}),
                   headers={**headers("192.0.2.9", token), **JSON})

    # 429 rate_limited, with the Retry-After header the description requires
    for n in range(2):
        seen.call("POST", "/api/v1/comments", 201, headers=headers("192.0.2.7"),
                  json={"uri": "/b", "text": f"Encore {n}"})
    seen.error("POST", "/api/v1/comments", 429, "rate_limited", headers=headers("192.0.2.7"),
               json={"uri": "/b", "text": "Une de trop"})
    for n in range(2):
        seen.call("PATCH", f"/api/v1/comments/{one}", 200,
                  headers=headers("192.0.2.8", token), json={"text": f"Version {n}"})
    seen.error("PATCH", f"/api/v1/comments/{one}", 429, "rate_limited",
               headers=headers("192.0.2.8", token), json={"text": "Version 3"})
    seen.error("DELETE", f"/api/v1/comments/{one}", 429, "rate_limited",
               headers=headers("192.0.2.8", token))
    seen.error("POST", f"/api/v1/comments/{two}/report", 429, "rate_limited",
               headers=headers("192.0.2.8"), json={"reason": "spam"})
    for value in (1, -1):
        seen.call("POST", f"/api/v1/comments/{two}/vote", 200,
                  headers=headers("198.51.100.8"), json={"value": value})
    seen.error("POST", f"/api/v1/comments/{two}/vote", 429, "rate_limited",
               headers=headers("198.51.100.8"), json={"value": 0})

    # 405 on described paths asked with a method they do not describe
    for method, url in [("PUT", "/api/v1/comments"), ("GET", f"/api/v1/comments/{one}"),
                        ("POST", "/api/v1/counts"), ("DELETE", "/api/v1/threads")]:
        seen.error(method, url, 405, "method_not_allowed")

    api.clock.advance(hours=1)
    seen.error("PATCH", f"/api/v1/comments/{two}", 403, "edit_window_expired",
               headers=headers("192.0.2.10", other_token), json={"text": "Trop tard"})
    seen.error("DELETE", f"/api/v1/comments/{two}", 403, "edit_window_expired",
               headers=headers("192.0.2.10", other_token))

    observed = {(t, m): sorted(s) for (t, m), s in seen.statuses.items()}
    assert observed[("/api/v1/comments/{id}", "patch")] == [200, 401, 403, 404, 413, 415,
                                                            422, 429]
    assert observed[("/api/v1/comments/{id}", "delete")] == [401, 403, 404, 413, 415, 422,
                                                             429]
    assert observed[("/api/v1/comments/{id}/vote", "post")] == [200, 403, 404, 413, 415,
                                                                422, 429]
    assert observed[("/api/v1/comments", "post")] == [201, 403, 413, 415, 422, 429]
    assert observed[("/api/v1/comments/{id}/report", "post")] == [403, 404, 413, 415, 422,
                                                                  429]


def test_an_unexpected_failure_matches_the_description(make_api: AppFactory,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    api = make_api(raise_server_exceptions=False)
    seen = Observer(api)

    async def broken(*args: object, **kwargs: object) -> Thread | None:
        raise RuntimeError("the database fails in a way nothing expects")

    monkeypatch.setattr(api.ctx.storage, "get_thread", broken)
    seen.error("GET", "/api/v1/threads", 500, "internal_error", params={"uri": "/a"})


def add_moderator(ctx: Context) -> Any:
    return save_moderator(ctx, "claire", PASSWORD)


def test_moderator_answers_match_the_description(api: Api) -> None:
    seen = Observer(api)
    moderator: Moderator = api.domain(add_moderator)
    assert moderator.username == "claire"
    login = {"username": "claire", "password": PASSWORD}
    seen.error("GET", "/api/admin/me", 401, "unauthorized")
    seen.error("POST", "/api/admin/login", 401, "unauthorized",
               json={**login, "password": "wrong"})
    seen.error("POST", "/api/admin/login", 415, "unsupported_media_type",
               content=orjson.dumps(login), headers=TEXT)
    seen.error("POST", "/api/admin/login", 422, "invalid_input", content=b"{", headers=JSON)
    seen.error("POST", "/api/admin/login", 413, "payload_too_large",
               json={**login, "pad": "x" * 200_000})
    assert seen.json("POST", "/api/admin/login", json=login) == {
        "moderator": {"username": "claire"}}
    seen.call("GET", "/api/admin/me", 200)

    api.site_settings(moderation="all")

    def post(text: str, **fields: object) -> int:
        with api.as_reader():  # a moderator's own comment would be published as staff
            answer = seen.json("POST", "/api/v1/comments", 201, headers=headers("192.0.2.1"),
                               json={"uri": "/a", "text": text, **fields})
        assert answer["comment"]["status"] == "pending"
        comment_id: int = answer["comment"]["id"]
        return comment_id

    def act(comment_id: int, action: str, expect: int = 200, **kwargs: Any) -> Any:
        return seen.json("POST", f"/api/admin/comments/{comment_id}/{action}", expect,
                         **{"headers": JSON, **kwargs})

    first = post("Premier", email="jeanne@example.org")
    assert act(first, "approve")["comment"]["status"] == "approved"
    reply, spam, rejected = post("Réponse", parent=first), post("Achetez"), post("Hors sujet")
    seen.call("PATCH", f"/api/v1/comments/{reply}", 200, json={"text": "Réponse corrigée"})
    queue = seen.json("GET", "/api/admin/queue")["comments"]
    assert [c["id"] for c in queue] == [reply, spam, rejected]
    assert act(reply, "approve")["comment"]["status"] == "approved"
    assert act(spam, "spam")["comment"]["status"] == "spam"
    assert act(rejected, "reject", json={"reason": "off_topic"})["comment"][
        "status"] == "rejected"
    undone = seen.json("POST", "/api/admin/undo", json={})["comment"]
    assert undone["id"] == rejected and undone["status"] == "pending"
    assert act(rejected, "reject")["comment"]["status"] == "rejected"
    assert act(first, "reject")["comment"]["status"] == "deleted"  # its reply stays
    act(999999, "approve", 404)
    act(reply, "promote", 422)
    act(reply, "approve", 415, headers=TEXT)
    seen.error("GET", "/api/admin/queue", 422, "invalid_input", params={"site": "nope"})

    for action, closed in (("close", True), ("open", False)):
        answer = seen.json("POST", f"/api/admin/threads/{action}", json={"uri": "/a"})
        assert answer["thread"]["closed"] is closed
        seen.error("POST", f"/api/admin/threads/{action}", 422, "invalid_input",
                   json={"uri": ""})
        seen.error("POST", f"/api/admin/threads/{action}", 415, "unsupported_media_type",
                   content=b'{"uri": "/a"}', headers=TEXT)
        seen.error("POST", f"/api/admin/threads/{action}", 413, "payload_too_large",
                   json={"uri": "/a", "pad": "x" * 200_000})

    seen.call("POST", "/api/admin/logout", 204)
    seen.error("GET", "/api/admin/me", 401, "unauthorized")
    seen.error("GET", "/api/admin/queue", 401, "unauthorized")
    seen.error("POST", f"/api/admin/comments/{reply}/approve", 401, "unauthorized",
               headers=JSON)
    seen.error("POST", "/api/admin/threads/close", 401, "unauthorized", json={"uri": "/a"})
    seen.assert_covered("ModeratedComment")


def test_the_moderation_desk_answers_match_the_description(api: Api) -> None:
    """Featuring, reports and the reported queue, sanctions, undo, the audit log, thread
    options and moderators' access, as the admin UI calls them."""
    seen = Observer(api)
    api.domain(add_moderator)
    seen.call("POST", "/api/admin/login", 200,
              json={"username": "claire", "password": PASSWORD})
    options = seen.json("POST", "/api/admin/threads/options",
                        json={"uri": "/b", "premoderate": True, "message": "Débat *vif*"})
    assert options["thread"]["premoderate"] is True

    def post(n: int, uri: str, **fields: Any) -> int:
        with api.as_reader():
            answer = seen.json("POST", "/api/v1/comments", 201, headers=headers(f"192.0.2.{n}"),
                               json={"uri": uri, "email": f"r{n}@example.org", **fields})
        comment_id: int = answer["comment"]["id"]
        return comment_id

    picked = post(1, "/a", text="Remarquable")
    reported = post(2, "/a", text="Insultant", parent=picked)
    held = post(3, "/b", text="Attendu")
    staff = seen.json("POST", "/api/v1/comments", 201, json={"uri": "/a", "text": "Merci"})
    assert staff["comment"]["staff"] is True

    def act(comment_id: int, action: str, **kwargs: Any) -> Any:
        return seen.json("POST", f"/api/admin/comments/{comment_id}/{action}", 200,
                         **{"headers": JSON, **kwargs})["comment"]

    assert act(picked, "feature")["featured"] is True
    picks = seen.json("GET", "/api/v1/comments", params={"uri": "/a", "featured": "only"})
    assert [c["id"] for c in picks["comments"]] == [picked]
    assert picks["thread"]["featured"] == 1
    with api.as_reader():
        for n in range(3):
            seen.call("POST", f"/api/v1/comments/{reported}/report", 204,
                      headers=headers(f"198.51.100.{n + 1}"), json={"reason": "abusive"})
    seen.call("PATCH", f"/api/v1/comments/{held}", 200, json={"text": "Attendu, corrigé"})
    cards = {c["id"]: c for c in seen.json("GET", "/api/admin/queue")["comments"]}
    assert sorted(cards) == [reported, held] and cards[reported]["held"] == ["reports"]
    assert len(cards[reported]["reports"]) == 3 and cards[reported]["answers"]["id"] == picked

    made = [seen.json("POST", f"/api/admin/comments/{reported}/sanction", 201,
                      json=body)["sanctions"]
            for body in ({"kind": "ban", "reason": "insultes"},
                         {"kind": "suspend", "hours": 24}, {"kind": "premoderate"})]
    listed = seen.json("GET", "/api/admin/sanctions")["sanctions"]
    assert [s["action"] for s in listed] == ["premoderate"] * len(made[-1])  # the last one
    for sanction in listed:
        seen.call("DELETE", f"/api/admin/sanctions/{sanction['id']}", 204, headers=JSON)
    seen.call("GET", "/api/admin/queue", 200, params={"kind": "reported", "page": 1})
    assert act(reported, "reject", json={"reason": "abusive"})["status"] == "rejected"
    assert seen.json("POST", "/api/admin/undo", json={})["comment"]["id"] == reported
    assert act(picked, "unfeature")["featured"] is False
    assert seen.json("GET", "/api/admin/audit")["entries"]

    thread = seen.json("GET", "/api/v1/threads", params={"uri": "/b"})
    assert "<em>vif</em>" in thread["message"]
    options = seen.json("POST", "/api/admin/threads/options",
                        json={"uri": "/b", "premoderate": False})
    assert options["thread"]["premoderate"] is False
    assert [m["username"] for m in seen.json("GET", "/api/admin/moderators")["moderators"]] \
        == ["claire"]
    changed = seen.json("POST", "/api/admin/moderators/claire",
                        json={"role": "admin", "sites": [], "disabled": False})
    assert changed["moderator"]["role"] == "admin"
    for kind in ("recent", "rejected", "spam"):
        seen.call("GET", "/api/admin/queue", 200, params={"kind": kind})
    seen.assert_covered("QueueCard", any_of=("status",))  # each status: ModeratedComment
    seen.assert_covered("Sanction")
