"""Which order cards each Telegram chat should show, and which lag their order.

The Telegram channel only marks cards here (durably, from the outbox); the bot's sender
renders them within each chat's rate budget. A burst of changes to one order becomes one
edit, and a card is never lost because Telegram was slow or down.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from models.orders.lifecycle import TERMINAL
from models.orders.tables import Order
from models.team.tables import CardMessage, TelegramChat


async def _mark(order_id: int, chat_pk: int, version: int, resend: bool) -> None:
    card = await CardMessage.get_or_none(order_id=order_id, chat_id=chat_pk)
    if card is None:
        try:
            await CardMessage.create(
                order_id=order_id,
                chat_id=chat_pk,
                wanted_version=version,
                dirty=True,
                resend=resend,
            )
            return
        except IntegrityError:  # created by a concurrent marker: update it below
            card = await CardMessage.get(order_id=order_id, chat_id=chat_pk)
    # The version wanted first, then the mark. The other way round, a render ending between
    # the two (it clears `dirty` where the wanted version is at most the one it showed)
    # would clear the new mark against the old version, and the card would stay behind.
    await CardMessage.filter(id=card.id, wanted_version__lt=version).update(wanted_version=version)
    changes: dict[str, object] = {"dirty": True}
    if resend:
        changes["resend"] = True
    await CardMessage.filter(id=card.id).update(**changes)


async def mark_cards(order_id: int, version: int, resend: bool = False) -> int:
    """Every active chat of the order's store should show `version`; `resend` asks for a
    fresh card at the bottom of the chat (a postponed order coming back)."""
    order = await Order.get_or_none(id=order_id)
    if order is None:
        return 0
    chats = await TelegramChat.filter(store_id=order.store_id, active=True)
    for chat in chats:
        await _mark(order_id, chat.id, max(version, order.version), resend)
    return len(chats)


async def open_card(order_id: int, chat_pk: int) -> None:
    """Show the order as a fresh card in one chat (asked for by /order or a list)."""
    order = await Order.get(id=order_id)
    await _mark(order_id, chat_pk, order.version, resend=True)


async def chats_with_work() -> list[TelegramChat]:
    """Active chats that have cards to send or edit."""
    ids = (
        await CardMessage.filter(dirty=True, chat__active=True)
        .distinct()
        .values_list("chat_id", flat=True)
    )
    return await TelegramChat.filter(id__in=list(ids)).order_by("id") if ids else []


async def dirty_cards(chat_pk: int, limit: int = 100, sent_only: bool = False) -> list[CardMessage]:
    """Cards of one chat that lag their order, oldest order first, with the order loaded;
    `sent_only`: only those to edit or send again (no new order's first card)."""
    query = CardMessage.filter(chat_id=chat_pk, dirty=True)
    if sent_only:
        query = query.filter(Q(message_id__isnull=False) | Q(resend=True))
    return await query.order_by("order_id").limit(limit).select_related("order")


async def rendered(card: CardMessage, version: int, message_id: int, text_hash: str) -> None:
    """A send or edit showed `version`; the card stays dirty if the order moved since."""
    await CardMessage.filter(id=card.id).update(
        message_id=message_id,
        text_hash=text_hash,
        rendered_version=version,
        resend=False,
        digest=False,
    )
    await CardMessage.filter(id=card.id, wanted_version__lte=version).update(dirty=False)


async def settle(card: CardMessage) -> None:
    """Nothing to send for this card now (listed in a digest, or terminal and unsent)."""
    await CardMessage.filter(id=card.id, wanted_version__lte=card.wanted_version).update(
        dirty=False, resend=False
    )


async def listed(listed_cards: list[CardMessage]) -> None:
    """These cards' orders were named in a digest: none of them gets its own message."""
    # Listed is listed, even if the order moved meanwhile: it must never be listed again.
    await CardMessage.filter(id__in=[c.id for c in listed_cards]).update(digest=True)
    # Few distinct versions in one digest: one update each, not one per card.
    for version in {c.wanted_version for c in listed_cards}:
        same = [c.id for c in listed_cards if c.wanted_version == version]
        await CardMessage.filter(id__in=same, wanted_version__lte=version).update(
            dirty=False, resend=False
        )


async def forget_message(card: CardMessage) -> None:
    """The message is gone on Telegram's side: the next pass sends a fresh card (even for
    an order that ended, and never folded into a digest)."""
    await CardMessage.filter(id=card.id).update(
        message_id=None, dirty=True, resend=True, text_hash=""
    )


async def keyboard_changed(order_id: int, telegram_chat_id: int, message_id: int) -> None:
    """A sub-menu replaced the card's buttons: the next render must edit them back even if
    the order did not change."""
    chats = await TelegramChat.filter(chat_id=telegram_chat_id).values_list("id", flat=True)
    await CardMessage.filter(
        order_id=order_id, chat_id__in=list(chats), message_id=message_id
    ).update(text_hash="")


async def resend_chat(chat_pk: int) -> int:
    """After a group became a supergroup, its old messages are not editable: the cards of
    live orders are new again in the new chat (a digest when many), the others forgotten."""
    live = Q(order__status__not_in=[s.value for s in TERMINAL])
    await CardMessage.filter(chat_id=chat_pk).exclude(live).delete()
    return int(
        await CardMessage.filter(chat_id=chat_pk).update(
            message_id=None, dirty=True, resend=False, digest=False, text_hash=""
        )
    )
