"""Spam defence without third parties: a proof of work, a honeypot and a minimum time.

A reader's form asks for a challenge when it is first used (:func:`issue`): an ALTCHA v1
challenge (find the number ``n`` whose SHA-256 of ``salt + n`` is ``challenge``), signed
with a key derived from the server's secret, naming the site, the page, when it was issued
and when it expires. The comment comes back with the solution; :func:`check` verifies it
without any state of its own (the signature says everything the server said), then spends
it in the ``spent_challenges`` table, so one solution posts one comment on any instance.

The work a challenge asks rises by doublings, up to the site's ``pow_max_rise``, when a
client's network or a thread asks for many challenges within a rate window (as mCaptcha
does): a reader pays the site's ``pow_difficulty``, a burst pays more per comment.
Only readers are checked: staff and the operator's tools never are (``comments.admit``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import orjson
from altcha.v1 import create_challenge, extract_params, hash_hex, hmac_hex, solve_challenge

from palabre.domain.context import Context
from palabre.domain.errors import InvalidInput
from palabre.domain.inputs import CommentDraft
from palabre.domain.models import Site
from palabre.domain.ports import WriteTx
from palabre.domain.uris import normalise_uri

PURPOSE = b"palabre.pow-challenge.v1"
TTL = timedelta(minutes=30)  # a reader may write that long before the widget asks again
NETWORK_FREE = 10  # challenges a client network gets per rate window before the work rises
THREAD_FREE = 30  # the same for one thread, all readers together
THREAD_RISE = 2  # at most: every reader of a busy thread pays this share, bots or not
TRIVIAL = 1  # the range searched when only the minimum time is asked for
MAX_PROOF_CHARS = 2048
MAX_NUMBER = 1 << 40
ALGORITHM: Final = "SHA-256"


@dataclass(frozen=True)
class Ticket:
    """What a verified challenge says: its site, when it was issued and expires (Unix
    seconds), the page it was issued for (None: any)."""

    site: int
    issued: int
    expires: int
    uri: str | None = None


@dataclass(frozen=True)
class Issued:
    """What a form is given: ALTCHA's challenge (None: this site asks for nothing), the
    doublings the load added, and the seconds to let pass before sending."""

    challenge: dict[str, object] | None
    rise: int = 0
    wait: int = 0


def signing_key(secret: str) -> str:
    """The key challenges are signed with: the server's secret, for this purpose only."""
    return hmac.new(secret.encode(), PURPOSE, hashlib.sha256).hexdigest()


def uri_tag(uri: str) -> str:
    """A short fixed-length name of a page, as a challenge carries it."""
    return hashlib.sha256(uri.encode()).hexdigest()[:16]


def asks_proof(site: Site) -> bool:
    return site.settings.pow_difficulty > 0 or site.settings.min_submit_seconds > 0


async def issue(ctx: Context, slug: object, uri: str | None, network: str) -> Issued:
    """A fresh challenge for a reader's form on ``uri`` (None: any page of the site);
    ``network`` names the client's network (a keyed hash of its /24 or /48)."""
    site = await ctx.site(slug)
    if not asks_proof(site):
        return Issued(None)
    page = normalise_uri(uri) if uri else None
    now = ctx.clock()
    async with ctx.storage.write() as tx:
        rise = await _rise(ctx, tx, site, page, network)
    settings = site.settings
    span = settings.pow_difficulty << rise if settings.pow_difficulty > 0 else TRIVIAL
    params = {"site": str(site.id), "issued": str(int(now.timestamp()))}
    if page is not None:
        params["uri"] = uri_tag(page)
    made = create_challenge(
        algorithm=ALGORITHM, max_number=span, salt_length=12,
        hmac_key=signing_key(ctx.secret), salt="", number=None, expires=now + TTL,
        params=params)
    return Issued(made.to_dict(), rise, settings.min_submit_seconds)


