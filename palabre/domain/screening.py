"""The optional moderation phases (:mod:`palabre.domain.phases`) applied to a post or an
edit: who is screened, the "are you sure?" nudge, the holds and rejections the phases ask
for, and the flags they raise.

- Staff and the operator's own tools are never screened; a reader's comment is, before the
  write transaction (a phase may wait on the network).
- The nudge: when the assistant scores a new comment at or above ``assist_nudge_percent``,
  the post answers 422 ``confirm_required``; posted again with ``confirm``, it is held for
  review (reason ``assistant``).
- A phase's ``hold`` holds the comment (the reason names the phase); ``reject`` rejects it
  only for the assistant's own threshold (``assist_reject_percent``, the site's own model):
  an external service asking to reject holds it; ``flag`` publishes it and files a report
  in the phase's name, so it reaches the Reported queue.
"""

from __future__ import annotations

from palabre.domain.assistant import ASSISTANT
from palabre.domain.context import Context
from palabre.domain.errors import InvalidInput
from palabre.domain.identity import Actor
from palabre.domain.inputs import CommentDraft
from palabre.domain.models import Comment, CommentId, Site, Thread
from palabre.domain.phases import (
    NO_ASSESSMENT,
    Action,
    Assessment,
    Candidate,
    run_phases,
)

PHASE_TIMEOUT = 5.0  # bounds a phase that ignores its own timeout
FLAGGED_BY = "phase:"  # the reporter of a flag: "phase:external"


def screened(ctx: Context, site: Site, actor: Actor) -> bool:
    return bool(ctx.phases) and not actor.system and not actor.moderates(site.id)


async def assess_post(ctx: Context, site: Site, draft: CommentDraft,
                      actor: Actor) -> Assessment:
    """What the phases say of a new comment (nothing for staff, the CLI, or a site with no
    phases)."""
    if not screened(ctx, site, actor):
        return NO_ASSESSMENT
    parent_text = ""
    if draft.parent is not None:
        answered = await ctx.storage.get_comment(CommentId(draft.parent))
        parent_text = answered.text if answered is not None else ""
    candidate = Candidate(site=site, uri=draft.uri, title=draft.title, text=draft.text,
                          author=draft.author, parent_text=parent_text)
    return await run_phases(ctx.phases, candidate, PHASE_TIMEOUT)


async def assess_edit(ctx: Context, site: Site, thread: Thread, comment: Comment,
                      text: str) -> Assessment:
    """What the phases say of an edited text."""
    candidate = Candidate(site=site, uri=thread.uri, title=thread.title, text=text,
                          author=comment.author, comment_id=comment.id, edit=True)
    return await run_phases(ctx.phases, candidate, PHASE_TIMEOUT)


def nudged(site: Site, assessment: Assessment) -> bool:
    """Whether the assistant would ask "are you sure?" of this comment."""
    verdict = assessment.by(ASSISTANT)
    threshold = site.settings.assist_nudge_percent
    return bool(threshold and verdict is not None and verdict.score is not None
                and verdict.score * 100 >= threshold)


def check_nudge(site: Site, assessment: Assessment, draft: CommentDraft) -> None:
    if nudged(site, assessment) and not draft.confirm:
        raise InvalidInput("this comment may break the site's rules: edit it, or post it "
                           "again with confirm to submit it for review",
                           reason="confirm_required", field="text")


def hold_reasons(site: Site, assessment: Assessment, *, new: bool) -> tuple[str, ...]:
    """The phases asking to hold the comment (a confirmed nudge holds it too)."""
    reasons = [v.phase for v in assessment.verdicts
               if v.action is Action.HOLD
               or (v.action is Action.REJECT and v.phase != ASSISTANT)]
    if new and nudged(site, assessment) and ASSISTANT not in reasons:
        reasons.append(ASSISTANT)
    return tuple(dict.fromkeys(reasons))


def rejects(assessment: Assessment) -> bool:
    """Whether the assistant rejects the comment by itself (its site set the threshold)."""
    verdict = assessment.by(ASSISTANT)
    return verdict is not None and verdict.action is Action.REJECT


def flags(assessment: Assessment) -> tuple[tuple[str, str], ...]:
    """The flags raised, as (reporter, note): ("phase:external", its reason)."""
    return tuple((FLAGGED_BY + v.phase, v.reason[:500])
                 for v in assessment.asking(Action.FLAG))
