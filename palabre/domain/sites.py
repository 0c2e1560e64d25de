"""Sites: creating them, listing them, changing their settings."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from palabre.domain import audit
from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput
from palabre.domain.events import SiteSettingsChanged
from palabre.domain.identity import Actor
from palabre.domain.models import Site, SiteSettings, utcnow
from palabre.domain.ports import Storage
from palabre.domain.validation import is_site_slug
from palabre.settings import BY_NAME, SITE_SETTINGS, SettingError


async def ensure_site(storage: Storage, slug: str = "default", name: str = "",
                      settings: SiteSettings | None = None) -> Site:
    """Return the site, creating it with a fresh salt when it does not exist."""
    if not is_site_slug(slug):
        raise InvalidInput("site names are 1-64 lowercase letters, digits, '-' or '_'",
                           reason="site_invalid", field="site")
    site = await storage.get_site(slug)
    if site is not None:
        return site
    async with storage.write() as tx:
        site = await tx.get_site(slug)
        if site is None:
            site = await tx.create_site(slug, name or slug, secrets.token_hex(16),
                                        settings or SiteSettings(), utcnow())
    return site


async def list_sites(ctx: Context) -> list[Site]:
    return await ctx.storage.list_sites()


def parse_changes(changes: Mapping[str, object]) -> dict[str, object]:
    """Raw values (text from the CLI or a form, JSON values) parsed by their declaration;
    an unknown name or a bad value is refused naming the setting."""
    known = {s.name for s in SITE_SETTINGS}
    parsed: dict[str, object] = {}
    for name, raw in changes.items():
        if name not in known:
            raise InvalidInput(f"unknown site setting {name!r} (one of: "
                               f"{', '.join(sorted(known))})", reason="setting_unknown",
                               field=name)
        try:
            parsed[name] = BY_NAME[name].parse(raw)
        except SettingError as exc:
            raise InvalidInput(str(exc), reason="setting_invalid", field=name) from exc
    return parsed


async def change_settings(ctx: Context, site_slug: str, changes: Mapping[str, object],
                          actor: Actor) -> Site:
    """Change some of a site's settings; every cached page of the site goes stale."""
    parsed = parse_changes(changes)
    site = await ctx.site(site_slug)
    if not actor.is_admin:
        raise Forbidden("only admins change a site's settings", reason="admins_only")
    async with ctx.storage.write() as tx:
        current = await tx.get_site_by_id(site.id)
        assert current is not None
        before = current.settings.as_mapping()
        values = {**before, **parsed}
        settings = SiteSettings.from_mapping(values)
        await tx.update_site_settings(site.id, settings)
        await tx.emit(SiteSettingsChanged(site_id=site.id, changed=tuple(sorted(parsed))))
        after = settings.as_mapping()
        await audit.record(tx, actor, site.id, "settings", f"site:{site.id}",
                           {k: before[k] for k in sorted(parsed)},
                           {k: after[k] for k in sorted(parsed)}, ctx.clock())
    return Site(site.id, site.slug, site.name, site.salt, settings)
