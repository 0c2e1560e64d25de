"""The starter set shipped for the moderation assistant (palabre/assist/starter/comments.jsonl,
docs/assistant-dataset.md): well formed, both languages with both labels, no repeated text."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import palabre

SET = Path(palabre.__file__).parent / "assist" / "starter" / "comments.jsonl"
KINDS = {
    "ok": {"civil", "disagreement", "sarcasm", "question", "off_topic_mild", "quote"},
    "reject": {"insult", "threat", "hate", "spam", "propaganda", "harassment", "off_topic_flood"},
}


def rows() -> list[dict[str, str]]:
    lines = SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_line_has_the_four_keys_with_allowed_values() -> None:
    for row in rows():
        assert set(row) == {"text", "lang", "label", "kind"}, row
        assert isinstance(row["text"], str) and row["text"].strip() == row["text"] != ""
        assert row["lang"] in {"fr", "en"}, row
        assert row["kind"] in KINDS[row["label"]], row


def test_no_text_appears_twice() -> None:
    repeated = [text for text, n in Counter(r["text"] for r in rows()).items() if n > 1]
    assert repeated == []


def test_the_set_is_large_enough() -> None:
    assert len(rows()) >= 1600


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_language_holds_both_labels_in_balance(lang: str) -> None:
    labels = Counter(r["label"] for r in rows() if r["lang"] == lang)
    total = sum(labels.values())
    for label in ("ok", "reject"):
        assert 0.35 <= labels[label] / total <= 0.65, (lang, labels)


def test_every_category_is_present_in_both_languages() -> None:
    present = {(r["lang"], r["kind"]) for r in rows()}
    expected = {(lang, kind) for lang in ("fr", "en") for kinds in KINDS.values() for kind in kinds}
    assert expected - present == set()


def test_links_point_only_at_reserved_example_domains() -> None:
    for row in rows():
        for word in row["text"].split():
            if any(mark in word for mark in ("http", "www.", ".com", ".net", ".org")):
                assert "example." in word, row
