"""The in-memory backend's part for the moderation assistant: its stored models and comment
scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from palabre.storage.memory import Tables


@dataclass
class AssistTables:
    """This part's tables; ``copy`` gives a transaction its own copy."""

    def copy(self) -> AssistTables:
        return AssistTables(**{name: value.copy() for name, value in vars(self).items()})


class MemoryAssistReads:
    tables: Tables


class MemoryAssistWrites:
    tables: Tables
