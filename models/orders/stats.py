"""Figures for `/stats` (SPEC §5), computed by GROUP BY queries that read the same on SQLite
and PostgreSQL.

Two views, so that every percentage is a share of a whole the merchant can picture:

* **The orders placed in the period, and what became of them** (a cohort, by `created_at`):
  - placed: orders created in the period;
  - confirmed: of those, orders that reached confirmed, whatever happened after;
  - cancelled while pending: the call ended without a sale (customer cancelled, fake,
    duplicate, the no-answer policy, or a manual cancel before confirmation);
  - confirmation rate = confirmed ÷ (confirmed + cancelled while pending). Orders still
    pending are left out: their calls have not ended;
  - shipped: orders handed to a courier (now shipped, delivered or returned, or cancelled
    after shipping); delivery rate = delivered ÷ shipped, return rate = returned ÷ shipped
    (by current status: delivered then sent back counts as returned); the rest is on its way;
  - revenue: totals of delivered orders (collected), and of orders confirmed or later that
    are not lost (booked: confirmed, processing, shipped, delivered).
* **The team's work during the period** (by when it happened, whatever the order's date):
  calls logged (CallAttempt rows) and confirmations (status → confirmed events) per person
  (owner or agent).

Periods are Africa/Algiers days: today since local midnight, week the last 7 days, month
the last 30 days, each ending now; or chosen days (custom, up to MAX_DAYS), ending at the
last day's end or now.

The same figures broken down by day, person, wilaya and product are in models.orders.stats_groups
(each part a Cohort, with the rules above).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.functions import Count, Sum

from models.calls.tables import CallAttempt
from models.errors import InvalidInput
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import EventType
from models.stores.tables import Store

ALGIERS = ZoneInfo("Africa/Algiers")
PERIOD_DAYS = {"today": 1, "week": 7, "month": 30}
MAX_DAYS = 92  # of a custom period: a quarter
PEOPLE = ("owner", "agent")
S = OrderStatus
BOOKED = (S.CONFIRMED, S.PROCESSING, S.SHIPPED, S.DELIVERED)
REACHED_CONFIRMED = (*BOOKED, S.RETURNED)
REACHED_SHIPPED = (S.SHIPPED, S.DELIVERED, S.RETURNED)


@dataclass(frozen=True, slots=True)
class Period:
    name: str  # today | week | month | custom
    start: datetime  # UTC, inclusive: a local midnight
    end: datetime  # UTC, exclusive: when the figures were taken, or the last day's end

    def days(self) -> list[date]:
        """The Algiers days of the period, first to last."""
        first = self.start.astimezone(ALGIERS).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(ALGIERS).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ALGIERS).astimezone(UTC)


def period_of(name: str, at: datetime) -> Period:
    """The period ending at `at` (aware); InvalidInput for an unknown name."""
    days = PERIOD_DAYS.get(name)
    if days is None:
        raise InvalidInput(f"period must be one of {', '.join(PERIOD_DAYS)}")
    first_day = at.astimezone(ALGIERS).date() - timedelta(days=days - 1)
    return Period(name, _midnight(first_day), at.astimezone(UTC))


def custom_period(first: date, last: date, at: datetime) -> Period:
    """Algiers days `first` to `last` (both included), not after the day of `at` nor longer
    than MAX_DAYS; ends at `at` when `last` is today. InvalidInput otherwise."""
    today = at.astimezone(ALGIERS).date()
    if first > last:
        raise InvalidInput("the first day comes after the last")
    if last > today:
        raise InvalidInput("the period cannot end after today")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"a period covers at most {MAX_DAYS} days")
    end = min(_midnight(last + timedelta(days=1)), at.astimezone(UTC))
    return Period("custom", _midnight(first), end)


@dataclass(frozen=True, slots=True)
class PersonFigures:
    name: str
    calls: int = 0
    confirmations: int = 0


class CohortRules:
    """The rates of a set of orders (module docstring), from its counts by current status
    and, of those cancelled, by the status they were cancelled from."""

    __slots__ = ()
    by_status: dict[str, int]
    cancelled_from: dict[str, int]

    def _count(self, statuses: tuple[OrderStatus, ...]) -> int:
        return sum(self.by_status.get(s.value, 0) for s in statuses)

    @property
    def placed(self) -> int:
        return sum(self.by_status.values())

    @property
    def confirmed(self) -> int:
        after = sum(n for status, n in self.cancelled_from.items() if status != S.PENDING.value)
        return self._count(REACHED_CONFIRMED) + after

    @property
    def cancelled_pending(self) -> int:
        return self.cancelled_from.get(S.PENDING.value, 0)

    @property
    def decided(self) -> int:
        return self.confirmed + self.cancelled_pending

    @property
    def awaiting_call(self) -> int:
        return self.by_status.get(S.PENDING.value, 0)

    @property
    def shipped(self) -> int:
        return self._count(REACHED_SHIPPED) + self.cancelled_from.get(S.SHIPPED.value, 0)

    @property
    def delivered(self) -> int:
        return self.by_status.get(S.DELIVERED.value, 0)

    @property
    def returned(self) -> int:
        return self.by_status.get(S.RETURNED.value, 0)

    @property
    def on_the_way(self) -> int:
        return self.by_status.get(S.SHIPPED.value, 0)

    @property
    def confirmation_rate(self) -> float | None:
        return self.confirmed / self.decided if self.decided else None

    @property
    def delivery_rate(self) -> float | None:
        return self.delivered / self.shipped if self.shipped else None

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.shipped if self.shipped else None


@dataclass(frozen=True, slots=True)
class Cohort(CohortRules):
    """Some of the orders placed in a period (one day, one wilaya, …), as
    models.orders.stats_groups splits them."""

    by_status: dict[str, int] = field(default_factory=dict)
    cancelled_from: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoreStats(CohortRules):
    period: Period
    by_status: dict[str, int]  # orders placed in the period, by current status
    cancelled_from: dict[str, int]  # of those cancelled, the status they were cancelled from
    revenue_delivered: int
    revenue_booked: int
    team: list[PersonFigures] = field(default_factory=list)


async def _by_status(store: Store, period: Period) -> tuple[dict[str, int], dict[str, int]]:
    """Orders placed in the period by current status: counts and sums of totals."""
    rows = (
        await Order.filter(store_id=store.id, created_at__gte=period.start)
        .filter(created_at__lt=period.end)
        .annotate(n=Count("id"), amount=Sum("total"))
        .group_by("status")
        .values_list("status", "n", "amount")
    )
    counts = {str(status): int(n) for status, n, _ in rows}
    sums = {str(status): int(amount or 0) for status, _, amount in rows}
    return counts, sums


async def _cancelled_from(store: Store, period: Period) -> dict[str, int]:
    """Of the orders placed in the period and cancelled, the status each left (cancelled is
    terminal: one such event per order). An order's events come after it was placed, so
    only events of the period are read (the index on type, status and time serves them,
    instead of every cancellation the store ever had)."""
    rows = (
        await OrderEvent.filter(
            order__store_id=store.id,
            order__created_at__gte=period.start,
            order__created_at__lt=period.end,
            type=EventType.STATUS_CHANGED,
            to_status=S.CANCELLED.value,
            at__gte=period.start,
        )
        .annotate(n=Count("id"))
        .group_by("from_status")
        .values_list("from_status", "n")
    )
    return {str(status): int(n) for status, n in rows}


Tally = dict[str, tuple[str, int]]  # person key → (name, count)


async def _per_person(model: type[CallAttempt] | type[OrderEvent], **where: object) -> Tally:
    rows = (
        await model.filter(actor_kind__in=list(PEOPLE), **where)
        .annotate(n=Count("id"))
        .group_by("actor_id", "actor_name")
        .values_list("actor_id", "actor_name", "n")
    )
    names: dict[str, str] = {}
    totals: dict[str, int] = {}
    for actor_id, name, n in rows:
        key = str(actor_id or name)  # one person may have acted under two names
        names.setdefault(key, str(name))
        totals[key] = totals.get(key, 0) + int(n)
    return {key: (names[key], total) for key, total in totals.items()}


async def _team(store: Store, period: Period) -> list[PersonFigures]:
    # A call or a status change moves its order's updated_at (models.orders.transitions),
    # so only the orders changed since the period began are joined (by the index on store
    # and updated_at), not every order the store ever had.
    during = {"at__gte": period.start, "at__lt": period.end}
    store_orders = {"order__store_id": store.id, "order__updated_at__gte": period.start}
    calls = await _per_person(CallAttempt, **store_orders, **during)
    confirmations = await _per_person(
        OrderEvent,
        **store_orders,
        **during,
        type=EventType.STATUS_CHANGED,
        to_status=S.CONFIRMED.value,
    )
    people = [
        PersonFigures(
            (calls.get(key) or confirmations[key])[0],
            calls[key][1] if key in calls else 0,
            confirmations[key][1] if key in confirmations else 0,
        )
        for key in calls.keys() | confirmations.keys()
    ]
    return sorted(people, key=lambda p: (-p.confirmations, -p.calls, p.name))


async def store_stats(store: Store, period: Period) -> StoreStats:
    """The store's figures for the period (see the module docstring for the definitions)."""
    counts, sums = await _by_status(store, period)
    return StoreStats(
        period=period,
        by_status=counts,
        cancelled_from=await _cancelled_from(store, period),
        revenue_delivered=sums.get(S.DELIVERED.value, 0),
        revenue_booked=sum(sums.get(s.value, 0) for s in BOOKED),
        team=await _team(store, period),
    )
