"""The tables of signed webhooks: each site's endpoints and the deliveries made to them;
``schema.py`` imports this module so its tables
join the one ``metadata`` the migrations are checked against."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from palabre.storage.schema import metadata

# A site's endpoints. ``events`` is the subscribed event names, comma-separated; the
# secrets sign requests (``old_secret`` too while a rotation is under way, else '');
# ``after_event`` is the newest outbox event when it was added (it gets later ones only).
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("events", Text, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("old_secret", String(128), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("after_event", BigInteger, nullable=False),
    Index("ix_webhook_endpoints_site", "site_id"),
    sqlite_autoincrement=True,
)

# The queue of deliveries, which is also the delivery log: one row per endpoint and event.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("endpoint_id", Integer, ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("key", String(64), nullable=False),
    Column("uid", String(64), nullable=False),
    Column("event", String(32), nullable=False),
    Column("event_id", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt", BigInteger, nullable=False),
    Column("claimed", BigInteger, nullable=True),
    Column("last_error", Text, nullable=False),
    Column("http_status", Integer, nullable=True),
    Column("created", BigInteger, nullable=False),
    Column("sent", BigInteger, nullable=True),
    UniqueConstraint("endpoint_id", "key", name="uq_webhook_deliveries_endpoint_key"),
    Index("ix_webhook_deliveries_status_next", "status", "next_attempt"),
    sqlite_autoincrement=True,
)

__all__ = ["metadata", "webhook_deliveries", "webhook_endpoints"]
