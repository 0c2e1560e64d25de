"""Proof-of-work challenges already used: a solved challenge is accepted once, on any
instance, until it expires.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spent_challenges",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("expires", sa.BigInteger, nullable=False),
        sa.Index("ix_spent_challenges_expires", "expires"),
    )


def downgrade() -> None:
    op.drop_table("spent_challenges")
