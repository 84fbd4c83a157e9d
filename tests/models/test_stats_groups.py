"""/stats broken down (the desk's charts) on the known set of tests.models.test_stats: the
parts of each breakdown carry the rates of models.orders.stats, and a breakdown by day adds up to
the period's figures. Custom periods: Algiers days, bounded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models.errors import InvalidInput
from models.infra.clock import now
from models.orders import stats, stats_groups
from models.orders.stats import ALGIERS
from tests.factories import make_shop
from tests.models.test_stats import Orders, _known_set


def test_custom_periods_are_algiers_days_up_to_a_quarter() -> None:
    at = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    period = stats.custom_period(date(2026, 11, 1), date(2026, 11, 3), at)
    assert (period.start, period.end) == (
        datetime(2026, 10, 31, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 3, 23, 0, tzinfo=UTC),
    )
    assert [d.day for d in period.days()] == [1, 2, 3]
    today = stats.custom_period(date(2026, 11, 25), date(2026, 11, 26), at)
    assert today.end == at and len(today.days()) == 2  # today ends now
    assert [d.day for d in stats.period_of("week", at).days()] == list(range(20, 27))
    for first, last in (
        (date(2026, 11, 3), date(2026, 11, 1)),  # backwards
        (date(2026, 11, 1), date(2026, 11, 27)),  # ends tomorrow
        (date(2026, 8, 1), date(2026, 11, 1)),  # 93 days
    ):
        with pytest.raises(InvalidInput):
            stats.custom_period(first, last, at)


async def test_breakdown_by_day_adds_up_to_the_period(db: str) -> None:
    shop = await make_shop(stock=50)
    await _known_set(shop)
    period = stats.period_of("week", now())
    week = await stats.store_stats(shop.store, period)
    days = await stats_groups.by_day(shop.store, period)
    local_today = now().astimezone(ALGIERS).date()
    assert [p.key for p in days] == [
        (local_today - timedelta(days=6 - i)).isoformat() for i in range(7)
    ]
    assert [p.figures.placed for p in days] == [0, 0, 0, 2, 0, 0, 12]  # M N three days ago
    assert sum(p.figures.placed for p in days) == week.placed
    assert sum(p.figures.confirmed for p in days) == week.confirmed
    assert sum(p.figures.shipped for p in days) == week.shipped
    today = days[-1].figures
    assert today.confirmation_rate == pytest.approx(0.8)  # as in test_today_figures
    assert (today.shipped, today.delivered, today.returned) == (5, 1, 2)
    three_days_ago = days[3].figures
    assert (three_days_ago.confirmed, three_days_ago.cancelled_pending) == (1, 1)
    assert days[0].figures.confirmation_rate is None  # nothing placed: no rate


async def test_breakdown_by_person_wilaya_and_product(db: str) -> None:
    shop = await make_shop(stock=50)
    await _known_set(shop)
    period = stats.period_of("today", now())
    people = await stats_groups.by_person(shop.store, period)
    # Who took each order out of pending: Yacine C D F I K, Sara E H J, Nadia G (button).
    # The API's L and the waiting A B are nobody's.
    assert [(p.label, p.figures.decided) for p in people] == [
        ("Yacine", 5),
        ("Sara", 3),
        ("Nadia", 1),
    ]
    yacine = people[0].figures
    assert (yacine.confirmed, yacine.cancelled_pending) == (4, 1)  # I was fake
    assert (yacine.shipped, yacine.delivered, yacine.returned) == (3, 0, 1)  # D F K; F back
    sara = people[1].figures
    assert sara.confirmation_rate == pytest.approx(2 / 3) and sara.delivery_rate == 1.0
    assert people[0].key == "2002"

    [algiers] = await stats_groups.by_wilaya(shop.store, period)
    assert (algiers.key, algiers.figures.placed) == ("16", 12)

    products = await stats_groups.by_product(shop.store, period)
    assert [(p.label, p.figures.placed) for p in products] == [("Robe kabyle", 12)]


async def test_another_stores_orders_and_later_orders_count_nowhere(db: str) -> None:
    shop, other = await make_shop(stock=5), await make_shop("other", stock=5)
    await Orders(other).place()
    period = stats.period_of("today", now())
    await Orders(shop).place()  # after the figures were taken
    assert [p.figures.placed for p in await stats_groups.by_day(shop.store, period)] == [0]
    assert await stats_groups.by_wilaya(shop.store, period) == []
