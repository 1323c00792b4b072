"""Webhooks: subscriptions, the event outbox, signing and delivery."""
