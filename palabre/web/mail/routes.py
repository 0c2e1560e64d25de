"""The pages mail links open: confirming an address, and unsubscribing (a page with a
button, since mail scanners follow links; a POST, which RFC 8058 one-click clients send
to the List-Unsubscribe address), in English or French; and what the widget asks
(``/mail/options``, outside ``/api/v1`` until the public API's description lists it)."""

from __future__ import annotations

from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from palabre.domain.mail.subscriptions import (
    Outcome,
    check_unsubscribe,
    confirm,
    unsubscribe,
)
from palabre.i18n import negotiate, translate
from palabre.settings import ServerConfig
from palabre.web.state import json_response, state

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",  # the token is in the address
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
}
env = Environment(loader=PackageLoader("palabre", "templates/mail"),
                  autoescape=select_autoescape(default=True, default_for_string=True))


def mail_enabled(config: ServerConfig) -> bool:
    """Whether this server sends mail (and so whether the widget offers "notify me")."""
    return bool(config.smtp_url.strip() and config.mail_from.strip() and config.public_url)


def _lang(request: Request, fallback: str | None = None) -> str:
    return negotiate(request.query_params.get("lang") or fallback,
                     request.headers.get("accept-language"))


def _page(lang: str, name: str, status: int = 200, message: str = "",
          token: str = "") -> Response:
    html = env.get_template("page.html").render(
        lang=lang, title=translate(lang, f"mail.page.{name}.title"),
        message=message or translate(lang, f"mail.page.{name}.message"),
        form_token=token, action="/mail/unsubscribe?token=" + quote(token),
        button=translate(lang, "mail.page.unsubscribe.button"))
    return HTMLResponse(html, status_code=status,
                        headers={**HEADERS, "Content-Language": lang})


async def confirm_page(request: Request) -> Response:
    lang = _lang(request)
    answer = await confirm(state(request).ctx, request.query_params.get("token", ""), lang)
    if answer.outcome is Outcome.INVALID:
        return _page(lang, "invalid", 400)
    return _page(answer.lang, "confirmed")


async def unsubscribe_page(request: Request) -> Response:
    token = request.query_params.get("token", "")
    found = await check_unsubscribe(state(request).ctx, token)
    if found is None:
        return _page(_lang(request), "invalid", 400)
    lang = _lang(request, found.lang)
    if found.outcome is Outcome.ALREADY:
        return _page(lang, "unsubscribed", message=translate(lang, "mail.page.already.message"))
    return _page(lang, "unsubscribe", token=token)


async def unsubscribe_post(request: Request) -> Response:
    """RFC 8058 one-click (body ``List-Unsubscribe=One-Click``) and the page's button."""
    answer = await unsubscribe(state(request).ctx, request.query_params.get("token", ""))
    lang = _lang(request, answer.lang)
    if answer.outcome is Outcome.INVALID:
        return _page(lang, "invalid", 400)
    if answer.outcome is Outcome.ALREADY:
        return _page(lang, "unsubscribed", message=translate(lang, "mail.page.already.message"))
    return _page(lang, "unsubscribed")


async def mail_options(request: Request) -> Response:
    """``{"notify": bool}``: whether the widget should offer the "notify me" box. The same
    for every site and reader, with nothing personal: any origin may read it."""
    response = json_response({"notify": mail_enabled(state(request).ctx.config)})
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


routes = [
    Route("/mail/confirm", confirm_page, methods=["GET"]),
    Route("/mail/unsubscribe", unsubscribe_page, methods=["GET"]),
    Route("/mail/unsubscribe", unsubscribe_post, methods=["POST"]),
    Route("/mail/options", mail_options, methods=["GET"]),
]
