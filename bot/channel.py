"""The outbox's Telegram channel: an order changed, so its cards must show it; or the store
has a notice for its owners (a webhook disabled by failures)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot

from bot.webhook_views import disabled_notice
from models.outbox import webhooks
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store
from models.team import cards, members

log = logging.getLogger(__name__)

# Topics that bring a card back to the bottom of the chat instead of editing it in place.
BUMPS = frozenset({"order.callback_due", "order.parcel_attention"})
# Store notices: a message to the owners, not a card.
NOTICES = frozenset({webhooks.DISABLED_TOPIC})
# The channel's topics (its route in hanout.processes.outbox_routes): every order event
# concerns the order's cards; the store notices are for its owners.
TOPICS = ("order.*", *sorted(NOTICES))
# The notice's chats already sent to, kept in the outbox row: a retry skips them.
SENT = "sent_to"


def _change(message: OutboxMessage) -> tuple[int, int, bool]:
    """The order, the version its cards must show, and whether a fresh card is asked for."""
    payload = message.payload
    order_id, version = int(payload["order_id"]), int(payload.get("version", 0))  # type: ignore[call-overload]
    return order_id, version, message.topic in BUMPS or bool(payload.get("bump"))


class TelegramChannel:
    """Marks the order's cards durably, then wakes the sender. Idempotent: marking twice
    for one event changes nothing more. Store notices are sent with `bot` (through its
    flood budget), at most once per chat for one row."""

    def __init__(
        self, wake: Callable[[], None] | None = None, bot: ExtBot[Any] | None = None
    ) -> None:
        self.wake = wake
        self.bot = bot

    async def __call__(self, message: OutboxMessage) -> None:
        await self.deliver_many([message])

    async def deliver_many(self, messages: Sequence[OutboxMessage]) -> None:
        """Many rows at once (the relay's batch): the notices one by one, the cards of all
        the orders marked together in one statement."""
        changes = []
        for message in messages:
            if message.topic in NOTICES:
                await self._notice(message)
            else:
                changes.append(_change(message))
        # No card marked (a store without a chat): the sender has nothing new to do. Woken
        # anyway, a surge in such a store would keep it passing every `gather` seconds,
        # and other stores' cards would wait for the next pass.
        if await cards.mark_many(changes) and self.wake is not None:
            self.wake()

    async def _notice(self, message: OutboxMessage) -> None:
        """The owners' private chats (else the team groups) get the notice. A chat that
        refuses the bot is skipped; any other failure raises, and the retry sends only to
        the chats not reached yet."""
        if self.bot is None:
            raise RuntimeError("this process has no bot to send store notices with")
        store = await Store.get_or_none(id=message.store_id)
        if store is None:
            return
        text, markup = disabled_notice(store, message.payload)
        done: list[Any] = list(message.payload.get(SENT) or [])  # type: ignore[call-overload]
        for chat in await members.notice_chats(store, 0):
            if chat.chat_id in done:
                continue
            try:
                await self.bot.send_message(
                    chat.chat_id, text, reply_markup=markup, rate_limit_args={"retries": 0}
                )
            except (Forbidden, BadRequest) as exc:  # trying again would not help this chat
                log.warning("store notice refused chat=%s error=%s", chat.chat_id, exc)
            done.append(chat.chat_id)
            message.payload = {**message.payload, SENT: done}
            await OutboxMessage.filter(id=message.id).update(payload=message.payload)
        log.info("store notice sent store=%s topic=%s chats=%s", store.slug, message.topic, done)
