"""Every setting Palabre knows, declared once with its type, default and help.

The declaration *is* the two typed classes below: each field of :class:`ServerConfig` and
:class:`SiteSettings` carries its type (the annotation), its default and its help text
(:func:`setting`). ``SETTINGS`` and everything generated from it (the CLI's options and help,
``palabre config init``, ``docs/configuration.md``, the parsing of environment variables,
TOML and ``palabre site set``) are read off those fields, so a setting cannot be declared
twice or drift.

Server settings apply to a whole Palabre process and come from (highest first) the command
line, the environment (``PALABRE_<NAME>``), the config file, then the default here.
Site settings are stored per site in the database; the defaults here apply to new sites.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, get_type_hints


class Scope(Enum):
    SERVER = "server"
    SITE = "site"


class ModerationMode(StrEnum):
    """Which new comments of a site wait for a moderator."""

    NONE = "none"
    ALL = "all"
    FIRST_TIME = "first_time"
    LINKS = "links"


class AlertMode(StrEnum):
    """Whether and how often a site's moderators are mailed about held and reported comments."""

    OFF = "off"
    NOW = "now"
    HOURLY = "hourly"
    DAILY = "daily"


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def setting(default: Any, help: str) -> Any:
    """Declare one setting: a dataclass field with its default and help text."""
    return field(default=default, metadata={"help": help})


class SettingError(ValueError):
    """A setting was given a value it cannot take."""


@dataclass(frozen=True)
class Setting:
    """One declared setting, as read off its field."""

    name: str
    type: type
    default: Any  # as TOML and the docs show it: lists for tuples, strings for choices
    help: str
    scope: Scope = Scope.SERVER
    choices: tuple[str, ...] = ()

    @property
    def env_var(self) -> str:
        return "PALABRE_" + self.name.upper()

    def parse(self, raw: object) -> Any:
        """Turn a raw value (from env, TOML, the CLI or a form) into this setting's type."""
        value = _coerce(self.type, raw, self.name)
        if self.choices and value not in self.choices:
            raise SettingError(f"{self.name} must be one of {', '.join(self.choices)}")
        return self.type(value) if issubclass(self.type, Enum) else value


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
    if kind is tuple:
        if isinstance(raw, list | tuple):
            return tuple(str(item).strip() for item in raw if str(item).strip())
        return tuple(part.strip() for part in str(raw).split(",") if part.strip())
    if kind is int:
        if isinstance(raw, bool):
            raise SettingError(f"{name} must be a whole number")
        try:
            return int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError as exc:
            raise SettingError(f"{name} must be a whole number") from exc
    return str(raw)


