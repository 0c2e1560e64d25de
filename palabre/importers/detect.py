"""Which export a file is, from its first bytes, and the parser for it.

Formats: ``wordpress`` (WXR), ``disqus`` (XML), ``isso`` (Isso's SQLite database),
``isso-json`` (Isso's generic JSON), ``commento`` (JSON) and ``palabre`` (Palabre's own
export, JSON Lines whose first line is ``{"format": "palabre", ...}``; restored by
``palabre.transfer``, not parsed here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from palabre.domain.records import ImportFormatError, Record
from palabre.importers.commento import parse_commento
from palabre.importers.disqus import parse_disqus
from palabre.importers.isso import isso_tables, parse_isso_json, parse_isso_sqlite
from palabre.importers.wordpress import parse_wordpress

FORMATS = ("wordpress", "disqus", "isso", "isso-json", "commento", "palabre")
SNIFF = 64 * 1024
_SQLITE_MAGIC = b"SQLite format 3\x00"
_WXR_NAMESPACE = re.compile(rb"https?://wordpress\.(?:org|com)/export/\d+\.\d+/")
_RSS = re.compile(rb"<rss[\s>]")
_DISQUS = re.compile(rb"<disqus[\s>]")
_PALABRE = re.compile(rb'"format"\s*:\s*"palabre"')
_COMMENTO_KEYS = re.compile(rb'"(?:commentHex|commenterHex|commenters)"\s*:')


def detect(path: Path) -> str:
    """The format of the export at ``path`` (one of :data:`FORMATS`)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF)
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path.name}: {exc.strerror}") from exc
    if head.startswith(_SQLITE_MAGIC):
        if isso_tables(path):
            return "isso"
        raise ImportFormatError(f"{path.name}: a SQLite database without Isso's threads and "
                                "comments tables")
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFormatError(f"{path.name}: UTF-16 text; exports are read in UTF-8")
    if text.startswith((b"{", b"[")):
        return _json_format(path, head, text)
    if b"<" in text[:1024]:
        if _DISQUS.search(head):
            return "disqus"
        if _RSS.search(head) and _WXR_NAMESPACE.search(head):
            return "wordpress"
        raise ImportFormatError(f"{path.name}: XML, but neither a WordPress export (WXR) nor "
                                "a Disqus export")
    raise ImportFormatError(f"{path.name}: not an export Palabre knows (WordPress, Disqus, "
                            "Isso, Commento or Palabre)")


def _json_format(path: Path, head: bytes, text: bytes) -> str:
    first_line = text.split(b"\n", 1)[0]
    try:
        header = json.loads(first_line)
    except ValueError:
        header = None
    if isinstance(header, dict) and header.get("format") == "palabre":
        return "palabre"
    if text.startswith(b"{"):
        if _COMMENTO_KEYS.search(head):
            return "commento"
        if _PALABRE.search(head):
            return "palabre"
    elif b'"comments"' in head or re.match(rb"\[\s*\]\s*$", text):
        return "isso-json"
    raise ImportFormatError(f"{path.name}: JSON, but neither Isso's generic format, a Commento "
                            "export nor a Palabre export")


Parser = Callable[[Path], Iterator[Record]]


def parser_for(fmt: str, *, with_pingbacks: bool = False) -> Parser:
    """The parser of a format; ImportFormatError for ``palabre`` and unknown names."""
    parsers: dict[str, Parser] = {
        "wordpress": partial(parse_wordpress, with_pingbacks=with_pingbacks),
        "disqus": parse_disqus,
        "isso": parse_isso_sqlite,
        "isso-json": parse_isso_json,
        "commento": parse_commento,
    }
    if fmt == "palabre":
        raise ImportFormatError("a Palabre export is restored (palabre.transfer), not parsed "
                                "by the importers")
    if fmt not in parsers:
        raise ImportFormatError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return parsers[fmt]


def parse(path: Path, fmt: str | None = None, *, with_pingbacks: bool = False) -> \
        Iterator[Record]:
    """The records of the export at ``path``, in the format given or detected.

    ``with_pingbacks`` imports WordPress pingbacks and trackbacks as comments.
    """
    path = Path(path)
    return parser_for(fmt or detect(path), with_pingbacks=with_pingbacks)(path)
