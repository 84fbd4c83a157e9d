"""Other orders of the same customer: what an order card warns about ("also open") and
what 🔁 Duplicate offers to keep (SPEC §3.3 `duplicate`). Found from the orders, never
guessed: the same phone in the same store (the customer row is per phone)."""

from __future__ import annotations

from tortoise.expressions import Q

from models.customers.registry import OPEN
from models.orders.tables import Order

MAX_SHOWN = 5
MAX_CANDIDATES = 6


async def also_open(order: Order) -> list[int]:
    """Numbers of the customer's other open orders (pending to shipped), oldest first."""
    same = Q(phone=order.phone) | Q(customer_id=order.customer_id)
    rows = (
        await Order.filter(same, store_id=order.store_id, status__in=OPEN)
        .exclude(id=order.id)
        .order_by("number")
        .limit(MAX_SHOWN)
    )
    return [o.number for o in rows]


async def duplicate_candidates(order: Order) -> list[Order]:
    """Orders the duplicate may be of: the customer's other orders, open ones first, then
    the most recent."""
    same = Q(phone=order.phone) | Q(customer_id=order.customer_id)
    query = Order.filter(same, store_id=order.store_id).exclude(id=order.id)
    opened = await query.filter(status__in=OPEN).order_by("-number").limit(MAX_CANDIDATES)
    if len(opened) >= MAX_CANDIDATES:
        return list(opened)
    rest = (
        await query.exclude(status__in=OPEN).order_by("-number").limit(MAX_CANDIDATES - len(opened))
    )
    return [*opened, *rest]
