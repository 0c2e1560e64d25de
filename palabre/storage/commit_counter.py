"""A count of the commits made to a SQLite database, shared by every process using it.

The read cache asks, on every hit, whether anything was committed since the answer was
checked. ``PRAGMA data_version`` answers that in a few microseconds; this counter, eight
bytes in a small file beside the database (``palabre.db-commits``) mapped into memory by
every process, answers in a fraction of one. Every Palabre writer bumps it right after
its ``COMMIT`` and before the write returns, so a reader in any worker or instance on the
host that reads the counter after a write has answered sees it moved. Bumps are
serialised by a lock on the file (writes are rare); a reader only reads the eight bytes.

What the counter cannot see (a process that died between its commit and its bump, a
tool writing the database with plain SQLite) the storage still notices with
``PRAGMA data_version``, asked at most every ``VERIFY_SECONDS`` (storage/sqlite.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import struct

_COUNT = struct.Struct("<Q")


class CommitCounter:
    def __init__(self, database_path: str) -> None:
        self.path = database_path + "-commits"
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < _COUNT.size:
                os.ftruncate(fd, _COUNT.size)  # zeros; a second process doing it too is harmless
            self.mapped = mmap.mmap(fd, _COUNT.size)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self.read = _COUNT.unpack_from  # read(mapped)[0]: the count, for the hot path

    def value(self) -> int:
        count: int = self.read(self.mapped)[0]
        return count

    def bump(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            _COUNT.pack_into(self.mapped, 0, (self.value() + 1) & 0xFFFF_FFFF_FFFF_FFFF)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with contextlib.suppress(BufferError, ValueError):
            self.mapped.close()
        with contextlib.suppress(OSError):
            os.close(self._fd)


def open_counter(database_path: str) -> CommitCounter | None:
    """The database's counter, or None where its file cannot be made (a read-only folder):
    the storage then asks ``PRAGMA data_version`` on every check, as it always could."""
    try:
        return CommitCounter(database_path)
    except OSError:
        return None
