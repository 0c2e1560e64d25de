"""What callers hand the domain: typed drafts, each parsed from a mapping in one place.

The web parses a request's JSON body with these, the demo its discussion file, the CLI and
the importers their records: every caller gets the same checks and the same refusals
(``InvalidInput`` naming the field and the reason). What depends on the site (the text's
length limit, blocked words) is checked when the comment is admitted, once the site is
known (``domain/comments.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from palabre.domain import validation
from palabre.domain.errors import InvalidInput
from palabre.domain.models import REPORT_REASONS
from palabre.domain.uris import normalise_uri
from palabre.rendering import render


@dataclass(frozen=True)
class CommentDraft:
    """A new comment: where it goes, what it says, who signs it."""

    uri: str  # normalised
    text: str  # control characters removed, line ends as "\n"
    site: str = "default"
    parent: int | None = None  # the comment it answers
    author: str = ""
    email: str = ""
    website: str = ""
    title: str = ""
    notify: bool = False
    confirm: bool = False  # the author saw the "are you sure?" nudge and posts anyway
    proof: str = ""  # the solved proof-of-work challenge (ALTCHA payload), readers only
    honeypot: str = ""  # a field hidden from people: only a bot fills it

    @cached_property
    def html(self) -> str:
        """The text rendered and sanitised (once, however often it is asked for)."""
        return render(self.text)


@dataclass(frozen=True)
class EditDraft:
    text: str

    @cached_property
    def html(self) -> str:
        return render(self.text)


@dataclass(frozen=True)
class VoteDraft:
    value: int  # 1 like, -1 dislike, 0 withdraw


MAX_REPORT_NOTE = 500


@dataclass(frozen=True)
class ReportDraft:
    reason: str  # one of REPORT_REASONS
    note: str = ""


def parse_comment_draft(body: Mapping[str, object]) -> CommentDraft:
    """A new comment from a mapping (a JSON body, a record of the demo or an import)."""
    who = validation.author(body.get("author"), body.get("email"), body.get("website"))
    return CommentDraft(
        site=validation.text_field(body.get("site"), "site", "default") or "default",
        uri=normalise_uri(validation.text_field(body.get("uri"), "uri")),
        text=validation.clean_text(body.get("text")),
        parent=validation.optional_id(body.get("parent"), "parent"),
        author=who.name, email=who.email, website=who.website,
        title=validation.title(body.get("title")),
        notify=validation.flag(body.get("notify"), "notify"),
        confirm=validation.flag(body.get("confirm"), "confirm"),
        proof=validation.text_field(body.get("proof"), "proof"),
        honeypot=validation.text_field(body.get("honeypot"), "honeypot"),
    )


def parse_edit_draft(body: Mapping[str, object]) -> EditDraft:
    return EditDraft(validation.clean_text(body.get("text")))


def parse_report_draft(body: Mapping[str, object]) -> ReportDraft:
    reason = body.get("reason")
    if not isinstance(reason, str) or reason not in REPORT_REASONS:
        raise InvalidInput("reason must be one of " + ", ".join(REPORT_REASONS),
                           reason="report_reason_invalid", field="reason")
    note = validation.clean_text(body.get("note") or "").strip()
    if len(note) > MAX_REPORT_NOTE:
        raise InvalidInput(f"the note has at most {MAX_REPORT_NOTE} characters",
                           reason="note_too_long", field="note",
                           params={"max": MAX_REPORT_NOTE})
    return ReportDraft(reason, note)


def parse_vote_draft(body: Mapping[str, object]) -> VoteDraft:
    value = body.get("value")
    if isinstance(value, bool) or not isinstance(value, int) or value not in (-1, 0, 1):
        raise InvalidInput("value must be 1, -1 or 0", reason="value_invalid", field="value")
    return VoteDraft(value)
