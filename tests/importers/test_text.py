"""The text helpers: control characters, HTML to Markdown, and Markdown that shows the text."""

from __future__ import annotations

import html
import re

import pytest
from html_to_markdown import convert
from hypothesis import given, settings
from hypothesis import strategies as st

from palabre.importers import text
from palabre.importers.text import clean_line, clean_text, html_to_markdown, plain_to_markdown
from palabre.rendering import render

_TAGS = re.compile(r"<[^>]+>")


def visible(markdown: str) -> str:
    """The words a reader sees once Palabre renders the Markdown."""
    return " ".join(html.unescape(_TAGS.sub(" ", render(markdown))).split())


def words(text: str) -> str:
    return " ".join(text.split())


# printable text with Markdown's specials, blanks and newlines; what linkify would turn into
# links (a dot between letters) is avoided: a link shows the same words, but not always the
# same spacing
TEXT = st.text(alphabet=st.sampled_from(list("ab1 \n\t*_[]()\\`#>-+=|~!:<&;.\"'")),
               max_size=60).filter(lambda text: not re.search(r"\w\.\w|:/", text))


@settings(max_examples=300)
@given(TEXT, st.booleans())
def test_plain_text_shows_as_it_was_written(text: str, breaks: bool) -> None:
    assert visible(plain_to_markdown(text, newlines_are_breaks=breaks)) == words(text)


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_escaped_html_shows_as_its_text(text: str) -> None:
    # the HTML converter keeps text as text as well
    assert visible(html_to_markdown(f"<p>{html.escape(text)}</p>")) == words(text)


def test_the_fast_path_agrees_with_the_converter() -> None:
    text = "a \\ b *c* _d_ [e](f) 1. x\n- y\n# z\n\n\n  two   spaces\n\tnext"
    assert plain_to_markdown(text, newlines_are_breaks=True) == (
        "a \\\\ b \\*c\\* \\_d\\_ \\[e\\](f) 1\\. x  \n\\- y  \n\\# z\n\ntwo spaces  \nnext")
    assert html_to_markdown(text, newlines_are_breaks=True) == plain_to_markdown(
        text, newlines_are_breaks=True)
    assert html_to_markdown(text + "<b>x</b>", newlines_are_breaks=True).startswith(
        "a \\\\ b \\*c\\* \\_d\\_ \\[e\\](f) 1\\. x  \n\\- y  \n\\# z\n\ntwo spaces ")


@pytest.mark.parametrize("body", [
    "<p>a <em>b</em> <a href='https://x.example/_y' title='t'>link</a> &amp; 1. *</p>",
    "<h3>H</h3><img src='https://i.example/p.png' alt='A'><ul><li>x</li></ul><pre>p  re</pre>",
    "<blockquote>q<br>r</blockquote><script>no()</script><svg><circle/></svg>",
])
def test_the_options_turned_once_give_what_the_public_api_gives(body: str) -> None:
    public = convert(body, text._OPTIONS, visitor=text._VISITOR).content or ""
    assert text._convert(body) == public


def test_cleaning() -> None:
    assert clean_text("a\x00b\r\nc\rd\x1b\x7f\x85\ud800\ufffe\te") == "ab\nc\nd\te"
    assert clean_line("  Ann\n\t Lee\x00 ") == "Ann Lee"
    assert clean_text(None) == "" and clean_line("") == ""


def test_html_conversion() -> None:
    assert html_to_markdown(
        "<h2>Title</h2><p>x <img src='https://i.example/a.png' alt='a *b*'>"
        "<iframe src='https://evil.example'>inner</iframe><style>p{}</style></p>"
        "<ul><li>one</li><li>two</li></ul><blockquote>q</blockquote><pre>co  de</pre>"
    ) == ("**Title**\n\nx [a \\*b\\*](https://i.example/a.png)[iframe](https://evil.example)"
          "\n\n- one\n- two\n\n> q\n\n```\nco  de\n```")
    assert html_to_markdown("<SCRIPT>alert(1)</SCRIPT>ok") == "ok"
    assert html_to_markdown("") == "" and html_to_markdown(None) == ""
