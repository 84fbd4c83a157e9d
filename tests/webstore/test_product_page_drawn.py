"""The fresh product page is drawn once and reused: each visitor still gets their own CSRF
token and cart count, and a change of price, stock, name or fee shows at once (in another
process within about a second)."""

from __future__ import annotations

import asyncio

import pytest

from models.catalog.stock import set_stock
from models.catalog.tables import Product, Variant
from models.shipping.fees import FeeRow
from models.stores import cache, setup
from tests.factories import Shop
from tests.models.test_store_cache_processes import other_process_sets_fee
from tests.webstore.test_storefront import CSRF_RE, PRODUCT, Client, client, fetch, plain, shop
from webstore.visit import DRAWN_PAGES

__all__ = ["client", "shop"]  # fixtures


def drawn_pages(client: Client) -> int:
    return len(client.app[DRAWN_PAGES])


def main(html: str) -> str:
    return html.partition("<main>")[2]


def csrf(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found is not None
    return found.group(1)


async def test_each_visitor_gets_their_own_token_and_cart_count(client: Client, shop: Shop) -> None:
    status, first = await fetch(client, PRODUCT)
    assert status == 200
    assert drawn_pages(client) == 1
    client.session.cookie_jar.clear()
    status, second = await fetch(client, PRODUCT)
    assert status == 200
    assert drawn_pages(client) == 1  # reused, not drawn again
    first_token, second_token = CSRF_RE.search(first), CSRF_RE.search(second)
    assert first_token and second_token
    assert first_token.group(1) != second_token.group(1)
    assert first.replace(first_token.group(1), "") == second.replace(second_token.group(1), "")

    added = await client.post(
        "/shop/panier",
        data={
            "csrf_token": second_token.group(1),
            "variant_id": str(shop.variants[0].id),
            "quantity": "2",
            "action": "add",
        },
        allow_redirects=False,
    )
    assert added.status == 303
    _, with_cart = await fetch(client, PRODUCT)
    assert '<span class="count">2</span>' in with_cart
    assert '<span class="count">0</span>' in second


async def test_price_stock_name_and_fee_changes_show_at_once(client: Client, shop: Shop) -> None:
    _, before = await fetch(client, PRODUCT)
    assert "(épuisé)" not in before
    await set_stock(shop.store, shop.variants[1].id, 0)
    _, sold_out = await fetch(client, PRODUCT)
    assert "(épuisé)" in sold_out
    variant = await Variant.get(id=shop.variants[1].id)
    variant.price = 5100
    await variant.save()
    _, repriced = await fetch(client, PRODUCT)
    assert "5 100 DA" in plain(repriced)
    product = await Product.get(store_id=shop.store.id)
    product.name = "Robe kabyle brodée"
    await product.save()
    _, renamed = await fetch(client, PRODUCT)
    assert "Robe kabyle brodée" in renamed
    await setup.set_fees(shop.store, {16: FeeRow(450, 250)})
    _, fees = await fetch(client, PRODUCT)
    assert '"16": [450, 250]' in fees
    assert '"31"' not in fees
    assert drawn_pages(client) == 1  # one page, drawn again after each change


async def test_a_change_made_by_another_process_shows_within_the_bound(
    client: Client, shop: Shop, db: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fee changed by another process (a second worker, the bot run apart) shows on the
    page within about a second (models.stores.cache), and not before on SQLite."""
    now = [1000.0]
    monkeypatch.setattr(cache, "clock", lambda: now[0])
    _, before = await fetch(client, PRODUCT)
    await other_process_sets_fee(db, shop.store.id, 777)
    if backend == "sqlite":
        _, kept = await fetch(client, PRODUCT)
        # the same page (the stylesheet is linked now: the visitor came before)
        assert main(kept).replace(csrf(kept), "") == main(before).replace(csrf(before), "")
        now[0] += cache.POLL_EVERY
    for _ in range(100):  # PostgreSQL: the notification arrives on its own
        _, fresh = await fetch(client, PRODUCT)
        if '"16": [777,' in fresh:
            break
        await asyncio.sleep(0.05)
    assert '"16": [777,' in fresh


async def test_a_page_in_another_language_is_drawn_apart(client: Client, shop: Shop) -> None:
    _, french = await fetch(client, PRODUCT)
    _, arabic = await fetch(client, f"{PRODUCT}?lang=ar")
    assert 'lang="fr"' in french
    assert 'lang="ar" dir="rtl"' in arabic
    assert drawn_pages(client) == 2
