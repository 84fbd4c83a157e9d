"""`/export`: orders of a period as a CSV or XLSX file."""

from __future__ import annotations

from telegram.ext import Application


def register(app: Application) -> None:
    """Adds this module's handlers (none yet)."""
