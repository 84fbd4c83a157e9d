"""What the fuzzers found, replayed deterministically so it stays fixed."""

from __future__ import annotations

import pytest

from models.catalog.tables import Variant
from models.orders import transitions
from models.orders.intake import place_order
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.shipping.manual import dispatch_order
from models.shipping.parcels import apply_parcel_status
from models.shipping.tables import Shipment
from models.stores.tables import Store
from tests.factories import checkout, make_shop

OWNER = Actor("owner", "1", "Samira")


async def test_a_courier_status_that_loses_a_race_with_a_press_is_still_applied(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The courier says "returned" while the owner presses Delivered on the card: the
    status used to be stored on the parcel but lost for the order (ConcurrentChange), and
    never read again since the parcel already said so. Now it is applied after the press."""
    shop = await make_shop(stock=5)
    placed = await place_order(shop.store, checkout(shop.variants[0].id, 2))
    number = placed.order.number
    await transitions.transition_order(shop.store, number, OrderStatus.CONFIRMED, OWNER)
    order = await dispatch_order(shop.store, number, OWNER, "YAL-0001", courier="yalidine")
    shipment = await Shipment.get(order_id=order.id)
    real_get_order = transitions.get_order
    pressed: list[int] = []

    async def read_then_someone_presses(store: Store, wanted: int) -> Order:
        found = await real_get_order(store, wanted)
        if not pressed:  # between the courier's read of the order and its change
            pressed.append(wanted)
            await transitions.transition_order(store, wanted, OrderStatus.DELIVERED, OWNER)
        return found

    monkeypatch.setattr(transitions, "get_order", read_then_someone_presses)
    assert await apply_parcel_status(shipment.id, "returned", "Retourné au vendeur")
    order = await Order.get(id=order.id)
    assert pressed and order.status is OrderStatus.RETURNED and not order.stock_committed
    assert (await Variant.get(id=shop.variants[0].id)).stock == 5
    moves = await OrderEvent.filter(order_id=order.id, type="status_changed").order_by("id")
    assert [e.to_status for e in moves][-2:] == ["delivered", "returned"]
    assert await OrderEvent.filter(order_id=order.id, type="parcel_status").count() == 1
    assert (await Shipment.get(id=shipment.id)).status == "returned"
