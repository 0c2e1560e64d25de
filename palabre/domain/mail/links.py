"""The approve and reject links of moderator alerts: signed, expiring, single-use, each
bound to one moderator, one comment and one action.

The token carries a random link id; using the link records that id in the database
(``spend_link``), so a second use, or a copy of the link in someone else's hands after
the moderator used it, does nothing. An approve link cannot reject (nor the reverse): the
action is inside the signature."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

NAMESPACE = "palabre.mail-moderate.v1"
LIFETIME = timedelta(days=7)
LINK_ACTIONS = ("approve", "reject")


@dataclass(frozen=True)
class LinkClaim:
    moderator_id: int
    comment_id: int
    action: str
    link: str  # the random id spent on use


class AlertLinks:
    def __init__(self, secret: str) -> None:
        self._signer = URLSafeSerializer(secret, salt=NAMESPACE)

    def issue(self, moderator_id: int, comment_id: int, action: str, now: datetime) -> str:
        """A link valid until ``now + LIFETIME`` (the expiry is signed with the rest)."""
        if action not in LINK_ACTIONS:
            raise ValueError(f"no link for {action}")
        return str(self._signer.dumps({
            "p": "moderate", "m": moderator_id, "c": comment_id, "a": action,
            "l": secrets.token_urlsafe(16), "e": int((now + LIFETIME).timestamp())}))

    def read(self, token: str, now: datetime) -> LinkClaim | None:
        """The claim of a valid, unexpired link; None otherwise."""
        try:
            data = self._signer.loads(token)
        except (BadSignature, ValueError):
            return None
        if (not isinstance(data, dict) or data.get("p") != "moderate"
                or not isinstance(data.get("e"), int) or data["e"] <= now.timestamp()):
            return None
        moderator, comment, action, link = (data.get(k) for k in ("m", "c", "a", "l"))
        if (not isinstance(moderator, int) or not isinstance(comment, int)
                or action not in LINK_ACTIONS or not isinstance(link, str) or not link):
            return None
        return LinkClaim(moderator, comment, str(action), link)
