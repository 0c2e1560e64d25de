"""The SQL of signed webhooks: each site's endpoints and the deliveries made to them (SQLite and
PostgreSQL share it)."""

from __future__ import annotations

from palabre.storage.sql_rows import Statements


class WebhookReads(Statements):
    """Read queries."""


class WebhookWrites(Statements):
    """Write statements, inside one transaction."""
