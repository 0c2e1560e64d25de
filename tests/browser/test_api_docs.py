"""/api/docs in a real Chromium: Swagger UI renders every operation of the description from
the server's own files, under the page's strict policy (a violation is a console error), and
nothing is asked of any host but the server."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Request

from tests.browser.conftest import ROOT, Server

pytestmark = pytest.mark.browser


def test_the_reference_renders_every_operation_offline(browser: Browser,
                                                       server: Server) -> None:
    spec = httpx.get(f"{server.base}/api/openapi.json").json()
    operations = {(method.upper(), path) for path, ops in spec["paths"].items()
                  for method in ops}
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    console: list[str] = []
    errors: list[str] = []
    hosts: set[str] = set()
    failed: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            console.append(f"{message.type}: {message.text}")

    def on_request(request: Request) -> None:
        hosts.add(urlsplit(request.url).hostname or request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", on_request)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    try:
        page.goto(f"{server.base}/api/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=15000)
        shown = page.eval_on_selector_all(
            ".opblock", """blocks => blocks.map(b => [
                b.querySelector('.opblock-summary-method').textContent.trim(),
                b.querySelector('.opblock-summary-path').getAttribute('data-path')])""")
        title = page.text_content(".info .title") or ""
        page.click(".opblock-post .opblock-summary-control >> nth=0")
        page.wait_for_selector(".opblock.is-open .responses-table")
    finally:
        context.close()
    assert {(method, path) for method, path in shown} == operations
    assert "Palabre API" in title
    assert errors == [], errors
    assert failed == [], failed
    assert console == [], console
    assert hosts == {"127.0.0.1"}, hosts


def test_shipped_reference_files_match_the_pinned_package() -> None:
    """palabre/static/apidocs/ is exactly what apidocs/ copies from swagger-ui-dist (install
    scripts off: the package's analytics dependency never runs)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot fetch swagger-ui-dist")
    for command in ([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                    [npm, "run", "--silent", "check"]):
        done = subprocess.run(command, cwd=ROOT / "apidocs", capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
