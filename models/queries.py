"""Read side for the adapters: pages of orders, their lines, products with their variants.

Every query is scoped to one store; another store's row is NotFound, never revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.errors import NotFound
from models.lifecycle import OrderStatus
from models.orm import Order, OrderLine, Product, Store, Variant


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Optional criteria; `phone` is E.164, `since` is timezone-aware."""

    status: OrderStatus | None = None
    phone: str | None = None
    since: datetime | None = None


async def orders_page(
    store: Store, where: OrderFilter, before_id: int | None, limit: int
) -> list[Order]:
    """Up to `limit` of the store's orders, newest first, older than order id `before_id`."""
    query = Order.filter(store_id=store.id)
    if where.status is not None:
        query = query.filter(status=where.status)
    if where.phone is not None:
        query = query.filter(phone=where.phone)
    if where.since is not None:
        query = query.filter(created_at__gte=where.since)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit)


async def lines_by_order(order_ids: list[int]) -> dict[int, list[OrderLine]]:
    """Lines of several orders in one query, keyed by order id, in the order they were added."""
    grouped: dict[int, list[OrderLine]] = {oid: [] for oid in order_ids}
    if order_ids:
        for line in await OrderLine.filter(order_id__in=order_ids).order_by("id"):
            grouped[line.order_id].append(line)  # type: ignore[attr-defined]
    return grouped


async def _variants_by_product(product_ids: list[int]) -> dict[int, list[Variant]]:
    grouped: dict[int, list[Variant]] = {pid: [] for pid in product_ids}
    if product_ids:
        for variant in await Variant.filter(product_id__in=product_ids).order_by("id"):
            grouped[variant.product_id].append(variant)  # type: ignore[attr-defined]
    return grouped


async def products_of(store: Store) -> list[tuple[Product, list[Variant]]]:
    """Every product of the store (hidden ones included) with its variants, oldest first."""
    products = await Product.filter(store_id=store.id).order_by("id")
    variants = await _variants_by_product([p.id for p in products])
    return [(p, variants[p.id]) for p in products]


async def get_product(store: Store, product_id: int) -> tuple[Product, list[Variant]]:
    """The store's product with its variants; NotFound for a missing or another store's."""
    product = await Product.get_or_none(id=product_id, store_id=store.id)
    if product is None:
        raise NotFound("product", product_id)
    return product, (await _variants_by_product([product.id]))[product.id]


async def get_variant(store: Store, variant_id: int) -> Variant:
    """The store's variant; NotFound for a missing or another store's."""
    variant = await Variant.get_or_none(id=variant_id, store_id=store.id)
    if variant is None:
        raise NotFound("variant", variant_id)
    return variant
