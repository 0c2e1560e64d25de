"""The storage port's part for the moderation assistant: its stored models and comment scores.

``Reads`` and ``WriteTx`` in ``ports.py`` inherit these protocols, so the domain asks one
storage for everything; each backend implements them in ``storage/sql_assist.py`` and
``storage/memory_assist.py``.
"""

from __future__ import annotations

from typing import Protocol


class AssistReads(Protocol):
    """The read questions of this part."""


class AssistWrites(Protocol):
    """The writes of this part, inside one write transaction."""
