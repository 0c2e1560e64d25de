"""Serialised answers kept in process, valid while what they were read from holds.

A thread page is valid while its thread's version holds; a counts answer while nothing at
all was committed. A read first asks the storage whether anything was committed since the
entry was last checked (SQLite: ``PRAGMA data_version``, a few microseconds, no disk read);
only if so does it compare the thread's version (one indexed row). Writes bump the version
in the same transaction, so a write in any worker or instance is seen by the next read
everywhere. Entries live within a byte budget, least recently used first out.
"""

from __future__ import annotations

import gzip
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from palabre.domain.ports import Storage


@dataclass
class Entry:
    body: bytes
    etag: str
    checked: object
    expires: datetime | None = None
    site_id: int = 0
    uri: str = ""
    version: int | None = None  # None: valid only while nothing was committed at all

    def __post_init__(self) -> None:
        etag = self.etag.encode()
        self.not_modified_headers = [(b"etag", etag), (b"cache-control", b"no-cache"),
                                     (b"vary", b"Accept-Encoding")]
        self.headers = [(b"content-type", b"application/json"),
                        (b"content-length", str(len(self.body)).encode()),
                        *self.not_modified_headers]
        self._gzip: tuple[bytes, str, list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]
        self._gzip = (b"", "", [], [])

    def gzipped(self) -> tuple[bytes, str, list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]:
        """The body gzip-compressed, its ETag, its headers and its 304's headers: made on
        the first read that asks for it, then served as they are (a compressed read costs
        what an uncompressed one does)."""
        if not self._gzip[0]:
            body = gzip.compress(self.body, compresslevel=6, mtime=0)
            etag = self.etag[:-1] + '-gz"'
            not_modified = [(b"etag", etag.encode()), (b"cache-control", b"no-cache"),
                            (b"vary", b"Accept-Encoding")]
            self._gzip = (body, etag, [
                (b"content-type", b"application/json"), (b"content-encoding", b"gzip"),
                (b"content-length", str(len(body)).encode()), *not_modified], not_modified)
        return self._gzip


def make_etag(body: bytes) -> str:
    """A validator for ``body``: its length and CRC-32 (cheap, and ample for one URL)."""
    return f'"{len(body):x}-{zlib.crc32(body):08x}"'


class ThreadCache:
    def __init__(self, storage: Storage, max_bytes: int = 64 << 20) -> None:
        self.storage = storage
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()

    async def get(self, key: bytes, clock: Callable[[], datetime]) -> Entry | None:
        """The entry for ``key`` if it is still valid (``clock`` is asked only for an
        entry that expires)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires is not None and entry.expires <= clock():
            self._drop(key)
            return None
        unchanged, token = await self.storage.unchanged_since_last_check(entry.checked)
        if not unchanged:
            if entry.version is None:
                self._drop(key)
                return None
            found = await self.storage.thread_version(entry.site_id, entry.uri)
            if (found[0] if found else 0) != entry.version:
                self._drop(key)
                return None
            entry.checked = token
        self._entries.move_to_end(key)
        return entry

    async def snapshot(self) -> object:
        """A token to take *before* reading what will be cached."""
        _, token = await self.storage.unchanged_since_last_check(None)
        return token

    def put(self, key: bytes, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes:
            return
        self._drop(key)
        self._entries[key] = entry
        self.size += len(entry.body)
        while self.size > self.max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def clear(self) -> None:
        """Forget every entry (bench/paths.py measures misses this way)."""
        self._entries.clear()
        self.size = 0

    def _drop(self, key: bytes) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= len(entry.body)
