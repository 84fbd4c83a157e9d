"""A blacklisted phone at the storefront: a polite refusal in the visitor's language that
asks them to contact the shop, never saying the phone is blacklisted; nothing is created."""

from __future__ import annotations

import pytest

from models.customers import registry
from models.orders.tables import Order
from tests.factories import Shop
from tests.webstore.test_storefront import PRODUCT, Client, client, fetch, plain, quick_order, shop

__all__ = ["client", "shop"]  # fixtures

POLITE = {
    "ar": "لا يمكننا قبول هذا الطلب عبر الإنترنت. يرجى التواصل مع المتجر مباشرة.",
    "fr": "Nous ne pouvons pas prendre cette commande en ligne. "
    "Veuillez contacter directement la boutique.",
    "en": "We cannot take this order online. Please contact the shop directly.",
}
# What the refusal must not say, in any of the languages.
BLUNT = ("blacklist", "liste noire", "القائمة السوداء", "محظور", "bloqué", "blocked", "fake")


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
async def test_a_phone_blacklisted_by_the_team_is_refused_politely(
    client: Client, shop: Shop, lang: str
) -> None:
    await registry.blacklist_phone(shop.store, "+213 550 12 34 56", "fake order", "Nadia")
    await fetch(client, f"{PRODUCT}?lang={lang}")
    response = await quick_order(client, shop, phone="0550123456")
    assert response.status == 403
    page = plain(await response.text())
    assert POLITE[lang] in page
    assert not [word for word in BLUNT if word in page.lower()]
    assert "fake order" not in page  # the team's reason stays with the team
    assert await Order.all().count() == 0


async def test_once_lifted_the_same_phone_orders_again(client: Client, shop: Shop) -> None:
    await registry.blacklist_phone(shop.store, "0550123456", "", "Nadia")
    assert (await quick_order(client, shop)).status == 403
    await registry.unblacklist_phone(shop.store, "0550123456", "Nadia")
    assert (await quick_order(client, shop)).status == 303
    assert await Order.all().count() == 1
