"""The tables of the moderation assistant: its stored models and the verdicts the
moderation phases left on comments; ``schema.py`` imports this module so its tables join
the one ``metadata`` the migrations are checked against."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from palabre.storage.schema import metadata

# Trained models, newest last; site_id NULL is the starter model.
assist_models = Table(
    "assist_models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=True),
    Column("version", String(64), nullable=False, unique=True),
    Column("created", BigInteger, nullable=False),
    Column("trained_on", Integer, nullable=False),
    Column("features", String(32), nullable=False),
    Column("metrics", Text, nullable=False),
    Column("weights", LargeBinary, nullable=False),
    Index("assist_models_by_site", "site_id", "id"),
)

# What each moderation phase said of a comment (the card shows it; the queue sorts by it).
assist_verdicts = Table(
    "assist_verdicts",
    metadata,
    Column("comment_id", Integer, ForeignKey("comments.id"), primary_key=True),
    Column("phase", String(32), primary_key=True),
    Column("action", String(16), nullable=False),
    Column("score", Float, nullable=True),
    Column("reason", String(500), nullable=False),
    Column("model", String(64), nullable=False),
    Column("features", Text, nullable=False),
    Column("position", Integer, nullable=False),
)

__all__ = ["assist_models", "assist_verdicts", "metadata"]
