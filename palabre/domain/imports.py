"""Bringing in discussions from other systems: the importers' records, stored through the
store step with the source's own times and statuses.

A parser (``palabre/importers/``) yields neutral records; this module stores them. Whole
threads are stored together in transactions of about a thousand comments, so an
interrupted import never leaves a thread half there, and every imported comment is
remembered by its id in the source: importing the same file again adds nothing. Names,
emails and websites go through the readers' validation; a value it refuses is dropped
(the comment stays), and the report says so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from palabre.domain import validation
from palabre.domain.comments import record_vote, store_comment
from palabre.domain.context import Context
from palabre.domain.errors import InvalidInput
from palabre.domain.events import ThreadClosed
from palabre.domain.inputs import CommentDraft
from palabre.domain.models import Comment, Site, Status, Thread
from palabre.domain.ports import WriteTx
from palabre.domain.records import CommentRecord, Record, Skipped, ThreadRecord

BATCH_COMMENTS = 1000  # comments a transaction takes, in whole threads
STATUSES = {"approved": Status.APPROVED, "pending": Status.PENDING, "deleted": Status.DELETED}


@dataclass
class ImportReport:
    threads: int = 0  # threads that received comments (created or not)
    new_threads: int = 0
    comments: int = 0
    already_there: int = 0  # comments a previous import brought in
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> how many
    cleaned: Counter[str] = field(default_factory=Counter)  # field dropped -> how many
    orphans: int = 0  # replies whose parent is not in the file: stored as top-level comments


class _DryRun(Exception):
    """Raised at the end of each thread's transaction in a dry run, to roll it back."""


@dataclass
class _Thread:
    record: ThreadRecord
    comments: list[CommentRecord] = field(default_factory=list)


def gather(records: Iterable[Record], report: ImportReport) -> list[_Thread]:
    """Group a parser's records by thread, counting what it skipped."""
    threads: dict[str, _Thread] = {}
    orphans: dict[str, list[CommentRecord]] = defaultdict(list)
    for record in records:
        if isinstance(record, Skipped):
            report.skipped[f"{record.kind}: {record.reason}"] += 1
        elif isinstance(record, ThreadRecord):
            threads.setdefault(record.source_id, _Thread(record))
        else:
            found = threads.get(record.thread_id)
            (found.comments if found else orphans[record.thread_id]).append(record)
    for thread_id, comments in orphans.items():
        if thread_id in threads:
            threads[thread_id].comments.extend(comments)
        else:
            report.skipped["comment: its thread is not in the file"] += len(comments)
    return [t for t in threads.values() if t.comments]


