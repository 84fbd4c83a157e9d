"""An action on the desk moves the order's Telegram cards like a button press does: the
same use case writes the outbox rows, the relay marks the cards and the bot edits them at
the fake Bot API."""

from __future__ import annotations

from models.orders.tables import Order
from tests.bot.harness import AGENT, OWNER, running_desk
from tests.factories import make_shop
from tests.webstore.api_support import place, serve
from tests.webstore.desk_support import tma
from webstore.config import WebConfig


async def test_a_desk_confirm_and_cancel_edit_the_cards_in_place(db: str) -> None:
    shop = await make_shop()
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        await desk.bind(shop.store, AGENT, "agent")
        first, second = await place(shop, 1), await place(shop, 2)
        await desk.settle()
        card = desk.card(owner_chat, first.number)
        assert card.text.startswith("🆕")
        config = WebConfig(secret_key="test", telegram_bot_token=desk.fake.token)
        async with serve(config) as client:
            agent = tma(AGENT["id"], token=desk.fake.token)
            confirm = {"outcome": "confirmed", "version": first.version}
            response = await client.post(
                "/desk/api/shop/orders/1001/calls", headers=agent, json=confirm
            )
            assert response.status == 200, await response.text()
            owner = tma(OWNER["id"], token=desk.fake.token)
            cancel = {"to": "cancelled", "version": second.version}
            response = await client.post(
                "/desk/api/shop/orders/1002/status", headers=owner, json=cancel
            )
            assert response.status == 200, await response.text()
        await desk.settle()
        confirmed = desk.card(owner_chat, first.number)
        assert confirmed.message_id == card.message_id  # edited in place, as a press does
        assert confirmed.text.startswith("✅") and confirmed.edit_date is not None
        assert "Confirmée par téléphone" in confirmed.text  # the call the agent logged
        assert desk.card(owner_chat, second.number).text.startswith("❌")
        statuses = (
            await Order.filter(store_id=shop.store.id)
            .order_by("number")
            .values_list("status", flat=True)
        )
        assert [str(s) for s in statuses] == ["confirmed", "cancelled"]
