"""The in-memory backend's part for signed webhooks: each site's endpoints and the deliveries made
to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from palabre.storage.memory import Tables


@dataclass
class WebhookTables:
    """This part's tables; ``copy`` gives a transaction its own copy."""

    def copy(self) -> WebhookTables:
        return WebhookTables(**{name: value.copy() for name, value in vars(self).items()})


class MemoryWebhookReads:
    tables: Tables


class MemoryWebhookWrites:
    tables: Tables
