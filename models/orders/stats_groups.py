"""The figures of /stats broken down for the desk's charts (issue 15): the orders placed in a
period by Algiers day, by the person who called them (who took them out of pending), by
wilaya and by product. Each part is a models.orders.stats.Cohort, so its rates follow the
rules of models.orders.stats and the parts of a breakdown by day add up to the period's
figures.

Two GROUP BY statements per breakdown, written once for SQLite and PostgreSQL (only the day
of a timestamp is said differently): the orders by part and current status, and of those
cancelled, by part and the status they were cancelled from. An order with two products
counts once in each product's part; an order nobody on the team decided (still pending, or
confirmed by the API or the no-answer policy) is in no person's part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise import Tortoise

from models.infra.db import dialect_sql
from models.orders.stats import ALGIERS, Cohort, Period
from models.stores.tables import Store

PEOPLE = "('owner', 'agent')"


@dataclass(frozen=True, slots=True)
class Part:
    key: str  # the day (YYYY-MM-DD), the person's id, the wilaya code or the product
    label: str  # what to call it: the person's or the product's name, else the key
    figures: Cohort


@dataclass(frozen=True, slots=True)
class Grouping:
    """How orders are split: the part's key and label as SQL, and the join it needs."""

    key: str
    label: str
    join: str = ""


_STATUS = (
    'SELECT {key} AS "k", MAX({label}) AS "label", o."status" AS "s", '
    '{count} AS "n" FROM "order" o {join} '
    'WHERE o."store_id" = ? AND o."created_at" >= ? AND o."created_at" < ? '
    'GROUP BY "k", o."status"'
)
_CANCELLED = (
    'SELECT {key} AS "k", MAX({label}) AS "label", c."from_status" AS "s", '
    '{count} AS "n" FROM "order" o {join} '
    'JOIN "order_event" c ON c."order_id" = o."id" AND c."type" = \'status_changed\' '
    "AND c.\"to_status\" = 'cancelled' "
    'WHERE o."store_id" = ? AND o."created_at" >= ? AND o."created_at" < ? '
    # An order's events come after it was placed: only the period's cancellations are
    # read (the index on type, status and time), each order then found by its id. Without
    # it, SQLite read every cancellation the store ever had once per order of the period.
    'AND c."at" >= ? '
    'GROUP BY "k", c."from_status"'
)
WILAYA = Grouping('o."wilaya_code"', 'o."wilaya_code"')
PRODUCT = Grouping(
    'l."product_name"', 'l."product_name"', 'JOIN "order_line" l ON l."order_id" = o."id"'
)
PERSON = Grouping(
    'd."actor_id"',
    'd."actor_name"',
    'JOIN "order_event" d ON d."order_id" = o."id" AND d."type" = \'status_changed\' '
    f'AND d."from_status" = \'pending\' AND d."actor_kind" IN {PEOPLE}',
)


def _day(dialect: str, period: Period) -> Grouping:
    """The Algiers day of the order's creation, as text (Algiers keeps one offset all year,
    so SQLite, which knows no zones, is given it in minutes)."""
    if dialect == "postgres":
        day = "to_char(o.\"created_at\" AT TIME ZONE 'Africa/Algiers', 'YYYY-MM-DD')"
    else:
        offset = period.start.astimezone(ALGIERS).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        day = f"strftime('%Y-%m-%d', o.\"created_at\", '{minutes:+d} minutes')"
    return Grouping(day, day)


async def _rows(sql: str, grouping: Grouping, store: Store, period: Period) -> list[Any]:
    conn = Tortoise.get_connection("default")
    # An order counts once per part: a join (lines, events) may bring it more than once.
    count = 'COUNT(DISTINCT o."id")' if grouping.join else "COUNT(*)"
    statement = sql.format(key=grouping.key, label=grouping.label, join=grouping.join, count=count)
    params = [store.id, period.start, period.end]
    if sql is _CANCELLED:
        params.append(period.start)
    return list(await conn.execute_query_dict(dialect_sql(conn, statement), params))


async def _parts(store: Store, period: Period, grouping: Grouping) -> list[Part]:
    """The period's orders split by `grouping`, most orders first."""
    labels: dict[str, str] = {}
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for sql, which in ((_STATUS, "by_status"), (_CANCELLED, "cancelled_from")):
        for row in await _rows(sql, grouping, store, period):
            key = str(row["k"])
            labels.setdefault(key, str(row["label"]))
            part = counts.setdefault(key, {"by_status": {}, "cancelled_from": {}})
            part[which][str(row["s"])] = int(row["n"])
    parts = [Part(key, labels[key], Cohort(**counts[key])) for key in counts]
    return sorted(parts, key=lambda p: (-p.figures.placed, -p.figures.decided, p.label))


async def by_day(store: Store, period: Period) -> list[Part]:
    """Every day of the period in order, days without orders included."""
    dialect = Tortoise.get_connection("default").capabilities.dialect
    found = {p.key: p for p in await _parts(store, period, _day(dialect, period))}
    days = [d.isoformat() for d in period.days()]
    return [found.get(day) or Part(day, day, Cohort()) for day in days]


async def by_person(store: Store, period: Period) -> list[Part]:
    """The orders each owner or agent confirmed or cancelled while pending: their rates are
    the person's (how many calls end in a sale, how many of those sales are delivered)."""
    return await _parts(store, period, PERSON)


async def by_wilaya(store: Store, period: Period) -> list[Part]:
    return await _parts(store, period, WILAYA)


async def by_product(store: Store, period: Period) -> list[Part]:
    return await _parts(store, period, PRODUCT)
