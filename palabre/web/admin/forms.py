"""Reading what an admin form posted (URL-encoded, size-limited), and where to go next."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request

from palabre.domain.errors import InvalidInput

FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Form:
    """The fields of a posted form; a repeated field keeps every value."""

    fields: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[-1] if values else default

    def all(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))


async def read_form(request: Request, limit: int) -> Form:
    """The posted form (empty unless the body is URL-encoded: its token check then fails);
    a body over ``limit`` bytes is refused."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != FORM_TYPE:
        return Form({})
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise InvalidInput("the form is too large", reason="form_invalid")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the form is not UTF-8", reason="form_invalid") from exc
    return Form(parse_qs(text, keep_blank_values=True))


def local_path(raw: str, fallback: str) -> str:
    """``raw`` if it is a path of the admin on this server, else ``fallback`` (no open
    redirect through ``next=``)."""
    parts = urlsplit(raw)
    if (parts.scheme or parts.netloc or not raw.startswith("/admin")
            or raw.startswith("//") or "\\" in raw):
        return fallback
    return raw


def with_params(path: str, **params: str) -> str:
    """``path`` with ``params`` set (replacing any of the same name already there)."""
    parts = urlsplit(path)
    kept = [(k, v) for k, values in parse_qs(parts.query).items() for v in values
            if k not in params]
    query = urlencode(kept + [(k, v) for k, v in params.items() if v])
    return parts.path + ("?" + query if query else "")
