"""Signed links of mails: each names its purpose, its subscriber and address, and expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
MANAGE = "manage"  # choosing how often mails come: put in the pages, never in a mail
NAMESPACES = {CONFIRM: "palabre.mail-confirm.v1", UNSUBSCRIBE: "palabre.mail-unsubscribe.v1",
              MANAGE: "palabre.mail-manage.v1"}
LIFETIMES = {CONFIRM: timedelta(days=7), UNSUBSCRIBE: timedelta(days=730),
             MANAGE: timedelta(days=1)}


@dataclass(frozen=True)
class TokenClaim:
    subscriber_id: int
    address_key: str


class MailTokens:
    """One signer per purpose: a confirmation token can never unsubscribe, nor the
    reverse, and either is bound to one subscriber *and* the address it was made for."""

    def __init__(self, secret: str) -> None:
        self._signers = {purpose: URLSafeTimedSerializer(secret, salt=namespace)
                         for purpose, namespace in NAMESPACES.items()}

    def issue(self, purpose: str, subscriber_id: int, address_key: str) -> str:
        return str(self._signers[purpose].dumps(
            {"p": purpose, "s": subscriber_id, "a": address_key}))

    def read(self, purpose: str, token: str) -> TokenClaim | None:
        """The claim of a valid, unexpired token of this purpose; None otherwise."""
        max_age = int(LIFETIMES[purpose].total_seconds())
        try:
            data = self._signers[purpose].loads(token, max_age=max_age)
        except (BadSignature, ValueError):
            return None
        if (not isinstance(data, dict) or data.get("p") != purpose
                or not isinstance(data.get("s"), int) or not isinstance(data.get("a"), str)):
            return None
        return TokenClaim(data["s"], data["a"])
