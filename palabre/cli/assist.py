"""`palabre assist …`: train the moderation assistant's models, score text with the model a
site uses now, and report its figures honestly. Output and exit codes live here; the
work is in :mod:`palabre.assist`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from palabre.assist import can_train
from palabre.cli.commands import CommandError, resolve, with_context
from palabre.domain.context import Context
from palabre.domain.leases import holder_name


def _need_training_extra() -> None:
    if not can_train():
        raise CommandError("training needs the assist extra: pip install 'palabre[assist]'")


def train(args: argparse.Namespace) -> int:
    _need_training_extra()
    from palabre.assist import training, upkeep

    async def work(ctx: Context) -> list[str]:
        holder = holder_name()
        if not await upkeep.take_lease(ctx, holder):
            raise CommandError("another process is training models now; try again later")
        try:
            done = [await training.ensure_starter(ctx)]
            chosen = ([await ctx.site(args.site)] if args.site
                      else await upkeep.sites_due(ctx) if args.due
                      else await ctx.storage.list_sites())
            for site in chosen:
                stored = await training.train_site(ctx, site)
                needed = await upkeep.decisions_needed(ctx, site)
                done.append(stored.version if stored else
                            f"{site.slug}: {needed} more decided comments needed")
            return done
        finally:
            await upkeep.release_lease(ctx, holder)

    for line in with_context(resolve(args), work):
        print(line)
    return 0


def score(args: argparse.Namespace) -> int:
    from palabre.assist.phase import ModelPhase

    async def work(ctx: Context) -> list[dict[str, Any]]:
        site = await ctx.site(args.site)
        phase = ModelPhase(ctx.storage)
        loaded = await phase.model_for(site)
        if loaded is None and can_train():
            from palabre.assist import training

            await training.ensure_starter(ctx)
            loaded = await ModelPhase(ctx.storage).model_for(site)
        if loaded is None:
            raise CommandError("no model yet: run palabre assist train (needs the assist "
                               "extra) where the database is")
        return [{"score": round(loaded.model.score(line), 4),
                 "features": [list(f) for f in loaded.model.explain(line)],
                 "model": loaded.version}
                for line in (raw.rstrip("\n") for raw in sys.stdin) if line.strip()]

    for row in with_context(resolve(args), work):
        sys.stdout.write(orjson.dumps(row).decode() + "\n")
    return 0


def report(args: argparse.Namespace) -> int:
    _need_training_extra()
    from palabre.assist.report import measure, render

    figures = with_context(resolve(args), lambda ctx: measure(ctx, args.site))
    print(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode() if args.json
          else render(figures))
    return 0


def add_assist_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                        add_data_options: Any) -> None:
    assist = sub.add_parser("assist", help="The moderation assistant (docs/moderation.md).")
    assist_sub = assist.add_subparsers(dest="action", required=True)
    cmd = assist_sub.add_parser("train", help="Train the starter model and sites' models.")
    cmd.add_argument("--site", help="Only this site (default: every site).")
    cmd.add_argument("--due", action="store_true",
                     help="Only sites with enough new decisions since their model.")
    add_data_options(cmd)
    cmd.set_defaults(func=train)
    cmd = assist_sub.add_parser(
        "score", help="Score one comment per line of standard input; one JSON object per "
        "line out (score 0-1, higher: more likely rejected; the words that drove it).")
    cmd.add_argument("--site", default="default")
    add_data_options(cmd)
    cmd.set_defaults(func=score)
    cmd = assist_sub.add_parser(
        "report", help="The models' figures: the site's own decisions (trained on older, "
        "tested on newer) and the shipped set.")
    cmd.add_argument("--site", default="default")
    cmd.add_argument("--json", action="store_true", help="JSON instead of text.")
    add_data_options(cmd)
    cmd.set_defaults(func=report)
