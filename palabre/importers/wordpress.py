"""WordPress eXtended RSS (WXR 1.0, 1.1, 1.2): posts with comments become threads.

Order: for each ``<item>`` that has comments, its :class:`ThreadRecord` and then its comments
(records or :class:`Skipped`) in the file's order. The thread is yielded when the first comment
starts if the post's link, id, title, date and comment status came before it (as WordPress
writes them), so comments stream without being held; otherwise the item's comments wait for its
end. Items without comments yield nothing.

Mapped: ``link`` (the path is the uri), ``title``, ``wp:post_id``, ``wp:post_date_gmt``
(``wp:post_date`` taken as UTC when the GMT date is zero), ``wp:comment_status`` closed;
comments' id, parent (0 = top level), author, email, url, date (GMT, else local taken as UTC),
approval (1 approved, 0 pending) and HTML body (as Markdown). Skipped: spam, trash, pingbacks and
trackbacks (unless ``with_pingbacks``), other comment types (e.g. WooCommerce order notes),
unknown approval values, comments without id or date, comments of an item without link,
malformed records.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from palabre.domain.records import (
    CommentRecord,
    CommentStatus,
    Record,
    Skipped,
    ThreadRecord,
)
from palabre.importers.text import (
    clean_line,
    html_to_markdown,
    page_path,
    parse_sql_datetime,
)
from palabre.importers.xmlstream import Capturing, Frame, stream

FORMAT = "wordpress"
_WXR_NAMESPACE = re.compile(r"^https?://wordpress\.(?:org|com)/export/\d+\.\d+/?$")
_ITEM_FIELDS = frozenset({"title", "link", "post_id", "post_date", "post_date_gmt",
                          "comment_status"})
_STREAM_READY = frozenset({"link", "post_id", "title", "post_date_gmt", "comment_status"})
_COMMENT_FIELDS = frozenset({"comment_id", "comment_author", "comment_author_email",
                             "comment_author_url", "comment_date", "comment_date_gmt",
                             "comment_content", "comment_approved", "comment_type",
                             "comment_parent"})
_APPROVED: dict[str, CommentStatus] = {"1": "approved", "approve": "approved",
                                       "approved": "approved", "0": "pending", "": "pending",
                                       "hold": "pending"}
_SKIPPED_APPROVAL = {"spam": "spam", "trash": "trash", "post-trashed": "trash"}
_PINGS = frozenset({"pingback", "trackback"})


@lru_cache(maxsize=256)
def _name(tag: str) -> tuple[bool, str]:
    """(in a WXR namespace, local name) of a tag; RSS's own names have no namespace."""
    if "}" in tag:
        uri, _, local = tag.rpartition("}")
        return _WXR_NAMESPACE.match(uri) is not None, local
    return False, tag


def parse_wordpress(path: Path, *, with_pingbacks: bool = False) -> Iterator[Record]:
    """Yield the threads and comments of a WXR file (see the module's docstring)."""
    return stream(Path(path), _WxrHandler(with_pingbacks))


