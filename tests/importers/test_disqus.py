"""Disqus XML: the Isso and remark42 test exports, and crafted edge cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from palabre.importers import CommentRecord, ImportFormatError, Skipped, ThreadRecord
from palabre.importers.disqus import parse_disqus
from tests.importers.helpers import comments, fixture, skipped, threads


def test_isso_disqus_export() -> None:
    records = list(parse_disqus(fixture("disqus/isso-disqus.xml")))
    assert threads(records) == [
        ThreadRecord("2", "/", "Hello, World!", datetime(2012, 12, 12, 12, 12, 12, tzinfo=UTC),
                     False, "http://example.org/"),
        ThreadRecord("7", "/blog/2013/02/12/redacted/index.html", "",  # empty title and <id>
                     datetime(2013, 2, 12, 16, 29, 45, tzinfo=UTC), False,
                     "http://localhost:4000/blog/2013/02/12/redacted/index.html"),
    ]
    assert [(c.source_id, c.thread_id, c.parent_id, c.status, c.author, c.text)
            for c in comments(records)] == [
        ("4", "2", None, "approved", "peter", "..."),
        ("5", "2", "4", "approved", "user", "Hello, World."),
        ("8", "7", None, "approved", "Empty", "Message from thread with empty title and id"),
        ("9", "2", None, "deleted", "", ""),  # the deleted parent of 11: a placeholder
        ("11", "2", "9", "approved", "user", "Hello, World."),
    ]
    assert skipped(records) == [
        Skipped("thread", "3", "has no usable <link> (line 28)"),
        Skipped("post", "6", "orphan: thread 1337 is not in the file (line 66)"),
    ]
    first = comments(records)[0]
    assert (first.email, first.website) == ("foo@bar.com", "")
    assert first.created == datetime(2013, 10, 10, 19, 20, 29, tzinfo=UTC)


MALFORMED_TAIL = Skipped("post", "x299986073", "malformed: not well-formed (invalid token) "
                                               "(line 147) (post at line 135)")
NO_ID = Skipped("post", "", "malformed: no dsq:id (line 102)")
SPAM = Skipped("post", "299986073", "spam")


def test_remark42_export_keeps_everything_before_the_malformed_tail() -> None:
    records = list(parse_disqus(fixture("disqus/remark42-disqus.xml")))
    assert [(t.source_id, t.uri, t.closed) for t in threads(records)] == [
        ("247918464", "/2011/03/229_8880.html", False),
        ("247937687", "/p/2011/03/05/podcast-229/", True),
    ]
    assert threads(records)[0].title == "Радио-Т: Радио-Т 229"
    found = comments(records)
    assert [(c.source_id, c.thread_id, c.author, c.status) for c in found] == [
        ("299619020", "247937687", "Alexander Blah", "approved"),
        ("299744309", "247937687", "mikhail", "approved"),
        ("299986072", "247918464", "No Username", "approved"),
    ]
    assert found[0].text == ("The quick brown fox jumps over the lazy dog.\n\n"
                             '[some link](https://https://radio-t.com "radio-t")')
    assert found[0].email == ""
    assert found[2].text.startswith("Google App Engine скоро выходит из превью статуса.\n\n")
    assert "  \nБудут Премьер аккаунты" in found[2].text  # <br> is a Markdown line break
    assert skipped(records) == [NO_ID, SPAM, MALFORMED_TAIL]


def test_remark42_deleted_post() -> None:
    records = list(parse_disqus(fixture("disqus/remark42-disqus-deleted-post.xml")))
    assert [(c.source_id, c.status, c.author, c.email, c.text) for c in comments(records)] == [
        ("299619020", "deleted", "", "", ""),
        ("299744309", "approved", "mikhail", "mihail.noname@gmail.com",
         "Microsoft показал проводник Windows 8 с ленточным интерфейсом.\n\n"
         "[http://blogs.msdn.com/b/b8/...](http://blogs.msdn.com/b/b8/archive/2011/08/29/"
         'improvements-in-windows-explorer.aspx "http://blogs.msdn.com/b/b8/archive/2011/08/'
         '29/improvements-in-windows-explorer.aspx")'),
        ("299986072", "approved", "No Username", "john.nousername@gmail.com",
         comments(records)[2].text),
    ]
    assert skipped(records) == [NO_ID, SPAM, MALFORMED_TAIL]


def test_remark42_deleted_thread() -> None:
    records = list(parse_disqus(fixture("disqus/remark42-disqus-deleted-thread.xml")))
    assert [t.source_id for t in threads(records)] == ["247918464"]
    assert [c.source_id for c in comments(records)] == ["299986072"]
    assert skipped(records) == [
        Skipped("thread", "247937687", "deleted"),
        Skipped("post", "299619020", "orphan: thread 247937687 is deleted"),
        Skipped("post", "299744309", "orphan: thread 247937687 is deleted"),
        NO_ID, SPAM, MALFORMED_TAIL,
    ]


# crafted files

HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n')


def thread(thread_id: str, link: str = "https://site.example/a/") -> str:
    return (f'<thread dsq:id="{thread_id}">\n<link>{link}</link>\n<title>T {thread_id}</title>\n'
            "<createdAt>2020-01-01T00:00:00Z</createdAt>\n<isClosed>false</isClosed>\n"
            "<isDeleted>false</isDeleted>\n</thread>\n")


def post(post_id: str, thread_id: str = "1", parent: str | None = None,
         message: str = "<![CDATA[<p>Hi</p>]]>", created: str = "2020-01-02T03:04:05Z",
         spam: str = "false") -> str:
    parent_tag = f'<parent dsq:id="{parent}"/>\n' if parent else ""
    return (f'<post dsq:id="{post_id}">\n<message>{message}</message>\n'
            f"<createdAt>{created}</createdAt>\n<isDeleted>false</isDeleted>\n"
            f"<isSpam>{spam}</isSpam>\n<author>\n<name>N{post_id}</name>\n"
            "<email>n@example.org</email>\n<isAnonymous>false</isAnonymous>\n</author>\n"
            f'<thread dsq:id="{thread_id}"/>\n{parent_tag}</post>\n')


def write(tmp_path: Path, body: str, *, raw: bytes = b"") -> Path:
    path = tmp_path / "disqus.xml"
    path.write_bytes(raw or (HEAD + body + "</disqus>\n").encode())
    return path


def ids(records: Sequence[object]) -> list[tuple[str, str]]:
    return [(type(r).__name__, getattr(r, "source_id", "")) for r in records]


def test_a_malformed_record_in_the_middle_loses_nothing_else(tmp_path: Path) -> None:
    broken = post("11").replace('<thread dsq:id="1"/>', "<thread dsq:id=1/>")
    body = thread("1") + post("10") + broken + post("12", parent="10") + thread("2") \
        + post("13", "2")
    records = list(parse_disqus(write(tmp_path, body)))
    assert ids(records) == [("ThreadRecord", "1"), ("CommentRecord", "10"), ("Skipped", "11"),
                            ("CommentRecord", "12"), ("ThreadRecord", "2"),
                            ("CommentRecord", "13")]
    bad = records[2]
    assert isinstance(bad, Skipped) and bad.reason.startswith("malformed: not well-formed")
    reply = records[3]
    assert isinstance(reply, CommentRecord) and reply.parent_id == "10"


def test_several_malformed_records_and_a_broken_start_tag(tmp_path: Path) -> None:
    body = (thread("1") + post("10").replace("<isSpam>", "<isSpam x=>")
            + "<post dsq:id=oops>\n<message>x</message>\n</post>\n"
            + post("12") + post("13", message="a & b") + post("14"))
    records = list(parse_disqus(write(tmp_path, body)))
    assert ids(records) == [("ThreadRecord", "1"), ("Skipped", "10"), ("Skipped", ""),
                            ("CommentRecord", "12"), ("Skipped", "13"), ("CommentRecord", "14")]
    between = records[2]
    assert isinstance(between, Skipped) and between.kind == "document"


def test_posts_before_their_thread_wait_for_it(tmp_path: Path) -> None:
    body = post("10", "5") + post("11", "6") + thread("5")
    records = list(parse_disqus(write(tmp_path, body)))
    assert ids(records) == [("ThreadRecord", "5"), ("CommentRecord", "10"), ("Skipped", "11")]
    assert records[2] == Skipped("post", "11", "orphan: thread 6 is not in the file (line 15)")


def test_missing_thread_bad_date_and_spam(tmp_path: Path) -> None:
    no_thread = post("11").replace('<thread dsq:id="1"/>\n', "")
    body = thread("1") + post("10", spam="true") + no_thread + post("12", created="yesterday")
    records = list(parse_disqus(write(tmp_path, body)))
    assert records[1:] == [
        Skipped("post", "10", "spam"),
        Skipped("post", "11", "malformed: no <thread> (line 22)"),
        Skipped("post", "12", "malformed: bad <createdAt> 'yesterday' (line 33)"),
    ]


def test_html_message_scripts_dropped_and_control_characters_removed(tmp_path: Path) -> None:
    message = ("<![CDATA[<p>Hello\x08 <script>document.cookie</script><b>you</b></p>"
               '<p><a href="https://example.org/">link</a> &lt;i&gt;</p>]]>')
    records = list(parse_disqus(write(tmp_path, thread("1") + post("10", message=message))))
    record = records[1]
    assert isinstance(record, CommentRecord)
    assert record.text == "Hello **you**\n\n[link](https://example.org/) \\<i\\>"


def test_not_xml_and_refused_entities(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match=r"^disqus: line 1: not XML"):
        list(parse_disqus(write(tmp_path, "", raw=b'{"json": true}')))
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<disqus>&b;</disqus>')
    with pytest.raises(ImportFormatError, match=r"^disqus: line 2: refused"):
        list(parse_disqus(write(tmp_path, "", raw=laughs)))


def test_truncated_export(tmp_path: Path) -> None:
    text = HEAD + thread("1") + post("10") + post("11")
    cut = text[: text.index("<isSpam>", text.index('post dsq:id="11"'))]
    records = list(parse_disqus(write(tmp_path, "", raw=cut.encode())))
    assert ids(records) == [("ThreadRecord", "1"), ("CommentRecord", "10"), ("Skipped", "11")]
    last = records[2]
    assert isinstance(last, Skipped) and last.reason.startswith("malformed: no element found")
