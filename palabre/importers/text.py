"""Shared helpers of the parsers: cleaning text, HTML to Markdown, dates and page paths."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from html_to_markdown import ConversionOptions
from html_to_markdown import _html_to_markdown as _core
from html_to_markdown.api import _to_rust_conversion_options

from palabre.domain.errors import InvalidInput
from palabre.domain.uris import normalise_uri

if TYPE_CHECKING:
    from html_to_markdown._html_to_markdown import HtmlVisitor

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; surrogates (a JSON
# file may hold lone ones, which no database accepts); the two non-characters U+FFFE/U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n?")
_BLANK_RUN = re.compile(r" *[\t\n\r][\t\n\r ]*")


def clean_text(value: str | None) -> str:
    """Multi-line text: drop control characters, keep tabs and newlines (``\\r\\n`` → ``\\n``)."""
    if not value:
        return ""
    if "\r" in value:
        value = _LINE_BREAKS.sub("\n", value)
    return _CONTROL.sub("", value) if _CONTROL.search(value) else value


def clean_line(value: str | None) -> str:
    """One-line text (names, emails, links, titles): control characters dropped, line breaks
    and tabs become a space, surrounding blanks stripped."""
    if not value:
        return ""
    if value.isprintable():  # the common case, without the regular expressions
        return value.strip()
    return _BLANK_RUN.sub(" ", _CONTROL.sub("", value)).strip()


_LABEL_SPECIALS = re.compile(r"[\\\[\]*_`<>&!]")


class _PalabreVisitor:
    """Palabre shows no headings and no images: headings become bold paragraphs, images
    links to them."""

    def visit_heading(self, ctx: object, level: int, text: str, id: str | None = None
                      ) -> dict[str, str]:
        text = " ".join(text.split())
        return {"custom": f"\n\n**{text}**\n\n" if text else ""}

    def visit_image(self, ctx: object, src: str, alt: str, title: str | None = None
                    ) -> dict[str, str]:
        alt, src = clean_line(alt), clean_line(src)
        if not src or src.lower().startswith("data:"):  # inline SVGs come as data: images
            return {"custom": _LABEL_SPECIALS.sub(r"\\\g<0>", alt)}
        label = _LABEL_SPECIALS.sub(r"\\\g<0>", alt) if alt else "image"
        return {"custom": f"[{label}](<{src}>)" if " " in src else f"[{label}]({src})"}


_OPTIONS = ConversionOptions(
    escape_asterisks=True,
    escape_underscores=True,
    escape_misc=True,  # a literal "&copy;", "1. " or "# " stays text
    heading_style="atx",
    bullets="-",
    autolinks=True,
    extract_metadata=False,
)
# html-to-markdown calls the methods a visitor has; its typing asks for all of them
_VISITOR = cast("HtmlVisitor", _PalabreVisitor())
# The public convert() turns the options into the Rust core's at every call, which costs
# more than converting a comment: they are turned once here (test_text.py checks that both
# ways give the same Markdown).
_CORE_OPTIONS = _to_rust_conversion_options(_OPTIONS, _visitor_override=_VISITOR)


def _convert(html: str) -> str:
    return _core.convert(html=html, options=_CORE_OPTIONS, visitor=_VISITOR).content or ""

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_BLOCK_TAGS = (r"(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tfoot|tr|td|th|hr"
               r"|dl|dt|dd)")
_STARTS_WITH_BLOCK = re.compile(rf"^\s*</?{_BLOCK_TAGS}\b", re.IGNORECASE)
_ENDS_WITH_BLOCK = re.compile(rf"</?{_BLOCK_TAGS}\b[^>]*>\s*$", re.IGNORECASE)
_PRE = re.compile(r"<pre\b.*?</pre\s*>", re.IGNORECASE | re.DOTALL)


def html_to_markdown(html: str | None, *, newlines_are_breaks: bool = False) -> str:
    """A comment's HTML body as Markdown that shows what the source showed.

    Links stay Markdown links; scripts, styles and other non-content elements are dropped with
    their content; other markup becomes Markdown or plain text (headings bold, images links).
    ``newlines_are_breaks`` is for WordPress, whose comment bodies are text with some HTML
    that WordPress shows with a blank line as a new paragraph and a newline as a line break.
    """
    html = clean_text(html)
    if not html.strip():
        return ""
    if "<" not in html and "&" not in html:
        return plain_to_markdown(html, newlines_are_breaks=newlines_are_breaks)
    if newlines_are_breaks:
        html = _autop(html)
    # html-to-markdown drops scripts, styles, iframes, templates and noscript with their content
    markdown = _convert(html)
    return clean_text(markdown).strip()


_BLANKS = re.compile(r"[\t\n\r ]+")
_SPACES = re.compile(r"[\t ]+")
_LINE_EDGES = re.compile(r" ?\n ?")
_PARAGRAPHS = re.compile(r"\n{2,}")
# the converter's escapes (escape_misc, asterisks, underscores), for text without markup; the
# anchored ones look around instead of consuming, so that they apply to each line of a text
_ESCAPE_CHARS = re.compile(r"([]\\&<`[>~=+|*_])")
_ESCAPE_DASHES = re.compile(r"(?:(?<=\s)|^)(-+)(?=\s|$)")
_ESCAPE_HASHES = re.compile(r"(?:(?<=\s)|^)(#{1,6})(?=\s|$)")
_ESCAPE_LIST_ITEMS = re.compile(r"(?:(?<=\s)|^)([0-9]{1,9})([.)])(?=\s|$)")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would read as markup in plain text."""
    text = _ESCAPE_CHARS.sub(r"\\\1", text)
    if "-" in text:
        text = _ESCAPE_DASHES.sub(r"\\\1", text)
    if "#" in text:
        text = _ESCAPE_HASHES.sub(r"\\\1", text)
    if "." in text or ")" in text:
        text = _ESCAPE_LIST_ITEMS.sub(r"\1\\\2", text)
    return text


