"""WordPress WXR: the real test exports of wordpress-importer and Isso, and crafted edge cases."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palabre.importers import (
    CommentRecord,
    ImportFormatError,
    Skipped,
    ThreadRecord,
    parse_wordpress,
)
from palabre.rendering import render
from tests.importers.helpers import comments, fixture, skipped, threads


def test_theme_unit_test_data() -> None:
    records = list(parse_wordpress(fixture("wordpress/theme-unit-test-data.xml")))
    posts = threads(records)
    assert len(posts) == 7
    found = comments(records)
    assert len(found) == 33 - 4  # 2 pingbacks and 2 trackbacks are skipped
    assert sorted((s.source_id, s.reason) for s in skipped(records)) == [
        ("921", "trackback"), ("922", "trackback"), ("923", "pingback"), ("924", "pingback"),
    ]
    assert sorted(c.source_id for c in found if c.status == "pending") == ["1015", "1016", "1017"]
    assert all(c.status == "approved" for c in found if c.source_id not in {"1015", "1016", "1017"})

    by_id = {c.source_id: c for c in found}
    chain = ["904", "905", "906", "907", "910", "911", "912", "913", "914", "915"]
    assert by_id["904"].parent_id is None
    for parent, child in itertools.pairwise(chain):
        assert by_id[child].parent_id == parent
    assert by_id["915"].text == "Comment Depth 10\n\nAlso an author comment."
    assert by_id["1017"].parent_id == "168"
    assert sum(1 for c in found if c.parent_id is not None) == 10

    template = next(t for t in posts if t.source_id == "1148")
    assert template == ThreadRecord(
        source_id="1148",
        uri="/2012/01/03/template-comments/",
        title="Template: Comments",
        created=datetime(2012, 1, 3, 17, 11, 37, tzinfo=UTC),
        closed=False,
        url="https://wpthemetestdata.wordpress.com/2012/01/03/template-comments/",
    )
    assert sum(1 for c in found if c.thread_id == "1148") == 20
    assert next(t for t in posts if t.source_id == "1170").closed is True
    assert by_id["881"].author == "John Γιάννης Doe Κάποιος"
    assert by_id["881"].created == datetime(2012, 9, 3, 17, 18, 4, tzinfo=UTC)
    # HTML bodies become Markdown: links kept, headings bold, images as links
    assert "[Notes](https://developer.mozilla.org/en-US/docs/HTML/Element/blockquote#Notes)" in (
        by_id["881"].text
    )
    assert "**Header one**" in by_id["881"].text
    assert by_id["917"].text.startswith("Image comment.  \n[Albany wind-farm against the sunset")
    # a thread comes before its comments
    seen: set[str] = set()
    for record in records:
        if isinstance(record, ThreadRecord):
            seen.add(record.source_id)
        elif isinstance(record, CommentRecord):
            assert record.thread_id in seen


def test_theme_unit_test_data_with_pingbacks() -> None:
    path = fixture("wordpress/theme-unit-test-data.xml")
    records = list(parse_wordpress(path, with_pingbacks=True))
    assert len(comments(records)) == 33
    assert skipped(records) == []
    ping = next(c for c in comments(records) if c.source_id == "921")
    assert ping.author == "Ping 1 « What’s a tellyworth?"
    assert ping.text == r"\[...\] Trackback test. \[...\]"  # Markdown that shows as it was
    assert render(ping.text) == "<p>[...] Trackback test. [...]</p>"


def test_a11y_unit_test_data() -> None:
    records = list(parse_wordpress(fixture("wordpress/a11y-unit-test-data.xml")))
    assert len(threads(records)) == 5
    assert len(comments(records)) == 29 - 4 - 1
    assert sorted(s.reason for s in skipped(records)) == [
        "malformed: no date (line 687)", "pingback", "pingback", "pingback", "pingback",
    ]
    # the page whose item has no date nor comment status: its comments waited for its end
    page = next(t for t in threads(records) if t.source_id == "156")
    assert (page.uri, page.created, page.closed) == ("/about/page-with-comments/", None, False)


@pytest.mark.parametrize(
    ("name", "created"),
    [
        ("valid-wxr-1.0.xml", datetime(2010, 10, 20, 14, 8, 20, tzinfo=UTC)),
        ("valid-wxr-1.1.xml", datetime(2010, 10, 16, 20, 53, 18, tzinfo=UTC)),
        ("small-export.xml", datetime(2011, 1, 18, 7, 40, 14, tzinfo=UTC)),
    ],
)
def test_older_versions(name: str, created: datetime) -> None:
    records = list(parse_wordpress(fixture(f"wordpress/{name}")))
    assert [type(r) for r in records] == [ThreadRecord, CommentRecord]
    thread, comment = records
    assert isinstance(thread, ThreadRecord) and isinstance(comment, CommentRecord)
    assert (thread.source_id, thread.uri, thread.title) == ("1", "/", "Hello world!")
    assert thread.url == "http://localhost/?p=1"
    assert comment.author == "Mr WordPress"
    assert comment.created == created
    assert comment.text.startswith("Hi, this is a comment.  \nTo delete a comment")


def test_serialized_comment_meta_is_ignored() -> None:
    records = list(parse_wordpress(fixture("wordpress/test-serialized-comment-meta.xml")))
    assert [type(r) for r in records] == [ThreadRecord, CommentRecord]
    comment = records[1]
    assert isinstance(comment, CommentRecord)
    assert (comment.source_id, comment.thread_id, comment.author) == (
        "1", "10", "A WordPress Commenter")


def test_isso_wordpress_export() -> None:
    records = list(parse_wordpress(fixture("wordpress/isso-wordpress.xml")))
    posts = threads(records)
    assert [(t.source_id, t.uri, t.title) for t in posts] == [
        ("18", "/2014/test/", "Hello, World…"),
        ("http://example.tld/?p=4", "/", "..."),  # no post id: the link stands for it
    ]
    found = comments(records)
    assert len(found) == 8
    assert [(c.source_id, c.parent_id) for c in found if c.thread_id == "18"] == [
        ("2", None), ("6", None), ("7", "6"), ("8", "7"), ("9", "7"), ("10", None), ("11", None),
    ]
    multiline = next(c for c in found if c.source_id == "10")
    assert multiline.author == "Multiline Author"


# crafted files

WP12 = "http://wordpress.org/export/1.2/"


def wxr(items: str, namespace: str = WP12) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{namespace}">\n'
        f"<channel>\n<title>Blog</title>\n<wp:wxr_version>1.2</wp:wxr_version>\n{items}"
        "</channel>\n</rss>\n"
    )


def item(comments_xml: str, post_id: str = "7", link: str = "https://blog.example/a/b/",
         extra: str = "") -> str:
    return (
        f"<item>\n<title>A &amp; B</title>\n<link>{link}</link>\n"
        f"<wp:post_id>{post_id}</wp:post_id>\n"
        "<wp:post_date>2020-01-02 03:04:05</wp:post_date>\n"
        "<wp:post_date_gmt>2020-01-02 02:04:05</wp:post_date_gmt>\n"
        f"<wp:comment_status>closed</wp:comment_status>\n{extra}{comments_xml}</item>\n"
    )


def comment(comment_id: str, *, parent: str = "0", approved: str = "1",
            content: str = "<![CDATA[Hello]]>", date_gmt: str = "2020-02-03 04:05:06",
            date: str = "2020-02-03 05:05:06", kind: str = "", author: str = "Ann") -> str:
    return (
        "<wp:comment>\n"
        f"<wp:comment_id>{comment_id}</wp:comment_id>\n"
        f"<wp:comment_author>{author}</wp:comment_author>\n"
        "<wp:comment_author_email>ann@example.org</wp:comment_author_email>\n"
        "<wp:comment_author_url>https://ann.example/</wp:comment_author_url>\n"
        f"<wp:comment_date>{date}</wp:comment_date>\n"
        f"<wp:comment_date_gmt>{date_gmt}</wp:comment_date_gmt>\n"
        f"<wp:comment_content>{content}</wp:comment_content>\n"
        f"<wp:comment_approved>{approved}</wp:comment_approved>\n"
        f"<wp:comment_type>{kind}</wp:comment_type>\n"
        f"<wp:comment_parent>{parent}</wp:comment_parent>\n"
        "<wp:commentmeta><wp:meta_key>akismet</wp:meta_key>"
        "<wp:meta_value>x</wp:meta_value></wp:commentmeta>\n"
        "</wp:comment>\n"
    )


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def comment_line(text: str, comment_id: str) -> int:
    """The line of the ``<wp:comment>`` tag of a crafted comment."""
    return line_of(text, f"<wp:comment_id>{comment_id}<") - 1


def write(tmp_path: Path, text: str, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cdata_or_not_and_every_status(tmp_path: Path) -> None:
    body = (
        comment("1", content="Plain &lt;b&gt;HTML&lt;/b&gt; &amp;lt;i&amp;gt; &amp; more")
        + comment("2", parent="1", approved="0", content="<![CDATA[<p>In <em>CDATA</em></p>]]>")
        + comment("3", approved="spam")
        + comment("4", approved="trash")
        + comment("5", approved="post-trashed")
        + comment("6", kind="pingback")
        + comment("7", kind="order_note")
        + comment("8", approved="weird")
    )
    records = list(parse_wordpress(write(tmp_path, wxr(item(body)))))
    assert records[0] == ThreadRecord(
        source_id="7", uri="/a/b/", title="A & B",
        created=datetime(2020, 1, 2, 2, 4, 5, tzinfo=UTC), closed=True,
        url="https://blog.example/a/b/",
    )
    assert records[1] == CommentRecord(
        source_id="1", thread_id="7", parent_id=None, author="Ann", email="ann@example.org",
        website="https://ann.example/", text=r"Plain **HTML** \<i\> \& more",
        created=datetime(2020, 2, 3, 4, 5, 6, tzinfo=UTC), status="approved",
    )
    second = records[2]
    assert isinstance(second, CommentRecord)
    assert (second.parent_id, second.status, second.text) == ("1", "pending", "In *CDATA*")
    assert records[3:] == [
        Skipped("comment", "3", "spam"),
        Skipped("comment", "4", "trash"),
        Skipped("comment", "5", "trash"),
        Skipped("comment", "6", "pingback"),
        Skipped("comment", "7", "comment type 'order_note'"),
        Skipped("comment", "8", "unknown <wp:comment_approved> 'weird'"),
    ]


@pytest.mark.parametrize("namespace", [
    "http://wordpress.org/export/1.0/", "http://wordpress.org/export/1.1/",
    "https://wordpress.org/export/1.2/",
])
def test_every_wxr_namespace(tmp_path: Path, namespace: str) -> None:
    records = list(parse_wordpress(write(tmp_path, wxr(item(comment("1")), namespace))))
    assert [type(r) for r in records] == [ThreadRecord, CommentRecord]


def test_zero_gmt_dates_fall_back_to_local_time_as_utc(tmp_path: Path) -> None:
    body = comment("1", date_gmt="0000-00-00 00:00:00", date="2019-05-06 07:08:09")
    body += comment("2", date_gmt="0000-00-00 00:00:00", date="0000-00-00 00:00:00")
    body += comment("3", date_gmt="2019-13-45 99:00:00")
    extra_item = item(body).replace(
        "<wp:post_date_gmt>2020-01-02 02:04:05", "<wp:post_date_gmt>0000-00-00 00:00:00")
    text = wxr(extra_item)
    records = list(parse_wordpress(write(tmp_path, text)))
    thread = records[0]
    assert isinstance(thread, ThreadRecord)
    assert thread.created == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = records[1]
    assert isinstance(first, CommentRecord)
    assert first.created == datetime(2019, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert records[2] == Skipped(
        "comment", "2", f"malformed: no date (line {comment_line(text, '2')})")
    assert records[3] == Skipped(
        "comment", "3",
        f"malformed: bad date '2019-13-45 99:00:00' (line {comment_line(text, '3')})")


def test_scripts_and_styles_are_dropped_and_links_kept(tmp_path: Path) -> None:
    content = (
        "<![CDATA[Look <a href=\"https://example.org/x_y\">here</a>"
        "<script>alert('x')</script><style>body{}</style>\n"
        "second line\n\nnew paragraph <b onclick=\"evil()\">bold</b>]]>"
    )
    records = list(parse_wordpress(write(tmp_path, wxr(item(comment("1", content=content))))))
    body = records[1]
    assert isinstance(body, CommentRecord)
    assert body.text == (
        "Look [here](https://example.org/x_y)  \nsecond line\n\nnew paragraph **bold**")


def test_control_characters_are_removed(tmp_path: Path) -> None:
    body = comment("1", author="A\x01n\x0bn", content="<![CDATA[te\x00xt\x1f\r\nmore]]>")
    records = list(parse_wordpress(write(tmp_path, wxr(item(body)))))
    record = records[1]
    assert isinstance(record, CommentRecord)
    assert (record.author, record.text) == ("Ann", "text  \nmore")


def test_comments_before_the_post_fields_wait_for_the_item(tmp_path: Path) -> None:
    body = comment("1") + comment("2", parent="1")
    late = (
        f"<item>\n{body}<title>Late</title>\n<link>https://blog.example/late</link>\n"
        "<wp:post_id>9</wp:post_id>\n</item>\n"
    )
    records = list(parse_wordpress(write(tmp_path, wxr(late))))
    assert [type(r) for r in records] == [ThreadRecord, CommentRecord, CommentRecord]
    assert {r.thread_id for r in comments(records)} == {"9"}
    assert threads(records)[0].uri == "/late"


def test_item_without_link_makes_orphans(tmp_path: Path) -> None:
    records = list(parse_wordpress(write(tmp_path, wxr(item(comment("1"), link="")))))
    assert records == [
        Skipped("item", "7", "has no usable <link> (line 6)"),
        Skipped("comment", "1", "orphan: its post has no usable <link> (line 6)"),
    ]


def test_items_without_comments_yield_nothing(tmp_path: Path) -> None:
    assert list(parse_wordpress(write(tmp_path, wxr(item("") + item("", post_id="8"))))) == []


def test_malformed_comment_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    broken = comment("2", content="an undefined &nbsp; entity")
    body = comment("1") + broken + comment("3")
    text = wxr(item(body) + item(comment("4"), post_id="8", link="https://blog.example/c"))
    records = list(parse_wordpress(write(tmp_path, text)))
    assert [(type(r).__name__, getattr(r, "source_id", "")) for r in records] == [
        ("ThreadRecord", "7"), ("CommentRecord", "1"), ("Skipped", "2"), ("CommentRecord", "3"),
        ("ThreadRecord", "8"), ("CommentRecord", "4"),
    ]
    bad = records[2]
    assert isinstance(bad, Skipped)
    assert bad.reason == (f"malformed: undefined entity (line {line_of(text, '&nbsp;')}) "
                          f"(comment at line {comment_line(text, '2')})")


def test_malformed_item_field_skips_the_item(tmp_path: Path) -> None:
    broken = item(comment("1"), extra="<wp:status>pub<lish</wp:status>\n")
    text = wxr(broken + item(comment("2"), post_id="8", link="https://blog.example/c"))
    records = list(parse_wordpress(write(tmp_path, text)))
    assert records[0] == Skipped("item", "7", "malformed: not well-formed (invalid token) "
                                              f"(line {line_of(text, '<lish')}) (item at line 6)")
    assert [type(r) for r in records[1:]] == [ThreadRecord, CommentRecord]
    assert comments(records)[0].source_id == "2"


def test_truncated_file_keeps_what_came_before(tmp_path: Path) -> None:
    text = wxr(item(comment("1") + comment("2")))
    cut = text[: text.index("<wp:comment_id>2")]
    records = list(parse_wordpress(write(tmp_path, cut)))
    assert [type(r) for r in records] == [ThreadRecord, CommentRecord, Skipped]
    last = records[-1]
    assert isinstance(last, Skipped) and last.reason.startswith("malformed: no element found")


def test_not_xml_raises_with_the_line(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match=r"^wordpress: line 1: not XML"):
        list(parse_wordpress(write(tmp_path, "this is not XML\n")))
    with pytest.raises(ImportFormatError, match=r"^wordpress: line 1: not XML"):
        list(parse_wordpress(write(tmp_path, "")))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss><channel><item><title>&lol3;</title></item></channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title></item></channel></rss>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">
<rss><channel><item><title>&evil;</title></item></channel></rss>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_entities_and_dtds_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ImportFormatError,
                       match=r"^wordpress: line 2: refused: a document type declaration"):
        list(parse_wordpress(write(tmp_path, text)))


# generated trees: any forest of comments parses back to the same parents


@st.composite
def forests(draw: st.DrawFn) -> list[int]:
    """parents[i] is the parent index of comment i (or -1): each parent comes earlier."""
    size = draw(st.integers(min_value=1, max_value=30))
    return [draw(st.integers(min_value=-1, max_value=i - 1)) for i in range(size)]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(parents=forests(), cdata=st.booleans(),
       texts=st.lists(st.text(min_size=1, max_size=40), min_size=30, max_size=30))
def test_generated_trees_keep_their_parents(tmp_path: Path, parents: list[int], cdata: bool,
                                            texts: list[str]) -> None:
    body = ""
    for index, parent in enumerate(parents):
        raw = texts[index].replace("]]>", "]] >")
        escaped = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        content = f"<![CDATA[{raw}]]>" if cdata else escaped
        body += comment(str(100 + index), parent=str(100 + parent) if parent >= 0 else "0",
                        content=content)
    records = list(parse_wordpress(write(tmp_path, wxr(item(body)), "generated.xml")))
    found = comments(records)
    assert [c.source_id for c in found] == [str(100 + i) for i in range(len(parents))]
    assert [c.parent_id for c in found] == [
        str(100 + p) if p >= 0 else None for p in parents]
