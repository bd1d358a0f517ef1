"""Access control: API keys and their scopes, the admin key bootstrap, per-key rate limits (docs/api.md)."""
