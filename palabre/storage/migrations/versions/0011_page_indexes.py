"""Reading threads at the cost of what is shown: indexes for a page of a big thread (its
top-level comments; its approved and featured counts from the index alone), and each
comment's ``rev``, a random number the database sets anew on every insert and change of
the row, so a read can tell the comments it has already made (storage/sql_pages.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    # recursive_triggers is off: the trigger's own UPDATE does not fire it again.
    "CREATE TRIGGER comments_rev_insert AFTER INSERT ON comments FOR EACH ROW "
    "BEGIN UPDATE comments SET rev = random() WHERE id = NEW.id; END",
    "CREATE TRIGGER comments_rev_update AFTER UPDATE ON comments FOR EACH ROW "
    "WHEN NEW.rev = OLD.rev "
    "BEGIN UPDATE comments SET rev = random() WHERE id = NEW.id; END",
)
POSTGRES_TRIGGER = (
    "CREATE FUNCTION palabre_comment_rev() RETURNS trigger AS $$ BEGIN "
    "NEW.rev := floor((random() - 0.5) * 9.2e18)::bigint; RETURN NEW; END $$ "
    "LANGUAGE plpgsql",
    "CREATE TRIGGER comments_rev BEFORE INSERT OR UPDATE ON comments FOR EACH ROW "
    "EXECUTE FUNCTION palabre_comment_rev()",
)


def upgrade() -> None:
    op.create_index("ix_comments_thread_parent", "comments", ["thread_id", "parent"])
    op.create_index("ix_comments_thread_status_featured", "comments",
                    ["thread_id", "status", "featured"])
    op.drop_index("ix_comments_thread_status", table_name="comments")
    op.add_column("comments", sa.Column("rev", sa.BigInteger, nullable=False,
                                        server_default="0"))
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGER:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER comments_rev_update")
        op.execute("DROP TRIGGER comments_rev_insert")
    else:
        op.execute("DROP TRIGGER comments_rev ON comments")
        op.execute("DROP FUNCTION palabre_comment_rev()")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("rev")
    op.create_index("ix_comments_thread_status", "comments", ["thread_id", "status"])
    op.drop_index("ix_comments_thread_status_featured", table_name="comments")
    op.drop_index("ix_comments_thread_parent", table_name="comments")
