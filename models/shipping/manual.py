"""Dispatch by hand: the manual courier, whose tracking number the merchant types.
Couriers with an API go through models.shipping.parcels.request_dispatch."""

from __future__ import annotations

import re

from tortoise.backends.base.client import BaseDBAsyncClient

from models.errors import InvalidInput
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order
from models.orders.timeline import Actor
from models.orders.transitions import apply_transition, bump_version, change_order
from models.shipping.dispatch_guard import start_dispatch
from models.shipping.parcels import parcel_reference
from models.shipping.tables import Shipment
from models.stores.tables import Store

TRACKING_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,63}$")


def clean_tracking(raw: str) -> str:
    """A tracking number as couriers print them: 3-64 letters, digits, `-_./`."""
    tracking = raw.strip().replace(" ", "")
    if not TRACKING_RE.match(tracking):
        raise InvalidInput("tracking: 3-64 letters or digits")
    return tracking


async def dispatch_order(
    store: Store,
    number: int,
    actor: Actor,
    tracking: str,
    courier: str = "manual",
    expected_version: int | None = None,
) -> Order:
    """confirmed → processing → shipped with the courier and tracking number; both steps
    are on the timeline (SPEC §3.1)."""
    tracking = clean_tracking(tracking)

    async def work(conn: BaseDBAsyncClient, order: Order) -> Order:
        order = await start_dispatch(conn, store, order, actor)
        await Shipment.create(
            using_db=conn,
            order=order,
            courier=courier,
            reference=parcel_reference(order),
            state="created",
            tracking=tracking,
            cod_amount=order.total,
        )
        order = await bump_version(conn, order, courier=courier, tracking=tracking)
        data: dict[str, object] = {"courier": courier, "tracking": tracking}
        return await apply_transition(
            conn, store, order, OrderStatus.SHIPPED, actor, note=tracking, data=data
        )

    return await change_order(store, number, work, expected_version)
