"""Mail notifications: subscribers (double opt-in), the queue of mails (also the delivery
log) and the sender's lease.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_subscribers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("asked", sa.BigInteger, nullable=True),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("site_id", "address_key", name="uq_mail_subscribers_site_address"),
        sa.Index("ix_mail_subscribers_address", "address_key"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "mail_queue",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("mail_subscribers.id"),
                  nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("event_id", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt", sa.BigInteger, nullable=False),
        sa.Column("claimed", sa.BigInteger, nullable=True),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("sent", sa.BigInteger, nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.UniqueConstraint("subscriber_id", "key", name="uq_mail_queue_subscriber_key"),
        sa.Index("ix_mail_queue_status_next", "status", "next_attempt"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "mail_leases",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mail_leases")
    op.drop_table("mail_queue")
    op.drop_table("mail_subscribers")
