"""The desk's own stylesheet and script, served from palabre/static/admin."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

FOLDER = Path(__file__).resolve().parents[2] / "static" / "admin"
TYPES = {"admin.css": "text/css; charset=utf-8", "admin.js": "text/javascript; charset=utf-8"}


@cache
def _content(name: str) -> bytes:
    return (FOLDER / name).read_bytes()


async def asset(request: Request) -> Response:
    """One of the known files (no path from the request reaches the file system)."""
    name = request.path_params["name"]
    if name not in TYPES:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(_content(name), media_type=TYPES[name],
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
