"""The results table: printed at the end of a run and written into docs/benchmarks.md."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

START = "<!-- bench:results:start (written by bench/run.py; edit outside these marks) -->"
END = "<!-- bench:results:end -->"
X = "\u00d7"  # the multiplication sign of ratios

TEMPLATE = f"""# Benchmarks

How fast Palabre serves its hot paths, measured side by side with baselines in one run by
`bench/run.py`. Everything between the two marks below is rewritten by each run of
`make bench`; the rest of this page is written by hand.

{START}
{END}

## Widget

The widget's figures (first render of a 1,000-comment thread in headless Chromium) are in
[docs/widget.md](widget.md).
"""


@dataclass
class Table:
    title: str
    columns: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: str) -> None:
        self.rows.append(cells)

    def markdown(self) -> str:
        lines = [f"### {self.title}", "",
                 "| " + " | ".join(self.columns) + " |",
                 "|" + "|".join(" --- " if i == 0 else " ---: " for i in
                                range(len(self.columns))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def text(self) -> str:
        plain = [[str(c).replace("**", "") for c in row] for row in (self.columns, *self.rows)]
        widths = [max(len(c) for c in col) for col in zip(*plain, strict=True)]
        out = [self.title, "-" * len(self.title)]
        for row in plain:
            cells = [c.ljust(w) if i == 0 else c.rjust(w)
                     for i, (c, w) in enumerate(zip(row, widths, strict=True))]
            out.append("  ".join(cells))
        out += [f"  * {note}" for note in self.notes]
        return "\n".join(out) + "\n"


def num(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def ratio(value: float) -> str:
    return f"{value:.2f}{X}" if value < 100 else f"{value:,.0f}{X}"


def verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "**missed**")


def write_docs(path: Path, body: str) -> None:
    """Put ``body`` between the marks of ``path`` (creating the page when missing)."""
    text = path.read_text("utf-8") if path.exists() else TEMPLATE
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    text = pattern.sub(lambda _: f"{START}\n{body.strip()}\n{END}", text, count=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
