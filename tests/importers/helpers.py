"""Where the shared export fixtures are, and small helpers for the importer tests.

The fixtures are real export files kept outside the repository (``shared/fixtures`` beside the
clone); a test that needs one is skipped, saying so, when the folder is not there.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from palabre.importers import CommentRecord, Record, Skipped, ThreadRecord

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def fixture(relative: str) -> Path:
    path = FIXTURES / relative
    if not path.is_file():
        pytest.skip(f"shared export fixture {relative} is absent (looked in {FIXTURES})")
    return path


def threads(records: Iterable[Record]) -> list[ThreadRecord]:
    return [record for record in records if isinstance(record, ThreadRecord)]


def comments(records: Iterable[Record]) -> list[CommentRecord]:
    return [record for record in records if isinstance(record, CommentRecord)]


def skipped(records: Iterable[Record]) -> list[Skipped]:
    return [record for record in records if isinstance(record, Skipped)]
