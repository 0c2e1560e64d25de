"""A thread's top-level comments by index: a page of a big thread is cut from them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_comments_thread_parent", "comments", ["thread_id", "parent"])


def downgrade() -> None:
    op.drop_index("ix_comments_thread_parent", table_name="comments")
