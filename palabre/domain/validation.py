"""Checks on what readers send: every refusal names its field and reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from palabre.domain.errors import InvalidInput
from palabre.domain.models import SiteSettings

MAX_AUTHOR = 100
MAX_EMAIL = 254
MAX_WEBSITE = 500
MAX_TITLE = 300
MAX_ID = 2**63 - 1  # the largest id a database column holds
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+$")
SITE_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# Control characters, and what XML 1.0 forbids besides (surrogates, U+FFFE, U+FFFF and the
# other noncharacters): none of them is ever kept in a text, a name or a title.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]")


def printable(text: str) -> str:
    """``text`` without the characters refused at input (what an XML document cannot hold)."""
    return _CONTROL.sub("", text)


@dataclass(frozen=True)
class Author:
    name: str
    email: str
    website: str


def text_field(value: object, field: str, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string", reason=f"{field}_invalid", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character", reason=f"{field}_invalid",
                           field=field)
    return value


def is_site_slug(value: str) -> bool:
    return SITE_SLUG.fullmatch(value) is not None


def clean_text(value: object) -> str:
    """A comment's text as stored: control characters removed, line ends as ``\n``."""
    return _CONTROL.sub("", text_field(value, "text")).replace("\r\n", "\n")


def check_text(text: str, settings: SiteSettings) -> str:
    """Refuse a cleaned text the site does not take: empty or too long (the word lists are
    the site's policy: domain/policy.py)."""
    if not text.strip():
        raise InvalidInput("text is empty", reason="text_empty", field="text")
    limit = settings.max_text_length
    if len(text) > limit:
        raise InvalidInput(f"text is longer than {limit} characters", reason="text_too_long",
                           field="text", params={"limit": limit})
    return text


def author(name: object, email: object, website: object) -> Author:
    clean_name = " ".join(_CONTROL.sub("", text_field(name, "author")).split())
    if len(clean_name) > MAX_AUTHOR:
        raise InvalidInput(f"author is longer than {MAX_AUTHOR} characters",
                           reason="author_too_long", field="author",
                           params={"limit": MAX_AUTHOR})
    return Author(clean_name, _email(text_field(email, "email")),
                  _website(text_field(website, "website")))


def _email(value: str) -> str:
    value = value.strip()
    if value and (len(value) > MAX_EMAIL or not _EMAIL.match(value) or _CONTROL.search(value)):
        raise InvalidInput("email is not valid", reason="email_invalid", field="email")
    return value


# A host name as browsers resolve it: labels of letters (any script), digits and hyphens,
# or an IPv4 address (no "&", ";" or "(": "https://javascript&colon;alert(1)" is no site).
_HOST = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_][\w-]*\.?|\d{1,3}(?:\.\d{1,3}){3}")


def _website(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise InvalidInput("website is not valid", reason="website_invalid",
                           field="website") from exc
    if (len(value) > MAX_WEBSITE or parts.scheme.lower() not in {"http", "https"}
            or not parts.hostname or "." not in parts.hostname
            or not _HOST.fullmatch(parts.hostname)
            or "@" in parts.netloc  # credentials: https://example.org:80@evil.example/
            or any(ch.isspace() or ch in "<>\"'`" for ch in value) or _CONTROL.search(value)):
        raise InvalidInput("website is not valid", reason="website_invalid", field="website")
    return value


def title(value: object) -> str:
    return " ".join(_CONTROL.sub("", text_field(value, "title")).split())[:MAX_TITLE]


def optional_id(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise InvalidInput(f"{field} must be a comment id", reason=f"{field}_invalid",
                           field=field)
    return value


def flag(value: object, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be true or false", reason=f"{field}_invalid",
                           field=field)
    return value
