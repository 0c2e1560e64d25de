"""The tables of the moderation assistant: its stored models and comment scores; ``schema.py``
imports this module so its tables
join the one ``metadata`` the migrations are checked against."""

from __future__ import annotations

from palabre.storage.schema import metadata

__all__ = ["metadata"]
