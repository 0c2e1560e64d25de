"""The database schema, declared once for Alembic and for the schema test.

Runtime queries are plain parameterised SQL in each backend; this declaration is what the
migrations must produce (``tests/storage/test_migrations.py`` compares the two).
Times are integer microseconds since the Unix epoch (UTC) on every backend.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
)

metadata = MetaData()

sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("salt", String(64), nullable=False),
    Column("settings", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
)

threads = Table(
    "threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("uri", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("premoderate", Boolean, nullable=False, server_default=false()),
    Column("message", Text, nullable=False, server_default=""),
    Column("message_html", Text, nullable=False, server_default=""),
    UniqueConstraint("site_id", "uri", name="uq_threads_site_uri"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("threads.id"), nullable=False),
    Column("parent", Integer, nullable=True),
    Column("reply_to", Integer, nullable=True),
    Column("root", Integer, nullable=True),
    Column("depth", Integer, nullable=False),
    Column("author", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("website", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("edited", BigInteger, nullable=True),
    Column("likes", Integer, nullable=False),
    Column("dislikes", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("client", String(64), nullable=False),
    Column("avatar", String(32), nullable=False),
    Column("notify", Boolean, nullable=False),
    Column("featured", Boolean, nullable=False, server_default=false()),
    Column("staff", Boolean, nullable=False, server_default=false()),
    # Why a held comment waits (comma-separated codes, "" when it does not).
    Column("held", Text, nullable=False, server_default=""),
    # A random number the database sets anew whenever the row is inserted or changed
    # (triggers of migration 0011): reads make each version of a comment once (sql_pages).
    Column("rev", BigInteger, nullable=False, server_default="0"),
    # Counts by status, and a thread's approved and featured ones, from the index alone.
    Index("ix_comments_thread_status_featured", "thread_id", "status", "featured"),
    Index("ix_comments_parent", "parent"),
    # A thread's top-level comments (parent NULL): a page of a big thread is cut from them.
    Index("ix_comments_thread_parent", "thread_id", "parent"),
    Index("ix_comments_status_created", "status", "created"),
    Index("ix_comments_email", "email"),
    Index("ix_comments_client", "client", "created"),
    # Ids are never reused, even after the newest comment is deleted: tokens, permalinks
    # and votes name a comment by its id.
    sqlite_autoincrement=True,
)

# An author's comments whatever the case of their email (the desk's history, standing).
Index("ix_comments_email_lower", func.lower(comments.c.email), comments.c.created)

votes = Table(
    "votes",
    metadata,
    Column("comment_id", Integer, ForeignKey("comments.id"), primary_key=True),
    Column("voter", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("slot", BigInteger, primary_key=True),
    Column("hits", Integer, nullable=False),
)

bans = Table(
    "bans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    # ban | suspend | premoderate; a suspension ends at ``until``.
    Column("action", String(16), nullable=False, server_default="ban"),
    Column("until", BigInteger, nullable=True),
    UniqueConstraint("site_id", "kind", "value", name="uq_bans_site_kind_value"),
)

moderators = Table(
    "moderators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    # Bumped by logout and by a password change: cookies of older generations stop working.
    Column("session_generation", Integer, nullable=False, server_default="0"),
    # admin: every site, moderators and settings; moderator: the sites in moderator_sites.
    Column("role", String(16), nullable=False, server_default="admin"),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    # Where the site's alerts (held and reported comments) go; "" for none.
    Column("email", String(320), nullable=False, server_default=""),
    Column("mail_lang", String(8), nullable=False, server_default="en"),  # their language
)

moderator_sites = Table(
    "moderator_sites",
    metadata,
    Column("moderator_id", Integer, ForeignKey("moderators.id"), primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), primary_key=True),
)

# Readers' reports: one per reader (client key) per comment.
reports = Table(
    "reports",
    metadata,
    Column("comment_id", Integer, ForeignKey("comments.id"), primary_key=True),
    Column("reporter", String(64), primary_key=True),
    Column("reason", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
)

# Every moderation action and settings change: who, when, what, before and after (JSON).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created", BigInteger, nullable=False),
    Column("site_id", Integer, nullable=True),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("object", String(64), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Index("ix_audit_log_site_created", "site_id", "created"),
    sqlite_autoincrement=True,
)

# The durable outbox: every change, in commit order (ids never reused, so a consumer's
# position stays meaningful after old events are pruned). See domain/events.py.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created", BigInteger, nullable=False),
    Column("site_id", Integer, nullable=False),
    Column("thread_id", Integer, nullable=True),
    Column("name", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Index("ix_events_created", "created"),
    sqlite_autoincrement=True,
)

# How far each named consumer of the outbox has read.
event_cursors = Table(
    "event_cursors",
    metadata,
    Column("consumer", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated", BigInteger, nullable=False),
)

# Comments brought in by an importer, by their id in the system they came from: a second
# import of the same file finds them and adds nothing.
imported_comments = Table(
    "imported_comments",
    metadata,
    Column("thread_id", Integer, ForeignKey("threads.id"), primary_key=True),
    Column("source", String(32), primary_key=True),
    Column("source_id", String(200), primary_key=True),
    Column("comment_id", Integer, nullable=False),
)

# Proof-of-work challenges already used (by their signature), kept until they expire.
spent_challenges = Table(
    "spent_challenges",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("expires", BigInteger, nullable=False),
    Index("ix_spent_challenges_expires", "expires"),
)

# Mail notifications (domain/mail/): one subscriber per site and address (found by a keyed
# hash; the address kept only while mail may go to it), the queue of mails (which is also
# the delivery log: the message is blanked once sent or given up), and the lease that lets
# one process at a time send.
mail_subscribers = Table(
    "mail_subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("address_key", String(64), nullable=False),
    Column("email", String(320), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("asked", BigInteger, nullable=True),
    Column("created", BigInteger, nullable=False),
    # now | hourly | daily: one mail a reply, or the replies of an hour or a day in one.
    Column("digest", String(8), nullable=False, server_default="now"),
    UniqueConstraint("site_id", "address_key", name="uq_mail_subscribers_site_address"),
    Index("ix_mail_subscribers_address", "address_key"),
    sqlite_autoincrement=True,
)

mail_queue = Table(
    "mail_queue",
    metadata,
    Column("id", Integer, primary_key=True),
    # None: a mail to ``recipient`` (a moderator's alert, a statement of reasons, a test).
    Column("subscriber_id", Integer, ForeignKey("mail_subscribers.id"), nullable=True),
    Column("key", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("event_id", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt", BigInteger, nullable=False),
    Column("claimed", BigInteger, nullable=True),
    Column("last_error", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("sent", BigInteger, nullable=True),
    Column("message", Text, nullable=False),
    Column("recipient", String(320), nullable=False, server_default=""),
    Column("masked", String(64), nullable=False, server_default=""),  # what the log shows
    UniqueConstraint("subscriber_id", "key", name="uq_mail_queue_subscriber_key"),
    Index("ix_mail_queue_status_next", "status", "next_attempt"),
    sqlite_autoincrement=True,
)

mail_leases = Table(
    "mail_leases",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires", BigInteger, nullable=False),
)

# Replies (and moderator alerts) waiting for their digest: a box per subscriber
# (``reply:<id>``) or per moderator and site (``alert:<moderator>:<site>``).
mail_digest_items = Table(
    "mail_digest_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("box", String(64), nullable=False),
    Column("comment_id", Integer, nullable=False),
    Column("note", String(16), nullable=False),
    Column("event_id", BigInteger, nullable=False),
    Column("due", BigInteger, nullable=False),
    Column("created", BigInteger, nullable=False),
    UniqueConstraint("box", "comment_id", "note", name="uq_mail_digest_items_box_comment"),
    Index("ix_mail_digest_items_due", "due"),
    sqlite_autoincrement=True,
)

# Single-use links of alert mails already used (by their random id), kept until they expire.
mail_spent_links = Table(
    "mail_spent_links",
    metadata,
    Column("link", String(64), primary_key=True),
    Column("expires", BigInteger, nullable=False),
    Index("ix_mail_spent_links_expires", "expires"),
)

# Each part's tables live in a module of their own, on the same metadata.
from palabre.storage import schema_assist, schema_webhooks  # noqa: E402

__all__ = ["metadata", "schema_assist", "schema_webhooks"]
