"""Shared fixtures: a migrated SQLite file, a server config, the app and an in-process client.

Every test gets its own database file under ``tmp_path``; nothing is mocked. The client runs
the app's lifespan (so the ``default`` site exists) and connects from 127.0.0.1, which the
config trusts as a proxy: a test acts as another reader by sending ``X-Forwarded-For``.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy
from starlette.exceptions import StarletteDeprecationWarning

from palabre.domain.context import Context
from palabre.domain.identity import SYSTEM
from palabre.domain.sites import change_settings, ensure_site
from palabre.settings import ServerConfig, SiteSettings
from palabre.storage import migrate, open_storage
from palabre.web.app import create_app
from tests import postgres

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 package for its test client; httpx still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

T = TypeVar("T")
SECRET = "test-secret-not-for-production"
PEER = ("127.0.0.1", 50000)
START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@contextmanager
def migrated_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a migrated database: a SQLite file in ``folder``, or a fresh schema on
    the PostgreSQL server (dropped afterwards)."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'palabre.db'}"
        migrate.upgrade(url)
        yield url
        return
    with postgres.fresh_schema() as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database: every test using it runs on SQLite and on PostgreSQL."""
    with migrated_database(request.param, tmp_path) as url:
        yield url


def dump_database(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, on either backend (for tests of what is stored)."""
    engine = sqlalchemy.create_engine(migrate.sqlalchemy_url(database_url))
    try:
        tables = sqlalchemy.MetaData()
        tables.reflect(engine)
        with engine.connect() as conn:
            return {name: [tuple(row) for row in conn.execute(table.select())]
                    for name, table in tables.tables.items()}
    finally:
        engine.dispose()


@pytest.fixture
def config(database_url: str) -> ServerConfig:
    """Rate limits off (tests that check them turn them on), 127.0.0.1 trusted as a proxy,
    the moderation assistant off (tests/assist and the assistant's API tests turn it on)."""
    return ServerConfig(database_url=database_url, secret=SECRET,
                        trusted_proxies=("127.0.0.1",), post_rate_limit=0, write_rate_limit=0,
                        assist=False)


class Clock:
    """A clock tests move by hand; the app reads it through ``Context.clock``."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def run(database_url: str, work: Callable[[Context], Awaitable[T]]) -> T:
    """Run domain work on its own connection, as the CLI does, while the app keeps running."""
    async def main() -> T:
        storage = open_storage(database_url)
        try:
            return await work(Context(storage=storage, secret=SECRET))
        finally:
            await storage.close()

    return asyncio.run(main())


# Tests post the same few words again and again as one reader: the sites they make do not
# refuse a duplicate text (tests/api/test_desk_rules.py turns that rule back on), nor ask
# for a proof of work or a minimum time (tests/*/test_challenge.py turn those on).
TEST_SITE_SETTINGS = SiteSettings(duplicate_window_seconds=0, pow_difficulty=0,
                                  min_submit_seconds=0)


class Api:
    """The in-process client plus the few calls most tests make."""

    def __init__(self, client: TestClient, database_url: str, clock: Clock) -> None:
        self.client = client
        self.database_url = database_url
        self.clock = clock

    @property
    def ctx(self) -> Context:
        ctx: Context = self.client.app.state.palabre.ctx  # type: ignore[attr-defined]
        return ctx

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.request(method, url, **kwargs)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.get(url, **kwargs)
        return response

    def post(self, uri: str = "/a", text: str = "Bonjour", *, client_ip: str | None = None,
             expect: int = 201, staff: bool = False, **fields: Any) -> dict[str, Any]:
        """POST a comment as a reader (``staff``: with the client's moderator session, if
        it has one); returns the JSON answer after checking the status."""
        headers = {"X-Forwarded-For": client_ip} if client_ip else {}
        with nullcontext() if staff else self.as_reader():
            response = self.client.post("/api/v1/comments", json={"uri": uri, "text": text,
                                                                   **fields}, headers=headers)
        assert response.status_code == expect, response.text
        data: dict[str, Any] = response.json()
        return data

    @contextmanager
    def as_reader(self) -> Iterator[None]:
        """Requests made meanwhile carry no cookie (no moderator session)."""
        session, self.client.cookies = self.client.cookies, httpx.Cookies()
        try:
            yield
        finally:
            self.client.cookies = session

    def reply(self, parent: int, uri: str = "/a", text: str = "Réponse",
              **fields: Any) -> dict[str, Any]:
        comment: dict[str, Any] = self.post(uri, text, parent=parent, **fields)["comment"]
        return comment

    def comment(self, uri: str = "/a", text: str = "Bonjour", **fields: Any) -> dict[str, Any]:
        comment: dict[str, Any] = self.post(uri, text, **fields)["comment"]
        return comment

    def page(self, uri: str = "/a", **params: Any) -> dict[str, Any]:
        response = self.client.get("/api/v1/comments", params={"uri": uri, **params})
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def all_comments(self, uri: str = "/a", **params: Any) -> list[dict[str, Any]]:
        """Every comment of a thread, following the cursor over all pages."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            extra: dict[str, str] = {"cursor": cursor} if cursor else {}
            data = self.page(uri, **params, **extra)
            found += data["comments"]
            cursor = data["next_cursor"]
            if cursor is None:
                return found

    def thread(self, uri: str = "/a", **params: Any) -> dict[str, Any]:
        data: dict[str, Any] = self.page(uri, **params)["thread"]
        return data

    def delete(self, comment_id: int, token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response: httpx.Response = self.client.delete(f"/api/v1/comments/{comment_id}",
                                                      headers=headers)
        return response

    def patch(self, comment_id: int, token: str | None, text: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response: httpx.Response = self.client.patch(f"/api/v1/comments/{comment_id}",
                                                     json={"text": text}, headers=headers)
        return response

    def vote(self, comment_id: int, value: object, client_ip: str = "198.51.100.1",
             token: str | None = None) -> httpx.Response:
        headers = {"X-Forwarded-For": client_ip}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response: httpx.Response = self.client.post(f"/api/v1/comments/{comment_id}/vote",
                                                     json={"value": value}, headers=headers)
        return response

    def site_settings(self, slug: str = "default", **changes: Any) -> None:
        """Change a site's settings (creating the site if needed, with the test settings),
        as a moderator would."""
        async def change(ctx: Context) -> None:
            if await ctx.storage.get_site(slug) is None:
                await ensure_site(ctx.storage, slug, settings=TEST_SITE_SETTINGS)
            await change_settings(ctx, slug, changes, SYSTEM)

        run(self.database_url, change)

    def domain(self, work: Callable[[Context], Awaitable[T]]) -> T:
        """Domain work on a separate connection, the way the CLI reaches the database."""
        return run(self.database_url, work)


@dataclass
class AppFactory:
    config: ServerConfig
    clock: Clock
    stack: list[TestClient]

    def __call__(self, peer: tuple[str, int] = PEER, raise_server_exceptions: bool = True,
                 **overrides: Any) -> Api:
        app = create_app(replace(self.config, **overrides))
        app.state.palabre.ctx.clock = self.clock
        client = TestClient(app, client=peer, raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        self.stack.append(client)
        api = Api(client, self.config.database_url, self.clock)
        if not self.stack[:-1]:  # the first app made the default site
            api.site_settings(duplicate_window_seconds=0, pow_difficulty=0,
                              min_submit_seconds=0)
        return api


@pytest.fixture
def make_api(config: ServerConfig, clock: Clock) -> Iterator[AppFactory]:
    """Build an app with some server settings changed: ``make_api(post_rate_limit=2)``."""
    factory = AppFactory(config, clock, [])
    yield factory
    for client in reversed(factory.stack):
        client.__exit__(None, None, None)


@pytest.fixture
def api(make_api: AppFactory) -> Api:
    return make_api()
