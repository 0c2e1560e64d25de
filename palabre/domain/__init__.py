"""The domain: what Palabre does, with no HTTP and no SQL.

The operations the web, the CLI, the demo and the importers call are re-exported here (a
test locks the list); each lives in the module named for what it acts on.
"""

from palabre.domain.comments import (
    admit,
    delete_comment,
    edit_comment,
    post_comment,
    record_vote,
    store_comment,
    vote,
)
from palabre.domain.context import Context
from palabre.domain.feeds import latest
from palabre.domain.identity import SYSTEM, Actor
from palabre.domain.inputs import (
    CommentDraft,
    EditDraft,
    VoteDraft,
    parse_comment_draft,
    parse_edit_draft,
    parse_vote_draft,
)
from palabre.domain.moderation import moderate, queue_page
from palabre.domain.moderators import authenticate, save_moderator
from palabre.domain.outbox import Consumer, prune_events
from palabre.domain.sites import change_settings, ensure_site, list_sites
from palabre.domain.threads import counts, set_closed, set_title, thread_info, thread_page

__all__ = [
    "SYSTEM",
    "Actor",
    "CommentDraft",
    "Consumer",
    "Context",
    "EditDraft",
    "VoteDraft",
    "admit",
    "authenticate",
    "change_settings",
    "counts",
    "delete_comment",
    "edit_comment",
    "ensure_site",
    "latest",
    "list_sites",
    "moderate",
    "parse_comment_draft",
    "parse_edit_draft",
    "parse_vote_draft",
    "post_comment",
    "prune_events",
    "queue_page",
    "record_vote",
    "save_moderator",
    "set_closed",
    "set_title",
    "store_comment",
    "thread_info",
    "thread_page",
    "vote",
]
