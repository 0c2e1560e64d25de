"""Detection of every fixture and of crafted files, and parse() dispatching on it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from palabre.importers import FORMATS, ImportFormatError, detect, parse
from tests.importers.helpers import FIXTURES, comments, fixture
from tests.importers.test_isso import make_database

EXPECTED = {
    "wordpress/theme-unit-test-data.xml": "wordpress",
    "wordpress/a11y-unit-test-data.xml": "wordpress",
    "wordpress/valid-wxr-1.0.xml": "wordpress",
    "wordpress/valid-wxr-1.1.xml": "wordpress",
    "wordpress/test-serialized-comment-meta.xml": "wordpress",
    "wordpress/small-export.xml": "wordpress",
    "wordpress/isso-wordpress.xml": "wordpress",
    "disqus/isso-disqus.xml": "disqus",
    "disqus/remark42-disqus.xml": "disqus",
    "disqus/remark42-disqus-deleted-post.xml": "disqus",
    "disqus/remark42-disqus-deleted-thread.xml": "disqus",
    "commento/remark42-commento.json": "commento",
    "isso/generic.json": "isso-json",
}


@pytest.mark.parametrize(("name", "fmt"), sorted(EXPECTED.items()))
def test_every_fixture_is_detected(name: str, fmt: str) -> None:
    assert detect(fixture(name)) == fmt


def test_the_table_names_every_fixture() -> None:
    if not FIXTURES.is_dir():
        pytest.skip(f"the shared export fixtures are absent (looked in {FIXTURES})")
    present = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*")
               if p.is_file() and p.suffix in (".xml", ".json")}
    assert present == set(EXPECTED)


def test_parse_dispatches_on_the_detected_format() -> None:
    path = fixture("wordpress/theme-unit-test-data.xml")
    assert len(comments(parse(path))) == 29
    assert len(comments(parse(path, with_pingbacks=True))) == 33
    assert len(comments(parse(fixture("disqus/isso-disqus.xml"), "disqus"))) == 5


def write(tmp_path: Path, content: bytes, name: str = "export") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_databases(tmp_path: Path) -> None:
    isso = make_database(tmp_path / "isso.db")
    assert detect(isso) == "isso"
    assert len(comments(parse(isso))) == 5
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE sites (id INTEGER)")
    connection.commit()
    connection.close()
    with pytest.raises(ImportFormatError, match="without Isso's threads and comments tables"):
        detect(other)


@pytest.mark.parametrize(("content", "fmt"), [
    (b'{"format": "palabre", "version": 1}\n{"type": "site"}\n', "palabre"),
    (b'{\n  "version": 2,\n  "format": "palabre"\n}', "palabre"),
    (b'\xef\xbb\xbf  [{"id": "/a/", "title": "t", "comments": []}]', "isso-json"),
    (b"[]", "isso-json"),
    (b'{"version": 1, "comments": [], "commenters": []}', "commento"),
    (b'<?xml version="1.0"?>\n<disqus xmlns="http://disqus.com"></disqus>', "disqus"),
    (b'<rss xmlns:wp="http://wordpress.org/export/1.1/"><channel/></rss>', "wordpress"),
])
def test_crafted_files(tmp_path: Path, content: bytes, fmt: str) -> None:
    assert detect(write(tmp_path, content)) == fmt
    assert fmt in FORMATS


@pytest.mark.parametrize(("content", "message"), [
    (b"", "not an export Palabre knows"),
    (b"hello, world\n", "not an export Palabre knows"),
    (b'<rss version="2.0"><channel/></rss>', "XML, but neither"),
    (b'{"data": []}', "JSON, but neither"),
    (b"\xff\xfe<\x00r\x00", "UTF-16"),
])
def test_unknown_files(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(ImportFormatError, match=message):
        detect(write(tmp_path, content))


def test_parse_refuses_palabre_and_unknown_formats(tmp_path: Path) -> None:
    path = write(tmp_path, b'{"format": "palabre", "version": 1}\n')
    with pytest.raises(ImportFormatError, match="restored"):
        parse(path)
    with pytest.raises(ImportFormatError, match="unknown format 'blogger'"):
        parse(path, "blogger")
    with pytest.raises(ImportFormatError, match="cannot read"):
        detect(tmp_path / "missing.xml")
