"""The `palabre` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from palabre import __version__
from palabre.cli import commands
from palabre.cli.assist import add_assist_commands
from palabre.cli.mail import add_mail_commands
from palabre.settings import BY_NAME, SERVER_SETTINGS, Setting, SettingError

DATA_SETTINGS = ("database_url", "secret")


def add_setting(parser: argparse.ArgumentParser, setting: Setting) -> None:
    flags = ["--" + setting.name.replace("_", "-")]
    if setting.name == "database_url":
        flags.insert(0, "--database")
    help_text = f"{setting.help} [env {setting.env_var}; default: {setting.default!r}]"
    if setting.type is bool:
        parser.add_argument(*flags, dest=setting.name, action="store_const", const=True,
                            default=None, help=help_text)
    else:
        parser.add_argument(*flags, dest=setting.name, default=None, help=help_text,
                            metavar=setting.name.upper())


def add_data_options(parser: argparse.ArgumentParser) -> None:
    for name in DATA_SETTINGS:
        add_setting(parser, BY_NAME[name])
    parser.add_argument("--config", help="TOML config file [env PALABRE_CONFIG; default: "
                        "palabre.toml in the working directory, when there is one]")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="palabre", description=__doc__)
    parser.add_argument("--version", action="version", version=f"palabre {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="Run the HTTP server.")
    for setting in SERVER_SETTINGS:
        add_setting(serve, setting)
    serve.add_argument("--config", help="TOML config file [env PALABRE_CONFIG; default: "
                       "palabre.toml in the working directory, when there is one]")
    serve.set_defaults(func=commands.serve)

    config = sub.add_parser("config", help="Configuration files and docs.")
    config_sub = config.add_subparsers(dest="action", required=True)
    init = config_sub.add_parser("init", help="Write a commented default palabre.toml.")
    init.add_argument("path", nargs="?", default="palabre.toml")
    init.add_argument("--force", action="store_true", help="Overwrite an existing file.")
    init.set_defaults(func=commands.config_init)
    config_sub.add_parser("docs", help="Print docs/configuration.md.").set_defaults(
        func=commands.config_docs)

    db = sub.add_parser("db", help="Database schema.")
    db_sub = db.add_subparsers(dest="action", required=True)
    upgrade = db_sub.add_parser("upgrade", help="Apply pending migrations.")
    add_data_options(upgrade)
    upgrade.set_defaults(func=commands.db_upgrade)

    thread = sub.add_parser("thread", help="Close, reopen or retitle a thread.")
    thread_sub = thread.add_subparsers(dest="action", required=True)
    for action, func in (("close", commands.thread_close), ("open", commands.thread_open)):
        cmd = thread_sub.add_parser(action, help=f"{action.capitalize()} a thread.")
        cmd.add_argument("--site", default="default")
        cmd.add_argument("--uri", required=True, help="Page path of the thread.")
        add_data_options(cmd)
        cmd.set_defaults(func=func)

    title = thread_sub.add_parser("title", help="Set or correct a thread's title.")
    title.add_argument("--site", default="default")
    title.add_argument("--uri", required=True, help="Page path of the thread.")
    title.add_argument("title", help="The title readers see above the discussion.")
    add_data_options(title)
    title.set_defaults(func=commands.thread_title)

    site = sub.add_parser("site", help="Sites and their settings.")
    site_sub = site.add_subparsers(dest="action", required=True)
    create = site_sub.add_parser("create", help="Create a site.")
    create.add_argument("slug")
    create.add_argument("--name", default="")
    add_data_options(create)
    create.set_defaults(func=commands.site_create)
    show = site_sub.add_parser("show", help="Show a site's settings.")
    show.add_argument("--site", default="default")
    add_data_options(show)
    show.set_defaults(func=commands.site_show)
    set_cmd = site_sub.add_parser("set", help="Change a site setting.")
    set_cmd.add_argument("--site", default="default")
    set_cmd.add_argument("name", help="Setting name (see docs/configuration.md).")
    set_cmd.add_argument("value", help="New value (lists: comma-separated).")
    add_data_options(set_cmd)
    set_cmd.set_defaults(func=commands.site_set)
    admin = sub.add_parser("admin", help="Moderators.")
    admin_sub = admin.add_subparsers(dest="action", required=True)
    moderator = admin_sub.add_parser(
        "moderator", help="Create a moderator, or set an existing one's password.")
    moderator.add_argument("username")
    moderator.add_argument("--password-stdin", action="store_true",
                           help="Read the password from standard input instead of a prompt.")
    add_data_options(moderator)
    moderator.set_defaults(func=commands.admin_moderator)
    listing = admin_sub.add_parser("list", help="List moderators, their roles and sites.")
    add_data_options(listing)
    listing.set_defaults(func=commands.admin_list)
    access = admin_sub.add_parser(
        "access", help="Set a moderator's role and sites, or disable / enable the account.")
    access.add_argument("username")
    access.add_argument("--role", choices=["admin", "moderator"], required=True,
                        help="admin: every site, moderators and settings; moderator: the "
                        "sites given with --sites.")
    access.add_argument("--sites", default="", help="Comma-separated sites (moderator role).")
    access.add_argument("--disable", action="store_true",
                        help="Disable the account (its sessions end at once).")
    add_data_options(access)
    access.set_defaults(func=commands.admin_access)
    add_mail_commands(admin_sub, add_data_options)
    add_transfer_commands(sub)
    add_assist_commands(sub, add_data_options)
    return parser


def add_transfer_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser("export", help="Write every site's discussions to a file "
                            "(JSON Lines, docs/import-export.md).")
    export.add_argument("file", help="The file to write; - for standard output.")
    export.add_argument("--site", action="append", help="Only this site (repeatable).")
    add_data_options(export)
    export.set_defaults(func=commands.export)
    importing = sub.add_parser(
        "import", help="Import WordPress, Disqus, Isso or Commento comments, or restore a "
        "Palabre export (the format is recognised unless given).")
    importing.add_argument("args", nargs="+", metavar="[FORMAT] FILE",
                           help="wordpress, disqus, isso, isso-json, commento or palabre; "
                           "then the file")
    importing.add_argument("--site", default="default", help="The site to import into.")
    importing.add_argument("--dry-run", action="store_true",
                           help="Read and check everything, store nothing, print the report.")
    importing.add_argument("--with-pingbacks", action="store_true",
                           help="WordPress: import pingbacks and trackbacks too.")
    add_data_options(importing)
    importing.set_defaults(func=commands.import_file)
    backup = sub.add_parser("backup", help="A consistent copy of the SQLite database, "
                            "taken while the server runs.")
    backup.add_argument("file", help="A new file for the copy.")
    add_data_options(backup)
    backup.set_defaults(func=commands.backup)
    author = sub.add_parser("author", help="An author's data, by email (GDPR).")
    author_sub = author.add_subparsers(dest="action", required=True)
    for action, func, text in (
            ("export", commands.author_export, "Print everything stored under an email."),
            ("erase", commands.author_erase, "Erase every comment signed with an email.")):
        cmd = author_sub.add_parser(action, help=text)
        cmd.add_argument("--email", required=True)
        add_data_options(cmd)
        cmd.set_defaults(func=func)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; any failure is one line on standard error and exit status 2 (1 for
    what no check foresaw), never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except (SettingError, ValueError, commands.CommandError) as exc:
        print(f"palabre: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("palabre: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a database that cannot be reached, a disk that is full, ...
        print(f"palabre: {one_line(exc)}", file=sys.stderr)
        return 1
    return result


def one_line(exc: BaseException) -> str:
    """What went wrong, as the first line of the deepest cause's message."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else 'no message'}"


if __name__ == "__main__":
    sys.exit(main())
