"""Commento's JSON export: the remark42 fixture and crafted edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from palabre.importers import CommentRecord, ImportFormatError, Skipped, ThreadRecord
from palabre.importers.commento import parse_commento
from tests.importers.helpers import fixture

FIRST = "e7069a7dfcfaed43caf62300a9b0edb1c124ad79d0f5887c93649c15d7f69945"
SECOND = "7d77e39fcd813241d6281478cc8f21ab5f807d043c750bc1a936bc23b34fb854"
REPLY = "ea5f7bcd6ac9bb7b657f7d0569831104e1bcf9c253d03c1e16bf9654c49a5ce9"


def test_remark42_commento_export() -> None:
    records = list(parse_commento(fixture("commento/remark42-commento.json")))
    assert records == [
        ThreadRecord("example.com/blog/post/2", "/blog/post/2", "", None, False,
                     "/blog/post/2"),
        CommentRecord(FIRST, "example.com/blog/post/2", None, "", "", "",
                      "Example comment created by user.",
                      datetime(2021, 3, 12, 11, 21, 56, tzinfo=UTC), "approved", likes=1),
        ThreadRecord("example.com/blog/post/1", "/blog/post/1", "", None, False,
                     "/blog/post/1"),
        CommentRecord(SECOND, "example.com/blog/post/1", None, "User5276",
                      "somegreatmail@gmail.com", "https://example.com/profile/257",
                      "Example 2 comment created by user.",
                      datetime(2021, 3, 17, 12, 9, 47, 722181, tzinfo=UTC), "approved"),
        CommentRecord(REPLY, "example.com/blog/post/1", SECOND, "Saturnin Uf",
                      "moregreatmail@gmail.com", "https://example.com/profile/259",
                      "Great reply!", datetime(2021, 5, 11, 15, 43, 1, 852651, tzinfo=UTC),
                      "approved"),
    ]


def comment(hex_id: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "commentHex": hex_id, "domain": "blog.example", "url": "/p/", "commenterHex": "c1",
        "markdown": "text", "parentHex": "root", "score": 0, "state": "approved",
        "creationDate": "2021-01-01T00:00:00Z", "deleted": False,
    }
    return {**base, **fields}


def test_states_deleted_scores_and_pages(tmp_path: Path) -> None:
    data = {
        "version": 1,
        "pages": [{"domain": "blog.example", "path": "/p/", "title": "P", "isLocked": True}],
        "commenters": [{"commenterHex": "c1", "name": "Ann", "email": "a@example.org",
                        "link": "undefined"}],
        "comments": [
            comment("a1", markdown="*hi*\x00\n"),
            comment("a2", parentHex="a1", state="unapproved", score=-2),
            comment("a3", state="flagged"),
            comment("a4", deleted=True, markdown="secret"),
            comment("a5", state="weird"),
            comment("a6", creationDate="not a date"),
            comment("", markdown="no id"),
            comment("b1", url="/other/", commenterHex="anonymous"),
        ],
    }
    path = tmp_path / "commento.json"
    path.write_text(json.dumps(data))
    records = list(parse_commento(path))
    when = datetime(2021, 1, 1, tzinfo=UTC)
    assert records == [
        ThreadRecord("blog.example/p/", "/p/", "P", None, True, "/p/"),
        CommentRecord("a1", "blog.example/p/", None, "Ann", "a@example.org", "", "*hi*", when,
                      "approved"),
        CommentRecord("a2", "blog.example/p/", "a1", "Ann", "a@example.org", "", "text", when,
                      "pending", dislikes=2),
        Skipped("comment", "a3", "spam (flagged)"),
        CommentRecord("a4", "blog.example/p/", None, "", "", "", "", when, "deleted"),
        Skipped("comment", "a5", "unknown state 'weird'"),
        Skipped("comment", "a6", "malformed: comment 6 of the list has no valid creationDate "
                                 "('not a date')"),
        ThreadRecord("blog.example/other/", "/other/", "", None, False, "/other/"),
        CommentRecord("b1", "blog.example/other/", None, "", "", "", "text", when, "approved"),
        Skipped("comment", "", "malformed: comment 7 of the list has no commentHex"),
    ]


def test_commento_errors(tmp_path: Path) -> None:
    path = tmp_path / "commento.json"
    path.write_text("[]")
    with pytest.raises(ImportFormatError, match=r"^commento: expected an object"):
        list(parse_commento(path))
    path.write_bytes(b'{"comments": [\xff]}')
    with pytest.raises(ImportFormatError, match=r"^commento: line 1: not UTF-8"):
        list(parse_commento(path))