class _WxrHandler(Capturing):
    fmt = FORMAT

    def __init__(self, with_pingbacks: bool) -> None:
        self.with_pingbacks = with_pingbacks
        self.out: list[Record] = []
        self.item: dict[str, str] | None = None
        self.item_line = 0
        self.comment: dict[str, str] | None = None
        self.comment_line = 0
        self.thread: ThreadRecord | Skipped | None = None  # once yielded for the item
        self.waiting: list[CommentRecord | Skipped] = []
        self.capture: list[str] | None = None

    # events

    def start(self, stack: list[Frame], attributes: list[str]) -> None:
        depth = len(stack)
        tag = stack[-1].tag
        if depth == 3:
            if tag == "item":
                self.item, self.item_line, self.thread = {}, stack[-1].line, None
        elif self.item is None:
            return
        elif depth == 4:
            wxr, local = _name(tag)
            if wxr and local == "comment":
                if self.thread is None and self.item.keys() >= _STREAM_READY:
                    self.thread = self._thread()
                    self.out.append(self.thread)
                self.comment, self.comment_line = {}, stack[-1].line
            elif local in _ITEM_FIELDS and (wxr or local in ("title", "link")):
                self.capture = []
        elif depth == 5 and self.comment is not None:
            wxr, local = _name(tag)
            if wxr and local in _COMMENT_FIELDS:
                self.capture = []

    def end(self, stack: list[Frame]) -> None:
        depth = len(stack)
        if self.capture is not None and depth in (4, 5):
            value = "".join(self.capture)
            self.capture = None
            _, local = _name(stack[-1].tag)
            if depth == 5 and self.comment is not None:
                self.comment[local] = value
            elif depth == 4 and self.item is not None:
                self.item[local] = value
        elif depth == 4 and self.comment is not None:
            record = self._comment(self.comment, self.comment_line)
            self.comment = None
            self._emit(record)
        elif depth == 3 and self.item is not None:
            if self.waiting:
                if self.thread is None:
                    self.thread = self._thread()
                    self.out.append(self.thread)
                thread_id = self.thread.source_id
                for record in self.waiting:  # the post's id may have come after its comments
                    if isinstance(record, CommentRecord) and isinstance(self.thread, ThreadRecord):
                        record = replace(record, thread_id=thread_id)
                    self._emit(record)
                self.waiting.clear()
            self.item = None

    def close(self) -> None:
        return None

    def unit(self, stack: list[Frame]) -> tuple[int, tuple[str, ...]] | None:
        depth = len(stack)
        if depth >= 4 and self.comment is not None:
            return 4, ("comment",)
        if depth >= 3 and self.item is not None:
            return 3, ("item",)
        if depth == 2:
            return 3, ("item",)
        return None

    def abort(self, depth: int, reason: str) -> None:
        self.capture = None
        if depth == 4 and self.comment is not None:
            line = f" (comment at line {self.comment_line})" if self.comment_line else ""
            self.out.append(Skipped("comment", clean_line(self.comment.get("comment_id")),
                                    reason + line))
            self.comment = None
            return
        if self.item is not None:
            post_id = clean_line(self.item.get("post_id"))
            self.out.append(Skipped("item", post_id, f"{reason} (item at line {self.item_line})"))
            for record in self.waiting:
                if isinstance(record, CommentRecord):
                    self.out.append(Skipped("comment", record.source_id,
                                            f"its item {post_id} is malformed"))
            self.waiting.clear()
            self.item = self.comment = None

    # records

    def _emit(self, record: CommentRecord | Skipped) -> None:
        if self.thread is None:
            self.waiting.append(record)
        elif isinstance(self.thread, Skipped) and isinstance(record, CommentRecord):
            self.out.append(Skipped("comment", record.source_id,
                                    f"orphan: its post {self.thread.reason}"))
        else:
            self.out.append(record)

    def _thread(self) -> ThreadRecord | Skipped:
        item = self.item or {}
        post_id = clean_line(item.get("post_id"))
        link = clean_line(item.get("link"))
        try:
            uri = page_path(link)
        except ValueError:
            return Skipped("item", post_id, f"has no usable <link> (line {self.item_line})")
        try:
            created = _date(item.get("post_date_gmt"), item.get("post_date"))
        except ValueError:
            created = None
        return ThreadRecord(
            source_id=post_id or link,
            uri=uri,
            title=clean_line(html.unescape(item.get("title") or "")),
            created=created,
            closed=clean_line(item.get("comment_status")) == "closed",
            url=link,
        )

    def _comment(self, fields: dict[str, str], line: int) -> CommentRecord | Skipped:
        comment_id = clean_line(fields.get("comment_id"))
        if not comment_id:
            return Skipped("comment", "", f"malformed: no <wp:comment_id> (line {line})")
        kind = clean_line(fields.get("comment_type")).lower()
        if kind in _PINGS and not self.with_pingbacks:
            return Skipped("comment", comment_id, kind)
        if kind not in _PINGS and kind not in ("", "comment"):
            return Skipped("comment", comment_id, f"comment type {kind!r}")
        approval = clean_line(fields.get("comment_approved")).lower()
        if approval in _SKIPPED_APPROVAL:
            return Skipped("comment", comment_id, _SKIPPED_APPROVAL[approval])
        status = _APPROVED.get(approval)
        if status is None:
            return Skipped("comment", comment_id, f"unknown <wp:comment_approved> {approval!r}")
        try:
            created = _date(fields.get("comment_date_gmt"), fields.get("comment_date"))
        except ValueError as exc:
            return Skipped("comment", comment_id, f"malformed: {exc} (line {line})")
        if created is None:
            return Skipped("comment", comment_id, f"malformed: no date (line {line})")
        parent = clean_line(fields.get("comment_parent"))
        thread = self.thread if isinstance(self.thread, ThreadRecord) else None
        return CommentRecord(
            source_id=comment_id,
            thread_id=thread.source_id if thread else self._thread_id(),
            parent_id=None if parent in ("", "0") else parent,
            author=clean_line(html.unescape(fields.get("comment_author") or "")),
            email=clean_line(fields.get("comment_author_email")),
            website=clean_line(fields.get("comment_author_url")),
            text=html_to_markdown(fields.get("comment_content"), newlines_are_breaks=True),
            created=created,
            status=status,
        )

    def _thread_id(self) -> str:
        item = self.item or {}
        return clean_line(item.get("post_id")) or clean_line(item.get("link"))


def _date(gmt: str | None, local: str | None) -> datetime | None:
    """The GMT date, else the local one taken as UTC; None when both are missing or zero."""
    for value in (gmt, local):
        if value and value.strip():
            try:
                parsed = parse_sql_datetime(value)
            except ValueError:
                raise ValueError(f"bad date {clean_line(value)!r}") from None
            if parsed is not None:
                return parsed
    return None
