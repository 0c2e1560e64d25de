"""The assistant's model: what it reads of a comment, scoring in pure Python exactly as
scikit-learn would, how well it ranks the shipped set's held-out comments, the words it
gives as reasons, and stored models that cannot run code or blow up memory."""

from __future__ import annotations

import statistics
import zlib

import orjson
import pytest
from sklearn.metrics import roc_auc_score

from palabre.assist import learn, starter
from palabre.assist.features import grams, words
from palabre.assist.model import Example, ModelError, TextModel
from tests.assist.conftest import starter_model

# Measured on the held-out slice (476 comments) at the commit adding this test: 0.963.
# The floor leaves room for a reworded set; chance is 0.5.
AUC_FLOOR = 0.90


def test_words_fold_case_accents_long_runs_and_keep_signs_apart() -> None:
    assert words("NUUUUUL !!! Éléphant, c0nnard") == ["nuul", "!!", "elephant", ",",
                                                       "c0nnard"]
    assert grams("Ça") == [" c", "ca", "a ", " ca", "ca ", " ca "]


def test_scoring_in_pure_python_matches_scikit_learn() -> None:
    training, held_out = starter.split()
    vectoriser, classifier = learn.fit(training)
    model = learn.train(training)
    texts = [e.text for e in held_out[:200]]
    expected = classifier.predict_proba(vectoriser.transform(texts))[:, 1]
    for text, probability in zip(texts, expected, strict=True):
        assert model.score(text) == pytest.approx(float(probability), abs=1e-9)


def test_held_out_abusive_comments_rank_above_civil_ones() -> None:
    _, held_out = starter.split()
    model = starter_model()
    scores = [model.score(e.text) for e in held_out]
    auc = roc_auc_score([e.refused for e in held_out], scores)
    by_kind: dict[str, list[float]] = {}
    for comment in (c for c in starter.load() if c.held_out):
        by_kind.setdefault(comment.kind, []).append(model.score(comment.text))
    means = {kind: round(statistics.mean(s), 2) for kind, s in sorted(by_kind.items())}
    print(f"held-out ROC AUC {auc:.3f} on {len(held_out)} comments; mean score by kind: "
          f"{means}")
    assert auc >= AUC_FLOOR
    assert means["disagreement"] < 0.5 < means["insult"]
    assert means["sarcasm"] < means["harassment"]


def test_each_language_is_ranked_well_above_chance() -> None:
    model = starter_model()
    for lang in ("fr", "en"):
        held = [c for c in starter.load() if c.held_out and c.lang == lang]
        auc = roc_auc_score([c.refused for c in held], [model.score(c.text) for c in held])
        print(f"{lang}: held-out ROC AUC {auc:.3f} on {len(held)} comments")
        assert auc >= AUC_FLOOR - 0.05


def test_reasons_are_the_comments_own_words_strongest_first() -> None:
    model = starter_model()
    text = "Gagnez 5000 € par semaine sur example.com, inscription gratuite"
    reasons = model.explain(text, top=4)
    assert 0 < len(reasons) <= 4
    assert {word for word, _ in reasons} <= set(words(text))
    weights = [abs(weight) for _, weight in reasons]
    assert weights == sorted(weights, reverse=True)
    assert model.score(text) > 0.5 and max(w for _, w in reasons) > 0


def test_a_stored_model_scores_as_the_trained_one() -> None:
    model = starter_model()
    again = TextModel.from_bytes(model.to_bytes())
    for comment in starter.load()[:50]:
        assert again.score(comment.text) == pytest.approx(model.score(comment.text),
                                                          abs=1e-4)


def test_a_stored_model_cannot_be_garbage_a_pickle_or_a_bomb(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for data in (b"garbage", zlib.compress(b"\x80\x04\x95 a pickle"),
                 zlib.compress(orjson.dumps({"format": "other"})),
                 zlib.compress(orjson.dumps({"format": "palabre.assist.tfidf-logistic.v1",
                                             "intercept": 0, "grams": ["a"], "idf": [],
                                             "coef": [1]}))):
        with pytest.raises(ModelError):
            TextModel.from_bytes(data)
    monkeypatch.setattr("palabre.assist.model.MAX_BYTES", 1000)
    with pytest.raises(ModelError, match="too large"):
        TextModel.from_bytes(zlib.compress(b" " * 10_000))


def test_training_needs_both_kinds() -> None:
    with pytest.raises(ValueError, match="kept and of refused"):
        learn.train([Example("bien", False), Example("très bien", False)])
