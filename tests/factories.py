"""Builders for test data: a store with fees and a catalogue, and checkout requests."""

from __future__ import annotations

from dataclasses import dataclass

from models.catalog import products
from models.catalog.tables import Variant
from models.orders.checkout import CheckoutRequest, LineRequest
from models.shipping.fees import FeeRow
from models.stores import setup
from models.stores.tables import Store


@dataclass
class Shop:
    store: Store
    api_key: str
    invite_token: str
    variants: list[Variant]


async def make_shop(
    slug: str = "shop", stock: int = 10, lang: str = "fr", email: str = "owner@example.test"
) -> Shop:
    """A store delivering to Alger (16, home and desk) and Oran (31, home only), with one
    product in two sizes."""
    new = await setup.create_store(slug, f"Boutique {slug}", lang, email)
    await setup.set_fees(new.store, {16: FeeRow(400, 250), 31: FeeRow(600, None)})
    product = await products.add_product(
        new.store,
        "Robe kabyle",
        4500,
        [
            products.VariantSpec({"Taille": "M"}, None, stock),
            products.VariantSpec({"Taille": "L"}, 4800, stock),
        ],
    )
    variants = await Variant.filter(product_id=product.id).order_by("id")
    return Shop(new.store, new.api_key, new.invite_token, list(variants))


def checkout(variant_id: int, quantity: object = 1, **overrides: object) -> CheckoutRequest:
    fields: dict[str, object] = {
        "name": "Amina Benali",
        "phone": "0550 12 34 56",
        "wilaya": "16",
        "commune": "1601",
        "address": "12 rue Didouche Mourad",
        "delivery_type": "home",
        "note": "",
    }
    fields.update(overrides)
    return CheckoutRequest(lines=[LineRequest(variant_id, None, quantity)], **fields)  # type: ignore[arg-type]
