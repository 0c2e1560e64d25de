"""Who is who, without keeping who they are: keyed hashes, avatars and author tokens."""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeSerializer

TOKEN_NAMESPACE = "palabre.author-token.v1"  # noqa: S105 (a signing namespace, not a secret)


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
    """Signed tokens that let an author edit and delete one comment."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=TOKEN_NAMESPACE)

    def issue(self, comment_id: int) -> str:
        return str(self._serializer.dumps({"c": comment_id}))

    def comment_id(self, token: str) -> int | None:
        """The comment a token was issued for, or None when the signature is wrong."""
        try:
            data = self._serializer.loads(token)
        except BadSignature:
            return None
        value = data.get("c") if isinstance(data, dict) else None
        return value if isinstance(value, int) else None