async def import_records(ctx: Context, site_slug: str, source: str, records: Iterable[Record],
                         *, dry_run: bool = False,
                         progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Store what a parser read into the site; ``progress(done, total)`` is told how many
    of the file's comments are stored, after each transaction."""
    site = await ctx.site(site_slug)
    report = ImportReport()
    gathered = gather(records, report)
    total, done = sum(len(t.comments) for t in gathered), 0
    for batch in _batches(gathered):
        try:
            async with ctx.storage.write() as tx:
                for thread in batch:
                    await _import_thread(tx, site, source, thread, report)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        done += sum(len(thread.comments) for thread in batch)
        if progress:
            progress(done, total)
    return report


def _batches(threads: list[_Thread]) -> Iterator[list[_Thread]]:
    """Whole threads, about BATCH_COMMENTS comments to a transaction: a commit (and its
    fsync) per small thread would cost more than the storing."""
    batch: list[_Thread] = []
    size = 0
    for thread in threads:
        batch.append(thread)
        size += len(thread.comments)
        if size >= BATCH_COMMENTS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


async def _import_thread(tx: WriteTx, site: Site, source: str, thread: _Thread,
                         report: ImportReport) -> None:
    record = thread.record
    first = min(c.created for c in thread.comments)
    existing = await tx.get_thread(site.id, record.uri)
    stored = existing or await tx.get_or_create_thread(
        site.id, record.uri, validation.title(record.title), record.created or first)
    report.threads += 1
    report.new_threads += existing is None
    known = await tx.imported_comments(stored.id, source)
    placed: dict[str, Comment] = {}
    for comment in _parents_first(_kept(thread.comments, report)):
        if comment.source_id in known:
            report.already_there += 1
            found = await tx.get_comment(known[comment.source_id])
            if found is not None:
                placed[comment.source_id] = found
            continue
        made = await _store(tx, site, stored, source, comment, placed, report)
        placed[comment.source_id] = made
    if record.closed and existing is None:
        await tx.set_thread_closed(stored.id, True)
        await tx.emit(ThreadClosed(site_id=site.id, thread_id=stored.id))


def _kept(comments: list[CommentRecord], report: ImportReport) -> list[CommentRecord]:
    """Drop the source's deleted placeholders that shelter no reply, and empty texts."""
    kept = []
    for comment in comments:
        if comment.status == "deleted" and not _shelters(comment, comments):
            report.skipped["comment: deleted, with no reply"] += 1
        elif comment.status != "deleted" and not validation.clean_text(comment.text).strip():
            report.skipped["comment: empty text"] += 1
        else:
            kept.append(comment)
    return kept


def _shelters(comment: CommentRecord, comments: list[CommentRecord]) -> bool:
    """Whether a comment that is not deleted hangs somewhere below this one."""
    below = [c for c in comments if c.parent_id == comment.source_id]
    return any(c.status != "deleted" or _shelters(c, comments) for c in below)


def _parents_first(comments: list[CommentRecord]) -> list[CommentRecord]:
    """Oldest first, each parent before its replies (a reply older than its parent, as
    clocks of some exports allow, waits for it)."""
    ids = {c.source_id for c in comments}
    children: dict[str | None, list[CommentRecord]] = defaultdict(list)
    for comment in sorted(comments, key=lambda c: (c.created, c.source_id)):
        children[comment.parent_id if comment.parent_id in ids else None].append(comment)
    ordered: list[CommentRecord] = []
    stack = list(reversed(children[None]))
    while stack:
        comment = stack.pop()
        ordered.append(comment)
        stack.extend(reversed(children.get(comment.source_id, [])))
    return ordered


async def _store(tx: WriteTx, site: Site, thread: Thread, source: str, record: CommentRecord,
                 placed: dict[str, Comment], report: ImportReport) -> Comment:
    answered = placed.get(record.parent_id) if record.parent_id else None
    if record.parent_id and answered is None:
        report.orphans += 1
    deleted = record.status == "deleted"
    draft = _draft(thread.uri, record, answered, report) if not deleted else CommentDraft(
        uri=thread.uri, text="", parent=answered.id if answered else None)
    comment = await store_comment(tx, site, thread, draft, at=record.created,
                                  status=STATUSES[record.status], client="",
                                  answered=answered, imported=True)
    await tx.remember_import(thread.id, source, record.source_id, comment.id)
    await _votes(tx, site, comment, record)
    report.comments += 1
    return comment


def _draft(uri: str, record: CommentRecord, answered: Comment | None,
           report: ImportReport) -> CommentDraft:
    try:  # the readers' validation of the three at once; one by one only when it refuses
        who = validation.author(record.author[:validation.MAX_AUTHOR], record.email,
                                record.website)
        name, email, website = who.name, who.email, who.website
    except InvalidInput:
        name = " ".join(validation.clean_text(record.author).split())[:validation.MAX_AUTHOR]
        email = _or_drop("email", record.email, report)
        website = _or_drop("website", record.website, report)
    return CommentDraft(uri=uri, text=validation.clean_text(record.text),
                        parent=answered.id if answered else None, author=name, email=email,
                        website=website)


def _or_drop(name: str, value: str, report: ImportReport) -> str:
    """The value as the readers' validation leaves it, or "" if it refuses it."""
    try:
        checked = validation.author("", value if name == "email" else "",
                                    value if name == "website" else "")
    except InvalidInput:
        report.cleaned[name] += 1
        return ""
    return checked.email if name == "email" else checked.website


async def _votes(tx: WriteTx, site: Site, comment: Comment, record: CommentRecord) -> None:
    """The source's tallies, as votes of voters known only to the import."""
    for n in range(record.likes + record.dislikes):
        await record_vote(tx, site, comment, f"imported:{comment.id}:{n}",
                          1 if n < record.likes else -1)

