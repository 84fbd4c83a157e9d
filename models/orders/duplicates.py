"""Other orders of the same customer: what an order card warns about ("also open") and
what 🔁 Duplicate offers to keep (SPEC §3.3 `duplicate`). Found from the orders, never
guessed: the same phone in the same store (the customer row is per phone)."""

from __future__ import annotations

from typing import cast

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.customers.registry import OPEN
from models.orders.tables import Order

MAX_SHOWN = 5
MAX_CANDIDATES = 6


def open_of(order: Order) -> QuerySet[Order]:
    """The store's other open orders (pending to shipped) than `order`."""
    return Order.filter(store_id=order.store_id, status__in=OPEN).exclude(id=order.id)


async def _same_customer(
    query: QuerySet[Order], order: Order, limit: int, newest_first: bool
) -> list[Order]:
    """The first `limit` orders of `query` by number that have the order's phone or its
    customer. Their ids and numbers are read by phone, then by customer (each served by its
    index: (store, phone, created_at), then customer) and only the orders kept are read
    whole: with `phone = … OR customer_id = …`, or with ORDER BY number, SQLite reads the
    store's orders one by one in number order instead (100 ms at 100,000 orders)."""
    numbers: dict[int, int] = {}
    for same in (Q(phone=order.phone), Q(customer_id=order.customer_id)):
        numbers.update(await query.filter(same).values_list("id", "number"))
    kept = sorted(numbers, key=lambda i: numbers[i], reverse=newest_first)[:limit]
    rows = await Order.filter(id__in=kept) if kept else []
    return sorted(rows, key=lambda o: o.number, reverse=newest_first)


async def also_open(order: Order) -> list[int]:
    """Numbers of the customer's other open orders (pending to shipped), oldest first
    (read by phone, then by customer, as `_same_customer` explains)."""
    numbers: set[int] = set()
    for same in (Q(phone=order.phone), Q(customer_id=order.customer_id)):
        found = await open_of(order).filter(same).values_list("number", flat=True)
        numbers.update(cast(list[int], found))
    return sorted(numbers)[:MAX_SHOWN]


async def duplicate_candidates(order: Order) -> list[Order]:
    """Orders the duplicate may be of: the customer's other orders, open ones first, then
    the most recent."""
    opened = await _same_customer(open_of(order), order, MAX_CANDIDATES, True)
    if len(opened) >= MAX_CANDIDATES:
        return opened
    others = Order.filter(store_id=order.store_id).exclude(id=order.id).exclude(status__in=OPEN)
    rest = await _same_customer(others, order, MAX_CANDIDATES - len(opened), True)
    return [*opened, *rest]
