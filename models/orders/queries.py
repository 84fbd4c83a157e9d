"""Read side for the adapters: order lines, products with their variants
(pages: models.orders.listing).

Every query is scoped to one store; another store's row is NotFound, never revealed.
"""

from __future__ import annotations

from models.catalog.tables import Product, Variant
from models.errors import NotFound
from models.orders.tables import OrderLine
from models.stores.tables import Store


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
