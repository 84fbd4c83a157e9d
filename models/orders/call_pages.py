"""The calls to make now, page by page after a position (keyset), in the order the team
makes them (models.orders.search): due call-backs, then orders brought back, then orders
never called, the longest waiting first in each.

A position is the last order shown: its part of the list, its sort time and its id. The
next page continues strictly after it, so an order that arrives, is called or leaves the
list meanwhile never makes a page repeat an order nor skip one still in its place (an
order whose call moved it behind the position shows again on the next first page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from models.infra.clock import now
from models.orders.search import calls_to_make
from models.orders.tables import Order
from models.stores.tables import Store


@dataclass(frozen=True, slots=True)
class CallPosition:
    """Where a page ended: the part of the list (0 due call-backs, 1 brought back, 2 never
    called), the order's sort time in that part and its id."""

    part: int
    at: datetime
    id: int


@dataclass(frozen=True, slots=True)
class CallPage:
    orders: list[Order]
    next_after: CallPosition | None  # None: nothing further
    total: int  # the calls to make now, all pages


def _key(order: Order, field: str) -> datetime:
    value = getattr(order, field)
    assert isinstance(value, datetime)  # each part's sort time is set for its orders
    return value


async def calls_page(
    store: Store, after: CallPosition | None, limit: int, at: datetime | None = None
) -> CallPage:
    """Up to `limit` calls to make after `after` (from the first when None)."""
    # Each part's sort time is set for its orders (a call sets last_call_at); a row
    # without it could not be placed after a position, so no part lists it.
    parts = [
        (part.order_by, part.query.filter(**{f"{part.order_by[0]}__isnull": False}))
        for part in calls_to_make(store, at or now())
    ]
    total = sum([await query.count() for _, query in parts])
    orders: list[Order] = []
    last: CallPosition | None = None
    start = after.part if after else 0
    for index in range(start, len(parts)):
        order_by, query = parts[index]
        field = order_by[0]
        if after is not None and index == after.part:
            later: dict[str, Any] = {f"{field}__gt": after.at}
            same: dict[str, Any] = {field: after.at, "id__gt": after.id}
            query = query.filter(Q(**later) | Q(**same))
        # One more than room: tells whether anything follows the page.
        chunk = await query.order_by(*order_by).limit(limit - len(orders) + 1)
        for order in chunk:
            if len(orders) == limit:
                return CallPage(orders, last, total)
            orders.append(order)
            last = CallPosition(index, _key(order, field), order.id)
    return CallPage(orders, None, total)
