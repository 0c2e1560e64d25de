"""What every domain operation needs: storage, the secret, the server settings, a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from palabre.domain.errors import InvalidInput, RateLimited
from palabre.domain.identity import AuthorTokens
from palabre.domain.models import Site, SiteSettings, Thread, utcnow
from palabre.domain.phases import Phase
from palabre.domain.ports import Storage, WriteTx
from palabre.domain.validation import is_site_slug
from palabre.settings import ServerConfig


@dataclass
class Context:
    storage: Storage
    secret: str
    config: ServerConfig = field(default_factory=ServerConfig)  # limits and retention
    clock: Callable[[], datetime] = utcnow
    phases: tuple[Phase, ...] = ()  # optional moderation phases (domain/phases.py)

    @cached_property
    def tokens(self) -> AuthorTokens:
        """Author tokens, signed with the secret (the CLI's commands, which sign nothing,
        run without one)."""
        if not self.secret:
            raise RuntimeError("author tokens need the server's secret")
        return AuthorTokens(self.secret)

    async def site(self, slug: object) -> Site:
        """The site a caller names (any JSON value: only a known site's name finds one)."""
        slug = slug or "default"
        site = (await self.storage.get_site(slug)
                if isinstance(slug, str) and is_site_slug(slug) else None)
        if site is None:
            raise InvalidInput("unknown site", reason="site_unknown", field="site")
        return site

    async def check_rate(self, tx: WriteTx, bucket: str, client: str, limit: int,
                         window_seconds: int | None = None) -> None:
        """Count one hit for this client; refuse with 429 past the limit.

        Windows are ``rate_window_seconds`` long unless ``window_seconds`` says otherwise.
        Slots are numbered in ``rate_window_seconds`` windows whatever the length, since
        each hit drops every slot already over: a longer window's counter sits in the slot of
        the last short window it overlaps, and its key names the longer window.
        """
        if limit <= 0:
            return
        base = self.config.rate_window_seconds
        window_len = window_seconds or base
        now = self.clock().timestamp()
        window = int(now // window_len)
        current = int(now // base)
        if window_len == base:
            hits = await tx.hit_rate_limit(f"{bucket}:{client}", current)
        else:
            last = ((window + 1) * window_len - 1) // base
            hits = await tx.hit_rate_limit(f"{bucket}:{window}:{client}", last, current)
        if hits > limit:
            retry_after = max(1, int((window + 1) * window_len - now) + 1)
            raise RateLimited("too many requests", retry_after=retry_after)


def is_closed(thread: Thread | None, settings: SiteSettings, now: datetime) -> bool:
    if thread is None:
        return False
    return thread.closed or closes_at(thread, settings) <= now


def closes_at(thread: Thread, settings: SiteSettings) -> datetime:
    """When the thread closes by age (far in the future when it never does)."""
    if settings.close_after_days <= 0:
        return datetime.max.replace(tzinfo=thread.created.tzinfo)
    return thread.created + timedelta(days=settings.close_after_days)
