"""Streaming, defused XML reading for the XML parsers (WordPress, Disqus).

The file is read in chunks into defusedxml's expat parser, which refuses entity declarations
(billion laughs) and external references (XXE); a format handler receives start, end and text
events and keeps only the fields it needs, so memory stays bounded whatever the file's size.

Real exports have broken records (the remark42 Disqus fixtures end with one). When expat
stops on an error inside a record, the handler drops that record (and reports it as
:class:`Skipped`), the reader skips to the record's end tag and a fresh parser goes on from
there, re-opening the enclosing elements with their namespace declarations. A file that is not
XML from its start raises :class:`ImportFormatError` with the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from palabre.domain.records import ImportFormatError, Record, Skipped

CHUNK = 64 * 1024
RECENT = 1024 * 1024  # input kept to find where a broken record ends
# Raw C0 control bytes are not allowed in XML 1.0 and exports have them: dropped before expat
# sees them (only in ASCII-compatible encodings, where such a byte is never part of a character).
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])
_REFUSALS = {
    "DTDForbidden": "a document type declaration (exports have none; entities could hide in it)",
    "EntitiesForbidden": "an entity declaration",
    "ExternalReferenceForbidden": "an external reference",
}
_DECLARED_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)"""
)


@dataclass(slots=True)
class Frame:
    """An open element: its tag as expat gives it (``uri}local``, or ``local`` without a
    namespace), where it began, and the namespace declarations it made."""

    tag: str
    line: int
    offset: int
    declarations: tuple[tuple[str, str], ...] = ()


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def attribute(attributes: list[str], local: str) -> str | None:
    """The value of the attribute named ``local`` in any namespace; expat gives attributes
    as a flat list of names and values."""
    for index in range(0, len(attributes) - 1, 2):
        if attributes[index].rpartition("}")[2] == local:
            return attributes[index + 1]
    return None


class Handler(Protocol):
    """What a format gives the reader: it turns events into records in ``out``."""

    fmt: str
    out: list[Record]

    def start(self, stack: list[Frame], attributes: list[str]) -> None:
        """An element opened; it is ``stack[-1]``."""

    def end(self, stack: list[Frame]) -> None:
        """``stack[-1]`` closed (it is popped after this call)."""

    def data(self, text: str) -> None:
        """Character data of the innermost open element."""

    def close(self) -> None:
        """The document ended: flush what waited for the end."""

    def unit(self, stack: list[Frame]) -> tuple[int, tuple[str, ...]] | None:
        """Where to resume after an error with ``stack`` open: the depth of the record to drop
        (``len(stack) + 1`` when the error is between records) and the local names whose end
        tag ends it; None when the error cannot be skipped."""

    def abort(self, depth: int, reason: str) -> None:
        """Drop the open record at ``depth`` (1-based) and what it held; report it."""


class Capturing:
    """For handlers: the text of the element being captured (``capture`` is a list while
    one is, None otherwise)."""

    capture: list[str] | None = None

    def data(self, text: str) -> None:
        if self.capture is not None:
            self.capture.append(text)


class _Target:
    """Expat's handlers: keeps the open elements and forwards events to the format's handler.

    They are set on the expat parser directly (not through ElementTree's target interface,
    which costs a Python call per event more); defusedxml's refusals stay set.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.stack: list[Frame] = []
        self.pending_declarations: tuple[tuple[str, str], ...] = ()
        self.expat: Any = None
        self.line_base = 0  # newlines of the file before what this parser reads
        self.offset_base = 0  # input offset of this parser's first byte, less its prologue
        self.swallow = 0  # start tags of the re-opened ancestors, not to be reported again
        self.started = False

    def start_ns(self, prefix: str, uri: str) -> None:
        if not self.swallow:
            self.pending_declarations = (*self.pending_declarations, (prefix or "", uri or ""))

    def start(self, tag: str, attributes: list[str]) -> None:
        if self.swallow:
            self.swallow -= 1
            return
        self.started = True
        expat = self.expat
        self.stack.append(Frame(tag, expat.CurrentLineNumber + self.line_base,
                                expat.CurrentByteIndex + self.offset_base,
                                self.pending_declarations))
        if self.pending_declarations:
            self.pending_declarations = ()
        self.handler.start(self.stack, attributes)

    def end(self, tag: str) -> None:
        self.handler.end(self.stack)
        self.stack.pop()

    def attach(self, expat: Any) -> None:
        self.expat = expat
        expat.StartElementHandler = self.start
        expat.EndElementHandler = self.end
        expat.StartNamespaceDeclHandler = self.start_ns
        expat.CharacterDataHandler = self.handler.data


def _prologue(ancestors: list[Frame]) -> bytes:
    """Start tags re-opening ``ancestors``, with every namespace declaration they made."""
    in_scope: dict[str, str] = {}  # uri -> prefix
    parts = []
    for frame in ancestors:
        declarations = list(frame.declarations)
        for prefix, uri in declarations:
            in_scope[uri] = prefix
        name = frame.tag
        if "}" in name:
            uri, _, local = name.rpartition("}")
            if uri not in in_scope:
                in_scope[uri] = f"ns{len(in_scope)}"
                declarations.append((in_scope[uri], uri))
            prefix = in_scope[uri]
            name = f"{prefix}:{local}" if prefix else local
        attributes = "".join(
            f" xmlns:{prefix}={quoteattr(uri)}" if prefix else f" xmlns={quoteattr(uri)}"
            for prefix, uri in declarations
        )
        parts.append(f"<{name}{attributes}>")
    return "".join(parts).encode("utf-8")


class _Input:
    """The file as chunks, with the last ones kept to search for a record's end after an error.

    Offsets and newlines count the input as expat sees it (control bytes dropped).
    """

    def __init__(self, handle: Any, first: bytes, filtered: bool) -> None:
        self.handle = handle
        self.first = first
        self.filtered = filtered
        self.pending = b""  # read past a broken record's end: fed to the next parser
        self.recent = bytearray()
        self.recent_start = 0  # offset of recent[0]
        self.recent_newlines = 0  # newlines before recent[0]

    def next_chunk(self) -> bytes | None:
        if self.pending:
            chunk, self.pending = self.pending, b""
            return chunk  # already in ``recent``
        chunk, self.first = self.first or self.handle.read(CHUNK), b""
        if not chunk:
            return None
        if self.filtered:
            chunk = chunk.translate(None, _CONTROL_BYTES)
        self.recent += chunk
        excess = len(self.recent) - RECENT
        if excess > 0:
            self.recent_newlines += self.recent.count(b"\n", 0, excess)
            del self.recent[:excess]
            self.recent_start += excess
        return chunk

    def skip_to(self, offset: int, end_tag: re.Pattern[bytes]) -> tuple[int, int] | None:
        """Skip past the first match of ``end_tag`` from ``offset``: (the offset after it, the
        newlines before that offset); None when the file ends first."""
        offset = min(max(offset, self.recent_start), self.recent_start + len(self.recent))
        newlines = self.recent_newlines + self.recent.count(b"\n", 0, offset - self.recent_start)
        buffer = bytes(self.recent[offset - self.recent_start:])
        while True:
            match = end_tag.search(buffer)
            if match:
                after = offset + match.end()
                newlines += buffer.count(b"\n", 0, match.end())
                self.pending = buffer[match.end():]
                self.recent = bytearray(self.pending)
                self.recent_start, self.recent_newlines = after, newlines
                return after, newlines
            keep = min(len(buffer), 256)  # an end tag may straddle two chunks
            dropped = len(buffer) - keep
            newlines += buffer.count(b"\n", 0, dropped)
            offset += dropped
            more = self.next_chunk()
            if more is None:
                return None
            buffer = buffer[dropped:] + more


def stream(path: Path, handler: Handler) -> Iterator[Record]:
    """Yield the handler's records while reading ``path``."""
    with path.open("rb") as handle:
        yield from _stream(handle, handler)


