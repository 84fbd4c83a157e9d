"""The query plans the scale figures rely on: `python -m bench.plans URL` prints, for each
query a hot read runs on the bench store (bench.scale_store), its SQL and the database's
plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, COSTS OFF) on PostgreSQL).

The querysets are built the way the models build them (same filters, order and limit), with
the bench store's values inlined; the statements the models send as plain SQL (the name
search) are explained as sent, with their values."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from bench import scale_store
from models.calls.tables import CallAttempt
from models.infra.clock import now
from models.infra.db import dialect_sql
from models.orders import duplicates, name_search, search
from models.orders.lifecycle import OrderStatus
from models.orders.stats import period_of
from models.orders.tables import Order, OrderEvent
from models.session import close_db, open_db
from models.shipping import polls
from models.shipping.tables import Shipment
from models.stores.tables import Store


def _queries(store: Store, order: Order, dialect: str) -> dict[str, Callable[[], Any]]:
    month = period_of("month", now()).start
    confirmed = OrderStatus.CONFIRMED.value
    return {
        "REST /v1/orders, first page (orders.listing.orders_page)": lambda: (
            Order.filter(store_id=store.id).order_by("-id").limit(51)
        ),
        "Desk status tab, 100 rows (webstore.desk_api)": lambda: (
            Order.filter(store_id=store.id, status=OrderStatus.DELIVERED).order_by("-id").limit(101)
        ),
        "Card: the customer's other open orders, by phone (orders.duplicates.also_open)": lambda: (
            duplicates.open_of(order).filter(phone=order.phone).values_list("number")
        ),
        "… and by customer (models.orders.duplicates.also_open)": lambda: (
            duplicates.open_of(order).filter(customer_id=order.customer_id).values_list("number")
        ),
        "Card: the customer's history (customers.registry.standing_of)": lambda: Order.filter(
            store_id=store.id, phone=order.phone
        ).values("id", "status", "total"),
        "/find by phone (models.orders.search.find_orders)": lambda: (
            Order.filter(store_id=store.id, phone=order.phone)
            .order_by("-created_at", "-id")
            .limit(search.FOUND_LIMIT + 1)
        ),
        # A name is read in two steps (models.orders.name_search): the newest orders, then,
        # for a rare name, the trigram index; both are printed, for a name nobody has.
        "/find by name, 1: the newest orders (models.orders.name_search)": lambda: (
            name_search.recent_statement(dialect, store.id, "Zerrouki")
        ),
        "/find by name, 2: a rare name, by the trigram index (models.orders.name_search)": lambda: (
            name_search.full_statement(dialect, store.id, "Zerrouki", search.FOUND_LIMIT + 1)
        ),
        "/stats: orders placed in the period by status (models.orders.stats)": lambda: Order.filter(
            store_id=store.id, created_at__gte=month
        ).values("status", "total"),
        "/stats: cancelled from (models.orders.stats)": lambda: OrderEvent.filter(
            order__store_id=store.id,
            order__created_at__gte=month,
            type="status_changed",
            to_status=OrderStatus.CANCELLED.value,
            at__gte=month,
        ).values("from_status"),
        "/stats: calls per person (models.orders.stats)": lambda: CallAttempt.filter(
            order__store_id=store.id,
            order__updated_at__gte=month,
            at__gte=month,
            actor_kind__in=["owner", "agent"],
        ).values("actor_id", "actor_name"),
        "/stats: confirmations per person (models.orders.stats)": lambda: OrderEvent.filter(
            Q(actor_kind__in=["owner", "agent"]),
            order__store_id=store.id,
            order__updated_at__gte=month,
            at__gte=month,
            type="status_changed",
            to_status=confirmed,
        ).values("actor_id", "actor_name"),
        "Parcel sync: due parcels (models.shipping.polls, SQLite path)": lambda: (
            polls._due(now())
            .filter(id__gt=0)
            .order_by("id")
            .limit(2000)
            .values_list("id", flat=True)
        ),
        "Export: the month's order ids (models.exports.reading.export_rows)": lambda: (
            Order.filter(
                store_id=store.id,
                created_at__gte=month,
                created_at__lt=now() + timedelta(days=1),
            )
            .order_by("id")
            .values_list("id", flat=True)
        ),
        "Parcel webhook: a parcel by tracking (models.shipping.polls.shipment_for)": lambda: (
            Shipment.filter(account_id=1, tracking="yal-00000001").limit(1)
        ),
    }


def _statement(built: Any, conn: BaseDBAsyncClient) -> tuple[str, list[Any]]:
    """A queryset's SQL with its values inlined, or a plain statement as the driver takes it."""
    if isinstance(built, tuple):
        sql, values = built
        return dialect_sql(conn, sql), values
    return built.sql(params_inline=True), []


async def main(url: str) -> None:
    await open_db(url)
    try:
        conn = connections.get("default")
        postgres = conn.capabilities.dialect == "postgres"
        store = await Store.get(slug="bench")
        order = await (
            Order.filter(store_id=store.id, phone=scale_store.customer_phone(0))
            .order_by("-id")
            .first()
        )
        if order is None:
            raise SystemExit("no bench store here (python -m bench.scale_store build URL)")
        prefix = "EXPLAIN (ANALYZE, COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
        for name, build in _queries(store, order, conn.capabilities.dialect).items():
            sql, params = _statement(build(), conn)
            _, rows = await conn.execute_query(prefix + sql, params)
            print(f"-- {name}\n{sql}" + (f"\n   with {params}" if params else ""))
            for row in rows:
                values = tuple(row)
                print("   " + (values[0] if postgres else values[-1]))
            print()
    finally:
        await close_db()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
