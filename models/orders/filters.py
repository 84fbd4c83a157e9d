"""Orders of one status narrowed the ways a team lead asks (the desk's order list, issue 15):
by wilaya, by the Algiers day it was placed, by courier, by the person who confirmed it or
is calling it now, and by the customer's mark. Newest first, in keyset pages over the id.

The mark is computed, not stored (models.customers.risk), so a page filtered by it
examines orders SCAN_BATCH at a time, at most SCAN_LIMIT per call, keeping those whose card
shows that mark: such a page may hold fewer orders than asked (even none) and still have a
next one, as the API's customer list does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models.customers.registry import order_marks
from models.customers.risk import Risk
from models.infra.clock import now
from models.orders.stats import ALGIERS
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import EventType
from models.stores.tables import Store

SCAN_BATCH = 200
SCAN_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class OrderFilter:
    wilaya: int | None = None
    day: date | None = None  # an Algiers day
    courier: str | None = None  # a courier code, `manual` included
    person: str | None = None  # a Telegram user id: who confirmed it or is calling it now
    risk: Risk | None = None


@dataclass(frozen=True, slots=True)
class FilteredPage:
    orders: list[Order]
    next_after: int | None  # the id the next page continues below; None at the end


def _confirmed_or_calling(store: Store, person: str) -> Q:
    confirmed = OrderEvent.filter(
        order__store_id=store.id,
        type=EventType.STATUS_CHANGED,
        from_status="pending",
        to_status="confirmed",
        actor_id=person,
    ).values("order_id")
    calling = Q(claimed_by_id=person, claim_expires_at__gt=now())
    return Q(calling, Q(id__in=Subquery(confirmed)), join_type="OR")


def _narrowed(store: Store, status: str, where: OrderFilter) -> QuerySet[Order]:
    query = Order.filter(store_id=store.id, status=status)
    if where.wilaya is not None:
        query = query.filter(wilaya_code=where.wilaya)
    if where.day is not None:
        # In UTC: SQLite compares the stored text, so the offsets must match.
        start = datetime.combine(where.day, time(0), ALGIERS).astimezone(UTC)
        query = query.filter(created_at__gte=start, created_at__lt=start + timedelta(days=1))
    if where.courier is not None:
        query = query.filter(courier=where.courier)
    if where.person is not None:
        query = query.filter(_confirmed_or_calling(store, where.person))
    return query


def _below(query: QuerySet[Order], after: int | None) -> QuerySet[Order]:
    return query.filter(id__lt=after) if after is not None else query


async def filtered_orders(
    store: Store, status: str, where: OrderFilter, after: int | None, limit: int
) -> FilteredPage:
    """Up to `limit` orders of `status` matching `where`, newest first, below id `after`."""
    query = _narrowed(store, status, where)
    if where.risk is not None:
        return await _scan(store, query, where.risk, after, limit)
    rows = await _below(query, after).order_by("-id").limit(limit + 1)
    return FilteredPage(rows[:limit], rows[limit - 1].id if len(rows) > limit else None)


async def _scan(
    store: Store, query: QuerySet[Order], risk: Risk, after: int | None, limit: int
) -> FilteredPage:
    matched: list[Order] = []
    cursor, examined = after, 0
    while examined < SCAN_LIMIT:
        batch = await _below(query, cursor).order_by("-id").limit(SCAN_BATCH)
        marks = await order_marks(store, batch) if batch else {}
        for index, order in enumerate(batch):
            cursor = order.id
            if marks[order.id] is risk:
                matched.append(order)
            if len(matched) == limit:
                more = index < len(batch) - 1 or len(batch) == SCAN_BATCH
                return FilteredPage(matched, cursor if more else None)
        examined += len(batch)
        if len(batch) < SCAN_BATCH:
            return FilteredPage(matched, None)
    return FilteredPage(matched, cursor)
