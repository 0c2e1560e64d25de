"""Reply notifications by e-mail: subscribers with double opt-in, a durable queue of
mails fed by an outbox consumer, and their delivery (docs/notifications.md)."""
