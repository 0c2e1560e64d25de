"""How a server's log records are written: one line each, as text or JSON, with the id of
the request being handled, and nothing a reader or operator would not want kept.

Every record leaving the server's one handler goes through :class:`Masking` first: its
message (arguments included) and its traceback are rewritten with emails, bearer tokens,
cookies, URL credentials, ``token=``/``password=``-like values and the configured secrets
replaced by a placeholder. Palabre's own messages name none of these, but an exception's
text (a database driver quoting a row, an SMTP server quoting an address) may.
"""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import UTC, datetime
from typing import Any

import orjson

from palabre.settings import LogFormat, ServerConfig
from palabre.web.observe.ids import current

MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@"), r"\1<credentials>@"),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[^\s,;\"']+"), r"\1\2<token>"),
    (re.compile(r"(?i)\b(cookie|set-cookie)(\"?'?\s*[:=]\s*)[^\r\n]+"), r"\1\2<cookie>"),
    (re.compile(r"(?i)\b([\w-]*(?:token|password|passwd|secret|session|signature|key)[\w-]*)"
                r"(\"?'?\s*[:=]\s*[\"']?)[^\s\"',;&)}\]]+"), r"\1\2<masked>"),
    (re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"), "<email>"),
)
SHORTEST_SECRET = 6  # a configured secret shorter than this is not searched for


def mask(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every secret, email, token and cookie value replaced."""
    for secret in secrets:
        text = text.replace(secret, "<secret>")
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


class Masking(logging.Filter):
    """Masks each record (message, arguments, traceback) and gives it ``request_id``."""

    def __init__(self, secrets: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(sorted((s for s in secrets if len(s) >= SHORTEST_SECRET),
                                    key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current.get()
        record.msg = mask(record.getMessage(), self.secrets)
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = mask(record.stack_info, self.secrets)
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not getattr(record, "request_id", ""):
            record.request_id = "-"
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id
    (when handling a request), the access log's fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage()}
        request_id = getattr(record, "request_id", "")
        if request_id:
            out["request_id"] = request_id
        fields = getattr(record, "http", None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        return orjson.dumps(out).decode()


def secrets_of(config: ServerConfig) -> list[str]:
    """The configured values no log may show (the SMTP URL's password among them)."""
    from urllib.parse import urlsplit

    found = [config.secret, config.metrics_token]
    if config.smtp_url:
        with contextlib.suppress(ValueError):
            found.append(urlsplit(config.smtp_url).password or "")
    return [s for s in found if s]


def log_config(config: ServerConfig) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of a server (uvicorn applies it in every worker):
    one handler on standard error, masked, in the configured format."""
    level = config.log_level.value.upper()
    formatter = "json" if config.log_format == LogFormat.JSON else "text"
    handler = {"handlers": ["stderr"], "level": level, "propagate": False}
    return {
        "version": 1, "disable_existing_loggers": False,
        "filters": {"masking": {"()": f"{__name__}.Masking", "secrets": secrets_of(config)}},
        "formatters": {"text": {"()": f"{__name__}.TextFormatter"},
                       "json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": formatter, "filters": ["masking"]}},
        "loggers": {"palabre": handler, "uvicorn": handler, "uvicorn.error": handler,
                    "uvicorn.access": handler},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
