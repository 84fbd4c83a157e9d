"""The outbox's Telegram channel wakes the card sender only when it marked a card: a surge
of orders in a store without a chat must not keep the sender passing for nothing."""

from __future__ import annotations

from bot.channel import TelegramChannel
from models.orders import intake
from models.outbox.tables import OutboxMessage
from models.stores import setup
from models.team import members
from models.team.members import ChatRef
from tests.factories import checkout, make_shop


async def test_the_sender_is_woken_for_cards_marked_and_only_then(db: str) -> None:
    wakes: list[int] = []
    channel = TelegramChannel(lambda: wakes.append(1))
    shop = await make_shop()
    order = (await intake.place_order(shop.store, checkout(shop.variants[0].id, 1))).order
    row = OutboxMessage(
        id=1,
        store_id=shop.store.id,
        channel="telegram",
        topic="order.created",
        dedupe_key="telegram:1",
        payload={"order_id": order.id, "version": order.version},
    )

    await channel.deliver_many([row])
    await channel(row)
    assert wakes == []  # the store has no chat yet: nothing to send

    token = await setup.create_invite(shop.store, "owner")
    await members.accept_invite(token, ChatRef(1001, "private", "Nadia", 1001, "Nadia"))
    await channel.deliver_many([row])
    await channel(row)
    assert wakes == [1, 1]