def plain_to_markdown(text: str, *, newlines_are_breaks: bool = False) -> str:
    """Text without markup as Markdown that shows it as it is, the way a browser shows it in
    HTML: runs of blanks are one space; with ``newlines_are_breaks`` (WordPress), a blank line
    starts a paragraph and a newline breaks the line.

    The fast path of :func:`html_to_markdown` (most comments have no markup): a few
    microseconds where converting HTML takes a hundred.
    """
    text = clean_text(text)
    if not newlines_are_breaks:
        return escape_markdown(_BLANKS.sub(" ", text).strip())
    text = _LINE_EDGES.sub("\n", _SPACES.sub(" ", text)).strip()
    text = escape_markdown(_PARAGRAPHS.sub("\n\n", text))
    return "\n\n".join(paragraph.replace("\n", "  \n") for paragraph in text.split("\n\n"))


def _autop(text: str) -> str:
    """A small wpautop: a paragraph at each blank line, ``<br>`` at other newlines, except
    next to block tags and inside ``<pre>``."""
    pres: list[str] = []

    def keep(match: re.Match[str]) -> str:
        pres.append(match.group(0))
        return f"\x00{len(pres) - 1}\x00"

    text = _PRE.sub(keep, text)
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        lines = block.split("\n")
        parts = [lines[0]]
        for previous, line in itertools.pairwise(lines):
            near_block = _ENDS_WITH_BLOCK.search(previous) or _STARTS_WITH_BLOCK.match(line)
            parts.append(("\n" if near_block else "<br>\n") + line)
        joined = "".join(parts)
        block_level = _STARTS_WITH_BLOCK.match(joined) or joined.startswith("\x00")
        paragraphs.append(joined if block_level else f"<p>{joined}</p>")
    html = "\n".join(paragraphs)
    return re.sub(r"\x00(\d+)\x00", lambda match: pres[int(match.group(1))], html)


def utc(value: datetime) -> datetime:
    """A datetime as timezone-aware UTC; a naive one is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_iso(value: str) -> datetime:
    """ISO 8601 (``2011-08-31T15:16:29Z``, with or without fraction or offset) as UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return utc(datetime.fromisoformat(text))


def parse_sql_datetime(value: str) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` as UTC; None for WordPress's zero date ``0000-00-00 00:00:00``."""
    text = value.strip()
    if not text or text.startswith("0000-00-00"):
        return None
    if not _SQL_DATETIME.match(text):
        raise ValueError(f"not a YYYY-MM-DD HH:MM:SS date: {text!r}")
    return utc(datetime.fromisoformat(text))


_SQL_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\Z")


def page_path(link: str) -> str:
    """The thread key of a link, as Palabre computes it; raises ValueError when there is none."""
    try:
        return normalise_uri(link)
    except InvalidInput as exc:
        raise ValueError(exc.message) from exc
