"""Every setting Palabre knows, declared once with its type, default and help.

Server settings apply to a whole Palabre process and come from (highest first) the command
line, the environment (``PALABRE_<NAME>``), the config file, then the default here.
Site settings are stored per site in the database; the defaults here apply to new sites.
The CLI help, ``palabre config init`` and ``docs/configuration.md`` are all generated from
these declarations.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import Any


class Scope(Enum):
    SERVER = "server"
    SITE = "site"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    scope: Scope = Scope.SERVER
    choices: tuple[str, ...] = ()

    @property
    def env_var(self) -> str:
        return "PALABRE_" + self.name.upper()

    def parse(self, raw: object) -> Any:
        """Turn a raw value (from env, TOML or the CLI) into this setting's type."""
        value = _coerce(self.type, raw, self.name)
        if self.choices and value not in self.choices:
            raise SettingError(f"{self.name} must be one of {', '.join(self.choices)}")
        return value


class SettingError(ValueError):
    """A setting was given a value it cannot take."""


def _coerce(kind: type, raw: object, name: str) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise SettingError(f"{name} must be true or false")
    if kind is list:
        if isinstance(raw, list | tuple):
            return [str(item).strip() for item in raw if str(item).strip()]
        return [part.strip() for part in str(raw).split(",") if part.strip()]
    if kind is int:
        if isinstance(raw, bool):
            raise SettingError(f"{name} must be a whole number")
        try:
            return int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError as exc:
            raise SettingError(f"{name} must be a whole number") from exc
    return str(raw)


