"""Mail digests, moderator alerts with single-use links, and statements of reasons.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("moderators", recreate="never") as batch:
        batch.add_column(sa.Column("email", sa.String(320), nullable=False, server_default=""))
        batch.add_column(sa.Column("mail_lang", sa.String(8), nullable=False,
                                   server_default="en"))
    with op.batch_alter_table("mail_subscribers", recreate="never") as batch:
        batch.add_column(sa.Column("digest", sa.String(8), nullable=False,
                                   server_default="now"))
    # SQLite cannot drop NOT NULL in place: the queue is copied into a new table (its
    # AUTOINCREMENT kept); PostgreSQL alters it.
    with op.batch_alter_table("mail_queue", recreate="auto",
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("subscriber_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("recipient", sa.String(320), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("masked", sa.String(64), nullable=False,
                                   server_default=""))
    op.create_table(
        "mail_digest_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("box", sa.String(64), nullable=False),
        sa.Column("comment_id", sa.Integer, nullable=False),
        sa.Column("note", sa.String(16), nullable=False),
        sa.Column("event_id", sa.BigInteger, nullable=False),
        sa.Column("due", sa.BigInteger, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("box", "comment_id", "note",
                            name="uq_mail_digest_items_box_comment"),
        sa.Index("ix_mail_digest_items_due", "due"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "mail_spent_links",
        sa.Column("link", sa.String(64), primary_key=True),
        sa.Column("expires", sa.BigInteger, nullable=False),
        sa.Index("ix_mail_spent_links_expires", "expires"),
    )


def downgrade() -> None:
    op.drop_table("mail_spent_links")
    op.drop_table("mail_digest_items")
    op.execute("DELETE FROM mail_queue WHERE subscriber_id IS NULL")
    with op.batch_alter_table("mail_queue", recreate="auto",
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("masked")
        batch.drop_column("recipient")
        batch.alter_column("subscriber_id", existing_type=sa.Integer, nullable=False)
    with op.batch_alter_table("mail_subscribers",
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("digest")
    with op.batch_alter_table("moderators") as batch:
        batch.drop_column("mail_lang")
        batch.drop_column("email")
