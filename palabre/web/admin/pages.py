"""The moderation desk: the routes of the server-rendered admin pages under /admin."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palabre.web.admin import (
    accounts,
    actions,
    assist_page,
    audit_pages,
    comment_edit,
    dashboard_page,
    mail_pages,
    queues,
    sanction_pages,
    signin,
    site_settings,
    static,
    thread_pages,
    webhook_pages,
)
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import error_page, redirect


@page
async def home(request: Request) -> Response:
    await signed_in(request)
    return redirect(signin.HOME)


@page
async def not_found(request: Request) -> Response:
    await signed_in(request)
    return error_page(request, 404, "error.not_found")


routes = [
    Route("/admin", home, methods=["GET"]),
    Route("/admin/", home, methods=["GET"]),
    Route("/admin/login", signin.login_form, methods=["GET"]),
    Route("/admin/login", signin.login, methods=["POST"]),
    Route("/admin/logout", signin.logout, methods=["POST"]),
    Route("/admin/static/{name}", static.asset, methods=["GET"]),
    Route("/admin/queue/{kind}", queues.queue_page, methods=["GET"]),
    Route("/admin/comments/bulk", actions.moderate_many, methods=["POST"]),
    Route("/admin/comments/{id:int}/edit", comment_edit.edit_form, methods=["GET"]),
    Route("/admin/comments/{id:int}/edit", comment_edit.save_edit, methods=["POST"]),
    Route("/admin/comments/{id:int}/feature", actions.feature, methods=["POST"]),
    Route("/admin/comments/{id:int}/delete", actions.delete, methods=["POST"]),
    Route("/admin/comments/{id:int}/sanction", sanction_pages.sanction, methods=["POST"]),
    Route("/admin/undo", actions.undo, methods=["POST"]),
    Route("/admin/sanctions", sanction_pages.sanctions_page, methods=["GET"]),
    Route("/admin/sanctions/lift", sanction_pages.lift, methods=["POST"]),
    Route("/admin/comments/{id:int}/{action}", actions.moderate_one, methods=["POST"]),
    Route("/admin/threads", thread_pages.threads_page, methods=["GET"]),
    Route("/admin/threads/close", thread_pages.close_thread, methods=["POST"]),
    Route("/admin/threads/open", thread_pages.open_thread, methods=["POST"]),
    Route("/admin/threads/title", thread_pages.title_thread, methods=["POST"]),
    Route("/admin/threads/options", thread_pages.thread_options, methods=["POST"]),
    Route("/admin/settings", site_settings.settings_page, methods=["GET"]),
    Route("/admin/settings", site_settings.save_settings, methods=["POST"]),
    Route("/admin/moderators", accounts.moderators_page, methods=["GET"]),
    Route("/admin/moderators", accounts.create_moderator, methods=["POST"]),
    Route("/admin/moderators/access", accounts.set_access, methods=["POST"]),
    Route("/admin/moderators/alerts", mail_pages.set_address, methods=["POST"]),
    Route("/admin/mail", mail_pages.mail_page, methods=["GET"]),
    Route("/admin/mail/test", mail_pages.send_test, methods=["POST"]),
    Route("/admin/audit", audit_pages.audit_page, methods=["GET"]),
    Route("/admin/dashboard", dashboard_page.dashboard_page, methods=["GET"]),
    Route("/admin/assist", assist_page.assist_page, methods=["GET"]),
    Route("/admin/webhooks", webhook_pages.webhooks_page, methods=["GET"]),
    Route("/admin/webhooks", webhook_pages.add, methods=["POST"]),
    Route("/admin/webhooks/{id:int}/rotate", webhook_pages.rotate, methods=["POST"]),
    Route("/admin/webhooks/{id:int}/retire", webhook_pages.retire, methods=["POST"]),
    Route("/admin/webhooks/{id:int}/enable", webhook_pages.enable, methods=["POST"]),
    Route("/admin/webhooks/{id:int}/disable", webhook_pages.disable, methods=["POST"]),
    Route("/admin/webhooks/{id:int}/delete", webhook_pages.delete, methods=["POST"]),
    Route("/admin/webhooks/{id:int}/test", webhook_pages.send_test, methods=["POST"]),
    Route("/admin/{rest:path}", not_found),
]
