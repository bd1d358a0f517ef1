"""The change feed (docs/change-feed.md): every change to a person as an ordered, durable event, written by the
statement that makes the change; read by `changes`, the subscriptions and whatever delivers it further."""
