"""Server-rendered HTML: the no-JavaScript thread fragment, the demo pages, the widget file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from palabre.demo import load_demo
from palabre.domain import threads
from palabre.domain.models import Comment, Sort, rfc3339
from palabre.domain.threads import ThreadInfo
from palabre.domain.tree import Tree
from palabre.i18n import negotiate, translate
from palabre.web.state import state

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
env = Environment(loader=PackageLoader("palabre", "templates"),
                  autoescape=select_autoescape(default=True, default_for_string=True))


def fragment_context(info: ThreadInfo, comments: list[Comment], lang: str) -> dict[str, Any]:
    """What thread.html needs to show a thread in ``lang``."""
    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    heading = (translate(lang, "thread.heading", count=info.count, title=info.title)
               if info.title else translate(lang, "count", count=info.count))
    return {"info": info, "tree": Tree.build(comments, Sort.OLDEST), "lang": lang, "t": t,
            "heading": heading, "names": {c.id: c.author for c in comments},
            "rfc3339": rfc3339, "readable": lambda moment: readable_date(lang, moment)}


def readable_date(lang: str, moment: datetime) -> str:
    """``25 novembre 2026 à 08:00 UTC``: a date a reader without JavaScript can read."""
    utc = moment.astimezone(UTC)
    months = translate(lang, "server.months").split(",")
    return translate(lang, "server.date", day=utc.day, month=months[utc.month - 1],
                     year=utc.year, time=utc.strftime("%H:%M"))


async def fragment_for(request: Request, site: str | None, uri: str | None,
                       lang: str) -> dict[str, Any]:
    page = await threads.thread_page(state(request).ctx, site, uri, Sort.OLDEST,
                                     threads.MAX_LIMIT, None)
    return fragment_context(page.thread, page.comments, lang)


async def thread_fragment(request: Request) -> Response:
    q = request.query_params
    lang = negotiate(q.get("lang"), request.headers.get("accept-language"))
    html = env.get_template("thread.html").render(
        await fragment_for(request, q.get("site"), q.get("uri"), lang))
    return HTMLResponse(html, headers={"Content-Language": lang,
                                       "Cache-Control": "no-cache"})


async def demo_page(request: Request) -> Response:
    demo = load_demo()
    wanted = "/" + request.path_params.get("path", "")
    article = next((a for a in demo.articles if a.uri == wanted), demo.articles[0])
    if "path" in request.path_params and article.uri != wanted:
        return HTMLResponse("Not found", status_code=404)
    lang = "en" if request.query_params.get("lang") == "en" else "fr"
    fragment = await fragment_for(request, "default", article.uri, lang)
    html = env.get_template("demo.html").render(
        fragment, article=article, published=article.published, chrome=DEMO_CHROME[lang],
        count_text=translate(lang, "count", count=fragment["info"].count),
        others=[a for a in demo.articles if a is not article],
    )
    return HTMLResponse(html)


# The demo newspaper's own words around the (French) article; the discussion speaks the
# reader's language through the message catalogues.
DEMO_CHROME = {
    "fr": {"lang": "fr", "published": "Publié le", "also": "Aussi :",
           "closed": "(commentaires fermés)", "switch": "Comments in English",
           "switch_query": "?lang=en", "query": ""},
    "en": {"lang": "en", "published": "Published on", "also": "Also:",
           "closed": "(comments closed)", "switch": "Commentaires en français",
           "switch_query": "?lang=fr", "query": "?lang=en"},
}


# The widget's precompressed copies (widget/build.mjs writes them), by preference.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


@dataclass(frozen=True)
class WidgetFile:
    """One representation of widget.js: its bytes, its ``Content-Encoding`` and its ETag."""

    data: bytes
    encoding: str | None
    etag: str


@cache
def widget_bytes() -> tuple[bytes, str]:
    path = STATIC / "widget.js"
    data = path.read_bytes() if path.exists() else b""
    return data, hashlib.sha256(data).hexdigest()[:12]


@cache
def widget_files() -> dict[str | None, WidgetFile]:
    """widget.js as it is, and each compressed copy that exists, keyed by encoding."""
    data, digest = widget_bytes()
    files: dict[str | None, WidgetFile] = {None: WidgetFile(data, None, f'"{digest}"')}
    for encoding, suffix in ENCODINGS:
        path = STATIC / f"widget.js{suffix}"
        if data and path.exists():
            files[encoding] = WidgetFile(path.read_bytes(), encoding, f'"{digest}-{encoding}"')
    return files


def accepted(accept_encoding: str) -> dict[str, float]:
    """``Accept-Encoding`` as coding → q (``*`` included); a malformed q counts as 0."""
    found: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        coding, *params = (piece.strip() for piece in part.split(";"))
        if not coding:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        found[coding] = q
    return found


def pick_encoding(accept_encoding: str, offered: Iterable[str | None]) -> str | None:
    """The first of ``ENCODINGS`` offered that the client accepts (q above 0), else None."""
    wanted = accepted(accept_encoding)
    for encoding, _ in ENCODINGS:
        if encoding in offered and wanted.get(encoding, wanted.get("*", 0.0)) > 0:
            return encoding
    return None


async def widget_redirect(request: Request) -> Response:
    _, digest = widget_bytes()
    return RedirectResponse(f"/static/widget.js?v={digest}", status_code=302,
                            headers={"Cache-Control": "public, max-age=300"})


async def widget_file(request: Request) -> Response:
    _, digest = widget_bytes()
    files = widget_files()
    chosen = files[pick_encoding(request.headers.get("accept-encoding", ""), files)]
    if not chosen.data:
        return Response("widget not built", status_code=404, media_type="text/plain")
    cache_control = ("public, max-age=31536000, immutable"
                     if request.query_params.get("v") == digest else "public, max-age=300")
    headers = {"Cache-Control": cache_control, "ETag": chosen.etag, "Vary": "Accept-Encoding",
               "Access-Control-Allow-Origin": "*"}
    if chosen.encoding:
        headers["Content-Encoding"] = chosen.encoding
    return Response(chosen.data, media_type="text/javascript; charset=utf-8", headers=headers)


routes = [
    Route("/embed/thread.html", thread_fragment, methods=["GET"]),
    Route("/widget.js", widget_redirect, methods=["GET"]),
    Route("/static/widget.js", widget_file, methods=["GET"]),
]
demo_routes = [
    Route("/", demo_page, methods=["GET"]),
    Route("/demo/{path:path}", demo_page, methods=["GET"]),
]
