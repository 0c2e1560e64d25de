"""The starter set shipped with Palabre (``starter/comments.jsonl``, docs/assistant-dataset.md):
short comments in French and English written for the project and labelled, which the
starter model learns from until a site has decisions of its own.

Its held-out slice is chosen by a hash of each text, so every run, machine and version of
Python splits it the same way. Figures measured on it describe this set only: never a
claim about real readers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import orjson

from palabre.assist.model import Example

HELD_OUT_PERCENT = 25


@dataclass(frozen=True)
class StarterComment:
    text: str
    lang: str
    refused: bool
    kind: str

    @property
    def example(self) -> Example:
        return Example(self.text, self.refused)

    @property
    def held_out(self) -> bool:
        digest = hashlib.sha256(self.text.encode()).digest()
        return int.from_bytes(digest[:4], "big") % 100 < HELD_OUT_PERCENT


def _raw() -> bytes:
    return (resources.files("palabre.assist") / "starter" / "comments.jsonl").read_bytes()


@cache
def load() -> tuple[StarterComment, ...]:
    rows = (orjson.loads(line) for line in _raw().splitlines() if line.strip())
    return tuple(StarterComment(r["text"], r["lang"], r["label"] == "reject", r["kind"])
                 for r in rows)


@cache
def version() -> str:
    """The starter model's version: names the set it learns from, so a new set is a new
    model everywhere."""
    return "starter-" + hashlib.sha256(_raw()).hexdigest()[:12]


def split() -> tuple[list[Example], list[Example]]:
    """(training, held-out) examples of the shipped set."""
    comments = load()
    return ([c.example for c in comments if not c.held_out],
            [c.example for c in comments if c.held_out])
