"""Revocable moderator sessions: a generation per moderator, signed into each session cookie
and bumped by logout and by a password change (every older cookie then stops working).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("moderators") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer, nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("moderators") as batch:
        batch.drop_column("session_generation")