@dataclass(frozen=True)
class ServerConfig:
    """The server settings of one process (their declaration)."""

    host: str = setting("127.0.0.1", "Address the HTTP server listens on.")
    port: int = setting(8080, "Port the HTTP server listens on.")
    workers: int = setting(1, "Number of worker processes serving requests.")
    database_url: str = setting(
        "sqlite:///palabre.db",
        "Where comments are stored: sqlite:///path/to/file.db (relative to the working "
        "directory) or postgresql://user@host/dbname.")
    secret: str = setting(
        "", "Key that signs author tokens and hashes client addresses. Empty: generated on "
        "first start and kept in a file beside the SQLite database (never logged).")
    trusted_proxies: tuple[str, ...] = setting(
        (), "Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For header is "
        "believed. Empty: the direct peer is the client.")
    public_url: str = setting(
        "", "Public base URL of this server (e.g. https://comments.example.org), used in "
        "feeds. Empty: feeds link to themselves by path (never from the request's Host "
        "header), and serve warns at start.")
    post_rate_limit: int = setting(
        5, "Comments one client may post per rate window (0 disables the limit).")
    write_rate_limit: int = setting(
        60, "Other writes (edits, deletions, votes) one client may make per rate window "
        "(0 disables the limit).")
    rate_window_seconds: int = setting(60, "Length of the rate-limit window, in seconds.")
    login_rate_limit: int = setting(
        10, "Moderator sign-in attempts one client may make per sign-in window, and attempts "
        "at one account from all clients together (0 disables the limit).")
    login_window_seconds: int = setting(
        900, "Length of the sign-in rate-limit window, in seconds.")
    max_body_bytes: int = setting(
        131072, "Largest request body accepted; larger ones get 413 payload_too_large.")
    cache_megabytes: int = setting(
        16, "Memory each worker may keep for serialised thread pages and counts (0: no cache; "
        "every read then goes to the database).")
    event_retention_days: int = setting(
        7, "Days the durable event log (the outbox) keeps events every consumer has read.")
    demo: bool = setting(
        False, "Serve the demo article pages at / (seeded with their discussion on first "
        "start).")
    log_level: LogLevel = setting(LogLevel.INFO, "Server log level.")
    log_format: LogFormat = setting(
        LogFormat.TEXT, "How log records are written to standard error: text (one readable line) "
        "or json (one JSON object a line: time, level, logger, message, request_id). Emails, "
        "tokens, cookies and the configured secrets are masked in both.")
    access_log: bool = setting(
        False, "Log one record per request that reaches the application (method, route, "
        "status, duration, request id; never the query string, a header or a body). Cache "
        "hits are counted in /metrics, not logged.")
    metrics_token: str = setting(
        "", "Bearer token that opens GET /metrics (Authorization: Bearer <token>; never "
        "logged). With neither this nor metrics_networks, /metrics answers 404.")
    metrics_networks: tuple[str, ...] = setting(
        (), "Addresses or networks (CIDR) whose requests may read GET /metrics without the "
        "token (e.g. 127.0.0.1 for a scraper on the same machine). The client is found as for "
        "rate limits (trusted_proxies).")
    shared_cache_seconds: int = setting(
        0, "Let shared caches (a CDN, nginx's proxy_cache) keep public thread reads (GET "
        "/api/v1/comments and /api/v1/counts) this many seconds: Cache-Control: public, "
        "s-maxage=N. Readers may then see a thread up to this long (plus "
        "shared_cache_stale_seconds) behind; live updates still arrive. 0: off, every read "
        "is revalidated (docs/deploy.md).")
    shared_cache_stale_seconds: int = setting(
        30, "With shared_cache_seconds, how long a shared cache may still answer with an "
        "expired read while it fetches a fresh one (stale-while-revalidate).")
    shutdown_timeout_seconds: int = setting(
        30, "On SIGTERM or SIGINT, how long a worker waits for requests in progress (writes "
        "included) to finish before closing their connections; live-update streams are "
        "ended at once with a hint to reconnect.")
    keep_alive_seconds: int = setting(
        5, "How long an idle keep-alive connection stays open after a response, in seconds.")
    head_timeout_seconds: int = setting(
        10, "How long a connection may take to send a complete request line and headers, from "
        "its opening or from the first byte of its next request, in seconds; slower ones are "
        "closed (0: no limit). The reverse proxy in front should enforce its own.")
    live_max_streams: int = setting(
        1000, "Live-update streams (GET /api/v1/events) one worker holds open at once; past "
        "it, new ones are refused with 429. Each is an open connection: keep it under the "
        "worker's file descriptor limit.")
    live_max_streams_per_client: int = setting(
        16, "Live-update streams one client address may hold open on one worker (readers "
        "behind one NAT share an address); past it, 429.")
    live_heartbeat_seconds: int = setting(
        15, "Seconds between the comment lines that keep an idle live-update stream open "
        "through proxies.")
    smtp_url: str = setting(
        "", "Where reply notifications are sent from: smtp://host:port, smtps://host:port "
        "(TLS from the start) or smtp+starttls://host:port, with user:password@ before the "
        "host if the server asks (never logged). Empty: no mail at all, and the widget "
        "offers no \"notify me\" box (docs/notifications.md).")
    mail_from: str = setting(
        "", "The From address of notification mails (e.g. Comments <comments@example.org>); "
        "required with smtp_url.")
    webhook_timeout_seconds: int = setting(
        5, "How long a webhook receiver has to answer each request, in seconds; no answer in "
        "time counts as a failure, tried again later (docs/notifications.md).")
    external_moderation_timeout_ms: int = setting(
        1500, "How long a site's external moderation endpoint has to answer, in milliseconds; "
        "past it the comment goes on without its verdict (docs/notifications.md).")
    assist: bool = setting(
        True, "Run the moderation assistant when palabre[assist] is installed: score new "
        "comments, train each site's model in the background (docs/moderation.md).")
    assist_retrain_decisions: int = setting(
        50, "Train a site's model again once this many comments were decided since the last "
        "one (checked every assist_check_seconds).")
    assist_check_seconds: int = setting(
        300, "How often a server checks whether a model needs training: the starter model, "
        "or a site's (one process at a time trains, in a child process, never in a "
        "request). 0: never in the server; run `palabre assist train --due` on a schedule.")


