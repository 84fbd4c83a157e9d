"""Telegram update ids received on the webhook: with several web processes behind
one address, an update Telegram sends again may land on another process than the first
time; the id, written once for all of them, makes it applied once."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from models.team.tables import TelegramUpdate

# Telegram gives up resending an update after 24 hours: twice that is kept.
KEEP = timedelta(hours=48)


async def first_delivery(update_id: int) -> bool:
    """Note `update_id` as received: True the first time, False when any process already
    has (the row is the proof, so two processes racing get one True between them)."""
    try:
        await TelegramUpdate.create(update_id=update_id)
    except IntegrityError:
        return False
    return True


async def forget_updates_before(cutoff: datetime) -> int:
    """Drop the ids received before `cutoff` (Telegram no longer resends them); returns how
    many were dropped."""
    return await TelegramUpdate.filter(received_at__lt=cutoff).delete()
