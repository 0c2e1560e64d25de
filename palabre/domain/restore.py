"""Restoring Palabre's own export: every row back with the id it had.

The records come from a file, so each is checked like any input: types, the tree's shape
(a reply's parent is an earlier comment of the same thread, its depth one more), statuses,
names, emails and websites through the same validation as readers' comments, and the HTML
rendered again from the text. One transaction per thread, so an interrupted restore never
leaves a thread half there; restoring the same file again finds every thread there and
changes nothing. Ids already taken by other rows are refused: restore into a database
that does not hold other discussions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from palabre.domain import exports, validation
from palabre.domain.context import Context
from palabre.domain.errors import InvalidInput
from palabre.domain.events import ThreadImported
from palabre.domain.models import (
    STATUS_BY_VALUE,
    Comment,
    CommentId,
    SanctionAction,
    Site,
    SiteSettings,
    Status,
    Thread,
    ThreadId,
)
from palabre.domain.ports import WriteTx
from palabre.domain.sites import ensure_site, parse_changes
from palabre.domain.threads import MAX_MESSAGE
from palabre.domain.uris import normalise_uri
from palabre.rendering import render

Line = tuple[int, dict[str, Any]]  # a record and the line of the file it came from


@dataclass
class RestoreReport:
    sites: int = 0
    bans: int = 0
    threads: int = 0
    comments: int = 0
    votes: int = 0
    already_there: int = 0  # threads found restored already (a second run of one file)


@dataclass
class _Batch:
    """A thread and what belongs to it, restored together."""

    line: int
    thread: Thread
    comments: list[tuple[Comment, bool]] = field(default_factory=list)
    votes: list[tuple[CommentId, str, int]] = field(default_factory=list)


class _Record:
    """Typed reads of one record's fields, refusing with the line at fault."""

    def __init__(self, line: int, data: dict[str, Any]) -> None:
        self.line, self.data = line, data

    def fail(self, message: str) -> InvalidInput:
        return InvalidInput(f"line {self.line}: {message}", reason="import_invalid")

    def get(self, key: str, kind: type | tuple[type, ...]) -> Any:
        value = self.data.get(key)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise self.fail(f"{key!r} is missing or not a {getattr(kind, '__name__', kind)}")
        return value

    def id(self, key: str) -> int:
        value: int = self.get(key, int)
        if not 0 < value <= validation.MAX_ID:
            raise self.fail(f"{key!r} is not a valid id")
        return value

    def optional_id(self, key: str) -> int | None:
        return None if self.data.get(key) is None else self.id(key)

    def time(self, key: str) -> datetime:
        text: str = self.get(key, str)
        try:
            moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
        except ValueError as exc:
            raise self.fail(f"{key!r} is not a time such as 2026-11-25T08:00:00.000000Z") \
                from exc
        return moment.replace(tzinfo=UTC)

    def flag(self, key: str) -> bool:
        """An optional true/false (absent: false, as in exports made before it existed)."""
        return False if self.data.get(key) is None else bool(self.get(key, bool))

    def short(self, key: str, limit: int) -> str:
        value: str = self.get(key, str)
        if len(value) > limit or "\x00" in value:
            raise self.fail(f"{key!r} is longer than {limit} characters")
        return value


async def restore(ctx: Context, lines: Iterable[Line]) -> RestoreReport:
    """Restore an export's records, each with the line it came from (header first)."""
    report = RestoreReport()
    records = iter(lines)
    _check_header(next(records, None))
    sites: dict[str, Site] = {}
    batch: _Batch | None = None
    for line, data in records:
        record = _Record(line, data)
        kind = record.get("type", str)
        if kind in ("site", "ban", "thread"):
            await _flush(ctx, batch, report)
            batch = None
        if kind == "site":
            site = await _restore_site(ctx, record)
            sites[site.slug] = site
            report.sites += 1
        elif kind == "ban":
            await _restore_ban(ctx, record, sites)
            report.bans += 1
        elif kind == "thread":
            batch = _Batch(line, _thread(record, sites))
        elif kind in ("comment", "vote") and batch is not None:
            _add_to(batch, record, kind)
        else:
            raise record.fail(f"unexpected {kind!r} record here")
    await _flush(ctx, batch, report)
    return report


