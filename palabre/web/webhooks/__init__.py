"""Webhooks on the web side: the HTTP transport, the worker started with the app, and the
external moderation phase."""
