"""Importers' records stored through the store step (in memory): exact counts, the source's
times and statuses, reply chains deeper than the site allows, idempotent re-imports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from palabre.domain import threads
from palabre.domain.imports import import_records
from palabre.domain.models import Comment, Sort, Status
from palabre.domain.records import CommentRecord, Record, Skipped, ThreadRecord
from tests.domain.conftest import Domain

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)


def comment(source_id: str, parent: str | None = None, status: str = "approved",
            thread: str = "t1", text: str = "Un avis", minute: int = 0,
            **fields: object) -> CommentRecord:
    values: dict[str, object] = {"author": "Jeanne", "email": "", "website": "", **fields}
    return CommentRecord(source_id, thread, parent, text=text, status=status,  # type: ignore[arg-type]
                         created=T0.replace(minute=minute), **values)  # type: ignore[arg-type]


PAGE = ThreadRecord("t1", "/2020/05/article/", "Un article", T0, False, "https://x/2020/05/article/")


def test_records_are_stored_with_their_times_statuses_and_parents(domain: Domain) -> None:
    records: list[Record] = [
        PAGE, comment("1"), comment("2", "1", minute=1), comment("3", "2", minute=2),
        comment("4", "3", minute=3, status="pending"), Skipped("comment", "5", "spam"),
        comment("6", "1", minute=4, email="not an email", website="javascript:x")]
    report = domain.run(import_records(domain.ctx, "default", "test", records))
    assert (report.threads, report.new_threads, report.comments) == (1, 1, 5)
    assert report.skipped == {"comment: spam": 1}
    assert report.cleaned == {"email": 1, "website": 1}
    page = domain.run(threads.thread_page(domain.ctx, "default", PAGE.uri, Sort.OLDEST, 50,
                                          None))
    assert page.thread.count == 4 and page.thread.title == "Un article"
    assert [c.created.minute for c in page.comments] == [0, 1, 2, 4]
    assert [c.depth for c in page.comments] == [0, 1, 2, 1]
    again = domain.run(import_records(domain.ctx, "default", "test", records))
    assert (again.comments, again.already_there, again.new_threads) == (0, 5, 0)


def test_a_deleted_comment_stays_only_as_the_placeholder_of_its_replies(domain: Domain) -> None:
    records: list[Record] = [
        PAGE, comment("1", status="deleted", text="", author=""), comment("2", "1"),
        comment("3", status="deleted", text="", author="")]
    report = domain.run(import_records(domain.ctx, "default", "test", records))
    assert report.comments == 2 and report.skipped == {"comment: deleted, with no reply": 1}
    page = domain.run(threads.thread_page(domain.ctx, "default", PAGE.uri, Sort.OLDEST, 50,
                                          None))
    assert [c.status for c in page.comments] == [Status.DELETED, Status.APPROVED]
    assert page.thread.count == 1


def test_a_dry_run_stores_nothing_and_reports_the_same(domain: Domain) -> None:
    records: list[Record] = [PAGE, comment("1"), comment("2", "1")]
    dry = domain.run(import_records(domain.ctx, "default", "test", records, dry_run=True))
    assert dry.comments == 2
    assert domain.run(domain.storage.get_thread(1, PAGE.uri)) is None


def test_wordpress_theme_unit_test_data_imports_exactly(domain: Domain) -> None:
    path = FIXTURES / "wordpress" / "theme-unit-test-data.xml"
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared fixtures)")
    from palabre.importers import parse_wordpress

    domain.settings(max_depth=5)
    report = domain.run(import_records(domain.ctx, "default", "wordpress",
                                       parse_wordpress(path)))
    assert (report.comments, report.threads) == (29, 7)
    assert report.skipped == {"comment: pingback": 2, "comment: trackback": 2}
    stored = [c for t in domain.storage.tables.threads
              for c, _ in domain.run(domain.storage.comments_of_thread(t))]
    assert sum(c.status is Status.PENDING for c in stored) == 3
    by_id = {c.id: c for c in stored}

    def chain(c: Comment) -> int:  # how many comments it answers, one after the other
        return 0 if c.reply_to is None else 1 + chain(by_id[c.reply_to])

    assert max(chain(c) for c in stored) == 9  # the 10-level chain kept every answer
    assert max(c.depth for c in stored) == 4  # though shown within the site's 5 levels
    again = domain.run(import_records(domain.ctx, "default", "wordpress",
                                      parse_wordpress(path)))
    assert again.comments == 0 and again.already_there == 29


FILES = sorted(p.relative_to(FIXTURES) for p in FIXTURES.glob("*/*.*")
               if p.suffix in (".xml", ".json")) if FIXTURES.exists() else []


@pytest.mark.parametrize("name", [str(p) for p in FILES])
def test_every_shared_fixture_imports_exactly(domain: Domain, name: str) -> None:
    """Every comment a parser read is stored, or counted as skipped; counts are exact."""
    from palabre.domain.records import CommentRecord as Read
    from palabre.importers.detect import detect, parse

    path = FIXTURES / name
    records = list(parse(path))
    read = [r for r in records if isinstance(r, Read)]
    report = domain.run(import_records(domain.ctx, "default", detect(path), records))
    dropped = sum(n for reason, n in report.skipped.items()
                  if reason in ("comment: deleted, with no reply", "comment: empty text",
                                "comment: its thread is not in the file"))
    assert report.comments + dropped == len(read)
    stored = {t: domain.run(domain.storage.comments_of_thread(t))
              for t in domain.storage.tables.threads}
    assert sum(len(rows) for rows in stored.values()) == report.comments
    for thread_id in stored:
        thread = domain.storage.tables.threads[thread_id]
        info = domain.run(threads.thread_info(domain.ctx, "default", thread.uri))
        page = domain.run(threads.thread_page(domain.ctx, "default", thread.uri, Sort.OLDEST,
                                              200, None))
        assert info.count == sum(c.status is Status.APPROVED for c in page.comments)
    again = domain.run(import_records(domain.ctx, "default", detect(path), records))
    assert again.comments == 0 and again.already_there == report.comments
