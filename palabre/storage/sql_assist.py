"""The SQL of the moderation assistant: its stored models and comment scores (SQLite and PostgreSQL
share it)."""

from __future__ import annotations

from palabre.storage.sql_rows import Statements


class AssistReads(Statements):
    """Read queries."""


class AssistWrites(Statements):
    """Write statements, inside one transaction."""
