"""Catalogue use cases: add products with variants, show or hide them, import a CSV (stock
moves are in models.catalog.stock)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from models.catalog.tables import Product, Variant
from models.errors import InvalidInput, NotFound
from models.stores import cache
from models.stores.tables import Store

MAX_PRICE, MAX_STOCK = 10_000_000, 1_000_000


@dataclass(slots=True)
class VariantSpec:
    options: dict[str, str] = field(default_factory=dict)
    price: int | None = None
    stock: int = 0
    sku: str = ""


def slugify(text: str) -> str:
    """ASCII slug from a product name; Arabic-only names fall back to a short hash."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60]
    return slug or "p-" + hashlib.sha256(text.encode()).hexdigest()[:8]


def check_whole(name: str, value: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= hi:
        raise InvalidInput(f"{name}: a whole number from 0 to {hi}")
    return value


async def _unique_slug(store: Store, base: str) -> str:
    slug, n = base, 2
    while await Product.exists(store_id=store.id, slug=slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


async def add_product(
    store: Store,
    name: str,
    price: int,
    variants: list[VariantSpec] | None = None,
    description: str = "",
    photo: str = "",
) -> Product:
    """A product with its variants (one plain variant when none are given)."""
    name = name.strip()
    if not 1 <= len(name) <= 160:
        raise InvalidInput("name: 1-160 characters")
    check_whole("price", price, MAX_PRICE)
    specs = variants or [VariantSpec()]
    async with in_transaction() as conn:
        slug = await _unique_slug(store, slugify(name))
        product = await Product.create(
            using_db=conn,
            store=store,
            slug=slug,
            name=name,
            price=price,
            description=description.strip(),
            photo=photo,
        )
        for i, spec in enumerate(specs, start=1):
            sku = (spec.sku or f"{slug}-{i}")[:64]
            if await Variant.filter(store_id=store.id, sku=sku).using_db(conn).exists():
                raise InvalidInput(f"sku {sku!r} already exists in this store")
            await Variant.create(
                using_db=conn,
                product=product,
                store=store,
                sku=sku,
                options=[[k, v] for k, v in spec.options.items()],
                price=check_whole(
                    "price", spec.price if spec.price is not None else price, MAX_PRICE
                ),
                stock=check_whole("stock", spec.stock, MAX_STOCK),
            )
    return product


async def variant_at(store: Store, position: int) -> Variant | None:
    """The variant at `position` (from 1) of the store's stock list, products in the order
    they were added: the number `/stock` shows before each line."""
    if position < 1:
        return None
    return (
        await Variant.filter(store_id=store.id)
        .select_related("product")
        .order_by("product_id", "id")
        .offset(position - 1)
        .first()
    )


async def set_product_active(store: Store, product_id: int, active: bool) -> Product:
    """Show or hide a product on the storefront; its variants and stock are kept, and a
    hidden product cannot be ordered."""
    moved = await Product.filter(id=product_id, store_id=store.id).update(active=active)
    cache.forget(store.id)
    if not moved:
        raise NotFound("product", product_id)
    return await Product.get(id=product_id)


CSV_COLUMNS = ("product", "price", "sku", "options", "stock", "description")


def parse_options(text: str) -> dict[str, str]:
    """`Taille=M; Couleur=Rouge` → {"Taille": "M", "Couleur": "Rouge"}."""
    options: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidInput(f"options: {part!r} is not name=value")
        options[key.strip()[:40]] = value.strip()[:60]
    return options


def _int_cell(row: dict[str, str], key: str, line: int) -> int:
    raw = (row.get(key) or "0").replace(" ", "")
    if not raw.isdigit():
        raise InvalidInput(f"line {line}: {key} must be a whole number")
    return int(raw)


async def import_catalog(store: Store, text: str) -> int:
    """Import `product,price,sku,options,stock,description` rows; rows of one product name
    become its variants. All or nothing: a bad line names itself and nothing is written."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"product", "price"} - set(reader.fieldnames or [])
    if missing:
        raise InvalidInput(f"CSV needs columns {', '.join(CSV_COLUMNS)}; missing {missing}")
    grouped: dict[str, tuple[int, str, list[VariantSpec]]] = {}
    for line, row in enumerate(reader, start=2):
        name = (row.get("product") or "").strip()
        if not name:
            raise InvalidInput(f"line {line}: product is empty")
        price = _int_cell(row, "price", line)
        spec = VariantSpec(
            parse_options(row.get("options") or ""),
            price,
            _int_cell(row, "stock", line),
            (row.get("sku") or "").strip(),
        )
        entry = grouped.setdefault(name, (price, (row.get("description") or "").strip(), []))
        entry[2].append(spec)
    async with in_transaction():
        for name, (price, description, specs) in grouped.items():
            await add_product(store, name, price, specs, description)
    return len(grouped)
