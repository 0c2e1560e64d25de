"""Disqus XML export: ``<thread>`` and ``<post>`` records under ``<disqus>``.

Order: the records in the file's order, each thread and post yielded at its end tag, except
posts whose thread has not been seen yet: they wait for the end of the file (Disqus writes the
threads first; a post whose thread never comes is then skipped as an orphan).

Mapped: thread ``dsq:id``, ``<link>`` (its path is the uri), ``<title>``, ``<createdAt>``,
``<isClosed>``; post ``dsq:id``, ``<thread dsq:id>``, ``<parent dsq:id>``, ``<message>`` (HTML, as
Markdown), ``<createdAt>``, ``<author>`` (``<name>``, else ``<username>``; ``<email>``),
``<isDeleted>`` (status ``"deleted"``, with author, email and text emptied). Skipped: spam
posts, deleted threads and their posts, threads without a usable link and their posts, orphan
posts, posts without id, thread or valid date, malformed records (the XML reader goes on after
their end tag). Categories are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from palabre.domain.records import CommentRecord, Record, Skipped, ThreadRecord
from palabre.importers.text import clean_line, html_to_markdown, page_path, parse_iso
from palabre.importers.xmlstream import Capturing, Frame, attribute, local_name, stream

FORMAT = "disqus"
_RECORDS = ("thread", "post")
_THREAD_FIELDS = frozenset({"link", "title", "createdAt", "isClosed", "isDeleted"})
_POST_FIELDS = frozenset({"message", "createdAt", "isDeleted", "isSpam"})
_AUTHOR_FIELDS = frozenset({"name", "email", "username", "isAnonymous"})


_local = local_name


def _dsq_id(attributes: list[str]) -> str | None:
    """The ``dsq:id`` attribute (any namespace: exports differ), None when absent."""
    value = attribute(attributes, "id")
    return None if value is None else clean_line(value)


def _true(value: str | None) -> bool:
    return clean_line(value).lower() == "true"


def parse_disqus(path: Path) -> Iterator[Record]:
    """Yield the threads and comments of a Disqus export (see the module's docstring)."""
    return stream(Path(path), _DisqusHandler())


class _DisqusHandler(Capturing):
    fmt = FORMAT

    def __init__(self) -> None:
        self.out: list[Record] = []
        self.kind: str | None = None  # "thread" or "post" while one is open
        self.record_id: str | None = None
        self.line = 0
        self.fields: dict[str, str] = {}
        self.capture: list[str] | None = None
        self.threads: dict[str, ThreadRecord | Skipped] = {}
        self.waiting: list[tuple[CommentRecord, int]] = []

    # events

    def start(self, stack: list[Frame], attributes: list[str]) -> None:
        depth = len(stack)
        if depth == 2:
            local = _local(stack[-1].tag)
            self.kind = local if local in _RECORDS else None
            self.record_id, self.line, self.fields = _dsq_id(attributes), stack[-1].line, {}
        elif self.kind is None:
            return
        elif depth == 3:
            local = _local(stack[-1].tag)
            if self.kind == "post" and local in ("thread", "parent"):
                self.fields[local] = _dsq_id(attributes) or ""
            elif local in (_THREAD_FIELDS if self.kind == "thread" else _POST_FIELDS):
                self.capture = []
        elif (depth == 4 and self.kind == "post" and _local(stack[-2].tag) == "author"
              and _local(stack[-1].tag) in _AUTHOR_FIELDS):
            self.capture = []

    def end(self, stack: list[Frame]) -> None:
        depth = len(stack)
        if self.capture is not None:
            local = _local(stack[-1].tag)
            self.fields[f"author/{local}" if depth == 4 else local] = "".join(self.capture)
            self.capture = None
        elif depth == 2 and self.kind is not None:
            if self.kind == "thread":
                self._thread()
            else:
                self._post()
            self.kind = None

    def close(self) -> None:
        for comment, line in self.waiting:
            thread = self.threads.get(comment.thread_id)
            if isinstance(thread, ThreadRecord):
                self.out.append(comment)
            else:
                self.out.append(self._orphan(comment.source_id, comment.thread_id, line))
        self.waiting.clear()

    def unit(self, stack: list[Frame]) -> tuple[int, tuple[str, ...]] | None:
        depth = len(stack)
        if depth >= 2:
            return 2, (_local(stack[1].tag),)
        if depth == 1:
            return 2, (*_RECORDS, "category")
        return None

    def abort(self, depth: int, reason: str) -> None:
        if self.kind is not None:
            self.out.append(Skipped(self.kind, self.record_id or "",
                                    f"{reason} ({self.kind} at line {self.line})"))
        self.kind, self.capture, self.fields = None, None, {}

    # records

    def _thread(self) -> None:
        fields, thread_id = self.fields, self.record_id
        if not thread_id:
            self.out.append(Skipped("thread", "", f"malformed: no dsq:id (line {self.line})"))
            return
        record: ThreadRecord | Skipped
        link = clean_line(fields.get("link"))
        if _true(fields.get("isDeleted")):
            record = Skipped("thread", thread_id, "deleted")
        else:
            try:
                uri = page_path(link)
            except ValueError:
                uri = ""
            created = None
            if fields.get("createdAt", "").strip():
                try:
                    created = parse_iso(fields["createdAt"])
                except ValueError:
                    created = None
            if uri:
                record = ThreadRecord(
                    source_id=thread_id, uri=uri, title=clean_line(fields.get("title")),
                    created=created, closed=_true(fields.get("isClosed")), url=link)
            else:
                record = Skipped("thread", thread_id,
                                 f"has no usable <link> (line {self.line})")
        self.threads.setdefault(thread_id, record)
        self.out.append(record)

    def _post(self) -> None:
        fields, post_id, line = self.fields, self.record_id, self.line
        if not post_id:
            self.out.append(Skipped("post", "", f"malformed: no dsq:id (line {line})"))
            return
        if _true(fields.get("isSpam")):
            self.out.append(Skipped("post", post_id, "spam"))
            return
        thread_id = fields.get("thread")
        if not thread_id:
            self.out.append(Skipped("post", post_id, f"malformed: no <thread> (line {line})"))
            return
        try:
            created = parse_iso(fields.get("createdAt") or "")
        except ValueError:
            raw = clean_line(fields.get("createdAt"))
            self.out.append(Skipped("post", post_id,
                                    f"malformed: bad <createdAt> {raw!r} (line {line})"))
            return
        deleted = _true(fields.get("isDeleted"))
        comment = CommentRecord(
            source_id=post_id,
            thread_id=thread_id,
            parent_id=fields.get("parent") or None,
            author="" if deleted else clean_line(fields.get("author/name"))
            or clean_line(fields.get("author/username")),
            email="" if deleted else clean_line(fields.get("author/email")),
            website="",
            text="" if deleted else html_to_markdown(fields.get("message")),
            created=created,
            status="deleted" if deleted else "approved",
        )
        thread = self.threads.get(thread_id)
        if thread is None:
            self.waiting.append((comment, line))
        elif isinstance(thread, Skipped):
            self.out.append(self._orphan(post_id, thread_id, line))
        else:
            self.out.append(comment)

    def _orphan(self, post_id: str, thread_id: str, line: int) -> Skipped:
        thread = self.threads.get(thread_id)
        if thread is None:
            return Skipped("post", post_id, f"orphan: thread {thread_id} is not in the file "
                                            f"(line {line})")
        why = "deleted" if isinstance(thread, Skipped) and thread.reason == "deleted" \
            else "skipped"
        return Skipped("post", post_id, f"orphan: thread {thread_id} is {why}")
