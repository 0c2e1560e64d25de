"""A real `palabre serve --workers 2` on a free loopback port, for the tests of this folder."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from palabre.domain.context import Context
from palabre.domain.models import Site
from palabre.domain.sites import ensure_site
from palabre.storage import migrate
from tests.conftest import TEST_SITE_SETTINGS, run


@dataclass
class Server:
    url: str
    database_url: str
    log: Path

    client: httpx.Client

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.post(path, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env() -> dict[str, str]:
    """The environment without the developer's own PALABRE_* settings, and with the
    moderation assistant off (it would train its starter model in a child process a few
    seconds after start-up: tests/server/test_assist.py turns it on)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PALABRE_")}
    return {**env, "PALABRE_ASSIST": "false"}


def palabre(*argv: str) -> list[str]:
    return [sys.executable, "-m", "palabre.cli.main", *argv]


def make_test_site(database_url: str) -> None:
    """Migrate, and make the default site with the settings tests post under (no proof of
    work, no minimum time, duplicates allowed: tests/conftest.py) before a server starts,
    which would otherwise make it with the defaults."""
    migrate.upgrade(database_url)

    async def make(ctx: Context) -> Site:
        return await ensure_site(ctx.storage, settings=TEST_SITE_SETTINGS)

    run(database_url, make)


@contextmanager
def serving(log: Path, *options: str, env: dict[str, str] | None = None,
            port: int | None = None) -> Iterator[str]:
    """A `palabre serve` on a loopback port (a free one unless given) with these options;
    yields its base URL once /healthz answers, and stops it (and its workers) after."""
    port = port or free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            palabre("serve", "--host", "127.0.0.1", "--port", str(port), *options),
            stdout=output, stderr=subprocess.STDOUT, env=env or clean_env(),
            start_new_session=True)
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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    database_url = f"sqlite:///{folder / 'palabre.db'}"
    make_test_site(database_url)
    log = folder / "server.log"
    options = ("--workers", "2", "--database", database_url, "--post-rate-limit", "0",
               "--trusted-proxies", "127.0.0.1")
    # No keep-alive: every request opens a new connection, which either worker may take.
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    with serving(log, *options) as url, \
            httpx.Client(base_url=url, timeout=10, limits=no_reuse) as client:
        yield Server(url, database_url, log, client)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and its workers: the whole process group it leads."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any worker left behind


