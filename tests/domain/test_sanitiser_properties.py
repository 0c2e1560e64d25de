"""Property tests of the one place that turns user text into HTML."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from palabre.rendering import render
from palabre.rendering.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_SCHEMES,
    ALLOWED_TAGS,
    LINK_REL,
    sanitise,
)

PIECES = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:alert(1)'>",
    "<a href=\"https://ok.example\" onclick=\"x()\">", "</a>", "<iframe>", "<style>",
    "<svg/onload=x>", "<p lang=fr title=t>", "<a href=https://x.org title=t lang=fr>",
    "<!--", "-->", "<![CDATA[", "]]>", "<?php", "<!DOCTYPE html>", "<div style='x'>", "<p class=a>",
    "<b>", "<table>", "<h1>", "<input>", "<form action=x>", "<math>", "<template>", "<noscript>",
    "javascript:", "JaVaScRiPt:", "data:text/html,", "vbscript:", "&#106;avascript:", "&lt;", "&",
    "[", "](", ")", "<", ">", "\"", "'", "`", "```", "*", "**", "_", "~~", "> ", "- ", "1. ", "\n",
    "\n\n", "    ", "\\", "http://", "https://example.org/", "mailto:x@example.org",
    "www.example.org",
    "![img](https://example.org/x.png)", "[ref]: javascript:alert(1)", "[ref]", "<https://x.org>",
    "<mailto:x@example.org>", "# ", "---", "| a | b |", "\u202e", "\x00", "\u2028", "é",
    "[x](/path)", "[x](//evil.example)", "[x](#frag)", "[x](./a:b)", "[x](ftp://x.org)",
    "[x](https://ok.example \"t\")", "[x](<javascript:alert(1)>)",
]
TEXTS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=25).map(
    "".join)


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.other.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.other.append("decl")

    def handle_pi(self, data: str) -> None:
        self.other.append("pi")

    def unknown_decl(self, data: str) -> None:
        self.other.append("unknown")


def check_safe(html: str, *, links_absolute: bool) -> None:
    parser = Collector()
    parser.feed(html)
    parser.close()
    assert parser.other == []
    for tag, attrs in parser.elements:
        assert tag in ALLOWED_TAGS, (tag, html)
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names))
        for name, value in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
            assert name in allowed, (tag, name, html)
            if name == "rel":
                assert value == LINK_REL
        if tag == "a":
            found = dict(attrs)
            assert found.get("rel") == LINK_REL, html
            href = found.get("href")
            if href is not None and (links_absolute or ":" in href.split("/")[0]):
                scheme = href.split(":", 1)[0].strip().lower()
                assert ":" in href and scheme in ALLOWED_SCHEMES, (href, html)


@settings(max_examples=300, deadline=None, database=None)
@given(TEXTS)
def test_rendered_markdown_keeps_only_allowed_tags_attributes_and_schemes(text: str) -> None:
    check_safe(render(text), links_absolute=True)


@settings(max_examples=300, deadline=None, database=None)
@given(TEXTS)
def test_sanitiser_alone_keeps_only_allowed_tags_and_attributes(html: str) -> None:
    check_safe(sanitise(html), links_absolute=False)


@settings(max_examples=100, deadline=None, database=None)
@given(TEXTS)
def test_rendering_is_stable(text: str) -> None:
    html = render(text)
    assert html == render(text)
    assert sanitise(html) == html


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=40))
def test_raw_html_is_never_interpreted(text: str) -> None:
    """Whatever sits between angle brackets stays text: no tag the writer typed survives."""
    typed = f"<{text}>"
    collector = Collector()
    collector.feed(render(f"x {typed} y"))
    collector.close()
    assert {tag for tag, _ in collector.elements} <= {"p", "a", "br", "em", "strong", "s",
                                                       "code", "del"}
