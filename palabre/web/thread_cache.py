"""Serialised thread pages kept in process, valid while their thread's version holds.

A read asks the storage whether anything was committed since the entry was last checked
(SQLite: ``PRAGMA data_version``, a few microseconds); if so, it compares the thread's
version (one indexed row). Writes bump the version in the same transaction, so a write in
any worker or instance is seen by the next read everywhere.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from palabre.storage.base import Storage


@dataclass
class Entry:
    site_id: int
    uri: str
    version: int
    body: bytes
    etag: str
    expires: datetime | None
    checked: object = None


def make_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class ThreadCache:
    def __init__(self, storage: Storage, max_entries: int = 4096) -> None:
        self.storage = storage
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()

    async def get(self, key: bytes, now: datetime) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires is not None and entry.expires <= now:
            del self._entries[key]
            return None
        unchanged, token = await self.storage.unchanged_since_last_check(entry.checked)
        if not unchanged:
            found = await self.storage.thread_version(entry.site_id, entry.uri)
            if (found[0] if found else 0) != entry.version:
                del self._entries[key]
                return None
            entry.checked = token
        self._entries.move_to_end(key)
        return entry

    async def snapshot(self) -> object:
        """A token to take *before* reading what will be cached."""
        _, token = await self.storage.unchanged_since_last_check(None)
        return token

    def put(self, key: bytes, entry: Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
