"""Indexes for a page of a big thread: its top-level comments, and its approved and
featured counts from the index alone.

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
    op.create_index("ix_comments_thread_status_featured", "comments",
                    ["thread_id", "status", "featured"])
    op.drop_index("ix_comments_thread_status", table_name="comments")


def downgrade() -> None:
    op.create_index("ix_comments_thread_status", "comments", ["thread_id", "status"])
    op.drop_index("ix_comments_thread_status_featured", table_name="comments")
    op.drop_index("ix_comments_thread_parent", table_name="comments")
