"""Outgoing webhooks from `/settings`: endpoints, their deliveries, redelivery."""

from __future__ import annotations

from telegram.ext import Application


def register(app: Application) -> None:
    """Adds this module's handlers (none yet)."""