@dataclass(frozen=True)
class SiteSettings:
    """The settings of one site (their declaration); stored per site in the database."""

    site_url: str = setting(
        "", "Public address of the site's pages (https://www.example.org): feeds link to "
        "comments there. Empty: feed links are paths.")
    max_depth: int = setting(
        5, "Levels of nesting shown (top-level comments are level 0); a reply to the deepest "
        "level hangs under that comment's parent.")
    close_after_days: int = setting(
        0, "Close a thread to new comments this many days after it was created (0: never).")
    moderation: ModerationMode = setting(
        ModerationMode.NONE,
        "Which new comments wait for a moderator: none, all, first_time (authors with no "
        "approved comment yet) or links (comments containing a link).")
    edit_window_seconds: int = setting(
        900, "How long an author may edit or delete their own comment, in seconds.")
    max_text_length: int = setting(10000, "Longest comment text, in characters.")
    blocked_words: tuple[str, ...] = setting(
        (), "Words that make a comment be refused (422). Matched on whole words, ignoring "
        "case, accents and common disguises (digits for letters, repeated letters, inserted "
        "punctuation); a trailing * matches any ending (idiot* also matches idiots).")
    watched_words: tuple[str, ...] = setting(
        (), "Words, matched as blocked_words are, that hold a comment for a moderator instead "
        "of refusing it.")
    report_threshold: int = setting(
        3, "Distinct readers whose reports hold a published comment for review (0: reports "
        "never hold a comment).")
    moderator_alerts: AlertMode = setting(
        AlertMode.OFF, "Mail the site's moderators (those with an address) about each held or "
        "reported comment, with single-use approve and reject links: off, now, hourly or daily "
        "(a digest). Needs smtp_url (docs/notifications.md).")
    statement_of_reasons: bool = setting(
        False, "Tell the author of a rejected comment (when it carries an address) why, by "
        "mail, with the reason code and redress_contact (EU Digital Services Act, art. 17).")
    redress_contact: str = setting(
        "", "Where the author of a rejected comment may contest the decision (an address or a "
        "page), given in statements of reasons.")
    staff_label: str = setting(
        "", "How comments of the site's moderators are labelled in the widget (La rédaction). "
        "Empty: Staff, in the reader's language. Readers cannot post under this name.")
    reserved_names: tuple[str, ...] = setting(
        (), "Names readers may not post under (compared ignoring case and accents), besides "
        "the staff label and the moderators' usernames.")
    new_author_approvals: int = setting(
        0, "Hold an author's comments until this many of theirs have been approved (the "
        "first_time moderation mode means at least 1). Counted per email and client together.")
    rejection_hold_percent: int = setting(
        0, "Hold the comments of an author when at least this share (in percent) of their "
        "last 10 decided comments were rejected or spam (0: off).")
    duplicate_window_seconds: int = setting(
        300, "Refuse the same text posted again by the same author within this many seconds "
        "(422 duplicate; 0: off).")
    allowed_origins: tuple[str, ...] = setting(
        (), "Origins (https://www.example.org) whose pages may write comments through the "
        "API. Empty: any origin.")
    lock_titles: bool = setting(
        False, "Readers' comments never set a thread's title (moderators set it, with "
        "`palabre thread title` or the admin API): the first poster cannot name the page.")
    pow_difficulty: int = setting(
        50000, "Proof of work asked of a reader's browser before a comment is accepted: the "
        "size of the range it searches (SHA-256, ALTCHA); half of it on average, about 0.7 s "
        "on a slow phone at 50000 (docs/security.md). 0: off.")
    pow_max_rise: int = setting(
        4, "How many times the proof of work may double, automatically, for a client's "
        "network (/24, /48) or a thread asking for many challenges at once (0: never rises).")
    min_submit_seconds: int = setting(
        3, "Seconds that must pass between a reader's form asking for its challenge and the "
        "comment being sent; the widget waits out the rest (0: off). Needs a challenge, so it "
        "applies even when pow_difficulty is 0.")
    assist_nudge_percent: int = setting(
        0, "The moderation assistant asks \"are you sure?\" (422 confirm_required) before "
        "posting a comment it scores at or above this many percent likely to be rejected; "
        "posting again confirms it, and the comment is held for review. 0: off. Needs "
        "palabre[assist] (docs/moderation.md).")
    assist_hold_percent: int = setting(
        0, "Hold for review a comment the assistant scores at or above this many percent "
        "likely to be rejected, once the site's own model is trained (assist_min_decisions). "
        "0: off.")
    assist_reject_percent: int = setting(
        0, "Reject, without a moderator, a comment the site's own model scores at or above "
        "this many percent (it stays in the Rejected queue, where it can be undone). 0: off; "
        "the assistant never rejects unless this is set.")
    assist_min_decisions: int = setting(
        300, "Decided comments (approved, rejected, spam; at least 30 refused) a site needs "
        "before the assistant trains a model of its own; until then it uses the starter "
        "model trained on the set shipped with Palabre.")

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> SiteSettings:
        """Settings from stored or submitted values (unknown names are ignored)."""
        return cls(**{s.name: s.parse(raw[s.name]) for s in SITE_SETTINGS if s.name in raw})

    def as_mapping(self) -> dict[str, Any]:
        """Plain values (lists, strings), as stored and shown."""
        return {s.name: _plain(getattr(self, s.name)) for s in SITE_SETTINGS}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value.value if isinstance(value, Enum) else value


