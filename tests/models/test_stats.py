"""/stats figures on a known set of orders, every expected number worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.calls import outcomes
from models.calls.tables import CallAttempt
from models.errors import InvalidInput
from models.infra.clock import now
from models.orders import intake, stats, transitions
from models.orders.lifecycle import OrderStatus
from models.orders.stats import PersonFigures
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from models.shipping import manual
from models.stores.tables import Store
from tests.factories import Shop, checkout, make_shop

NADIA = Actor("owner", "1001", "Nadia")
YACINE = Actor("agent", "2002", "Yacine")
SARA = Actor("agent", "3003", "Sara")
API = Actor("api", "", "landing page")


def test_periods_follow_algiers_days() -> None:
    # 23:30 UTC on 26/11 is already 00:30 on 27/11 in Algiers (UTC+1).
    at = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    assert stats.period_of("today", at).start == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
    assert stats.period_of("week", at).start == datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    assert stats.period_of("month", at).start == datetime(2026, 10, 28, 23, 0, tzinfo=UTC)
    # 22:59 UTC is still the 26th in Algiers.
    earlier = datetime(2026, 11, 26, 22, 59, tzinfo=UTC)
    assert stats.period_of("today", earlier).start == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        stats.period_of("year", at)


class Orders:
    """Places orders with distinct phones and drives them through the real use cases."""

    def __init__(self, shop: Shop) -> None:
        self.shop, self.count = shop, 0

    async def place(self, variant: int = 0, quantity: int = 1) -> int:
        self.count += 1
        request = checkout(
            self.shop.variants[variant].id,
            quantity,
            name=f"Client {self.count}",
            phone=f"0550 00 {self.count // 100:02d} {self.count % 100:02d}",
        )
        return (await intake.place_order(self.shop.store, request)).order.number

    async def call(self, number: int, outcome: str, actor: Actor) -> None:
        await outcomes.log_call(self.shop.store, number, outcome, actor)

    async def move(self, number: int, target: OrderStatus, actor: Actor = NADIA) -> None:
        await transitions.transition_order(self.shop.store, number, target, actor)

    async def ship(self, number: int) -> None:
        await manual.dispatch_order(self.shop.store, number, NADIA, f"TRK{number}")


async def _age(store: Store, number: int, days: float) -> None:
    """The order, its timeline and its calls happened `days` ago."""
    order = await Order.get(store_id=store.id, number=number)
    moment = now() - timedelta(days=days)
    await Order.filter(id=order.id).update(created_at=moment)
    await OrderEvent.filter(order_id=order.id).update(at=moment)
    await CallAttempt.filter(order_id=order.id).update(at=moment)


async def _known_set(shop: Shop) -> None:
    """Twelve orders today (A–L), two three days ago (M, N), one ten days ago (P), one forty
    days ago (O). Totals: size M 4500 + 400 fee = 4900, size L 5200, two M 9400."""
    o = Orders(shop)
    await o.place()  # A: pending, never called
    b = await o.place()  # B: pending, one no-answer (Yacine)
    await o.call(b, "no_answer", YACINE)
    c = await o.place()  # C: confirmed by Yacine
    await o.call(c, "confirmed", YACINE)
    d = await o.place(variant=1)  # D: busy (Sara), confirmed (Yacine), shipped
    await o.call(d, "busy", SARA)
    await o.call(d, "confirmed", YACINE)
    await o.ship(d)
    e = await o.place(quantity=2)  # E: confirmed by Sara, shipped, delivered
    await o.call(e, "confirmed", SARA)
    await o.ship(e)
    await o.move(e, OrderStatus.DELIVERED)
    f = await o.place()  # F: confirmed by Yacine, delivered, then sent back
    await o.call(f, "confirmed", YACINE)
    await o.ship(f)
    await o.move(f, OrderStatus.DELIVERED)
    await o.move(f, OrderStatus.RETURNED)
    g = await o.place()  # G: confirmed by the owner's button (no call), refused at the door
    await o.move(g, OrderStatus.CONFIRMED)
    await o.ship(g)
    await o.move(g, OrderStatus.RETURNED)
    h = await o.place()  # H: customer cancelled on the phone (Sara)
    await o.call(h, "customer_cancelled", SARA)
    i = await o.place()  # I: fake (Yacine)
    await o.call(i, "fake", YACINE)
    j = await o.place(variant=1)  # J: confirmed by Sara, cancelled by the owner afterwards
    await o.call(j, "confirmed", SARA)
    await o.move(j, OrderStatus.CANCELLED)
    k = await o.place()  # K: confirmed by Yacine, shipped, cancelled while shipped
    await o.call(k, "confirmed", YACINE)
    await o.ship(k)
    await o.move(k, OrderStatus.CANCELLED)
    m = await o.place()  # L: confirmed through the API, processing
    await o.move(m, OrderStatus.CONFIRMED, API)
    await o.move(m, OrderStatus.PROCESSING)
    old = await o.place()  # M (3 days ago): confirmed by Yacine, delivered
    await o.call(old, "confirmed", YACINE)
    await o.ship(old)
    await o.move(old, OrderStatus.DELIVERED)
    await _age(shop.store, old, 3)
    cancelled = await o.place()  # N (3 days ago): cancelled by the owner while pending
    await o.move(cancelled, OrderStatus.CANCELLED)
    await _age(shop.store, cancelled, 3)
    await _age(shop.store, await o.place(), 10)  # P (10 days ago): pending
    ancient = await o.place()  # O (40 days ago): delivered, outside every period
    await o.call(ancient, "confirmed", SARA)
    await o.ship(ancient)
    await o.move(ancient, OrderStatus.DELIVERED)
    await _age(shop.store, ancient, 40)


async def _figures(store: Store, period: str) -> stats.StoreStats:
    return await stats.store_stats(store, stats.period_of(period, now()))


async def test_today_figures_on_a_known_set(db: str) -> None:
    shop = await make_shop(stock=50)
    await _known_set(shop)
    other = await make_shop("other", stock=5)  # another store's order counts nowhere here
    await Orders(other).place()

    today = await _figures(shop.store, "today")

    assert today.placed == 12
    # Confirmed at some point: C D E F G J K L; cancelled while pending: H I.
    assert (today.confirmed, today.cancelled_pending, today.decided) == (8, 2, 10)
    assert today.confirmation_rate == pytest.approx(0.8)
    assert today.awaiting_call == 2  # A B
    # Handed to a courier: D E F G K; delivered E; returned F G; D on the way.
    assert (today.shipped, today.delivered, today.returned, today.on_the_way) == (5, 1, 2, 1)
    assert today.delivery_rate == pytest.approx(0.2)
    assert today.return_rate == pytest.approx(0.4)
    assert today.revenue_delivered == 9400  # E: two dresses + fee
    assert today.revenue_booked == 4900 + 5200 + 9400 + 4900  # C D E L
    # Calls: Yacine B C D F I K, Sara D E H J; confirmations: Yacine C D F K, Sara E J,
    # Nadia G by button. The API's confirmation of L is nobody's work.
    assert today.team == [
        PersonFigures("Yacine", calls=6, confirmations=4),
        PersonFigures("Sara", calls=4, confirmations=2),
        PersonFigures("Nadia", calls=0, confirmations=1),
    ]


async def test_week_and_month_reach_back_in_algiers_days(db: str) -> None:
    shop = await make_shop(stock=50)
    await _known_set(shop)

    week = await _figures(shop.store, "week")
    assert week.placed == 14  # + M N
    assert (week.confirmed, week.cancelled_pending) == (9, 3)
    assert week.confirmation_rate == pytest.approx(0.75)
    assert (week.shipped, week.delivered, week.returned) == (6, 2, 2)
    assert week.revenue_delivered == 9400 + 4900
    assert week.team[0] == PersonFigures("Yacine", calls=7, confirmations=5)

    month = await _figures(shop.store, "month")
    assert month.placed == 15  # + P, never O (40 days)
    assert month.awaiting_call == 3
    assert month.revenue_delivered == week.revenue_delivered
    assert month.team == week.team


async def test_an_order_before_local_midnight_is_yesterdays(db: str) -> None:
    shop = await make_shop()
    o = Orders(shop)
    before, after = await o.place(), await o.place()
    period = stats.period_of("today", now())
    await Order.filter(number=before).update(created_at=period.start - timedelta(seconds=1))
    await Order.filter(number=after).update(created_at=period.start + timedelta(seconds=1))

    today = await stats.store_stats(shop.store, period)

    assert today.placed == 1 and today.awaiting_call == 1


async def test_an_empty_store_has_no_rates(db: str) -> None:
    shop = await make_shop()
    today = await _figures(shop.store, "today")
    assert today.placed == 0 and today.team == []
    assert today.confirmation_rate is None and today.delivery_rate is None
    assert today.return_rate is None and today.revenue_booked == 0
