"""How admin pages are drawn: the Jinja environment, the page language, the security headers
every admin answer carries, and the error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from palabre.domain.models import rfc3339
from palabre.i18n import LANGUAGES, negotiate, translate
from palabre.web.embed.pages import readable_date

LANG_COOKIE = "palabre_admin_lang"
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
env = Environment(loader=PackageLoader("palabre", "templates/admin"),
                  autoescape=select_autoescape(default=True, default_for_string=True))


def secured(response: Response) -> Response:
    """The headers every admin answer carries (a page, a redirect, an error)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def language(request: Request) -> str:
    """``?lang=`` (the toggle), then the remembered toggle, then Accept-Language."""
    explicit = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return negotiate(explicit, request.headers.get("accept-language"))


def translator(lang: str) -> Callable[..., str]:
    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)
    return t


def render(request: Request, template: str, status: int = 200, **values: Any) -> Response:
    """A page in the moderator's language, with the toggle remembered when just used."""
    lang = language(request)
    html = env.get_template(template).render(
        lang=lang, t=translator(lang), other_lang=next(x for x in LANGUAGES if x != lang),
        path=request.url.path, query=request.query_params, rfc3339=rfc3339,
        readable=lambda moment: readable_date(lang, moment), **values)
    response = HTMLResponse(html, status_code=status, headers={"Content-Language": lang})
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True,
                            samesite="strict", path="/admin")
    return secured(response)


def redirect(url: str) -> Response:
    return secured(RedirectResponse(url, status_code=303))


def error_page(request: Request, status: int, *keys: str) -> Response:
    """An error as a page, saying the first of ``keys`` the catalogue has."""
    t = translator(language(request))
    message = next((t(key) for key in keys if t(key) != key), t("error.invalid_input"))
    return render(request, "error.html", status=status, message=message, status_code=status)