def _check_header(first: Line | None) -> None:
    if first is None:
        raise InvalidInput("the file is empty", reason="import_invalid")
    record = _Record(*first)
    if record.data.get("format") != exports.FORMAT:
        raise record.fail("this is not a Palabre export (no format header)")
    version = record.get("version", int)
    if version > exports.VERSION:
        raise record.fail(f"made by a newer Palabre (format version {version})")


async def _restore_site(ctx: Context, record: _Record) -> Site:
    slug = record.short("slug", 64)
    settings = record.get("settings", dict)
    try:
        parsed = SiteSettings.from_mapping(parse_changes(settings))
    except InvalidInput as exc:
        raise record.fail(exc.message) from exc
    name = record.short("name", 200)
    site = await ensure_site(ctx.storage, slug, name)
    async with ctx.storage.write() as tx:
        if not await tx.threads_of_site(site.id):  # a new site takes the exported identity
            await tx.restore_site(site.id, name,
                                  record.short("salt", 64), parsed)
        restored = await tx.get_site_by_id(site.id)
    assert restored is not None
    return restored


def _site_of(record: _Record, sites: dict[str, Site]) -> Site:
    slug = record.get("site", str)
    if slug not in sites:
        raise record.fail(f"site {slug!r} has no site record before it")
    return sites[slug]


async def _restore_ban(ctx: Context, record: _Record, sites: dict[str, Site]) -> None:
    site = _site_of(record, sites)
    kind = record.get("kind", str)
    if kind not in ("email", "client"):
        raise record.fail("a ban's kind is email or client")
    action = record.data.get("action") or SanctionAction.BAN.value
    if action not in {a.value for a in SanctionAction}:
        raise record.fail("a ban's action is ban, suspend or premoderate")
    until = None if record.data.get("until") is None else record.time("until")
    async with ctx.storage.write() as tx:
        await tx.add_ban(site.id, kind, record.short("value", 128),
                         record.short("reason", 1000), record.time("created"),
                         SanctionAction(action), until)


def _thread(record: _Record, sites: dict[str, Site]) -> Thread:
    site = _site_of(record, sites)
    uri = record.get("uri", str)
    try:
        if normalise_uri(uri) != uri:
            raise record.fail("the thread's uri is not normalised")
    except InvalidInput as exc:
        raise record.fail(exc.message) from exc
    closed = record.get("closed", bool)
    message = validation.clean_text(record.data.get("message") or "")[:MAX_MESSAGE]
    return Thread(ThreadId(record.id("id")), site.id, uri, validation.title(
        record.get("title", str)), record.time("created"), closed, 1,
        record.flag("premoderate"), message, render(message) if message else "")


def _add_to(batch: _Batch, record: _Record, kind: str) -> None:
    if kind == "vote":
        batch.votes.append(_vote(record, batch))
    else:
        batch.comments.append(_comment(record, batch))


def _vote(record: _Record, batch: _Batch) -> tuple[CommentId, str, int]:
    comment_id = CommentId(record.id("comment"))
    if comment_id not in {c.id for c, _ in batch.comments}:
        raise record.fail("a vote on a comment that is not in this thread")
    value = record.get("value", int)
    if value not in (1, -1):
        raise record.fail("a vote's value is 1 or -1")
    return comment_id, record.short("voter", 64), value


def _comment(record: _Record, batch: _Batch) -> tuple[Comment, bool]:
    if record.id("thread") != batch.thread.id:
        raise record.fail("a comment of another thread inside this one")
    by_id = {c.id: c for c, _ in batch.comments}
    parent, reply_to = record.optional_id("parent"), record.optional_id("reply_to")
    depth, root = record.get("depth", int), record.optional_id("root")
    _check_place(record, by_id, parent, reply_to, depth, root)
    status = STATUS_BY_VALUE.get(record.get("status", str))
    if status is None:
        raise record.fail("unknown status")
    comment = _comment_fields(record, batch.thread.id, parent, reply_to, depth, root, status)
    if comment.id in by_id:
        raise record.fail(f"comment {comment.id} appears twice")
    return comment, record.get("notify", bool)


