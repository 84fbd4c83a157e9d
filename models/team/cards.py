"""Which order cards each Telegram chat should show, and which lag their order.

The Telegram channel only marks cards here (durably, from the outbox); the bot's sender
renders them within each chat's rate budget. A burst of changes to one order becomes one
edit, and a card is never lost because Telegram was slow or down.
"""

from __future__ import annotations

from collections.abc import Iterable

from tortoise import connections
from tortoise.expressions import Q

from models.infra import clock
from models.infra.db import dialect_sql
from models.orders.lifecycle import TERMINAL
from models.orders.tables import Order
from models.team.tables import CardMessage, TelegramChat

# One statement marks many cards: a card that does not exist yet is created lagging; one
# that exists wants the newer of the two versions and is marked, in the same statement, so a
# render ending meanwhile (it clears `dirty` where the wanted version is at most the one it
# showed) sees either both changes or neither, and a card never stays behind its order.
_UPSERT = """
    INSERT INTO card_message (order_id, chat_id, wanted_version, rendered_version, text_hash,
                              dirty, resend, digest, updated_at)
    VALUES {rows}
    ON CONFLICT (order_id, chat_id) DO UPDATE SET
        wanted_version = CASE WHEN excluded.wanted_version > card_message.wanted_version
                              THEN excluded.wanted_version ELSE card_message.wanted_version END,
        dirty = TRUE,
        resend = card_message.resend OR excluded.resend,
        updated_at = excluded.updated_at"""
_ROW = "(?, ?, ?, 0, '', TRUE, ?, FALSE, ?)"
# SQLite takes at most 32,766 values in one statement: 4,000 cards of 5 each stay well in.
_ROWS_PER_STATEMENT = 4000


async def _upsert(marks: list[tuple[int, int, int, bool]]) -> None:
    """(order, chat pk, version, resend) marks, in as few statements as there are."""
    conn = connections.get("default")
    t = clock.now()
    for start in range(0, len(marks), _ROWS_PER_STATEMENT):
        chunk = marks[start : start + _ROWS_PER_STATEMENT]
        sql = _UPSERT.format(rows=", ".join([_ROW] * len(chunk)))
        values = [
            v
            for order_id, chat, version, resend in chunk
            for v in (order_id, chat, version, resend, t)
        ]
        await conn.execute_query(dialect_sql(conn, sql), values)


async def mark_many(changes: Iterable[tuple[int, int, bool]]) -> int:
    """Every active chat of each order's store should show the order's version: changes
    are (order, version, resend), `resend` asking for a fresh card at the bottom of the chat
    (a postponed order coming back). Several changes of one order become one mark (the
    newest version; a fresh card if any asks). Returns the cards marked."""
    wanted: dict[int, tuple[int, bool]] = {}
    for order_id, version, resend in changes:
        seen_version, seen_resend = wanted.get(order_id, (version, resend))
        wanted[order_id] = (max(version, seen_version), resend or seen_resend)
    if not wanted:
        return 0
    orders = await Order.filter(id__in=list(wanted)).values_list("id", "store_id", "version")
    stores = {store_id for _id, store_id, _version in orders}
    chats: dict[int, list[int]] = {}
    for chat_pk, store_id in await TelegramChat.filter(
        store_id__in=list(stores), active=True
    ).values_list("id", "store_id"):
        chats.setdefault(store_id, []).append(chat_pk)
    marks = [
        (order_id, chat_pk, max(wanted[order_id][0], version), wanted[order_id][1])
        for order_id, store_id, version in orders
        for chat_pk in chats.get(store_id, ())
    ]
    if marks:
        await _upsert(marks)
    return len(marks)


async def mark_cards(order_id: int, version: int, resend: bool = False) -> int:
    """Every active chat of the order's store should show `version` (see `mark_many`)."""
    return await mark_many([(order_id, version, resend)])


async def open_card(order_id: int, chat_pk: int) -> None:
    """Show the order as a fresh card in one chat (asked for by /order or a list)."""
    order = await Order.get(id=order_id)
    await _upsert([(order_id, chat_pk, order.version, True)])


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
