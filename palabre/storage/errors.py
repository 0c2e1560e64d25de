"""What a backend raises when the database cannot take a request now, whatever the cause
(PostgreSQL gone or restarting, the SQLite disk full): the web layer answers 503 with the
error envelope and a ``Retry-After``, and nothing of the request was committed."""

from __future__ import annotations

from palabre.domain.errors import PalabreError

RETRY_AFTER_SECONDS = 5


class StorageUnavailable(PalabreError):
    """The database cannot serve this request now; trying again later may succeed.

    Raised only where the backend knows the transaction did not commit (or was a read).
    A refusal like the domain's (the ``unavailable`` code, 503), so that it reaches
    readers with the envelope and CORS headers, and the desk as a message."""

    code = "unavailable"
    retry_after = RETRY_AFTER_SECONDS

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"database unavailable: {type(cause).__name__}: {cause}")
