"""Charts for the dashboard, worked out on the server (no chart library, no script): stacked
bars per day and a line. This is the geometry; templates/admin/chart.html draws it as SVG
(autoescaped; colours are admin.css classes, so the page's style policy holds)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT, PAD, AXIS = 640, 220, 8, 24
BASE = HEIGHT - AXIS


@dataclass(frozen=True)
class Series:
    name: str  # shown in the legend (already translated)
    css: str  # a class of admin.css: s1 ... s5
    values: Sequence[float]


@dataclass(frozen=True)
class Mark:
    """A bar (width and height) or a dot (radius in width), with its tooltip."""

    x: float
    y: float
    width: float
    height: float
    css: str
    tip: str


@dataclass(frozen=True)
class Chart:
    title: str
    series: Sequence[Series]
    marks: list[Mark]
    ticks: list[tuple[float, str]]
    line: str = ""  # polyline points
    size: tuple[int, int, int, int] = field(default=(WIDTH, HEIGHT, PAD, BASE))


def _ticks(labels: Sequence[str], step: float) -> list[tuple[float, str]]:
    every = max(1, len(labels) // 8)
    return [(round(PAD + step * i + step / 2, 1), label) for i, label in enumerate(labels)
            if i % every == 0]


def _scale(top: float) -> float:
    return (BASE - PAD) / top if top > 0 else 0.0


def stacked_bars(title: str, labels: Sequence[str], series: Sequence[Series]) -> Chart:
    """One bar a label, its series stacked bottom up."""
    step = (WIDTH - 2 * PAD) / max(1, len(labels))
    scale = _scale(max((sum(s.values[i] for s in series) for i in range(len(labels))),
                       default=0))
    marks: list[Mark] = []
    for i, label in enumerate(labels):
        top = float(BASE)
        for s in series:
            tall = s.values[i] * scale
            if tall > 0:
                marks.append(Mark(round(PAD + step * (i + .1), 1), round(top - tall, 1),
                                  round(step * .8, 1), round(tall, 1), s.css,
                                  f"{label}: {s.name} {s.values[i]:g}"))
            top -= tall
    return Chart(title, series, marks, _ticks(labels, step))


def line(title: str, labels: Sequence[str], series: Series) -> Chart:
    """One series as a line with a dot a label."""
    step = (WIDTH - 2 * PAD) / max(1, len(labels))
    scale = _scale(max(series.values, default=0))
    marks = [Mark(round(PAD + step * (i + .5), 1), round(BASE - v * scale, 1), 3, 0,
                  series.css, f"{labels[i]}: {v:g}") for i, v in enumerate(series.values)]
    points = " ".join(f"{m.x},{m.y}" for m in marks)
    return Chart(title, [series], marks, _ticks(labels, step), line=points)
