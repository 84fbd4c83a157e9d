"""What the storefront shows of the catalogue: active products and their active variants."""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.catalog.tables import Product, Variant
from models.stores import cache
from models.stores.tables import Store

MAX_PRODUCTS_ON_HOME = 200
# What models.catalog.products.slugify makes. Anything else cannot name a product and must not reach
# the database: PostgreSQL answers a NUL byte in a text parameter with an error, not a miss.
PRODUCT_SLUG = r"[a-z0-9-]{1,80}"
_PRODUCT_SLUG_RE = re.compile(PRODUCT_SLUG)
PHOTO_PREFIXES = ("https://", "http://", "/")


@dataclass(frozen=True, slots=True)
class Item:
    """A product with the variants a customer may pick."""

    product: Product
    variants: list[Variant]

    @property
    def lowest_price(self) -> int:
        return min(v.price for v in self.variants)

    @property
    def prices_vary(self) -> bool:
        return len({v.price for v in self.variants}) > 1

    @property
    def photo(self) -> str:
        """The photo address, or '' when there is none we can show in a page (a Telegram
        file id, for instance, is not an address)."""
        photo = self.product.photo.strip()
        return photo if photo.startswith(PHOTO_PREFIXES) and not photo.startswith("//") else ""

    def variant(self, variant_id: int | None) -> Variant | None:
        return next((v for v in self.variants if v.id == variant_id), None)


@dataclass(frozen=True, slots=True)
class CartLine:
    variant: Variant
    quantity: int

    @property
    def total(self) -> int:
        return self.variant.price * self.quantity


def _group(products: list[Product], variants: list[Variant]) -> list[Item]:
    by_product: dict[int, list[Variant]] = {}
    for variant in variants:
        by_product.setdefault(variant.product_id, []).append(variant)  # type: ignore[attr-defined]
    return [Item(p, by_product[p.id]) for p in products if p.id in by_product]


async def store_items(store: Store) -> list[Item]:
    """Active products that have at least one active variant, newest first (kept in
    memory: models.stores.cache)."""
    return await cache.cached(store.id, "items", lambda: _store_items(store))


async def _store_items(store: Store) -> list[Item]:
    products = (
        await Product.filter(store_id=store.id, active=True)
        .order_by("-id")
        .limit(MAX_PRODUCTS_ON_HOME)
    )
    variants = await Variant.filter(
        product_id__in=[p.id for p in products] or [0], active=True
    ).order_by("id")
    return _group(products, variants)


async def store_item(store: Store, slug: str) -> Item | None:
    """The active product of this slug with its active variants (kept in memory:
    models.stores.cache), or None."""
    if not _PRODUCT_SLUG_RE.fullmatch(slug):
        return None
    return await cache.cached(store.id, ("item", slug), lambda: _store_item(store, slug))


async def _store_item(store: Store, slug: str) -> Item | None:
    product = await Product.get_or_none(store_id=store.id, slug=slug, active=True)
    if product is None:
        return None
    variants = await Variant.filter(product_id=product.id, active=True).order_by("id")
    return Item(product, list(variants)) if variants else None


async def cart_lines(store: Store, lines: dict[int, int]) -> list[CartLine]:
    """The cart's lines that can still be ordered, in the cart's order."""
    found = await Variant.filter(
        store_id=store.id, id__in=list(lines) or [0], active=True, product__active=True
    ).select_related("product")
    by_id = {v.id: v for v in found}
    return [CartLine(by_id[vid], qty) for vid, qty in lines.items() if vid in by_id]