def _declared(cls: type, scope: Scope) -> tuple[Setting, ...]:
    hints = get_type_hints(cls)
    return tuple(_setting_of(f, hints[f.name], scope) for f in fields(cls))


def _setting_of(f: Field[Any], hint: Any, scope: Scope) -> Setting:
    kind = getattr(hint, "__origin__", hint)
    choices = tuple(m.value for m in kind) if issubclass(kind, Enum) else ()
    return Setting(f.name, kind, _plain(f.default), f.metadata["help"], scope, choices)


SERVER_SETTINGS = _declared(ServerConfig, Scope.SERVER)
SITE_SETTINGS = _declared(SiteSettings, Scope.SITE)
SETTINGS: tuple[Setting, ...] = SERVER_SETTINGS + SITE_SETTINGS
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def load_config(
    cli: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: str | Path | None = None,
) -> ServerConfig:
    """Resolve server settings: CLI, then environment, then config file, then defaults."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = config_file or env.get("PALABRE_CONFIG") or _default_file()
    file_values = _read_toml(Path(path)) if path else {}
    for setting in SERVER_SETTINGS:
        for source in (cli or {}, {setting.name: env.get(setting.env_var)}, file_values):
            raw = source.get(setting.name)
            if raw is not None:
                values[setting.name] = setting.parse(raw)
                break
    return ServerConfig(**values)


DEFAULT_FILE = "palabre.toml"  # where `palabre config init` writes, and where it is read


def _default_file() -> str | None:
    return DEFAULT_FILE if Path(DEFAULT_FILE).is_file() else None


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
        plain = _plain(value)
        text = ",".join(plain) if isinstance(plain, list) else str(plain).lower() if isinstance(
            plain, bool) else str(plain)
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
           "given by `--config` (or `PALABRE_CONFIG`, else `palabre.toml` in the working "
           "directory when there is one), in that order of precedence. "
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
