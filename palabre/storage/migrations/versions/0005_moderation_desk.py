"""The moderation desk: featured and staff comments, why a comment is held, thread options,
reader reports, sanctions with a kind and an end, moderator roles and sites, the audit log.

Moderators who exist already become admins: before roles, every moderator moderated every
site.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
# Columns are added in place: recreating a SQLite table would drop its AUTOINCREMENT, and
# comment ids must never be reused.
RECREATE: Final = "never"


def upgrade() -> None:
    with op.batch_alter_table("comments", recreate=RECREATE) as batch:
        batch.add_column(sa.Column("featured", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("staff", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("held", sa.Text, nullable=False, server_default=""))
    with op.batch_alter_table("threads", recreate=RECREATE) as batch:
        batch.add_column(sa.Column("premoderate", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("message", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("message_html", sa.Text, nullable=False, server_default=""))
    with op.batch_alter_table("bans", recreate=RECREATE) as batch:
        batch.add_column(sa.Column("action", sa.String(16), nullable=False,
                                   server_default="ban"))
        batch.add_column(sa.Column("until", sa.BigInteger, nullable=True))
    with op.batch_alter_table("moderators", recreate=RECREATE) as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False,
                                   server_default="admin"))
        batch.add_column(sa.Column("disabled", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
    # An author's standing and recent texts, by client key and by email whatever its case.
    op.create_index("ix_comments_client", "comments", ["client", "created"])
    op.create_index("ix_comments_email_lower", "comments",
                    [sa.text("lower(email)"), sa.text("created")])
    op.create_table(
        "moderator_sites",
        sa.Column("moderator_id", sa.Integer, sa.ForeignKey("moderators.id"),
                  primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("sites.id"), primary_key=True),
    )
    op.create_table(
        "reports",
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), primary_key=True),
        sa.Column("reporter", sa.String(64), primary_key=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("site_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("object", sa.String(64), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Index("ix_audit_log_site_created", "site_id", "created"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_index("ix_comments_email_lower", "comments")
    op.drop_index("ix_comments_client", "comments")
    op.drop_table("audit_log")
    op.drop_table("reports")
    op.drop_table("moderator_sites")
    with op.batch_alter_table("moderators", recreate="auto") as batch:
        batch.drop_column("disabled")
        batch.drop_column("role")
    with op.batch_alter_table("bans", recreate="auto") as batch:
        batch.drop_column("until")
        batch.drop_column("action")
    with op.batch_alter_table("threads", recreate="auto") as batch:
        batch.drop_column("message_html")
        batch.drop_column("message")
        batch.drop_column("premoderate")
    with op.batch_alter_table("comments", recreate="auto",
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("held")
        batch.drop_column("staff")
        batch.drop_column("featured")
