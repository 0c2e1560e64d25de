"""Live updates: ``GET /api/v1/events``, the public events of one thread as Server-Sent
Events, fed in every worker by one task that follows the durable outbox (hub.py)."""
