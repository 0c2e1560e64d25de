"""Training and evaluating a model with scikit-learn (the ``palabre[assist]`` extra).

Only the CLI and the training child process import this module: a server worker scores
with :class:`palabre.assist.model.TextModel` and never loads scikit-learn.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, roc_auc_score

from palabre.assist.features import grams
from palabre.assist.model import Example, TextModel

__all__ = ["Example", "Metrics", "evaluate", "fit", "time_split", "train"]

MAX_GRAMS = 60_000  # the vocabulary kept: the most frequent n-grams
STRENGTH = 4.0  # inverse regularisation (C), chosen on the starter set's validation slice


@dataclass(frozen=True)
class Metrics:
    """How a model did on examples it did not learn from."""

    trained_on: int
    tested_on: int
    auc: float | None  # None when the test slice holds one class only
    threshold: float
    precision: float
    recall: float
    confusion: tuple[int, int, int, int]  # kept kept, kept refused, refused kept, refused refused
    micros_per_comment: float  # scoring cost, measured here

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def fit(examples: Sequence[Example]) -> tuple[TfidfVectorizer, LogisticRegression]:
    """The fitted vectoriser and classifier (what :func:`train` reads its model from)."""
    if len({e.refused for e in examples}) < 2:
        raise ValueError("training needs examples of kept and of refused comments")
    vectoriser = TfidfVectorizer(analyzer=grams, sublinear_tf=True, norm="l2", min_df=2,
                                 max_features=MAX_GRAMS)
    matrix = vectoriser.fit_transform([e.text for e in examples])
    classifier = LogisticRegression(C=STRENGTH, class_weight="balanced", solver="liblinear",
                                    max_iter=1000)
    classifier.fit(matrix, [int(e.refused) for e in examples])
    return vectoriser, classifier


def train(examples: Sequence[Example]) -> TextModel:
    """Fit a model on examples of both kinds."""
    vectoriser, classifier = fit(examples)
    idf, coef = vectoriser.idf_, classifier.coef_[0]
    weights = {str(g): (float(idf[i]), float(coef[i]))
               for g, i in vectoriser.vocabulary_.items()}
    return TextModel(weights, float(classifier.intercept_[0]))


def evaluate(model: TextModel, examples: Sequence[Example], trained_on: int,
             threshold: float = 0.5) -> Metrics:
    """The model's figures on held-out examples, at ``threshold``."""
    started = time.perf_counter()
    scores = [model.score(e.text) for e in examples]
    micros = (time.perf_counter() - started) * 1e6 / max(1, len(examples))
    truth = [int(e.refused) for e in examples]
    predicted = [int(s >= threshold) for s in scores]
    auc = float(roc_auc_score(truth, scores)) if len(set(truth)) == 2 else None
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(truth, predicted, labels=[0, 1]).ravel())
    return Metrics(trained_on=trained_on, tested_on=len(examples), auc=auc,
                   threshold=threshold, precision=tp / (tp + fp) if tp + fp else 0.0,
                   recall=tp / (tp + fn) if tp + fn else 0.0, confusion=(tn, fp, fn, tp),
                   micros_per_comment=round(micros, 1))


def time_split(examples: Sequence[Example], test_share: float = 0.2,
               ) -> tuple[list[Example], list[Example]]:
    """Train on the older examples, test on the newer (``examples`` come oldest first)."""
    cut = len(examples) - max(1, round(len(examples) * test_share))
    return list(examples[:cut]), list(examples[cut:])
