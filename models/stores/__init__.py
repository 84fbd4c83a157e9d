"""Stores: creating them and their invites and fee table, the settings an owner changes, API keys,
the in-memory store cache, the demo store."""
