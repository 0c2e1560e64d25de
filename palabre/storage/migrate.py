"""Bring a database to the newest schema with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from palabre.storage import check_database_url

MIGRATIONS = Path(__file__).with_name("migrations")


def sqlalchemy_url(database_url: str) -> str:
    """Palabre's database URL as SQLAlchemy spells it."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return database_url


def upgrade(database_url: str) -> None:
    """Apply every migration not yet applied (safe to call on every start)."""
    check_database_url(database_url)
    if database_url.startswith("sqlite:///"):
        from palabre.storage.sqlite import create_private, sqlite_path

        create_private(sqlite_path(database_url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(sqlalchemy_url(database_url))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
