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
the last 30 days, each ending now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
PEOPLE = ("owner", "agent")
S = OrderStatus
BOOKED = (S.CONFIRMED, S.PROCESSING, S.SHIPPED, S.DELIVERED)
REACHED_CONFIRMED = (*BOOKED, S.RETURNED)
REACHED_SHIPPED = (S.SHIPPED, S.DELIVERED, S.RETURNED)


@dataclass(frozen=True, slots=True)
class Period:
    name: str  # today | week | month
    start: datetime  # UTC, inclusive: a local midnight
    end: datetime  # UTC: when the figures were taken


def period_of(name: str, at: datetime) -> Period:
    """The period ending at `at` (aware); InvalidInput for an unknown name."""
    days = PERIOD_DAYS.get(name)
    if days is None:
        raise InvalidInput(f"period must be one of {', '.join(PERIOD_DAYS)}")
    local = at.astimezone(ALGIERS)
    first_day = local.date() - timedelta(days=days - 1)
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=ALGIERS)
    return Period(name, start.astimezone(UTC), at.astimezone(UTC))


@dataclass(frozen=True, slots=True)
class PersonFigures:
    name: str
    calls: int = 0
    confirmations: int = 0


@dataclass(frozen=True, slots=True)
class StoreStats:
    period: Period
    by_status: dict[str, int]  # orders placed in the period, by current status
    cancelled_from: dict[str, int]  # of those cancelled, the status they were cancelled from
    revenue_delivered: int
    revenue_booked: int
    team: list[PersonFigures] = field(default_factory=list)

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


async def _by_status(store: Store, period: Period) -> tuple[dict[str, int], dict[str, int]]:
    """Orders placed in the period by current status: counts and sums of totals."""
    rows = (
        await Order.filter(store_id=store.id, created_at__gte=period.start)
        .annotate(n=Count("id"), amount=Sum("total"))
        .group_by("status")
        .values_list("status", "n", "amount")
    )
    counts = {str(status): int(n) for status, n, _ in rows}
    sums = {str(status): int(amount or 0) for status, _, amount in rows}
    return counts, sums


async def _cancelled_from(store: Store, period: Period) -> dict[str, int]:
    """Of the orders placed in the period and cancelled, the status each left (cancelled is
    terminal: one such event per order)."""
    rows = (
        await OrderEvent.filter(
            order__store_id=store.id,
            order__created_at__gte=period.start,
            type=EventType.STATUS_CHANGED,
            to_status=S.CANCELLED.value,
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
    calls = await _per_person(CallAttempt, order__store_id=store.id, at__gte=period.start)
    confirmations = await _per_person(
        OrderEvent,
        order__store_id=store.id,
        at__gte=period.start,
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
