"""The pages mail links open: confirming an address, and unsubscribing (a page with a
button, since mail scanners follow links; a POST, which RFC 8058 one-click clients send
to the List-Unsubscribe address), both offering the choice of digests; a moderator's
approve or reject link (a page with a button, then a POST that acts), in English or
French; and what the widget asks (``/mail/options``, outside ``/api/v1`` until the
public API's description lists it)."""

from __future__ import annotations

from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from palabre.domain.mail.alerts import LinkAnswer, LinkOutcome, check_link, use_link
from palabre.domain.mail.digests import choose_digest
from palabre.domain.mail.subscriptions import (
    Answer,
    Outcome,
    check_unsubscribe,
    confirm,
    note_language,
    unsubscribe,
)
from palabre.i18n import negotiate, translate
from palabre.settings import ServerConfig
from palabre.web.admin.forms import read_form
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
          token: str = "", managing: Answer | None = None, **values: object) -> Response:
    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    page = {"form_token": token, "action": "/mail/unsubscribe?token=" + quote(token),
            "button": t("mail.page.unsubscribe.button"), **values}
    html = env.get_template("page.html").render(
        lang=lang, t=t, title=t(f"mail.page.{name}.title"),
        message=message or t(f"mail.page.{name}.message"),
        digest_token=managing.manage if managing else "",
        digest=managing.digest if managing else "", **page)
    return HTMLResponse(html, status_code=status,
                        headers={**HEADERS, "Content-Language": lang})


async def confirm_page(request: Request) -> Response:
    lang = _lang(request)
    answer = await confirm(state(request).ctx, request.query_params.get("token", ""), lang)
    if answer.outcome is Outcome.INVALID:
        return _page(lang, "invalid", 400)
    return _page(answer.lang, "confirmed", managing=answer)


async def unsubscribe_page(request: Request) -> Response:
    token = request.query_params.get("token", "")
    found = await check_unsubscribe(state(request).ctx, token)
    if found is None:
        return _page(_lang(request), "invalid", 400)
    lang = _lang(request, found.lang)
    if found.outcome is Outcome.ALREADY:
        return _page(lang, "unsubscribed", message=translate(lang, "mail.page.already.message"))
    return _page(lang, "unsubscribe", token=token, managing=found)


async def unsubscribe_post(request: Request) -> Response:
    """RFC 8058 one-click (body ``List-Unsubscribe=One-Click``) and the page's button."""
    answer = await unsubscribe(state(request).ctx, request.query_params.get("token", ""))
    lang = _lang(request, answer.lang)
    if answer.outcome is Outcome.INVALID:
        return _page(lang, "invalid", 400)
    if answer.outcome is Outcome.ALREADY:
        return _page(lang, "unsubscribed", message=translate(lang, "mail.page.already.message"))
    return _page(lang, "unsubscribed")


async def digest_post(request: Request) -> Response:
    """The "how often" form of the confirmation and unsubscribe pages."""
    st = state(request)
    form = await read_form(request, st.max_body_bytes)
    answer = await choose_digest(st.ctx, request.query_params.get("token", ""),
                                 form.get("digest"))
    lang = _lang(request, answer.lang)
    if answer.outcome is Outcome.INVALID:
        return _page(lang, "invalid", 400)
    return _page(lang, "digest")


def _link_page(request: Request, answer: LinkAnswer, token: str = "") -> Response:
    lang = _lang(request)
    if answer.outcome is LinkOutcome.SHOW and answer.comment and answer.thread:
        author = answer.comment.author or translate(lang, "mail.reply.anonymous")
        return _page(lang, f"moderate.{answer.action}", token=token,
                     message=translate(lang, "mail.page.moderate.message", author=author,
                                       title=answer.thread.title or answer.thread.uri),
                     quote=answer.comment.text, action="/mail/moderate?token=" + quote(token),
                     button=translate(lang, f"mail.page.moderate.{answer.action}.button"))
    if answer.outcome is LinkOutcome.DONE:
        return _page(lang, "moderate.done",
                     message=translate(lang, f"mail.page.moderate.{answer.action}.done"))
    if answer.outcome is LinkOutcome.INVALID:
        return _page(lang, "invalid", 400)
    return _page(lang, f"moderate.{answer.outcome.value}", 409)


async def moderate_page(request: Request) -> Response:
    """What an alert's link would do, with a button: a GET never acts."""
    token = request.query_params.get("token", "")
    return _link_page(request, await check_link(state(request).ctx, token), token)


async def moderate_post(request: Request) -> Response:
    """Spend the link and act, once."""
    token = request.query_params.get("token", "")
    return _link_page(request, await use_link(state(request).ctx, token))


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
    Route("/mail/digest", digest_post, methods=["POST"]),
    Route("/mail/moderate", moderate_page, methods=["GET"]),
    Route("/mail/moderate", moderate_post, methods=["POST"]),
    Route("/mail/options", mail_options, methods=["GET"]),
]


async def note_posting_language(request: Request, site: str, email: str,
                                notify: bool) -> None:
    """Before a comment is posted: remember the language the reader writes in (the
    widget sends its own as Accept-Language), for the mails their address may get."""
    header = request.headers.get("accept-language")
    if email and header:
        await note_language(state(request).ctx, site, email, negotiate(None, header), notify)
