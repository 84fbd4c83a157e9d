"""End to end: storefront order → cards in the owner's chat and the team group → presses
from both → every card edited, stock moved once, the timeline names who acted."""

from __future__ import annotations

from models.catalog.tables import Variant
from models.orders import intake
from models.orders.tables import Order, OrderEvent
from tests.bot.harness import AGENT, OWNER, running_desk
from tests.factories import checkout, make_shop


async def test_order_reaches_both_chats_and_presses_edit_every_card(db: str) -> None:
    shop = await make_shop(stock=5)
    async with running_desk() as desk:
        owner_chat = await desk.bind(shop.store, OWNER)
        group = await desk.bind_group(shop.store, [OWNER, AGENT])
        placed = await intake.place_order(
            shop.store, checkout(shop.variants[0].id, 2, name="<b>Amina</b> & Co")
        )
        number = placed.order.number
        await desk.settle()
        owner_card = desk.card(owner_chat, number)
        group_card = desk.card(group, number)
        assert "<b>Amina</b> & Co" in owner_card.text  # shown as typed, not as markup
        assert owner_card.buttons and group_card.callback_data

        no_answer_menu = next(d for d in group_card.callback_data if ":cm:" in d)
        await desk.press(group, group_card.message_id, no_answer_menu, AGENT)
        menu = desk.fake.message(group, group_card.message_id)
        no_answer = next(d for d in menu.callback_data if ":na:" in d)
        await desk.press(group, group_card.message_id, no_answer, AGENT)
        await desk.settle()

        group_card = desk.card(group, number)
        confirm = next(d for d in group_card.callback_data if ":cf:" in d)
        await desk.press(group, group_card.message_id, confirm, AGENT)
        await desk.settle()

        order = await Order.get(id=placed.order.id)
        assert order.status == "confirmed" and order.call_attempts == 2
        assert (await Variant.get(id=shop.variants[0].id)).stock == 3
        for chat in (owner_chat, group):
            card = desk.card(chat, number)
            assert card.edit_date is not None and "✅" in card.text
        events = await OrderEvent.filter(order_id=order.id).order_by("id")
        assert [(e.type, e.actor_name) for e in events][-3:] == [
            ("call_logged", "Yacine"),
            ("call_logged", "Yacine"),
            ("status_changed", "Yacine"),
        ]
