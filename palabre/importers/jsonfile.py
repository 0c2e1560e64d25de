"""Reading a JSON export whole, with errors that name the line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from palabre.domain.records import ImportFormatError


def load_json(path: Path, fmt: str) -> Any:
    """The file's JSON value; ImportFormatError naming the line when it is not JSON.

    JSON exports are read whole (they have no streaming form): their size is the memory used.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{fmt}: cannot read the file: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFormatError(f"{fmt}: line {line}: not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{fmt}: line {exc.lineno}: not JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise ImportFormatError(f"{fmt}: not JSON: nested too deeply") from exc


def text_of(value: object) -> str | None:
    """A JSON value that should be text: strings as they are, numbers as text, else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None
