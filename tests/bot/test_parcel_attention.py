"""A failed delivery attempt brings the shipped order back to the team: the card is sent
again at the bottom of the chat with the courier's words and a call-back line."""

from __future__ import annotations

from models.orders import intake, transitions
from models.orders.lifecycle import OrderStatus
from models.orders.timeline import Actor
from models.shipping import manual
from models.shipping.parcels import apply_parcel_status
from models.shipping.tables import Shipment
from tests.bot.harness import OWNER, running_desk
from tests.factories import checkout, make_shop


async def test_a_failed_attempt_bumps_the_card_with_the_couriers_words(db: str) -> None:
    shop = await make_shop(lang="en")
    async with running_desk() as desk:
        chat = await desk.bind(shop.store, OWNER)
        number = (await intake.place_order(shop.store, checkout(shop.variants[0].id))).order.number
        owner = Actor("owner", str(OWNER["id"]), "Nadia")
        await transitions.transition_order(shop.store, number, OrderStatus.CONFIRMED, owner)
        await manual.dispatch_order(shop.store, number, owner, "TRK-1001")
        await desk.settle()
        before = desk.card(chat, number)
        shipment = await Shipment.get(tracking="TRK-1001")
        await apply_parcel_status(
            shipment.id, "delivery_attempted", "Tentative échouée", "Client injoignable"
        )
        await desk.settle()
        after = desk.card(chat, number)
        assert after.message_id != before.message_id  # sent again, at the bottom
        assert "Tentative échouée — Client injoignable" in after.text
        assert "call the customer back" in after.text
        assert desk.fake.message(chat, before.message_id).deleted
