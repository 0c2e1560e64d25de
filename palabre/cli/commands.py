"""What each `palabre` subcommand does. Prompts, output and exit codes live here only."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit, urlunsplit

from palabre.domain import moderators, sites, threads
from palabre.domain.context import Context
from palabre.domain.errors import PalabreError
from palabre.domain.identity import SYSTEM
from palabre.domain.models import Role, SiteSettings
from palabre.settings import (
    BY_NAME,
    ServerConfig,
    config_env,
    default_toml,
    docs_markdown,
    load_config,
)
from palabre.storage import open_storage
from palabre.storage.sqlite import sqlite_path

if TYPE_CHECKING:
    from palabre.domain.imports import ImportReport

T = TypeVar("T")


class CommandError(Exception):
    """A command cannot do what was asked; the message says why."""


def upgrade(database_url: str) -> None:
    """Migrate the database. Imported here, not at the top: server workers import this
    module too, and must not carry SQLAlchemy and Alembic (about 22 MB each)."""
    from palabre.storage import migrate

    migrate.upgrade(database_url)


def resolve(args: argparse.Namespace) -> ServerConfig:
    """The settings of a command: its options, then PALABRE_*, then the config file."""
    cli = {name: value for name, value in vars(args).items()
           if name in BY_NAME and value is not None}
    return load_config(cli=cli, config_file=getattr(args, "config", None))


def shown(database_url: str) -> str:
    """The database URL as a person should see it: SQLite's file made absolute, never a
    password."""
    if database_url.startswith("sqlite:///"):
        return "sqlite:///" + str(Path(sqlite_path(database_url)).resolve())
    parts = urlsplit(database_url)
    if parts.password is None:
        return database_url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def require_database(database_url: str) -> None:
    """Refuse to create a database by accident: only ``serve`` and ``db upgrade`` do."""
    if database_url.startswith("sqlite:///"):
        path = Path(sqlite_path(database_url)).resolve()
        if not path.is_file():
            raise CommandError(
                f"no database at {path}: name the right one with --database (or "
                "PALABRE_DATABASE_URL), or create it with `palabre db upgrade`")


def known_secret(config: ServerConfig) -> str:
    """The server's secret if there is one already (configured, or kept beside the SQLite
    file); never makes one."""
    if config.secret or not config.database_url.startswith("sqlite:///"):
        return config.secret
    path = Path(sqlite_path(config.database_url) + ".secret")
    return path.read_text("utf-8").strip() if path.exists() else ""


def resolve_secret(config: ServerConfig) -> str:
    """The configured secret, or the one kept beside the SQLite file (made on first use)."""
    found = known_secret(config)
    if found:
        return found
    if not config.database_url.startswith("sqlite:///"):
        raise CommandError("set PALABRE_SECRET (the same on every instance) for this database")
    path = Path(sqlite_path(config.database_url) + ".secret")
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


def with_context(config: ServerConfig, work: Callable[[Context], Awaitable[T]], *,
                 create: bool = False) -> T:
    """Migrate, open the storage, run one piece of domain work, close. Only with
    ``create`` may the database be made; the command says which database it used."""
    if not create:
        require_database(config.database_url)
    print(f"palabre: database {shown(config.database_url)}", file=sys.stderr)
    upgrade(config.database_url)

    async def run() -> T:
        storage = open_storage(config.database_url)
        try:
            await sites.ensure_site(storage)
            return await work(Context(storage=storage, secret=config.secret, config=config))
        finally:
            await storage.close()

    try:
        return asyncio.run(run())
    except PalabreError as exc:
        raise CommandError(exc.message) from exc


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from palabre.web.observe.serving import uvicorn_options

    config = resolve(args)
    config = replace(config, secret=resolve_secret(config))
    if config.demo:
        from palabre.demo import seed_demo

        if with_context(config, seed_demo, create=True):
            print("palabre: demo discussion created", file=sys.stderr)
    else:
        with_context(config, lambda ctx: asyncio.sleep(0), create=True)
    os.environ.update(config_env(config))
    if not config.public_url:
        print("palabre: warning: public_url is not set: feeds link to themselves by path "
              "only; set it (PALABRE_PUBLIC_URL) to this server's public address",
              file=sys.stderr)
    if not config.trusted_proxies:
        print("palabre: warning: trusted_proxies is not set: behind a reverse proxy every "
              "reader has the proxy's address and the whole site shares one reader's rate "
              "limit (post_rate_limit a minute); set it (PALABRE_TRUSTED_PROXIES) to the "
              "proxy's address, see docs/deploy.md", file=sys.stderr)
    print(f"palabre: serving on http://{config.host}:{config.port}/", file=sys.stderr)
    # uvicorn's httptools protocol, closing connections slow to send a request head
    # (web/http/server.py); httptools limits a head to about 80 KB on its own.
    uvicorn.run("palabre.web.app:app_from_env", factory=True, host=config.host,
                port=config.port, workers=config.workers, log_level=config.log_level,
                proxy_headers=False, server_header=False, access_log=False,
                http="palabre.web.http.server:HeadDeadlineProtocol",
                timeout_keep_alive=config.keep_alive_seconds, **uvicorn_options(config))
    return 0


def config_init(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists() and not args.force:
        raise CommandError(f"{path} exists (use --force to overwrite)")
    path.write_text(default_toml(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


def config_docs(args: argparse.Namespace) -> int:
    sys.stdout.write(docs_markdown())
    return 0


def db_upgrade(args: argparse.Namespace) -> int:
    config = load_config(cli={"database_url": args.database_url} if args.database_url else {},
                         config_file=args.config)
    upgrade(config.database_url)
    print(f"database {shown(config.database_url)}: schema up to date")
    return 0


def _set_closed(args: argparse.Namespace, closed: bool) -> int:
    thread = with_context(resolve(args),
                          lambda ctx: threads.set_closed(ctx, args.site, args.uri, closed, SYSTEM))
    print(f"thread {thread.uri} on site {args.site} is {'closed' if closed else 'open'}")
    return 0


def thread_close(args: argparse.Namespace) -> int:
    return _set_closed(args, True)


def thread_open(args: argparse.Namespace) -> int:
    return _set_closed(args, False)


def thread_title(args: argparse.Namespace) -> int:
    thread = with_context(resolve(args), lambda ctx: threads.set_title(
        ctx, args.site, args.uri, args.title, SYSTEM))
    print(f"thread {thread.uri} on site {args.site} is titled {thread.title!r}")
    return 0


def site_create(args: argparse.Namespace) -> int:
    site = with_context(resolve(args),
                        lambda ctx: sites.ensure_site(ctx.storage, args.slug, args.name))
    print(f"site {site.slug} exists")
    return 0


def site_show(args: argparse.Namespace) -> int:
    async def show(ctx: Context) -> SiteSettings:
        return (await ctx.site(args.site)).settings

    settings = with_context(resolve(args), show)
    for name, value in settings.as_mapping().items():
        print(f"{name} = {','.join(value) if isinstance(value, list) else value}")
    return 0


def site_set(args: argparse.Namespace) -> int:
    try:
        sites.parse_changes({args.name: args.value})  # before opening any database
    except PalabreError as exc:
        raise CommandError(exc.message) from exc
    with_context(resolve(args), lambda ctx: sites.change_settings(
        ctx, args.site, {args.name: args.value}, SYSTEM))
    print(f"{args.site}: {args.name} = {args.value}")
    return 0


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for the password: pipe it in with "
                           "--password-stdin")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the two passwords differ")
    return first


def admin_moderator(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)
    moderator = with_context(resolve(args),
                             lambda ctx: moderators.save_moderator(ctx, args.username, password))
    print(f"moderator {moderator.username} can log in")
    return 0


def admin_list(args: argparse.Namespace) -> int:
    async def work(ctx: Context) -> list[str]:
        sites = {site.id: site.slug for site in await ctx.storage.list_sites()}
        lines = []
        for found in await moderators.list_moderators(ctx, SYSTEM):
            scope = "every site" if found.role is Role.ADMIN else ", ".join(
                sorted(sites.get(s, str(s)) for s in found.sites)) or "no site"
            state = " (disabled)" if found.disabled else ""
            lines.append(f"{found.username}\t{found.role.value}\t{scope}{state}")
        return lines

    for line in with_context(resolve(args), work):
        print(line)
    return 0


def admin_access(args: argparse.Namespace) -> int:
    sites = [s.strip() for s in args.sites.split(",") if s.strip()]
    found = with_context(resolve(args), lambda ctx: moderators.set_access(
        ctx, args.username, SYSTEM, role=args.role, sites=sites, disabled=args.disable))
    print(f"moderator {found.username}: {found.role.value}"
          f"{', disabled' if found.disabled else ''}")
    return 0


def export(args: argparse.Namespace) -> int:
    """Write every record of the sites to FILE (``-``: standard output)."""
    from palabre.transfer import write_export

    async def work(ctx: Context) -> int:
        if args.file == "-":
            return await write_export(ctx, sys.stdout.buffer, args.site or None)
        with open(args.file, "wb") as out:
            return await write_export(ctx, out, args.site or None)

    count = with_context(resolve(args), work)
    print(f"exported {count} records to {args.file}", file=sys.stderr)
    return 0


def import_file(args: argparse.Namespace) -> int:
    """Import a file of another comment system, or restore a Palabre export."""
    from palabre.importers import ImportFormatError
    from palabre.importers.detect import FORMATS, detect

    fmt, path = (None, args.args[0]) if len(args.args) == 1 else args.args[:2]
    if len(args.args) > 2 or (fmt is not None and fmt not in FORMATS):
        raise CommandError(f"usage: palabre import [FORMAT] FILE (FORMAT: {', '.join(FORMATS)})")
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"no file at {file}")
    try:
        fmt = fmt or detect(file)
        if fmt == "palabre":
            return _restore(args, file)
        return _import(args, fmt, file)
    except ImportFormatError as exc:
        raise CommandError(str(exc)) from exc


def _restore(args: argparse.Namespace, file: Path) -> int:
    from palabre.domain.restore import restore
    from palabre.transfer import read_export

    if args.dry_run:
        raise CommandError("--dry-run is for other systems' files; a Palabre export is "
                           "checked record by record as it is restored")
    report = with_context(resolve(args), lambda ctx: restore(ctx, read_export(file)))
    print(f"restored {report.threads} threads, {report.comments} comments, "
          f"{report.votes} votes, {report.bans} bans on {report.sites} sites"
          + (f"; {report.already_there} threads were there already"
             if report.already_there else ""))
    return 0


def _import(args: argparse.Namespace, fmt: str, file: Path) -> int:
    from tqdm import tqdm

    from palabre.domain.imports import import_records
    from palabre.importers.detect import parse

    records = parse(file, fmt, with_pingbacks=args.with_pingbacks)
    with tqdm(desc=f"{fmt} → {args.site}", unit=" comments", file=sys.stderr,
              disable=None, leave=False) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        report = with_context(resolve(args), lambda ctx: import_records(
            ctx, args.site, fmt, records, dry_run=args.dry_run, progress=progress))
    print(_import_summary(report, fmt, args.dry_run))
    return 0


def _n(count: int, noun: str, plural: str = "") -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _import_summary(report: ImportReport, fmt: str, dry_run: bool) -> str:
    lines = [f"{'would import' if dry_run else 'imported'} {_n(report.comments, 'comment')} "
             f"from {fmt} into {_n(report.threads, 'thread')} ({report.new_threads} new)"]
    if report.already_there:
        lines.append(f"  {report.already_there} comments were imported before: left as they are")
    for reason, count in sorted(report.skipped.items()):
        lines.append(f"  skipped {count}: {reason}")
    for name, count in sorted(report.cleaned.items()):
        lines.append(f"  {_n(count, 'comment')} without their {name}: not valid here")
    if report.orphans:
        replies = _n(report.orphans, "reply", "replies")
        lines.append(f"  {replies} to a comment not in the file: stored as top-level comments")
    return "\n".join(lines)


def backup(args: argparse.Namespace) -> int:
    """A consistent copy of the SQLite database, taken while the server runs."""
    import sqlite3

    config = resolve(args)
    if not config.database_url.startswith("sqlite:///"):
        raise CommandError("backup copies SQLite databases; for PostgreSQL use pg_dump "
                           "(docs/import-export.md)")
    source_path = Path(sqlite_path(config.database_url))
    target = Path(args.file)
    if not source_path.is_file():
        raise CommandError(f"no database at {source_path}")
    if target.exists():
        raise CommandError(f"{target} exists: name a new file")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)  # created private: the backup holds readers' emails
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    print(f"backed up {source_path.resolve()} to {target.resolve()}")
    return 0


def author_export(args: argparse.Namespace) -> int:
    import orjson

    from palabre.domain.authors import author_data

    data = with_context(resolve(args), lambda ctx: author_data(ctx, args.email, SYSTEM))
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


def author_erase(args: argparse.Namespace) -> int:
    from palabre.domain.authors import erase_author

    # With the secret, keyed hashes of the address (mail subscriptions) are found too.
    config = resolve(args)
    config = replace(config, secret=known_secret(config))
    erased = with_context(config, lambda ctx: erase_author(ctx, args.email, SYSTEM))
    print(f"erased {erased.comments} comments ({erased.placeholders} kept as bare "
          f"placeholders above others' replies; {erased.votes} votes on them dropped)")
    return 0
