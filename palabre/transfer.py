"""Palabre's export file: JSON Lines, a header line then one record a line.

Keys are sorted and the JSON compact, so the same records always give the same bytes
(``docs/import-export.md`` documents every record type). Reading gives each record with its
line number, so every refusal can name the line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from palabre.domain import exports
from palabre.domain.context import Context
from palabre.domain.errors import InvalidInput

MAX_LINE = 1 << 20  # bytes: far above the largest record a Palabre export holds


def dump(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS) + b"\n"


async def write_export(ctx: Context, out: IO[bytes], slugs: list[str] | None = None) -> int:
    """Write the header and every record of the sites to ``out``; how many records."""
    out.write(dump(exports.header()))
    count = 0
    records: AsyncIterator[dict[str, Any]] = exports.export_sites(ctx, slugs)
    async for record in records:
        out.write(dump(record))
        count += 1
    return count


def read_export(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each record of an export file with its line number; a line that is not a JSON
    object is refused naming it."""
    with path.open("rb") as handle:
        for number, raw in enumerate(iter(lambda: handle.readline(MAX_LINE + 1), b""),
                                     start=1):
            if len(raw) > MAX_LINE:
                raise InvalidInput(f"line {number}: longer than {MAX_LINE} bytes",
                                   reason="import_invalid")
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise InvalidInput(f"line {number}: not JSON ({exc})",
                                   reason="import_invalid") from exc
            if not isinstance(record, dict):
                raise InvalidInput(f"line {number}: not a JSON object", reason="import_invalid")
            yield number, record
