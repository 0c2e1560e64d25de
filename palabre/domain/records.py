"""Neutral records that every importer parser yields, whatever the source format.

They belong to the domain (``domain/imports.py`` stores them); the parsers in
``palabre/importers/`` make them. A parser reads one export file and yields, in a stable
order, :class:`ThreadRecord`, :class:`CommentRecord` and :class:`Skipped`. It touches no
database and prints nothing: the CLI stores the records and reports the skipped ones.

Identifiers are the source's own, as text. A comment's ``parent_id`` names a comment of the
same thread by its ``source_id``; the parent may be missing from the records (skipped as spam,
trashed, malformed), and some sources repeat comment ids across threads (Isso's generic JSON),
so the store step keys comments by ``(thread_id, source_id)`` and decides what an unknown
parent becomes. A thread's ``source_id`` is unique in its file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

CommentStatus = Literal["approved", "pending", "deleted"]


class ImportFormatError(Exception):
    """The file cannot be read as the format asked for (or as any format, when detecting).

    The message names the format and the line or the record, e.g.
    ``"disqus: line 3: not well-formed (invalid token)"``.
    """


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    """A page with comments.

    ``uri`` is the page path as Palabre keys threads (``palabre.domain.uris.normalise_uri`` of
    the link); ``url`` is the link as the source gave it (a path alone when the source has no
    more). ``created`` is timezone-aware UTC, or None when the source has no date.
    """

    source_id: str
    uri: str
    title: str
    created: datetime | None
    closed: bool
    url: str


@dataclass(frozen=True, slots=True)
class CommentRecord:
    """A comment. ``text`` is Markdown in which any HTML shows as text; ``created`` is UTC.

    A ``"deleted"`` comment is the source's placeholder of a removed comment: its author,
    email, website and text are empty; the store keeps it only when it has replies.
    """

    source_id: str
    thread_id: str
    parent_id: str | None
    author: str
    email: str
    website: str
    text: str
    created: datetime
    status: CommentStatus
    likes: int = 0
    dislikes: int = 0


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something the file holds that is not imported, counted in the import's report.

    ``kind`` is the source's word for it (``"comment"``, ``"post"``, ``"thread"``, ``"item"``,
    ``"document"``); ``reason`` says why, e.g. ``"spam"``, ``"pingback"``,
    ``"orphan: thread 1337 is not in the file"`` or ``"malformed: ... (line 135)"``.
    """

    kind: str
    source_id: str
    reason: str


Record = ThreadRecord | CommentRecord | Skipped
