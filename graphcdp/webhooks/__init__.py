"""Webhook destinations (docs/webhooks.md): the change feed handed over to HTTP receivers, signed by the Standard
Webhooks scheme, at least once, in order per person, with retries, a dead-letter state and consent on the way out."""
