"""Errors the domain raises; the web layer maps each code to an HTTP status."""

from __future__ import annotations


class PalabreError(Exception):
    """A refusal that users see: a stable ``code`` and optional ``reason`` and ``field``."""

    code = "invalid_input"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        field: str | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.field = field
        self.params = params or {}


class InvalidInput(PalabreError):
    code = "invalid_input"


class NotFound(PalabreError):
    code = "not_found"


class ThreadClosed(PalabreError):
    code = "thread_closed"


class EditWindowExpired(PalabreError):
    code = "edit_window_expired"


class Forbidden(PalabreError):
    code = "forbidden"


class Unauthorized(PalabreError):
    code = "unauthorized"


class RateLimited(PalabreError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
