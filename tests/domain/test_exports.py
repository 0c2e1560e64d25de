"""The domain's public operations are a deliberate list: adding or removing one is a change
of this test too."""

from __future__ import annotations

import palabre.domain

OPERATIONS = {
    "SYSTEM", "Actor", "CommentDraft", "Consumer", "Context", "EditDraft", "VoteDraft",
    "admit", "authenticate", "change_settings", "counts", "delete_comment", "edit_comment",
    "ensure_site", "latest", "list_sites", "moderate", "parse_comment_draft",
    "parse_edit_draft", "parse_vote_draft", "post_comment", "prune_events", "queue_page",
    "record_vote", "save_moderator", "set_closed", "set_title", "store_comment", "thread_info",
    "thread_page", "vote",
}


def test_the_domain_exports_exactly_its_operations() -> None:
    assert set(palabre.domain.__all__) == OPERATIONS
    assert len(palabre.domain.__all__) == len(OPERATIONS)
    for name in OPERATIONS:
        assert getattr(palabre.domain, name) is not None, name


def test_the_domain_imports_no_web_framework_and_no_database_driver() -> None:
    import subprocess
    import sys

    code = ("import sys, palabre.domain, palabre.storage.memory; "
            "print(','.join(sorted(m for m in ('starlette', 'sqlite3', 'psycopg', 'sqlalchemy',"
            " 'uvicorn') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""
