"""A trained model, scoring without scikit-learn: TF-IDF weights of the comment's n-grams
(sublinear term frequency, L2 norm, as :mod:`palabre.assist.learn` fitted them) and a
logistic regression over them.

A model is stored as compressed JSON (never a pickle: a database row must not be able to run
code), and loaded once per worker; a score costs a few dictionary lookups per n-gram.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from dataclasses import dataclass

import orjson

from palabre.assist.features import word_grams, words

FORMAT = "palabre.assist.tfidf-logistic.v1"
MAX_BYTES = 64 << 20  # a stored model's unpacked size is bounded before it is parsed


@dataclass(frozen=True)
class Example:
    """A comment a model learns from, or is tested on."""

    text: str
    refused: bool  # a moderator rejected it (or marked it spam)


class ModelError(ValueError):
    """A stored model that cannot be read."""


@dataclass(frozen=True)
class TextModel:
    """gram → (idf, coefficient); ``intercept`` the logistic regression's."""

    weights: dict[str, tuple[float, float]]
    intercept: float

    def assess(self, text: str, top: int = 5) -> tuple[float, tuple[tuple[str, float], ...]]:
        """The score (how likely a moderator of the site is to reject this text, from 0 to
        1) and the ``top`` words that pushed it most, each with its share of the margin
        (positive: towards rejection), strongest first."""
        weights, log = self.weights, math.log
        seen = words(text)
        counts = Counter(g for word in seen for g in word_grams(word))
        tfidf: dict[str, float] = {}
        dot = squares = 0.0
        for gram, n in counts.items():
            known = weights.get(gram)
            if known is not None:
                value = known[0] if n == 1 else (1.0 + log(n)) * known[0]
                tfidf[gram] = value
                dot += value * known[1]
                squares += value * value
        norm = math.sqrt(squares) or 1.0
        margin = max(-50.0, min(50.0, self.intercept + dot / norm))
        score = 1.0 / (1.0 + math.exp(-margin))
        if top <= 0:
            return score, ()
        pushes = {word: sum(tfidf[g] * weights[g][1] for g in set(word_grams(word))
                            if g in tfidf) / norm for word in dict.fromkeys(seen)}
        ranked = sorted(pushes.items(), key=lambda item: -abs(item[1]))
        return score, tuple((word, round(weight, 3)) for word, weight in ranked[:top]
                            if abs(weight) >= 0.01)

    def score(self, text: str) -> float:
        """How likely a moderator of the site is to reject this text, from 0 to 1."""
        return self.assess(text, top=0)[0]

    def explain(self, text: str, top: int = 5) -> tuple[tuple[str, float], ...]:
        """The words that pushed the score most (see :meth:`assess`)."""
        return self.assess(text, top)[1]

    def to_bytes(self) -> bytes:
        body = {"format": FORMAT, "intercept": self.intercept,
                "grams": list(self.weights),
                "idf": [round(w[0], 5) for w in self.weights.values()],
                "coef": [round(w[1], 6) for w in self.weights.values()]}
        return zlib.compress(orjson.dumps(body), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> TextModel:
        try:
            unpacker = zlib.decompressobj()
            raw = unpacker.decompress(data, MAX_BYTES)
            if unpacker.unconsumed_tail:
                raise ModelError("the stored model is too large")
            body = orjson.loads(raw)
            if not isinstance(body, dict) or body.get("format") != FORMAT:
                raise ModelError("not a model of this format")
            grams, idf, coef = body["grams"], body["idf"], body["coef"]
            if not len(grams) == len(idf) == len(coef):
                raise ModelError("the model's lists differ in length")
            weights = {str(g): (float(i), float(c)) for g, i, c in zip(grams, idf, coef,
                                                                       strict=True)}
            return cls(weights, float(body["intercept"]))
        except (zlib.error, orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise ModelError(f"the stored model cannot be read: {exc}") from exc
