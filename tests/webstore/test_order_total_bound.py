"""An order's total is bounded where it is checked (the intake names the field, the
storefront says so in the customer's language), and money columns hold 64-bit amounts, so
no total is ever a 500 on PostgreSQL."""

from __future__ import annotations

import logging

import pytest

from models.catalog.tables import Variant
from models.orders.checkout import MAX_ORDER_TOTAL
from models.orders.tables import IdempotencyKey, Order, OrderEvent
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store
from tests.factories import Shop, make_shop
from tests.webstore.api_support import intake_body, place, serve
from tests.webstore.test_storefront import Client, client, fetch, plain, quick_order, shop

__all__ = ["client", "shop"]  # fixtures

TOO_MUCH = 11  # × 10 000 000 DA: over MAX_ORDER_TOTAL


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def nothing_written() -> None:
    assert await Order.all().count() == 0
    assert await OrderEvent.all().count() == 0
    assert await OutboxMessage.all().count() == 0
    assert await IdempotencyKey.all().count() == 0
    assert {s.last_order_number for s in await Store.all()} == {1000}


async def test_the_intake_refuses_a_total_over_the_bound_naming_the_field(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    shop = await make_shop()
    priciest = shop.variants[0]
    await Variant.filter(store_id=shop.store.id).update(price=10_000_000)
    body = intake_body(priciest.id, TOO_MUCH)
    async with serve() as client:
        resp = await client.post(
            "/v1/stores/shop/orders", json=body, headers={"Idempotency-Key": "big-1"}
        )
        error = (await resp.json())["error"]
        # every variant at the most quantity and price validation allows each
        body["items"] = [{"variant_id": v.id, "quantity": 99} for v in shop.variants]
        largest = await client.post(
            "/v1/stores/shop/orders", json=body, headers={"Idempotency-Key": "big-2"}
        )
    assert resp.status == 422
    assert (error["code"], error["fields"]) == ("invalid_order", {"items": "total_too_high"})
    assert largest.status == 422, await largest.text()
    await nothing_written()
    no_traceback(caplog)


async def test_a_total_at_the_bound_is_taken(db: str) -> None:
    shop = await make_shop()
    fee = 400  # home delivery to Alger
    await Variant.filter(id=shop.variants[0].id).update(price=(MAX_ORDER_TOTAL - fee) // 2)
    order = await place(shop, quantity=2)
    assert order.total == MAX_ORDER_TOTAL


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Cette commande dépasse le montant que la boutique peut accepter en ligne."),
        ("ar", "قيمة هذا الطلب تتجاوز ما يمكن للمتجر قبوله عبر الإنترنت."),
        ("en", "This order comes to more than the shop can take online."),
    ],
)
async def test_the_storefront_says_so_in_the_customers_language(
    client: Client, shop: Shop, caplog: pytest.LogCaptureFixture, lang: str, message: str
) -> None:
    await Variant.filter(id=shop.variants[0].id).update(price=10_000_000)
    await fetch(client, f"/shop/?lang={lang}")
    response = await quick_order(client, shop, quantity=str(TOO_MUCH))
    assert response.status == 422
    assert message in plain(await response.text())
    await nothing_written()
    no_traceback(caplog)


async def test_money_columns_hold_amounts_past_32_bits(db: str) -> None:
    shop = await make_shop()
    order = await place(shop)
    huge = 3 * 2**31  # more than a 32-bit column holds
    await Order.filter(id=order.id).update(subtotal=huge, total=huge + 400)
    await Variant.filter(id=shop.variants[0].id).update(price=huge)
    assert (await Order.get(id=order.id)).total == huge + 400
    assert (await Variant.get(id=shop.variants[0].id)).price == huge
