"""Who is who, without keeping who they are: keyed hashes, avatars and author tokens."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from palabre.domain.models import Moderator, Role

TOKEN_NAMESPACE = "palabre.author-token.v1"  # noqa: S105 (a signing namespace, not a secret)


@dataclass(frozen=True)
class Actor:
    """Who is asking, worked out once per request (or per command) at the edge.

    ``client`` is the keyed hash of the client's address (``client_key``); ``origin`` the
    page origin a browser sent; ``token`` an author token, if one came; ``moderator`` the
    signed-in moderator, if any. A signed-in reader will take its place here later.
    """

    client: str
    origin: str | None = None
    token: str | None = None
    moderator: Moderator | None = None
    system: bool = False  # the operator's own tools: the CLI, the demo, imports

    def moderates(self, site_id: int) -> bool:
        """Whether this actor may moderate the site: an admin any site, a moderator the
        sites they were given, a disabled account none."""
        return self.system or (self.moderator is not None
                               and self.moderator.moderates(site_id))

    @property
    def is_admin(self) -> bool:
        """Whether this actor manages moderators and every site's settings."""
        return self.system or (self.moderator is not None and not self.moderator.disabled
                               and self.moderator.role is Role.ADMIN)


SYSTEM = Actor(client="palabre:system", system=True)


def client_key(secret: str, address: str) -> str:
    """A keyed hash of a client address: stable per client, useless without the secret.

    The address itself is never stored; rate limits, votes and bans use this.
    """
    digest = hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32] if email else ""


def avatar_seed(salt: str, email: str, author: str) -> str:
    """A short hex seed for an identicon, from the email or else the name, salted per site."""
    basis = "email:" + email.strip().lower() if email else "name:" + author.strip()
    return hashlib.sha256((salt + "\x00" + basis).encode()).hexdigest()[:16]


class AuthorTokens:
    """Signed tokens that let an author edit and delete one comment.

    A token names the comment by id *and* creation time, so it never authorises another
    comment that happens to get the same id later (SQLite may reuse the id of a deleted row).
    """

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=TOKEN_NAMESPACE)

    def issue(self, comment_id: int, created: datetime) -> str:
        return str(self._serializer.dumps({"c": comment_id, "t": _micros(created)}))

    def authorises(self, token: str, comment_id: int, created: datetime) -> bool:
        """Whether the token was issued for this comment (and the signature holds)."""
        try:
            data = self._serializer.loads(token)
        except BadSignature:
            return False
        return (isinstance(data, dict) and data.get("c") == comment_id
                and data.get("t") == _micros(created))


def _micros(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000)
