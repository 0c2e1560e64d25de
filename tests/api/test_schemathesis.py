"""Schemathesis over the served description, against a real `palabre serve` on a fresh SQLite
file: for every operation, a fixed, bounded set of generated requests (a fixed seed, a few
examples each) gets no server error, only statuses the description lists for it, headers and
bodies that conform to it, and on every error the envelope ``{"error": {"code", "message"}}``.
Operations that take credentials get real ones: a signed-in moderator's session cookie, and
the token of a comment posted first (so the generated requests reach past the 401).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from palabre.web.admin.sessions import COOKIE
from tests.conftest import migrated_database
from tests.server.conftest import clean_env, free_port, palabre, stop

pytestmark = pytest.mark.server
EXAMPLES = 25  # at most, per operation: about 300 requests, 5 s on 2 cores


STATUSES: list[int] = []  # every status answered, to show the budget was spent


def error_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error under /api/ is the envelope, with a code and a message."""
    STATUSES.append(response.status_code)
    if response.status_code < 400:
        return None
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"], body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    return True


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, error_envelope]


PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated SQLite file with one moderator."""
    with migrated_database("sqlite", tmp_path_factory.mktemp("schemathesis")) as url:
        made = subprocess.run(palabre("admin", "moderator", "claire", "--password-stdin",
                                      "--database", url),
                              input=f"{PASSWORD}\n{PASSWORD}\n", env=clean_env(),
                              capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        yield url


@pytest.fixture(scope="module")
def base_url(database_url: str) -> Iterator[str]:
    folder = Path(database_url.removeprefix("sqlite:///")).parent
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            palabre("serve", "--host", "127.0.0.1", "--port", str(port),
                    "--database", database_url, "--post-rate-limit", "0",
                    "--write-rate-limit", "0"),
            stdout=output, stderr=subprocess.STDOUT, env=clean_env(), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not answer /healthz in 20 s"
            time.sleep(0.1)
        yield url
    finally:
        stop(process)
        errors = [line for line in log.read_text(errors="replace").splitlines()
                  if "Traceback" in line or "unexpected error" in line]
        assert errors == [], log.read_text(errors="replace")


def credentials(base_url: str) -> dict[str, dict[str, str]]:
    """Headers by kind of credential: a moderator's session, a comment's author token."""
    login = httpx.post(f"{base_url}/api/admin/login",
                       json={"username": "claire", "password": PASSWORD})
    assert login.status_code == 200, login.text
    posted = httpx.post(f"{base_url}/api/v1/comments", json={"uri": "/a", "text": "Bonjour"})
    assert posted.status_code == 201, posted.text
    return {"moderatorSession": {"Cookie": f"{COOKIE}={login.cookies[COOKIE]}"},
            "authorToken": {"Authorization": f"Bearer {posted.json()['token']}"}}


def headers_for(operation: Any, known: dict[str, dict[str, str]]) -> dict[str, str]:
    """The credentials an operation takes (its first option); none to sign out, which
    would end the session for the operations after it."""
    options = operation.definition.raw.get("security") or [{}]
    if operation.label == "POST /api/admin/logout":
        return {}
    return {k: v for name in options[0] for k, v in known[name].items()}


def exercise(operation: Any, headers: dict[str, str]) -> None:
    """The fixed budget of generated requests for one operation, each checked."""
    @given(operation.as_strategy())
    @seed(20261202)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_the_api_keeps_its_description(base_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json")
    known = credentials(base_url)
    failures: dict[str, str] = {}
    labels = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the description has an invalid operation: {result}"
        operation = result.ok()
        labels.append(operation.label)
        try:
            exercise(operation, headers_for(operation, known))
        except Exception as exc:
            failures[operation.label] = str(exc)
    assert failures == {}, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    described = httpx.get(f"{base_url}/api/openapi.json").json()["paths"]
    # Every operation but the one the description is loaded from.
    assert sorted(labels) == sorted(f"{method.upper()} {path}" for path, methods in
                                    described.items() for method in methods
                                    if path != "/api/openapi.json")
    assert len(STATUSES) >= 3 * len(labels) and {200, 204, 404, 422} <= set(STATUSES)
