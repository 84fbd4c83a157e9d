"""Keyset pages of a store's rows, for lists read by machines (the REST API).

A page continues after the id of the last row of the previous one, so it never repeats or
skips a row when rows are added meanwhile (offsets would). Every query is scoped to one
store; another store's order is NotFound, never revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.calls.tables import CallAttempt
from models.catalog.tables import Product, Variant
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order
from models.orders.transitions import get_order
from models.stores.tables import Store

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    """Up to `limit` rows; `next_after` is the id to continue after, None at the end."""

    rows: list[M]
    next_after: int | None


async def keyset(
    query: QuerySet[M], after: int | None, limit: int, *, newest_first: bool = True
) -> Page[M]:
    """One page of `query` ordered by id (newest first by default), after id `after`."""
    if after is not None:
        query = query.filter(id__lt=after) if newest_first else query.filter(id__gt=after)
    rows = await query.order_by("-id" if newest_first else "id").limit(limit + 1)
    page = rows[:limit]
    return Page(page, page[-1].pk if len(rows) > limit else None)


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Optional criteria, combined with AND. `phone` is E.164; times are timezone-aware;
    `statuses` empty means any status; `wilaya` is the 69-wilaya map code."""

    statuses: tuple[OrderStatus, ...] = ()
    phone: str | None = None
    wilaya: int | None = None
    courier: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    updated_since: datetime | None = None


def _orders(store: Store, where: OrderFilter) -> QuerySet[Order]:
    query = Order.filter(store_id=store.id)
    if where.statuses:
        query = query.filter(status__in=list(where.statuses))
    if where.phone is not None:
        query = query.filter(phone=where.phone)
    if where.wilaya is not None:
        query = query.filter(wilaya_code=where.wilaya)
    if where.courier is not None:
        query = query.filter(courier=where.courier)
    if where.since is not None:
        query = query.filter(created_at__gte=where.since)
    if where.until is not None:
        query = query.filter(created_at__lt=where.until)
    if where.updated_since is not None:
        query = query.filter(updated_at__gte=where.updated_since)
    return query


async def orders_page(
    store: Store, where: OrderFilter, after: int | None, limit: int
) -> Page[Order]:
    """The store's orders matching `where`, newest first."""
    return await keyset(_orders(store, where), after, limit)


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """`active` None: hidden products too; `name` matches part of the name (letters of
    the Latin alphabet case-insensitively)."""

    active: bool | None = None
    name: str | None = None


async def products_page(
    store: Store, where: ProductFilter, after: int | None, limit: int
) -> tuple[Page[Product], dict[int, list[Variant]]]:
    """The store's products, oldest first, and the variants of each (by product id)."""
    query = Product.filter(store_id=store.id)
    if where.active is not None:
        query = query.filter(active=where.active)
    if where.name:
        query = query.filter(name__icontains=where.name)
    page = await keyset(query, after, limit, newest_first=False)
    variants: dict[int, list[Variant]] = {p.id: [] for p in page.rows}
    if variants:
        for variant in await Variant.filter(product_id__in=list(variants)).order_by("id"):
            variants[variant.product_id].append(variant)  # type: ignore[attr-defined]
    return page, variants


async def calls_page(
    store: Store, number: int, outcome: str | None, after: int | None, limit: int
) -> Page[CallAttempt]:
    """The calls made on the store's order `number`, newest first; NotFound for an order
    of another store or a missing one."""
    order = await get_order(store, number)
    query = CallAttempt.filter(order_id=order.id)
    if outcome is not None:
        query = query.filter(outcome=outcome)
    return await keyset(query, after, limit)
