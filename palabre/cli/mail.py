"""Mail commands: a moderator's alert address (``palabre admin alerts``)."""

from __future__ import annotations

import argparse
from typing import Any

from palabre.cli.commands import resolve, with_context
from palabre.domain.identity import SYSTEM
from palabre.domain.mail.alerts import set_alert_address


def admin_alerts(args: argparse.Namespace) -> int:
    found = with_context(resolve(args), lambda ctx: set_alert_address(
        ctx, SYSTEM, args.username, args.email, args.lang))
    print(f"moderator {found.username}: alerts "
          f"{'to ' + args.email.strip() if args.email.strip() else 'off'}")
    return 0


def add_mail_commands(admin_sub: argparse._SubParsersAction[argparse.ArgumentParser],
                      add_data_options: Any) -> None:
    cmd = admin_sub.add_parser(
        "alerts", help="Set the address a moderator's alerts of held and reported comments "
        "go to (sites with moderator_alerts on); an empty address: none.")
    cmd.add_argument("username")
    cmd.add_argument("email")
    cmd.add_argument("--lang", choices=["en", "fr"], default="en",
                     help="The language of the alerts.")
    add_data_options(cmd)
    cmd.set_defaults(func=admin_alerts)
