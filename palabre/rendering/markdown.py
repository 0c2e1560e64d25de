"""User Markdown to safe HTML: markdown-it-py renders, nh3 (Ammonia) sanitises.

Raw HTML in the input is escaped by the parser (``html=False``), so it shows as text; the
sanitiser then keeps only the tags and attributes below, only http, https and mailto links,
and gives every link ``rel="nofollow ugc noopener"``. Nothing else in Palabre produces HTML
from user text.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "s", "del", "a", "code", "pre", "blockquote", "ul", "ol", "li",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

_parser = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["linkify", "strikethrough"])
    .disable(["image", "heading", "lheading", "hr", "table"], ignoreInvalid=True)
)


def _absolute_allowed(url: str) -> bool:
    scheme, sep, _ = url.strip().partition(":")
    return bool(sep) and scheme.lower() in ALLOWED_SCHEMES


_parser.validateLink = _absolute_allowed  # type: ignore[method-assign]


CACHED_TEXT = 2000  # characters: short texts recur ("Merci !", "+1"), so their HTML is kept


def render(text: str) -> str:
    """Render a comment's Markdown to sanitised HTML."""
    return _render_short(text) if len(text) <= CACHED_TEXT else _render(text)


def _render(text: str) -> str:
    return sanitise(_parser.render(text)).strip()


# The last 256 short texts rendered: at most ~1.5 MB, and the same answer as _render.
_render_short = lru_cache(maxsize=256)(_render)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        # "*": no attribute on every tag (nh3 would otherwise allow lang and title anywhere).
        attributes={**ALLOWED_ATTRIBUTES, "*": set()},
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def has_link(html: str) -> bool:
    """Whether rendered HTML holds a link (for the ``links`` moderation mode)."""
    return "<a " in html
