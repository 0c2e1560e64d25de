"""Storage backends behind one interface (:mod:`palabre.domain.ports`)."""

from __future__ import annotations

from palabre.domain.ports import Storage


def check_database_url(database_url: str) -> None:
    """Refuse, with a clear message, a URL no backend serves."""
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ValueError(
            f"unsupported database URL {database_url!r}: use sqlite:///path.db or "
            "postgresql://user@host/dbname"
        )


def open_storage(database_url: str) -> Storage:
    """Open the backend a database URL names (the schema must be migrated already)."""
    check_database_url(database_url)
    if database_url.startswith("sqlite:///"):
        from palabre.storage.sqlite import SQLiteStorage

        return SQLiteStorage(database_url)
    if database_url.startswith(("postgresql://", "postgres://")):
        try:
            from palabre.storage.postgres import PostgresStorage
        except ImportError as exc:
            raise ValueError("PostgreSQL needs the extra: pip install 'palabre[postgres]'") from exc
        return PostgresStorage(database_url)
    raise AssertionError("unreachable: check_database_url accepted the URL")