def _stream(handle: Any, handler: Handler) -> Iterator[Record]:
    fmt = handler.fmt
    first = handle.read(CHUNK)
    ascii_compatible = not first.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"<\x00"))
    junk = b""
    if ascii_compatible and not first.startswith((b"<", b"\xef\xbb\xbf<")):
        # a stray character or two before the XML (the remark42 fixtures start with a
        # backtick): skipped, as lenient readers do; a file without markup still fails
        start = first.find(b"<", 0, 1024)
        if start > 0:
            junk, first = first[:start], first[start:]
    declared = _DECLARED_ENCODING.match(first)
    encoding = declared.group(1).decode("ascii") if declared else None
    source = _Input(handle, first, filtered=ascii_compatible)
    source.recent_newlines = junk.count(b"\n")
    target = _Target(handler)
    target.line_base = source.recent_newlines
    prologue = b""
    while True:
        parser = DefusedXMLParser(target=target, encoding=encoding if prologue else None,
                                  forbid_dtd=True)
        target.attach(parser.parser)
        try:
            if prologue:
                parser.feed(prologue)
            while (chunk := source.next_chunk()) is not None:
                parser.feed(chunk)
                if handler.out:
                    yield from handler.out
                    handler.out.clear()
            parser.close()
            handler.close()
            yield from handler.out
            handler.out.clear()
            return
        except DefusedXmlException as exc:
            raise ImportFormatError(
                f"{fmt}: line {target.expat.CurrentLineNumber + target.line_base}: refused: "
                f"{_REFUSALS.get(type(exc).__name__, 'forbidden XML construct')} ({exc!r})"
            ) from exc
        except ParseError as exc:
            line = exc.position[0] + target.line_base
            message = f"{_expat_message(exc)} (line {line})"
            yield from handler.out
            handler.out.clear()
            if not target.started:
                raise ImportFormatError(f"{fmt}: line {line}: not XML: {message}") from exc
            resume = handler.unit(target.stack) if ascii_compatible else None
            if resume is None:
                handler.close()
                yield from handler.out
                handler.out.clear()
                yield Skipped("document", "", f"malformed: {message}; the rest is not read")
                return
            depth, names = resume
            error_index = target.expat.ErrorByteIndex
            error_offset = (target.offset_base + error_index if error_index >= 0
                            else source.recent_start + len(source.recent))
            if depth <= len(target.stack):
                error_offset = max(error_offset, target.stack[depth - 1].offset)
                handler.abort(depth, f"malformed: {message}")
                yield from handler.out
                handler.out.clear()
            else:
                yield Skipped("document", "", f"malformed: {message}")
            del target.stack[depth - 1:]
            alternatives = b"|".join(re.escape(name.encode()) for name in names)
            end_tag = re.compile(rb"</(?:[\w.-]+:)?(?:" + alternatives + rb")\s*>")
            found = source.skip_to(error_offset, end_tag)
            if found is None:
                handler.close()
                yield from handler.out
                handler.out.clear()
                return
            resumed_at, newlines = found
            prologue = _prologue(target.stack)
            target.swallow = len(target.stack)
            target.pending_declarations = ()
            target.line_base = newlines
            target.offset_base = resumed_at - len(prologue)


def _expat_message(exc: ParseError) -> str:
    text = str(exc)
    return text.split(": line", 1)[0]
