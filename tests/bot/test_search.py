"""/order and /find in a chat: cards opened, lists with open buttons, clear refusals."""

from __future__ import annotations

from models.orders import intake
from models.orders.tables import Order
from tests.bot.harness import OWNER, running_desk
from tests.bot.test_lists import ask, numbers_in, said
from tests.factories import Shop, checkout, make_shop


async def desk_order(shop: Shop, name: str, phone: str) -> int:
    request = checkout(shop.variants[0].id, 1, name=name, phone=phone)
    return (await intake.place_order(shop.store, request)).order.number


async def test_order_opens_the_card_or_says_why_not(db: str) -> None:
    shop = await make_shop(lang="en")
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        placed = await desk_order(shop, "Amina Benali", "0550 12 34 56")
        await desk.settle()
        await ask(desk, chat, OWNER, "/help")  # the card is no longer the last message
        old = desk.card(chat, placed)

        await desk.say(chat, OWNER, f"/order #{placed}")
        await desk.settle()
        # A fresh card at the bottom of the chat; the old copy is gone.
        fresh = desk.card(chat, placed)
        assert fresh.message_id != old.message_id
        assert fresh.message_id == desk.fake.bot_messages(chat)[-1].message_id
        assert desk.fake.message(chat, old.message_id).deleted

        missing = await ask(desk, chat, OWNER, "/order 9999")
        assert said(missing) == "There is no order #9999."
        usage = await ask(desk, chat, OWNER, "/order")
        assert said(usage) == "Send /order followed by the order number, e.g. /order 1042."
        typo = await ask(desk, chat, OWNER, "/order <b>x</b>")
        assert said(typo) == "“<b>x</b>” is not an order number. Example: /order 1042"


async def test_find_by_phone_name_and_odd_input(db: str) -> None:
    shop = await make_shop(lang="en")
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        amina = await desk_order(shop, "Amina Benali", "0550 12 34 56")
        bio = await desk_order(shop, "Amina 100% Bio", "0661 11 22 33")
        tagged = await desk_order(shop, "<b>Zed</b>", "0770 44 55 66")
        await desk.settle()

        by_phone = await ask(desk, chat, OWNER, "/find +213 550 12 34 56")
        assert said(by_phone).startswith("🔍 Found for “0550 12 34 56”:")
        assert numbers_in(by_phone) == [amina]
        order = await Order.get(number=amina)
        assert by_phone.callback_data == [f"op:{order.id}"]

        by_name = await ask(desk, chat, OWNER, "/find amina")
        assert numbers_in(by_name) == [bio, amina]
        percent = await ask(desk, chat, OWNER, "/find %")
        assert numbers_in(percent) == [bio]
        markup = await ask(desk, chat, OWNER, "/find <b>")
        assert said(markup).startswith("🔍 Found for “<b>”:")
        assert numbers_in(markup) == [tagged] and "<b>Zed</b>" in said(markup)
        nothing = await ask(desk, chat, OWNER, "/find 0550 99 99 99")
        assert said(nothing) == "🔍 Nothing found for “0550 99 99 99”."
        usage = await ask(desk, chat, OWNER, "/find")
        assert said(usage) == "Send /find followed by a phone number, a name or an order number."

        await desk.press(chat, by_phone.message_id, f"op:{order.id}", OWNER)
        await desk.settle()
        assert desk.card(chat, amina).message_id == desk.fake.bot_messages(chat)[-1].message_id