def _check_place(record: _Record, by_id: dict[CommentId, Comment], parent: int | None,
                 reply_to: int | None, depth: int, root: int | None) -> None:
    """The shape the tree builder relies on: parents first, depths one apart."""
    above = by_id.get(CommentId(parent)) if parent is not None else None
    if parent is not None and above is None:
        raise record.fail("its parent is not an earlier comment of this thread")
    if reply_to is not None and CommentId(reply_to) not in by_id:
        raise record.fail("it answers a comment that is not an earlier one of this thread")
    expected_root = None if above is None else (above.root or above.id)
    if depth != (above.depth + 1 if above else 0) or root != expected_root:
        raise record.fail("its depth or root does not match its parent")


def _comment_fields(record: _Record, thread_id: ThreadId, parent: int | None,
                    reply_to: int | None, depth: int, root: int | None,
                    status: Status) -> Comment:
    try:
        who = validation.author(record.get("author", str), record.get("email", str),
                                record.get("website", str))
    except InvalidInput as exc:
        raise record.fail(exc.message) from exc
    text = validation.clean_text(record.get("text", str))
    counts = [record.get(key, int) for key in ("likes", "dislikes")]
    if min(counts) < 0:
        raise record.fail("negative likes or dislikes")
    edited = None if record.data.get("edited") is None else record.time("edited")
    return Comment(
        CommentId(record.id("id")), thread_id, _cid(parent), _cid(reply_to), _cid(root),
        depth, who.name, who.email, who.website, text, render(text) if text else "",
        record.time("created"), edited, counts[0], counts[1], status,
        record.short("client", 64), record.short("avatar", 32), record.flag("featured"),
        record.flag("staff"), _held(record, status))


def _held(record: _Record, status: Status) -> tuple[str, ...]:
    held = record.data.get("held") or []
    if not isinstance(held, list) or not all(isinstance(h, str) and h.isidentifier()
                                             for h in held):
        raise record.fail("'held' is a list of reason codes")
    return tuple(held) if status is Status.PENDING else ()


def _cid(value: int | None) -> CommentId | None:
    return None if value is None else CommentId(value)


async def _flush(ctx: Context, batch: _Batch | None, report: RestoreReport) -> None:
    if batch is None:
        return
    _check_tallies(batch)
    async with ctx.storage.write() as tx:
        if await _already_there(tx, batch):
            report.already_there += 1
            return
        await tx.restore_thread(batch.thread)
        for comment, notify in batch.comments:
            await tx.restore_comment(comment, notify)
        for vote in batch.votes:
            await tx.restore_vote(*vote)
        await tx.emit(ThreadImported(site_id=batch.thread.site_id, thread_id=batch.thread.id,
                                     comments=len(batch.comments)))
    report.threads += 1
    report.comments += len(batch.comments)
    report.votes += len(batch.votes)


def _check_tallies(batch: _Batch) -> None:
    """Likes and dislikes are the thread's votes, as every write keeps them."""
    for comment, _ in batch.comments:
        values = [v for c, _, v in batch.votes if c == comment.id]
        if (values.count(1), values.count(-1)) != (comment.likes, comment.dislikes):
            raise InvalidInput(f"line {batch.line}: the votes of comment {comment.id} do not "
                               "add up to its likes and dislikes", reason="import_invalid")


async def _already_there(tx: WriteTx, batch: _Batch) -> bool:
    """Whether this very thread was restored before; refuses ids other rows hold."""
    thread = batch.thread
    found = await tx.get_thread_by_id(thread.id)
    same_page = await tx.get_thread(thread.site_id, thread.uri)
    if (found is not None and (found.site_id, found.uri) == (thread.site_id, thread.uri)
            and await tx.comments_of_thread(found.id) == batch.comments):
        return True
    if found is not None or same_page is not None:
        raise InvalidInput(f"line {batch.line}: thread {thread.id} ({thread.uri}) clashes with "
                           "a thread already in this database: restore into an empty one",
                           reason="import_conflict")
    for comment, _ in batch.comments:
        if await tx.get_comment(comment.id) is not None:
            raise InvalidInput(f"line {batch.line}: comment {comment.id} is already in this "
                               "database: restore into an empty one", reason="import_conflict")
    return False


def numbered(records: Iterable[dict[str, Any]]) -> Iterator[Line]:
    """Records as if each were a line of a file (for callers holding records already)."""
    return ((n, record) for n, record in enumerate(records, start=1))
