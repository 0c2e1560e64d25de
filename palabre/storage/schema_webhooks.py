"""The tables of signed webhooks: each site's endpoints and the deliveries made to them;
``schema.py`` imports this module so its tables
join the one ``metadata`` the migrations are checked against."""

from __future__ import annotations

from palabre.storage.schema import metadata

__all__ = ["metadata"]
