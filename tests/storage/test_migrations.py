"""Alembic migrations: from empty they build exactly the declared schema, in one line."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from palabre.storage import migrate
from palabre.storage.schema import metadata
from tests import postgres


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with postgres.fresh_schema() as url:
        yield url


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    return ScriptDirectory.from_config(config)


def differences(url: str) -> list[object]:
    engine = create_engine(migrate.sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def current_revisions(url: str) -> set[str]:
    engine = create_engine(migrate.sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()


def test_migrations_from_empty_build_the_declared_schema(empty_url: str) -> None:
    url = empty_url
    migrate.upgrade(url)
    assert differences(url) == []
    engine = create_engine(migrate.sqlalchemy_url(url))
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables == set(metadata.tables) | {"alembic_version"}


def test_declared_indexes_exist(empty_url: str) -> None:
    url = empty_url
    migrate.upgrade(url)
    engine = create_engine(migrate.sqlalchemy_url(url))
    # Asked of the catalogue: SQLAlchemy's reflection skips indexes on expressions.
    catalogue = text("SELECT indexname FROM pg_indexes WHERE tablename = :t"
                     if url.startswith("postgres") else
                     "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t")
    try:
        with engine.connect() as connection:
            for table in metadata.tables.values():
                found = {row[0] for row in connection.execute(catalogue, {"t": table.name})}
                assert {index.name for index in table.indexes} <= found, table.name
    finally:
        engine.dispose()


def test_an_empty_database_differs_from_the_schema(tmp_path: Path) -> None:
    """The comparison can fail: an unmigrated database shows every table missing."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    sqlite3.connect(tmp_path / "empty.db").close()
    assert len(differences(url)) >= len(metadata.tables)


def test_revisions_form_one_line(tmp_path: Path) -> None:
    scripts = script_directory()
    assert len(scripts.get_heads()) == 1
    assert len(scripts.get_bases()) == 1
    revisions = list(scripts.walk_revisions())
    for revision in revisions:
        down = revision.down_revision
        assert down is None or isinstance(down, str), f"{revision.revision} merges branches"
        assert not revision.branch_labels
    assert sum(r.down_revision is None for r in revisions) == 1
    url = f"sqlite:///{tmp_path / 'line.db'}"
    migrate.upgrade(url)
    assert current_revisions(url) == {scripts.get_current_head()}


def test_upgrade_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'again.db'}"
    migrate.upgrade(url)
    with sqlite3.connect(tmp_path / "again.db") as db:
        db.execute("INSERT INTO sites (slug, name, salt, settings, created) "
                   "VALUES ('default', 'Default', 'salt', '{}', 0)")
    migrate.upgrade(url)
    migrate.upgrade(url)
    assert differences(url) == []
    assert current_revisions(url) == {script_directory().get_current_head()}
    with sqlite3.connect(tmp_path / "again.db") as db:
        assert db.execute("SELECT slug FROM sites").fetchall() == [("default",)]
        assert db.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1


def test_upgrade_is_idempotent_on_every_backend(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.upgrade(empty_url)
    assert differences(empty_url) == []
    assert current_revisions(empty_url) == {script_directory().get_current_head()}
