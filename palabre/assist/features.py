"""What the model reads of a comment: character n-grams of each word, after folding case,
accents and long runs of one letter ("nuuuuul" reads as "nuul").

Character n-grams carry across languages and survive misspellings and disguises ("c0nnard"
shares most of its n-grams with "connard"); each n-gram stays inside its word, so a score is
explained word by word. Training (scikit-learn's vectoriser, given this analyser) and
scoring (:mod:`palabre.assist.model`) call the same function.
"""

from __future__ import annotations

import re
from functools import lru_cache

from palabre.domain.wordlists import fold

SHORTEST, LONGEST = 2, 5
_RUNS = re.compile(r"(.)\1{2,}")
_WORD = re.compile(r"[^\W_]+|[^\w\s]+")  # runs of letters and digits, or of signs
MAX_WORDS = 400  # a very long comment is judged on its first words (bounded cost)


def words(text: str) -> list[str]:
    """The comment's words as the model sees them, in order."""
    folded = _RUNS.sub(r"\1\1", fold(text))
    return _WORD.findall(folded)[:MAX_WORDS]


@lru_cache(maxsize=65_536)
def word_grams(word: str) -> tuple[str, ...]:
    """The n-grams of one word, padded by a space on each side (" con", "nard "); words
    recur, so each word's are kept (bounded)."""
    padded = f" {word} "
    return tuple(padded[i:i + n] for n in range(SHORTEST, LONGEST + 1)
                 for i in range(len(padded) - n + 1))


def grams(text: str) -> list[str]:
    """Every n-gram of the comment (the analyser the vectoriser is given)."""
    return [gram for word in words(text) for gram in word_grams(word)]
