"""Fixtures for the widget's tests in a real browser.

One `palabre serve --demo` process and one headless Chromium serve all the browser tests. Host
pages are plain files served from another port, so the widget runs cross-origin as it does
on real sites. Every test gets a fresh browser context that acts as its own reader: the
server trusts 127.0.0.1 as a proxy and each context sends its own `X-Forwarded-For`, so
rate limits and votes count per test, not for the whole session.
"""

from __future__ import annotations

import functools
import http.server
import ipaddress
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Playwright,
    Route,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
POST_RATE_LIMIT = 5  # comments per reader and window: a test reaches it on purpose
# Reader addresses from the benchmarking range 198.18.0.0/15, one per use.
_clients = (str(ipaddress.ip_address("198.18.0.1") + n) for n in itertools.count())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def new_client() -> str:
    """An address no other test uses: a reader of its own for the server."""
    return next(_clients)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running `palabre serve`, and ways to act on it as another reader or as an admin."""

    base: str
    database: str
    palabre: str

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [self.palabre, *args, "--database", self.database],
            capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def create_site(self, slug: str, **settings: object) -> str:
        self.cli("site", "create", slug)
        # No proof of work nor minimum time unless the test asks (as TEST_SITE_SETTINGS).
        settings = {"pow_difficulty": 0, "min_submit_seconds": 0, **settings}
        for name, value in settings.items():
            self.cli("site", "set", "--site", slug, name, str(value))
        return slug

    def post(self, uri: str, text: str, *, client: str | None = None, site: str = "default",
             **fields: Any) -> dict[str, Any]:
        """Post as another reader (its own address); returns `{"comment", "token"}`."""
        answer = httpx.post(
            f"{self.base}/api/v1/comments",
            json={"site": site, "uri": uri, "text": text, **fields},
            headers={"X-Forwarded-For": client or new_client()},
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def comments(self, uri: str, site: str = "default") -> dict[str, Any]:
        answer = httpx.get(f"{self.base}/api/v1/comments", params={"site": site, "uri": uri})
        return dict(answer.json())


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    palabre = str(Path(sys.executable).with_name("palabre"))
    if not Path(palabre).exists():
        palabre = shutil.which("palabre") or pytest.fail("the palabre command is not installed")
    folder = tmp_path_factory.mktemp("server")
    database = f"sqlite:///{folder / 'browser.db'}"
    port = free_port()
    env = {**os.environ, "PALABRE_TRUSTED_PROXIES": "127.0.0.1", "PALABRE_LOG_LEVEL": "warning",
           "PALABRE_POST_RATE_LIMIT": str(POST_RATE_LIMIT), "PALABRE_RATE_WINDOW_SECONDS": "600",
           # No model-training child competing with the browser; the assistant's test trains
           # with the CLI (tests/browser/test_widget_assist.py).
           "PALABRE_ASSIST_CHECK_SECONDS": "0"}
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [palabre, "serve", "--demo", "--host", "127.0.0.1", "--port", str(port),
         "--database", database],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/api/v1/threads", params={"uri": "/"}).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("palabre serve did not start:\n" + (folder / "server.log").read_text())
        time.sleep(0.1)
    started = Server(base, database, palabre)
    # As tests/conftest.py's TEST_SITE_SETTINGS: readers post without a proof of work or a
    # minimum time (tests/browser/test_widget_pow.py asks for them on a site of its own).
    for name in ("pow_difficulty", "min_submit_seconds"):
        started.cli("site", "set", "--site", "default", name, "0")
    yield started
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Host:
    """A static site on its own port whose pages embed the widget."""

    base: str
    folder: Path
    api: str
    names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def write_cors(self) -> dict[str, str]:
        """The CORS headers a stubbed answer to the widget's comment POST needs (it is
        sent with credentials, for a moderator's session: Palabre allows them on writes)."""
        return {"Access-Control-Allow-Origin": self.base,
                "Access-Control-Allow-Credentials": "true"}

    def page(self, body: str = "", *, uri: str | None = None, title: str = "An article",
             lang: str = "en", script: str = "", head: str = "", thread: bool = True) -> str:
        """Write a page embedding the thread of `uri` (default: the page's own path)."""
        name = f"page{next(self.names)}.html"
        attribute = f" data-palabre-uri={json.dumps(uri)}" if uri else ""
        section = f'<section id="palabre-thread"{attribute}></section>' if thread else ""
        (self.folder / name).write_text(
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{title}</title>{head}</head><body><main><h1>{title}</h1>{body}{section}"
            f'</main><script src="{self.api}/widget.js" {script} async></script></body></html>',
            encoding="utf-8",
        )
        return f"{self.base}/{name}"


@pytest.fixture(scope="package")
def host(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    folder = tmp_path_factory.mktemp("host")
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Host(f"http://127.0.0.1:{httpd.server_address[1]}", folder, server.base)
    httpd.shutdown()
    httpd.server_close()


# Package scope, not session: Playwright's sync API keeps an event loop running in this
# thread, which later asyncio.run() calls of other test packages would trip over.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Reader:
    """One reader's browser: its address, its page and what the page said."""

    client: str
    context: BrowserContext
    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", self._console)
        return page

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console.append(message.text)


def open_reader(browser: Browser, api: str, **options: Any) -> Reader:
    client = new_client()
    context = browser.new_context(viewport={"width": 1000, "height": 900}, **options)

    def as_client(route: Route) -> None:
        route.continue_(headers={**route.request.headers, "x-forwarded-for": client})

    # Added below the page, so CORS never sees it: as a reverse proxy would add it.
    context.route(f"{api}/api/**", as_client)
    context.set_default_timeout(5000)
    reader = Reader(client, context, page=None)  # type: ignore[arg-type]
    reader.page = reader.new_page()
    return reader


@pytest.fixture
def reader(browser: Browser, server: Server) -> Iterator[Reader]:
    """A fresh reader; the test fails on any uncaught script error or dialog."""
    reader = open_reader(browser, server.base)
    yield reader
    reader.context.close()
    assert reader.errors == [], reader.errors
    assert reader.dialogs == [], reader.dialogs


@pytest.fixture
def other_reader(browser: Browser, server: Server) -> Iterator[Reader]:
    reader = open_reader(browser, server.base)
    yield reader
    reader.context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("axe-core needs npm to be installed (npm ci in widget/)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT / "widget",
                       check=True, capture_output=True, timeout=300)
    return AXE.read_text(encoding="utf-8")


def wait_for_thread(page: Page) -> None:
    """Until the widget has shown its first page (the heading replaces any fragment)."""
    page.wait_for_selector("#palabre-thread .palabre-heading")
    page.wait_for_function(
        "!document.querySelector('#palabre-thread .palabre-list[aria-busy]')"
    )
