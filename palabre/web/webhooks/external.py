"""The external moderation phase: a signed POST of the candidate comment to the site's
moderation endpoint, whose answer may approve, hold, reject or flag it.

The endpoint is the site's first enabled endpoint of kind ``moderation`` (added on the
admin's Webhooks page, with its secret and rotation like any endpoint). The body holds
the comment's words and where they are posted, nothing else: ``site``, ``uri``,
``title``, ``text`` (the Markdown), ``author`` (the name chosen), ``parent_text``. It is
signed as webhooks are (``Palabre-Signature``), with ``Palabre-Event:
moderation.assess``. The answer is ``{"action": "approve" | "hold" | "reject" | "flag",
"reason": "..."}``. No answer within the timeout, a refused connection, a status other
than 2xx or an answer of another shape leaves no verdict (logged without the comment's
words): posting never waits longer nor fails because of it."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import orjson

from palabre.domain.phases import Action, Candidate, Verdict
from palabre.domain.ports import Reads
from palabre.domain.webhooks.enqueue import delivery_uid
from palabre.domain.webhooks.models import Endpoint, EndpointKind
from palabre.domain.webhooks.signing import HEADER, signature
from palabre.web.webhooks.transport import client, failure

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("palabre.phases")
NAME = "external"
EVENT = "moderation.assess"
MAX_ANSWER = 16384  # bytes of an answer read at most
MAX_REASON = 200
ACTIONS = {a.value: a for a in (Action.APPROVE, Action.HOLD, Action.REJECT, Action.FLAG)}


def request_body(candidate: Candidate) -> bytes:
    return orjson.dumps({"site": candidate.site.slug, "uri": candidate.uri,
                         "title": candidate.title, "text": candidate.text,
                         "author": candidate.author, "parent_text": candidate.parent_text})


def verdict_of(answer: bytes, model: str) -> Verdict | None:
    """The verdict an answer gives, or None when it is not one."""
    try:
        data = orjson.loads(answer)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("action") not in ACTIONS:
        return None
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        return None
    reason = "".join(c for c in reason if c.isprintable())[:MAX_REASON]
    return Verdict(phase=NAME, action=ACTIONS[data["action"]], reason=reason, model=model)


class ExternalPhase:
    name = NAME

    def __init__(self, storage: Reads, timeout: float) -> None:
        self.storage = storage
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    async def endpoint(self, site_id: int) -> Endpoint | None:
        return next((e for e in await self.storage.webhook_endpoints(site_id)
                     if e.enabled and e.kind is EndpointKind.MODERATION), None)

    async def assess(self, candidate: Candidate) -> Verdict | None:
        endpoint = await self.endpoint(candidate.site.id)
        if endpoint is None:
            return None
        import httpx  # only for sites that have an endpoint (transport.py says why)

        host = urlsplit(endpoint.url).hostname or "?"
        try:
            answer = await asyncio.wait_for(self._ask(endpoint, candidate), self.timeout)
        except (TimeoutError, httpx.HTTPError, httpx.InvalidURL) as exc:
            log.warning("external moderation at %s: %s", host,
                        failure(exc) if not isinstance(exc, TimeoutError)
                        else "no answer in time")
            return None
        verdict = verdict_of(answer, host) if answer is not None else None
        if verdict is None:
            log.warning("external moderation at %s: not an answer (status or shape)", host)
        return verdict

    async def _ask(self, endpoint: Endpoint, candidate: Candidate) -> bytes | None:
        """The answer's body when its status is 2xx and it is small, else None."""
        body = request_body(candidate)
        headers = {"Content-Type": "application/json", "Palabre-Event": EVENT,
                   "Palabre-Delivery": delivery_uid(),
                   HEADER: signature(endpoint.secrets, int(time.time()), body)}
        async with self.client().stream("POST", endpoint.url, content=body,
                                         headers=headers) as answer:
            if not 200 <= answer.status_code < 300:
                return None
            read = b""
            async for chunk in answer.aiter_bytes():
                read += chunk
                if len(read) > MAX_ANSWER:
                    return None
            return read

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = client(self.timeout)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
