"""The site settings page: every per-site setting, each checked by its declaration, errors
beside the field; the change itself is the domain's ``sites.change_settings``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from palabre.domain import sites
from palabre.domain.errors import Forbidden, InvalidInput
from palabre.domain.identity import Actor
from palabre.domain.models import Site
from palabre.settings import SITE_SETTINGS, Setting
from palabre.web.admin.actions import checked_form
from palabre.web.admin.desk import render_desk, site_for
from palabre.web.admin.forms import Form
from palabre.web.admin.guard import page, signed_in
from palabre.web.admin.views import redirect
from palabre.web.state import state


@dataclass(frozen=True)
class Field:
    setting: Setting
    value: str  # as the form shows it
    error: str = ""  # an error reason, translated by the page

    @property
    def widget(self) -> str:
        if self.setting.type is bool:
            return "checkbox"
        if self.setting.choices:
            return "select"
        return "lines" if self.setting.type is tuple else (
            "number" if self.setting.type is int else "text")

    @property
    def error_key(self) -> str:
        """What to say of the error: the domain's reason, or what the field expects."""
        if self.error and self.error != "setting_invalid":
            return f"error.{self.error}"
        return f"admin.settings.error.{'choice' if self.setting.choices else self.widget}"


def shown(value: Any) -> str:
    """A setting's value as its field holds it (lists one item a line)."""
    if isinstance(value, tuple | list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


def submitted(setting: Setting, form: Form) -> object:
    """What the form says for a setting (a checkbox absent is false; lines are a list)."""
    if setting.type is bool:
        return "true" if "true" in form.all(setting.name) else "false"
    raw = form.get(setting.name)
    if setting.type is tuple:
        return [line.strip() for line in raw.splitlines() if line.strip()]
    return raw


def changes_of(site: Site, form: Form) -> tuple[dict[str, object], list[Field]]:
    """The settings the form changes, and every field with its error if any."""
    changes: dict[str, object] = {}
    fields: list[Field] = []
    for setting in SITE_SETTINGS:
        raw = submitted(setting, form)
        try:
            parsed = sites.parse_changes({setting.name: raw})[setting.name]
        except InvalidInput as exc:
            fields.append(Field(setting, shown(raw), exc.reason or "setting_invalid"))
            continue
        fields.append(Field(setting, shown(parsed)))
        if parsed != getattr(site.settings, setting.name):
            changes[setting.name] = raw
    return changes, fields


def current_fields(site: Site) -> list[Field]:
    return [Field(s, shown(getattr(site.settings, s.name))) for s in SITE_SETTINGS]


async def show(request: Request, actor: Actor, site: Site, fields: list[Field],
               status: int = 200) -> Response:
    return await render_desk(request, actor, "settings.html", site=site, fields=fields,
                             status=status, invalid=any(f.error for f in fields))


@page
async def settings_page(request: Request) -> Response:
    actor = await signed_in(request)
    site = await site_for(request, actor)
    return await show(request, actor, site, current_fields(site))


@page
async def save_settings(request: Request) -> Response:
    actor, form = await checked_form(request)
    site = await site_for(request, actor, form.get("site"))
    if not actor.is_admin:  # the domain refuses too; no need to check the fields first
        raise Forbidden("only admins change a site's settings", reason="admins_only")
    changes, fields = changes_of(site, form)
    if any(f.error for f in fields):
        return await show(request, actor, site, fields, status=422)
    if changes:
        try:
            await sites.change_settings(state(request).ctx, site.slug, changes, actor)
        except InvalidInput as exc:  # a check across settings, or one the domain adds
            if exc.field not in {f.setting.name for f in fields}:
                raise
            fields = [replace(f, error=exc.reason or "setting_invalid")
                      if f.setting.name == exc.field else f for f in fields]
            return await show(request, actor, site, fields, status=422)
    return redirect(f"/admin/settings?site={site.slug}&done=saved")
