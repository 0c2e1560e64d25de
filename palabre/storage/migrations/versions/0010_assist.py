"""The moderation assistant: stored models and the verdicts moderation phases leave.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assist_models",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=True),
        sa.Column("version", sa.String(64), nullable=False, unique=True),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("trained_on", sa.Integer, nullable=False),
        sa.Column("features", sa.String(32), nullable=False),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.Column("weights", sa.LargeBinary, nullable=False),
    )
    op.create_index("assist_models_by_site", "assist_models", ["site_id", "id"])
    op.create_table(
        "assist_verdicts",
        sa.Column("comment_id", sa.Integer,
                  sa.ForeignKey("comments.id"), primary_key=True),
        sa.Column("phase", sa.String(32), primary_key=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("features", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("assist_verdicts")
    op.drop_index("assist_models_by_site", table_name="assist_models")
    op.drop_table("assist_models")