async def _rise(ctx: Context, tx: WriteTx, site: Site, page: str | None,
                network: str) -> int:
    """Doublings of the work for this request: one per doubling of the challenges the
    network and the thread (the site, for challenges naming no page) asked for past their
    free share in this rate window; the thread's share is bounded lower, since its readers
    pay it along with the bots."""
    limit = site.settings.pow_max_rise
    if limit <= 0 or site.settings.pow_difficulty <= 0:
        return 0
    window = int(ctx.clock().timestamp() // ctx.config.rate_window_seconds)
    by_network = await tx.hit_rate_limit(f"pow:{network}", window)
    # A challenge for any page counts for all of them: leaving the page out saves nothing.
    thread = uri_tag(page) if page is not None else "*"
    by_thread = await tx.hit_rate_limit(f"pow:{site.id}:{thread}", window)
    return min(limit, doublings(by_network, NETWORK_FREE)
               + min(THREAD_RISE, doublings(by_thread, THREAD_FREE)))


def doublings(hits: int, free: int) -> int:
    """0 within the free share, then 1 up to twice it, 2 up to four times, and so on."""
    return 0 if hits <= free else ((hits - 1) // free).bit_length()


async def check(tx: WriteTx, secret: str, site: Site, draft: CommentDraft,
                now: datetime) -> None:
    """Refuse a reader's comment with the honeypot filled, without a valid unspent proof,
    or sent sooner than the site's minimum time after its challenge was issued."""
    if draft.honeypot:
        raise InvalidInput("this comment looks automated", reason="spam_suspected")
    if not asks_proof(site):
        return
    if not draft.proof:
        raise InvalidInput("a proof of work is required", reason="challenge_required")
    payload = decode(draft.proof)
    ticket = verified(payload, signing_key(secret)) if payload else None
    if payload is None or ticket is None or not _fits(ticket, site, draft):
        raise InvalidInput("the proof of work is not valid", reason="challenge_invalid")
    expires = datetime.fromtimestamp(ticket.expires, UTC)
    if expires <= now:
        raise InvalidInput("the proof of work has expired", reason="challenge_expired")
    wait = ticket.issued + site.settings.min_submit_seconds - now.timestamp()
    if wait > 0:
        raise InvalidInput("sent too soon", reason="too_fast",
                           params={"wait": math.ceil(wait)})
    if not await tx.spend_challenge(str(payload["challenge"]), expires, now):
        raise InvalidInput("this proof of work was used already", reason="challenge_used")


def _fits(ticket: Ticket, site: Site, draft: CommentDraft) -> bool:
    """Whether the challenge was issued for this site (and this page, when it names one)."""
    return ticket.site == site.id and ticket.uri in (None, uri_tag(draft.uri))


def decode(proof: str) -> dict[str, object] | None:
    """ALTCHA's payload (base64 of a JSON object), when it has the expected shape."""
    if len(proof) > MAX_PROOF_CHARS:
        return None
    try:
        data = orjson.loads(base64.b64decode(proof, validate=True))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    number = data.get("number")
    texts = (data.get(name) for name in ("algorithm", "challenge", "salt", "signature"))
    if (isinstance(number, bool) or not isinstance(number, int)
            or not 0 <= number <= MAX_NUMBER or not all(isinstance(t, str) for t in texts)):
        return None
    return data


def verified(payload: dict[str, object], key: str) -> Ticket | None:
    """What the challenge says, if the solution is right and the server signed it
    (compared in constant time); None otherwise."""
    salt, number = str(payload["salt"]), payload["number"]
    if payload["algorithm"] != ALGORITHM or not salt.endswith("&"):
        return None
    expected = hash_hex(ALGORITHM, f"{salt}{number}".encode())
    signature = hmac_hex(ALGORITHM, expected.encode(), key)
    if not (hmac.compare_digest(expected, str(payload["challenge"]))
            and hmac.compare_digest(signature, str(payload["signature"]))):
        return None
    raw = extract_params({"salt": salt})  # type: ignore[typeddict-item]
    try:
        return Ticket(int(raw["site"][0]), int(raw["issued"][0]), int(raw["expires"][0]),
                      raw["uri"][0] if "uri" in raw else None)
    except (KeyError, ValueError):
        return None


def solve(challenge: dict[str, object]) -> str:
    """What a client does with a challenge (the widget does it in the browser): the proof
    to post, ALTCHA's base64 payload. For API clients of the operator's, tests and bench."""
    found = solve_challenge(str(challenge["challenge"]), str(challenge["salt"]), ALGORITHM,
                            int(str(challenge["maxNumber"])))
    number = found.number if found is not None else -1
    fields = {name: challenge[name] for name in ("algorithm", "challenge", "salt",
                                                 "signature")}
    return base64.b64encode(orjson.dumps({**fields, "number": number})).decode()
