"""Moderator accounts: argon2-hashed passwords, never stored or logged in clear."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from palabre.domain import audit
from palabre.domain.context import Context
from palabre.domain.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from palabre.domain.identity import Actor
from palabre.domain.models import Moderator, Role

MIN_PASSWORD = 10
ROLES = tuple(role.value for role in Role)
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_hasher = PasswordHasher()
# argon2 takes tens of milliseconds and 64 MiB per hash: it runs on a few threads of its own,
# never on the event loop (where it would stall every other request of the worker), and a
# burst of sign-ins queues there instead of taking all the memory at once.
HASH_THREADS = 4
_hash_pool = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="palabre-argon2")
T = TypeVar("T")


async def _off_loop(work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_hash_pool, work)


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both failures take the same time
    (made on first use: hashing at import would cost every worker start ~0.6 s)."""
    return _hasher.hash("palabre-no-such-moderator")


async def save_moderator(ctx: Context, username: str, password: str) -> Moderator:
    """Create a moderator, or change the password of an existing one."""
    if not _USERNAME.match(username):
        raise InvalidInput("usernames are 1-64 letters, digits, '.', '_' or '-'",
                           reason="username_invalid", field="username")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"passwords have at least {MIN_PASSWORD} characters",
                           reason="password_too_short", field="password")
    password_hash = await _off_loop(lambda: _hasher.hash(password))
    async with ctx.storage.write() as tx:
        return await tx.save_moderator(username, password_hash, ctx.clock())


async def create_moderator(ctx: Context, username: str, password: str,
                           actor: Actor) -> Moderator:
    """An admin makes a new account: a moderator of no site until given some (an existing
    username is refused, never overwritten)."""
    if not actor.is_admin:
        raise Forbidden("only admins manage moderators", reason="admins_only")
    if await ctx.storage.get_moderator(username) is not None:
        raise InvalidInput("this username is taken", reason="username_taken",
                           field="username")
    made = await save_moderator(ctx, username, password)
    async with ctx.storage.write() as tx:
        await tx.set_moderator_access(made.id, Role.MODERATOR, frozenset(), False)
        await audit.record(tx, actor, None, "moderator", f"moderator:{made.id}", {},
                           {"created": username, "role": Role.MODERATOR.value}, ctx.clock())
        created = await tx.get_moderator_by_id(made.id)
    assert created is not None
    return created


def _account_key(username: str) -> str:
    """The account a sign-in aims at, as a rate-limit key (any string a client sends)."""
    return hashlib.sha256(username.encode()).hexdigest()[:32]


async def session_generation(ctx: Context, moderator: Moderator) -> int:
    """The generation a new session of this moderator (just authenticated) is signed with.

    Read with the password hash: if the password changed since it was verified, the new
    generation would outlive the change, so the sign-in fails instead."""
    found = await ctx.storage.get_moderator_session(moderator.id)
    if found is None or found[0].password_hash != moderator.password_hash:
        raise Unauthorized("wrong username or password")
    return found[1]


async def end_sessions(ctx: Context, moderator: Moderator) -> None:
    """Revoke every session of a moderator (logout; a password change does it too)."""
    async with ctx.storage.write() as tx:
        await tx.end_sessions(moderator.id)


async def authenticate(ctx: Context, username: object, password: object,
                       actor: Actor) -> Moderator:
    """The moderator these credentials are, or 401; 429 past ``login_rate_limit`` attempts
    per window from this client or at this account (counted before any hashing, so a
    refused attempt costs no argon2 time; a success resets nobody's counter)."""
    if not isinstance(username, str) or not isinstance(password, str):
        raise Unauthorized("username and password are required")
    limit, window = ctx.config.login_rate_limit, ctx.config.login_window_seconds
    if limit > 0:
        async with ctx.storage.write() as tx:
            await ctx.check_rate(tx, "login-client", actor.client, limit, window)
            await ctx.check_rate(tx, "login-account", _account_key(username), limit, window)
    moderator = await ctx.storage.get_moderator(username)

    def verify() -> None:
        _hasher.verify(moderator.password_hash if moderator else _dummy_hash(), password)

    try:
        await _off_loop(verify)
    except (VerificationError, InvalidHashError) as exc:
        raise Unauthorized("wrong username or password") from exc
    if moderator is None or moderator.disabled:
        raise Unauthorized("wrong username or password")
    return moderator


async def list_moderators(ctx: Context, actor: Actor) -> list[Moderator]:
    if not actor.is_admin:
        raise Forbidden("only admins manage moderators", reason="admins_only")
    return await ctx.storage.list_moderators()


async def set_access(ctx: Context, username: str, actor: Actor, *, role: str,
                     sites: Sequence[str] = (), disabled: bool = False) -> Moderator:
    """Give a moderator a role and (for the moderator role) the sites they moderate, or
    disable the account (which ends its sessions). Admins only."""
    if not actor.is_admin:
        raise Forbidden("only admins manage moderators", reason="admins_only")
    if role not in ROLES:
        raise InvalidInput("role is admin or moderator", reason="role_invalid", field="role")
    site_ids = frozenset([(await ctx.site(slug)).id for slug in sites])
    found = await ctx.storage.get_moderator(username)
    if found is None:
        raise NotFound("no such moderator")
    async with ctx.storage.write() as tx:
        await tx.set_moderator_access(found.id, Role(role), site_ids, disabled)
        await audit.record(tx, actor, None, "moderator", f"moderator:{found.id}",
                           {"role": found.role.value, "sites": sorted(found.sites),
                            "disabled": found.disabled},
                           {"role": role, "sites": sorted(site_ids), "disabled": disabled},
                           ctx.clock())
        changed = await tx.get_moderator_by_id(found.id)
    assert changed is not None
    return changed
