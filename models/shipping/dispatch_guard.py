"""The one dispatch guard, read from the lifecycle table: both ways of dispatching (a
courier account in models.shipping.parcels, the manual courier in models.shipping.manual)
start here."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models.errors import IllegalTransition
from models.orders.lifecycle import dispatch_steps, next_status
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.orders.transitions import apply_transition
from models.shipping.tables import Shipment
from models.stores.tables import Store


async def start_dispatch(
    conn: BaseDBAsyncClient, store: Store, order: Order, actor: Actor
) -> Order:
    """Inside the order's transaction: refuse an order the table gives no path to shipped
    (IllegalTransition `dispatch`) or one that already has its parcel (`dispatch again`),
    then apply every step of the path but the last (a confirmed order moves to
    processing); shipping itself waits for the tracking number."""
    steps = dispatch_steps(order.status)
    if await Shipment.filter(order_id=order.id).using_db(conn).exists():
        raise IllegalTransition(order.status.value, "dispatch again")
    for trigger in steps[:-1]:
        order = await apply_transition(
            conn, store, order, next_status(order.status, trigger), actor, trigger=trigger
        )
    return order
