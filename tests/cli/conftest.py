"""The CLI tests run on SQLite: they check files beside the database (the secret) too."""

from __future__ import annotations

from pathlib import Path

import pytest

from palabre.storage import migrate


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'palabre.db'}"
    migrate.upgrade(url)
    return url
