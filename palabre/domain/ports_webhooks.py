"""The storage port's part for signed webhooks: each site's endpoints and the deliveries made to
them.

``Reads`` and ``WriteTx`` in ``ports.py`` inherit these protocols, so the domain asks one
storage for everything; each backend implements them in ``storage/sql_webhooks.py`` and
``storage/memory_webhooks.py``.
"""

from __future__ import annotations

from typing import Protocol


class WebhookReads(Protocol):
    """The read questions of this part."""


class WebhookWrites(Protocol):
    """The writes of this part, inside one write transaction."""
