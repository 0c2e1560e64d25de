"""The assistant's figures, honestly: on the site's own decisions (trained on the older
80 %, tested on the newer 20 %) and on the shipped set's held-out slice, at the site's hold
threshold (0.5 when it has none), with the cost of scoring one comment.

Figures on the shipped set describe that set (short comments written for the project),
never real readers; docs/moderation.md says what they can and cannot be compared with.
"""

from __future__ import annotations

from typing import Any

from palabre.assist import learn, starter
from palabre.assist.training import site_examples
from palabre.assist.upkeep import decisions_needed
from palabre.domain.context import Context
from palabre.domain.models import Site

FEATURES = "char"  # character n-grams of each word (palabre/assist/features.py)


def threshold_of(site: Site) -> float:
    return site.settings.assist_hold_percent / 100 or 0.5


def _figures(training: list[learn.Example], testing: list[learn.Example],
             threshold: float) -> dict[str, Any]:
    model = learn.train(training)
    return {"features": FEATURES,
            **learn.evaluate(model, testing, len(training), threshold).as_dict()}


async def measure(ctx: Context, slug: str) -> dict[str, Any]:
    site = await ctx.site(slug)
    kept, refused = await ctx.storage.decision_counts(site.id)
    needed = await decisions_needed(ctx, site)
    own = await ctx.storage.latest_model_version(site.id)
    in_use = own or await ctx.storage.latest_model_version(None)
    threshold = threshold_of(site)
    figures: dict[str, Any] = {
        "site": site.slug, "decisions": {"kept": kept, "refused": refused, "needed": needed},
        "model_in_use": in_use, "threshold": threshold,
        "site_split": None,
    }
    examples = await site_examples(ctx, site)
    older, newer = learn.time_split(examples)
    if not needed and len({e.refused for e in older}) == 2:
        figures["site_split"] = _figures(older, newer, threshold)
    training, held_out = starter.split()
    figures["shipped_set"] = {"version": starter.version(),
                              **_figures(training, held_out, threshold)}
    return figures


def _line(name: str, f: dict[str, Any]) -> list[str]:
    auc = "n/a (one class)" if f["auc"] is None else f"{f['auc']:.3f}"
    tn, fp, fn, tp = f["confusion"]
    return [
        f"{name}: trained on {f['trained_on']}, tested on {f['tested_on']} ({f['features']})",
        f"  ROC AUC {auc}; at {f['threshold']:.2f}: precision {f['precision']:.2f}, "
        f"recall {f['recall']:.2f}",
        f"  confusion (kept→kept, kept→held, refused→kept, refused→held): {tn} {fp} {fn} {tp}",
        f"  scoring cost: {f['micros_per_comment']:.0f} µs per comment",
    ]


def render(figures: dict[str, Any]) -> str:
    d = figures["decisions"]
    lines = [f"site {figures['site']}: {d['kept']} kept and {d['refused']} refused decisions"
             + (f"; {d['needed']} more needed for a model of its own" if d["needed"] else ""),
             f"model in use: {figures['model_in_use'] or 'none yet'}"]
    if figures["site_split"]:
        lines += _line("the site's decisions, older → newer", figures["site_split"])
    else:
        lines.append("the site's decisions: too few to measure yet")
    lines += _line(f"shipped set {figures['shipped_set']['version']} (held-out slice; not a "
                   "claim about real readers)", figures["shipped_set"])
    return "\n".join(lines)
