"""Parsers of other comment engines' exports: pure functions from a file to neutral records.

Each parser reads one file and yields :class:`ThreadRecord`, :class:`CommentRecord` and
:class:`Skipped` (``palabre/domain/records.py``); it stores nothing and prints nothing.
"""

from palabre.domain.records import (
    CommentRecord,
    CommentStatus,
    ImportFormatError,
    Record,
    Skipped,
    ThreadRecord,
)
from palabre.importers.commento import parse_commento
from palabre.importers.detect import FORMATS, detect, parse
from palabre.importers.disqus import parse_disqus
from palabre.importers.isso import parse_isso_json, parse_isso_sqlite
from palabre.importers.wordpress import parse_wordpress

__all__ = [
    "FORMATS",
    "CommentRecord",
    "CommentStatus",
    "ImportFormatError",
    "Record",
    "Skipped",
    "ThreadRecord",
    "detect",
    "parse",
    "parse_commento",
    "parse_disqus",
    "parse_isso_json",
    "parse_isso_sqlite",
    "parse_wordpress",
]
