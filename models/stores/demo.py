"""The demo store `make run` shows on an empty database: a few products, every wilaya priced."""

from __future__ import annotations

from models.catalog import products
from models.catalog.products import VariantSpec
from models.stores import setup
from models.stores.tables import Store

DEMO_SLUG = "demo"

_PRODUCTS: list[tuple[str, int, str, str, list[VariantSpec]]] = [
    (
        "Robe kabyle brodée",
        6500,
        "Robe traditionnelle brodée main, coton léger.",
        "robe.svg",
        [VariantSpec({"Taille": s}, None, 8) for s in ("S", "M", "L", "XL")],
    ),
    (
        "Djellaba homme",
        5200,
        "Djellaba en laine fine, coupe ample.",
        "djellaba.svg",
        [
            VariantSpec({"Taille": s, "Couleur": c}, None, 5)
            for s in ("M", "L")
            for c in ("Blanc", "Gris")
        ],
    ),
    (
        "Huile d'olive de Kabylie 1 L",
        1400,
        "Extra vierge, récolte de l'année.",
        "huile.svg",
        [VariantSpec({}, None, 40)],
    ),
    (
        "Montre connectée",
        7900,
        "Écran AMOLED, autonomie 7 jours.",
        "montre.svg",
        [VariantSpec({"Couleur": "Noir"}, None, 12), VariantSpec({"Couleur": "Or"}, 8400, 3)],
    ),
]


async def seed_demo(email: str = "") -> setup.NewStore | None:
    """Create the demo store if the database has no store at all; None when it has one."""
    if await Store.exists():
        return None
    new = await setup.create_store(DEMO_SLUG, "Hanout Démo", "ar", email)
    for name, price, description, photo, variants in _PRODUCTS:
        await products.add_product(
            new.store, name, price, variants, description, photo=f"/static/demo/{photo}"
        )
    return new
