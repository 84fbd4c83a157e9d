"""Order exports: the period a merchant asks for, and the store's orders of that period read
in chunks with everything an accountant reconciles (amounts, calls, courier, tracking, the
parcel's last status). The files themselves are written by models.exports.files.

Periods are Africa/Algiers calendar days, both ends included, and an order belongs to the
day it was placed (`created_at`):

* `today`, `yesterday`;
* `week`: the last 7 days, today included — as /stats counts it (a calendar week starts on
  Saturday, Sunday or Monday depending on who is asked);
* `month`: this calendar month up to today; `last-month`: the previous calendar month
  (accounts follow the calendar, where /stats counts its month as the last 30 days);
* `YYYY-MM` (that month), `YYYY-MM-DD` (that day), `YYYY-MM-DD..YYYY-MM-DD` (those days).

At most MAX_DAYS days at once: a longer span is refused, not truncated.

Orders are read CHUNK at a time by id, each chunk with its lines, parcels and confirmations
in one query apiece (never one query per order), so a year of orders streams to the writer
without being held in memory.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from models.errors import InvalidInput
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent, OrderLine
from models.orders.timeline import EventType
from models.shipping.tables import Shipment
from models.stores.tables import Store

ALGIERS = ZoneInfo("Africa/Algiers")
MAX_DAYS = 366
CHUNK = 1000
NAMED = ("today", "yesterday", "week", "month", "last-month")
PERIOD_HELP = (
    "today, yesterday, week, month, last-month, YYYY-MM, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"
)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class PeriodTooLong(InvalidInput):
    """More than MAX_DAYS days asked for at once."""


@dataclass(frozen=True, slots=True)
class ExportPeriod:
    """Algiers days from `first` to `last`, both included. `name` is the named period asked
    for (`week`…), empty for explicit dates."""

    first: date
    last: date
    name: str = ""

    @property
    def start(self) -> datetime:
        """UTC instant of the local midnight opening the first day (included)."""
        return datetime.combine(self.first, time(), ALGIERS).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """UTC instant of the local midnight after the last day (excluded)."""
        return datetime.combine(self.last + timedelta(days=1), time(), ALGIERS).astimezone(UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """`2026-11-20_2026-11-26`, or `2026-11-20` for one day (file names)."""
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}_{self.last.isoformat()}"


def local_today(at: datetime) -> date:
    """The Algiers date at the aware instant `at`."""
    return at.astimezone(ALGIERS).date()


def _month_of(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def named_period(name: str, today: date) -> ExportPeriod:
    """A named period ending today (`last-month` ends with the previous month)."""
    if name == "today":
        return ExportPeriod(today, today, name)
    if name == "yesterday":
        day = today - timedelta(days=1)
        return ExportPeriod(day, day, name)
    if name == "week":
        return ExportPeriod(today - timedelta(days=6), today, name)
    if name == "month":
        return ExportPeriod(today.replace(day=1), today, name)
    if name == "last-month":
        previous = today.replace(day=1) - timedelta(days=1)
        return ExportPeriod(*_month_of(previous.year, previous.month), name)
    raise InvalidInput(f"period: unknown period {name[:40]!r}; use {PERIOD_HELP}")


def period_between(first: date, last: date) -> ExportPeriod:
    """Explicit dates; InvalidInput when they are reversed or span more than MAX_DAYS."""
    if last < first:
        raise InvalidInput(f"period: the first day ({first}) is after the last one ({last})")
    period = ExportPeriod(first, last)
    if period.days > MAX_DAYS:
        raise PeriodTooLong(
            f"period: at most {MAX_DAYS} days at once ({period.days} asked); "
            "export a long span in several files"
        )
    return period


def parse_day(text: str, name: str = "period") -> date:
    """A `YYYY-MM-DD` date; InvalidInput (prefixed by `name`, the field) for anything else,
    `2026-02-30` included."""
    raw = text.strip()
    if not _DAY.fullmatch(raw):
        raise InvalidInput(f"{name}: {raw[:40]!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name}: {raw} is not a day of the calendar") from None


def parse_period(text: str, today: date) -> ExportPeriod:
    """A period as people and API clients write it (see the module docstring)."""
    raw = text.strip().lower()
    if raw in NAMED:
        return named_period(raw, today)
    if ".." in raw:
        first, _, last = raw.partition("..")
        return period_between(parse_day(first), parse_day(last))
    month = _MONTH.fullmatch(raw)
    if month is not None:
        year, number = int(month[1]), int(month[2])
        if not 1 <= number <= 12 or year < 1:
            raise InvalidInput(f"period: {raw} is not a month written YYYY-MM")
        return period_between(*_month_of(year, number))
    if _DAY.fullmatch(raw):
        day = parse_day(raw)
        return period_between(day, day)
    raise InvalidInput(f"period: unknown period {raw[:40]!r}; use {PERIOD_HELP}")


# --- the rows ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One order as the files show it: the order, its lines, its parcel (if dispatched) and
    the status change that confirmed it (if it was confirmed)."""

    order: Order
    lines: list[OrderLine]
    shipment: Shipment | None
    confirmation: OrderEvent | None

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(slots=True)
class ExportTotals:
    """Figures of the exported orders, added up while they are written."""

    orders: int = 0
    quantity: int = 0
    subtotal: int = 0
    delivery_fee: int = 0
    total: int = 0
    # status → (orders, total)
    by_status: dict[str, tuple[int, int]] = field(default_factory=dict)

    def add(self, row: ExportRow) -> None:
        order = row.order
        self.orders += 1
        self.quantity += row.quantity
        self.subtotal += order.subtotal
        self.delivery_fee += order.delivery_fee
        self.total += order.total
        count, amount = self.by_status.get(order.status.value, (0, 0))
        self.by_status[order.status.value] = (count + 1, amount + order.total)


async def _lines(order_ids: list[int]) -> dict[int, list[OrderLine]]:
    grouped: dict[int, list[OrderLine]] = {oid: [] for oid in order_ids}
    for line in await OrderLine.filter(order_id__in=order_ids).order_by("id"):
        grouped[line.order_id].append(line)  # type: ignore[attr-defined]
    return grouped


async def _confirmations(order_ids: list[int]) -> dict[int, OrderEvent]:
    events = await OrderEvent.filter(
        order_id__in=order_ids, type=EventType.STATUS_CHANGED, to_status=OrderStatus.CONFIRMED.value
    ).order_by("id")
    return {event.order_id: event for event in events}  # type: ignore[attr-defined]


async def _rows(orders: list[Order]) -> list[ExportRow]:
    ids = [o.id for o in orders]
    lines = await _lines(ids)
    shipments = {s.order_id: s for s in await Shipment.filter(order_id__in=ids)}
    confirmed = await _confirmations(ids)
    return [ExportRow(o, lines[o.id], shipments.get(o.id), confirmed.get(o.id)) for o in orders]


async def export_rows(
    store: Store, period: ExportPeriod, status: OrderStatus | None = None, chunk: int = CHUNK
) -> AsyncIterator[list[ExportRow]]:
    """The store's orders placed in the period (only those now in `status` when given),
    oldest first, in lists of at most `chunk` rows."""
    query = Order.filter(store_id=store.id, created_at__gte=period.start, created_at__lt=period.end)
    if status is not None:
        query = query.filter(status=status)
    # The ids first (one scan, a few bytes per order), then each chunk by primary key: paging
    # with `id > last` would rescan and sort the store's orders once per chunk.
    ids = cast(list[int], await query.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        orders = await Order.filter(id__in=ids[start : start + chunk]).order_by("id")
        yield await _rows(list(orders))
