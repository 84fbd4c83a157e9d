"""Notifications: the outbox relay and its channels (SPEC §7). An adapter over models/."""
