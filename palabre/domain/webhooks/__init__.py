"""Signed webhooks: each site's endpoints, the outbox consumer that turns events into
deliveries, signing, and the sender (docs/notifications.md, "Webhooks")."""
