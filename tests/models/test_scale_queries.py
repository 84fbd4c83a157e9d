"""Queries reshaped so that their cost stays flat as a store grows (bench/README.md) give
what the plain queries they replaced gave, on both databases."""

from __future__ import annotations

from datetime import timedelta

from tortoise.expressions import Q

from models.calls import outcomes as calls
from models.calls.tables import CallAttempt
from models.customers.registry import OPEN
from models.infra.clock import now
from models.orders import duplicates, stats, transitions
from models.orders.cancellation import Cancellation
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from tests.factories import make_shop
from tests.webstore.api_support import place

YACINE = Actor("agent", "2002", "Yacine")
STATUSES = ["pending", "confirmed", "delivered", "shipped", "cancelled", "processing", "returned"]
FEW_OPEN = ["delivered", "confirmed", "delivered", "returned", "cancelled", "pending", "cancelled"]


async def _same_customer_orders(statuses: list[str]) -> tuple[Order, list[Order]]:
    """An order whose customer has 14 other orders: by the same phone, by the same customer
    under another phone (edited), in every status; and orders of other customers."""
    shop = await make_shop()
    placed = [await place(shop, i) for i in range(20)]
    mine = placed[0]
    for i, order in enumerate(placed[1:15], 1):
        changes: dict[str, object] = {"status": statuses[i % len(statuses)]}
        if i % 3:
            changes["phone"] = mine.phone  # same phone (another customer row than mine)
        else:
            changes["customer_id"] = mine.customer_id  # same customer, another phone
        await Order.filter(id=order.id).update(**changes)
    await Order.filter(id=placed[15].id).update(status="pending")  # a stranger's, open
    return await Order.get(id=mine.id), placed


async def test_also_open_is_the_or_query_it_replaced(db: str) -> None:
    order, _ = await _same_customer_orders(STATUSES)
    same = Q(phone=order.phone) | Q(customer_id=order.customer_id)
    before = (
        await Order.filter(same, store_id=order.store_id, status__in=OPEN)
        .exclude(id=order.id)
        .order_by("number")
        .limit(duplicates.MAX_SHOWN)
        .values_list("number", flat=True)
    )
    assert len(before) == duplicates.MAX_SHOWN  # more open orders than shown
    assert await duplicates.also_open(order) == list(before)


async def test_duplicate_candidates_are_the_or_queries_they_replaced(db: str) -> None:
    order, _ = await _same_customer_orders(FEW_OPEN)
    same = Q(phone=order.phone) | Q(customer_id=order.customer_id)
    query = Order.filter(same, store_id=order.store_id).exclude(id=order.id)
    limit = duplicates.MAX_CANDIDATES
    opened = await query.filter(status__in=OPEN).order_by("-number").limit(limit)
    rest = await query.exclude(status__in=OPEN).order_by("-number").limit(limit - len(opened))
    expected = [o.number for o in [*opened, *rest]]
    assert 0 < len(opened) < limit == len(opened) + len(rest)  # both parts are used
    assert [o.number for o in await duplicates.duplicate_candidates(order)] == expected
    # Only the first part when it fills the list.
    await (
        Order.filter(store_id=order.store_id)
        .exclude(id=order.id)
        .filter(same)
        .update(status="pending")
    )
    numbers = [o.number for o in await duplicates.duplicate_candidates(order)]
    everyone = await query.order_by("-number").limit(limit).values_list("number", flat=True)
    assert numbers == list(everyone)


async def test_cancelled_from_counts_the_orders_of_the_period_only(db: str) -> None:
    shop = await make_shop()
    placed = [await place(shop, i) for i in range(4)]
    store = shop.store
    await transitions.transition_order(store, placed[1].number, OrderStatus.CONFIRMED, YACINE)
    for order in placed[:3]:
        await transitions.cancel_order(store, order.number, YACINE, cancel=Cancellation("delay"))
    # Placed before the period, cancelled in it: not an order of the period.
    month = stats.period_of("month", now())
    await Order.filter(id=placed[2].id).update(created_at=month.start - timedelta(days=2))
    figures = await stats.store_stats(store, month)
    assert figures.cancelled_from == {"pending": 1, "confirmed": 1}
    reference = await OrderEvent.filter(
        order__store_id=store.id,
        order__created_at__gte=month.start,
        type="status_changed",
        to_status=OrderStatus.CANCELLED.value,
    ).values_list("from_status", flat=True)
    assert sorted(reference) == ["confirmed", "pending"]


async def test_the_team_figures_count_the_period_s_calls_on_old_orders_too(db: str) -> None:
    shop = await make_shop()
    old, recent = await place(shop, 1), await place(shop, 2)
    month = stats.period_of("month", now())
    # Placed two months ago, called today: today's work.
    long_ago = month.start - timedelta(days=30)
    await Order.filter(id=old.id).update(created_at=long_ago, updated_at=long_ago)
    await calls.log_call(shop.store, old.number, "no_answer", YACINE)
    # Called before the period (the call and the order's last change then): not counted.
    await calls.log_call(shop.store, recent.number, "busy", YACINE)
    await CallAttempt.filter(order_id=recent.id).update(at=long_ago)
    await Order.filter(id=recent.id).update(updated_at=long_ago)
    await transitions.transition_order(shop.store, old.number, OrderStatus.CONFIRMED, YACINE)
    until_now = stats.period_of("month", now())  # a period ends when it is asked for
    team = (await stats.store_stats(shop.store, until_now)).team
    assert [(p.name, p.calls, p.confirmations) for p in team] == [("Yacine", 1, 1)]
