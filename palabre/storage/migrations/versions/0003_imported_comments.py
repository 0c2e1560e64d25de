"""Comments brought in by an importer, by their id in the system they came from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_comments",
        sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id"), primary_key=True),
        sa.Column("source", sa.String(32), primary_key=True),
        sa.Column("source_id", sa.String(200), primary_key=True),
        sa.Column("comment_id", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("imported_comments")