SETTINGS: tuple[Setting, ...] = (
    # Server
    Setting("host", str, "127.0.0.1", "Address the HTTP server listens on."),
    Setting("port", int, 8080, "Port the HTTP server listens on."),
    Setting("workers", int, 1, "Number of worker processes serving requests."),
    Setting(
        "database_url",
        str,
        "sqlite:///palabre.db",
        "Where comments are stored: sqlite:///path/to/file.db (relative to the working "
        "directory) or postgresql://user@host/dbname.",
    ),
    Setting(
        "secret",
        str,
        "",
        "Key that signs author tokens and hashes client addresses. Empty: generated on "
        "first start and kept in a file beside the SQLite database (never logged).",
    ),
    Setting(
        "trusted_proxies",
        list,
        [],
        "Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For header is "
        "believed. Empty: the direct peer is the client.",
    ),
    Setting(
        "public_url",
        str,
        "",
        "Public base URL of this server (e.g. https://comments.example.org), used in feeds. "
        "Empty: taken from each request.",
    ),
    Setting(
        "post_rate_limit",
        int,
        5,
        "Comments one client may post per rate window (0 disables the limit).",
    ),
    Setting(
        "write_rate_limit",
        int,
        60,
        "Other writes (edits, deletions, votes) one client may make per rate window "
        "(0 disables the limit).",
    ),
    Setting("rate_window_seconds", int, 60, "Length of the rate-limit window, in seconds."),
    Setting(
        "max_body_bytes",
        int,
        131072,
        "Largest request body accepted; larger ones get 413 payload_too_large.",
    ),
    Setting(
        "cache_megabytes",
        int,
        16,
        "Memory each worker may keep for serialised thread pages and counts (0: no cache; "
        "every read then goes to the database).",
    ),
    Setting(
        "demo",
        bool,
        False,
        "Serve the demo article pages at / (seeded with their discussion on first start).",
    ),
    Setting("log_level", str, "info", "Server log level.", choices=("debug", "info", "warning")),
    # Site (stored per site; these are the defaults of a new site)
    Setting(
        "site_url",
        str,
        "",
        "Public address of the site's pages (https://www.example.org): feeds link to "
        "comments there. Empty: feed links are paths.",
        Scope.SITE,
    ),
    Setting(
        "max_depth",
        int,
        5,
        "Levels of nesting shown (top-level comments are level 0); a reply to the deepest "
        "level hangs under that comment's parent.",
        Scope.SITE,
    ),
    Setting(
        "close_after_days",
        int,
        0,
        "Close a thread to new comments this many days after it was created (0: never).",
        Scope.SITE,
    ),
    Setting(
        "moderation",
        str,
        "none",
        "Which new comments wait for a moderator: none, all, first_time (authors with no "
        "approved comment yet) or links (comments containing a link).",
        Scope.SITE,
        choices=("none", "all", "first_time", "links"),
    ),
    Setting(
        "edit_window_seconds",
        int,
        900,
        "How long an author may edit or delete their own comment, in seconds.",
        Scope.SITE,
    ),
    Setting("max_text_length", int, 10000, "Longest comment text, in characters.", Scope.SITE),
    Setting(
        "blocked_words",
        list,
        [],
        "Words (case-insensitive) that make a comment be refused.",
        Scope.SITE,
    ),
    Setting(
        "allowed_origins",
        list,
        [],
        "Origins (https://www.example.org) whose pages may write comments through the API. "
        "Empty: any origin.",
        Scope.SITE,
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
SERVER_SETTINGS = tuple(s for s in SETTINGS if s.scope is Scope.SERVER)
SITE_SETTINGS = tuple(s for s in SETTINGS if s.scope is Scope.SITE)


@dataclass(frozen=True)
class ServerConfig:
    """The resolved server settings of one process."""

    host: str = BY_NAME["host"].default
    port: int = BY_NAME["port"].default
    workers: int = BY_NAME["workers"].default
    database_url: str = BY_NAME["database_url"].default
    secret: str = BY_NAME["secret"].default
    trusted_proxies: list[str] = field(default_factory=list)
    public_url: str = BY_NAME["public_url"].default
    post_rate_limit: int = BY_NAME["post_rate_limit"].default
    write_rate_limit: int = BY_NAME["write_rate_limit"].default
    rate_window_seconds: int = BY_NAME["rate_window_seconds"].default
    max_body_bytes: int = BY_NAME["max_body_bytes"].default
    cache_megabytes: int = BY_NAME["cache_megabytes"].default
    demo: bool = BY_NAME["demo"].default
    log_level: str = BY_NAME["log_level"].default


def load_config(
    cli: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: str | Path | None = None,
) -> ServerConfig:
    """Resolve server settings: CLI, then environment, then config file, then defaults."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = config_file or env.get("PALABRE_CONFIG")
    file_values = _read_toml(Path(path)) if path else {}
    for setting in SERVER_SETTINGS:
        for source in (cli or {}, {setting.name: env.get(setting.env_var)}, file_values):
            raw = source.get(setting.name)
            if raw is not None:
                values[setting.name] = setting.parse(raw)
                break
    return ServerConfig(**values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingError(f"config file {path} is not valid TOML: {exc}") from exc
    server = data.get("server", {})
    unknown = set(server) - {s.name for s in SERVER_SETTINGS}
    if unknown:
        raise SettingError(f"unknown setting(s) in {path}: {', '.join(sorted(unknown))}")
    return dict(server)


def config_env(config: ServerConfig) -> dict[str, str]:
    """The environment that makes a worker process resolve exactly this config."""
    out: dict[str, str] = {}
    for f in fields(config):
        value = getattr(config, f.name)
        text = ",".join(value) if isinstance(value, list) else str(value).lower() if isinstance(
            value, bool
        ) else str(value)
        out[BY_NAME[f.name].env_var] = text
    return out


def default_toml() -> str:
    """A commented palabre.toml holding every server setting at its default."""
    lines = ["# Palabre configuration. Every line shows a default; uncomment to change it.",
             "# Environment variables PALABRE_<NAME> and command-line options win over this file.",
             "", "[server]"]
    for s in SERVER_SETTINGS:
        lines.append(f"# {s.help}")
        lines.append(f"# {s.name} = {_toml_value(s.default)}")
        lines.append("")
    lines.append("# Per-site settings live in the database: palabre site set --site S NAME VALUE.")
    lines.append("# Their defaults for a new site:")
    for s in SITE_SETTINGS:
        lines.append(f"#   {s.name} = {_toml_value(s.default)}: {s.help}")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def docs_markdown() -> str:
    """The body of docs/configuration.md."""
    out = ["# Configuration", "",
           "Generated from `palabre/settings.py` by `palabre config docs`; a test fails when "
           "this file drifts from the declarations.", "",
           "## Server settings", "",
           "Command line `--name`, environment `PALABRE_<NAME>`, or `[server]` in the file "
           "given by `--config` (or `PALABRE_CONFIG`), in that order of precedence. "
           "`palabre config init` writes a commented default file.", "",
           "| name | environment | default | help |", "| --- | --- | --- | --- |"]
    for s in SERVER_SETTINGS:
        out.append(f"| `{s.name}` | `{s.env_var}` | `{_toml_value(s.default)}` | {s.help} |")
    out += ["", "## Site settings", "",
            "Stored per site in the database; change them with "
            "`palabre site set --site SLUG NAME VALUE` (lists are comma-separated). "
            "These are the defaults of a new site.", "",
            "| name | default | help |", "| --- | --- | --- |"]
    for s in SITE_SETTINGS:
        choices = f" One of: {', '.join(s.choices)}." if s.choices else ""
        out.append(f"| `{s.name}` | `{_toml_value(s.default)}` | {s.help}{choices} |")
    return "\n".join(out) + "\n"
