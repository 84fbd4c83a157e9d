"""The outbox's Telegram channel: an order changed, so its cards must show it."""

from __future__ import annotations

from collections.abc import Callable

from models import cards
from models.orm import OutboxMessage, Store

# Topics that bring a card back to the bottom of the chat instead of editing it in place.
BUMPS = frozenset({"order.callback_due", "order.parcel_attention"})


def wants(store: Store, topic: str) -> bool:
    """Route for models.outbox: every order event concerns the order's cards."""
    return topic.startswith("order.")


class TelegramChannel:
    """Marks the order's cards durably, then wakes the sender. Idempotent: marking twice
    for one event changes nothing more."""

    def __init__(self, wake: Callable[[], None] | None = None) -> None:
        self.wake = wake

    async def __call__(self, message: OutboxMessage) -> None:
        payload = message.payload
        order_id, version = int(payload["order_id"]), int(payload.get("version", 0))  # type: ignore[call-overload]
        resend = message.topic in BUMPS or bool(payload.get("bump"))
        await cards.mark_cards(order_id, version, resend=resend)
        if self.wake is not None:
            self.wake()
