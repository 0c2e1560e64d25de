"""``palabre admin alerts``: a moderator's alert address, set from the command line."""

from __future__ import annotations

import asyncio
import io

import pytest

from palabre.storage import open_storage
from tests.cli.test_cli import clean_environment, run

__all__ = ["clean_environment"]


def address(database_url: str, username: str) -> tuple[str, str]:
    async def read() -> tuple[str, str]:
        storage = open_storage(database_url)
        try:
            found = await storage.get_moderator(username)
            assert found is not None
            return await storage.moderator_address(found.id)
        finally:
            await storage.close()

    return asyncio.run(read())


def test_an_admin_sets_and_clears_a_moderators_alert_address(
        capsys: pytest.CaptureFixture[str], database_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = ("--database", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("un mot de passe\n"))
    assert run(capsys, "admin", "moderator", "paul", "--password-stdin", *db)[0] == 0
    code, out, _ = run(capsys, "admin", "alerts", "paul", "Paul@Example.org", "--lang", "fr",
                       *db)
    assert code == 0 and "paul: alerts to Paul@Example.org" in out
    assert address(database_url, "paul") == ("Paul@Example.org", "fr")
    code, out, _ = run(capsys, "admin", "alerts", "paul", "", *db)
    assert code == 0 and "paul: alerts off" in out
    assert address(database_url, "paul") == ("", "en")
    code, _, err = run(capsys, "admin", "alerts", "paul", "not an address", *db)
    assert code != 0 and err
    code, _, err = run(capsys, "admin", "alerts", "nobody", "n@example.org", *db)
    assert code != 0 and "no such moderator" in err
