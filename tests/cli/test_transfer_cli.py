"""`palabre export`, `import`, `backup` and `author export|erase`, in process, on SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import orjson
import pytest

from palabre.demo import load_demo, seed_demo
from palabre.domain.context import Context
from palabre.storage import migrate, open_storage
from tests.cli.test_cli import clean_environment, run
from tests.conftest import SECRET

__all__ = ["clean_environment"]  # the autouse fixture of test_cli.py applies here too
DEMO = load_demo()
DEMO_COMMENTS = sum(len(article.comments) for article in DEMO.articles)


def demo_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'demo.db'}"
    migrate.upgrade(url)

    async def seed() -> None:
        storage = open_storage(url)
        try:
            from palabre.domain.sites import ensure_site

            await ensure_site(storage)
            await seed_demo(Context(storage=storage, secret=SECRET))
        finally:
            await storage.close()

    asyncio.run(seed())
    return url


def test_export_then_import_into_a_new_database_then_export_again(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = demo_database(tmp_path)
    code, _, err = run(capsys, "export", "first.jsonl", "--database", source)
    assert code == 0 and "exported" in err
    target = f"sqlite:///{tmp_path / 'new.db'}"
    migrate.upgrade(target)
    code, out, _ = run(capsys, "import", "first.jsonl", "--database", target)
    assert code == 0
    assert f"restored {len(DEMO.articles)} threads, {DEMO_COMMENTS} comments" in out
    code, out, _ = run(capsys, "import", "first.jsonl", "--database", target)
    assert "restored 0 threads" in out
    assert f"{len(DEMO.articles)} threads were there already" in out
    run(capsys, "export", "second.jsonl", "--database", target)
    assert (tmp_path / "second.jsonl").read_bytes() == (tmp_path / "first.jsonl").read_bytes()


def test_import_refuses_a_file_that_is_not_an_export_naming_the_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'new.db'}"
    migrate.upgrade(target)
    (tmp_path / "bad.jsonl").write_text('{"format":"palabre","version":1}\n{"type":\n', "utf-8")
    code, out, err = run(capsys, "import", "bad.jsonl", "--database", target)
    assert code == 2
    assert err.splitlines()[-1].startswith("palabre: line 2: not JSON")
    assert "Traceback" not in out + err


def test_backup_copies_a_database_in_use(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    source = demo_database(tmp_path)
    held = sqlite3.connect(tmp_path / "demo.db")  # as a running server holds it
    held.execute("BEGIN IMMEDIATE")
    held.execute("UPDATE threads SET title = title")
    try:
        code, out, _ = run(capsys, "backup", "copy.db", "--database", source)
    finally:
        held.rollback()
        held.close()
    assert code == 0 and "backed up" in out
    copy = tmp_path / "copy.db"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM comments").fetchone() == (DEMO_COMMENTS,)
    assert run(capsys, "backup", "copy.db", "--database", source)[0] == 2  # never overwrites


def test_author_export_and_erase(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = demo_database(tmp_path)
    with sqlite3.connect(tmp_path / "demo.db") as conn:
        email, count = conn.execute(
            "SELECT email, count(*) FROM comments WHERE email != '' GROUP BY email "
            "ORDER BY count(*) DESC LIMIT 1").fetchone()
    code, out, _ = run(capsys, "author", "export", "--email", email, "--database", source)
    assert code == 0
    data = orjson.loads(out)
    assert len(data["comments"]) == count and data["email"] == email
    code, out, _ = run(capsys, "author", "erase", "--email", email, "--database", source)
    assert code == 0 and f"erased {count} comments" in out
    _, out, _ = run(capsys, "author", "export", "--email", email, "--database", source)
    assert orjson.loads(out)["comments"] == []


FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def test_import_recognises_the_format_reports_and_is_idempotent(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    wxr = FIXTURES / "wordpress" / "theme-unit-test-data.xml"
    if not wxr.exists():
        pytest.skip(f"{wxr} is not here (the shared fixtures)")
    url = f"sqlite:///{tmp_path / 'blog.db'}"
    migrate.upgrade(url)
    code, out, _ = run(capsys, "import", str(wxr), "--dry-run", "--database", url)
    assert code == 0 and out.startswith("would import 29 comments from wordpress into "
                                        "7 threads (7 new)")
    with sqlite3.connect(tmp_path / "blog.db") as conn:
        assert conn.execute("SELECT count(*) FROM comments").fetchone() == (0,)
    code, out, _ = run(capsys, "import", "wordpress", str(wxr), "--database", url)
    assert code == 0 and "skipped 2: comment: pingback" in out
    code, out, _ = run(capsys, "import", str(wxr), "--database", url)
    assert out.startswith("imported 0 comments") and "29 comments were imported before" in out
    with sqlite3.connect(tmp_path / "blog.db") as conn:
        assert conn.execute("SELECT count(*) FROM comments").fetchone() == (29,)


def test_import_of_a_file_no_importer_reads_fails_in_one_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'blog.db'}"
    migrate.upgrade(url)
    (tmp_path / "notes.txt").write_text("just some notes\n", "utf-8")
    code, out, err = run(capsys, "import", "notes.txt", "--database", url)
    assert code == 2 and err.startswith("palabre: ") and err.count("\n") == 1
    assert "Traceback" not in out + err
    code, _, err = run(capsys, "import", "mysql", "notes.txt", "--database", url)
    assert code == 2 and "FORMAT" in err
