"""Atom feeds of the newest approved comments, of a thread or of a whole site."""

from __future__ import annotations

from urllib.parse import quote
from xml.etree import ElementTree as ET

from palabre.domain import feeds
from palabre.domain.context import Context
from palabre.domain.models import rfc3339, utcnow
from palabre.domain.validation import printable
from palabre.i18n import negotiate, translate

ATOM = "http://www.w3.org/2005/Atom"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    """A child element holding ``text``, without what XML forbids (the feed stays
    well-formed whatever was stored before input refused such characters)."""
    element = ET.SubElement(parent, tag, attrs)
    element.text = printable(text)
    return element


async def atom_feed(ctx: Context, site_slug: str | None, raw_uri: str | None, base_url: str,
                    lang_param: str | None, accept_language: str | None) -> bytes:
    feed = await feeds.latest(ctx, site_slug, raw_uri)
    site, entries = feed.site, feed.entries
    lang = negotiate(lang_param, accept_language)
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": lang})
    self_url = f"{base_url}/api/v1/feed.atom?site={quote(site.slug)}"
    if feed.uri is not None:
        self_url += f"&uri={quote(feed.uri, safe='')}"
        title = translate(lang, "feed.thread_title",
                          title=feed.thread.title if feed.thread and feed.thread.title
                          else feed.uri)
    else:
        title = translate(lang, "feed.site_title", site=site.name)
    _text(root, "id", f"tag:palabre,2026:{site.slug}:{raw_uri or '*'}")
    _text(root, "title", title)
    _text(root, "updated", rfc3339(entries[0][0].created if entries else utcnow()))
    ET.SubElement(root, "link", {"rel": "self", "href": self_url})
    for comment, comment_thread in entries:
        entry = ET.SubElement(root, "entry")
        _text(entry, "id", f"tag:palabre,2026:comment:{comment.id}")
        _text(entry, "title", f"#{comment.id} — {comment_thread.title or comment_thread.uri}")
        author = ET.SubElement(entry, "author")
        _text(author, "name", comment.author or translate(lang, "comment.anonymous"))
        _text(entry, "updated", rfc3339(comment.edited or comment.created))
        _text(entry, "published", rfc3339(comment.created))
        page = site.settings.site_url.rstrip("/") + comment_thread.uri
        ET.SubElement(entry, "link", {"href": f"{page}#comment-{comment.id}"})
        _text(entry, "content", comment.html, type="html")
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml
