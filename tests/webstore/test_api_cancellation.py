"""Cancelling over the API says why; the order then shows who cancelled, when and why;
a duplicate call links another customer's order only on purpose."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.customers.tables import Customer
from models.orders.tables import Order
from tests.factories import make_shop
from tests.webstore.api_support import bearer, place, serve


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


async def test_a_cancellation_with_a_reason_shows_on_the_order_and_its_timeline(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    order = await place(shop, 1)
    resp = await client.post(
        f"/v1/orders/{order.number}/transitions",
        json={"to": "cancelled", "reason": "out_of_stock", "note": "plus de taille M"},
        headers=bearer(shop.api_key),
    )
    assert resp.status == 200
    body = await resp.json()
    cancellation = body["cancellation"]
    assert (cancellation["reason"], cancellation["note"], cancellation["by"]) == (
        "out_of_stock",
        "plus de taille M",
        "API",
    )
    assert cancellation["at"]
    last = body["timeline"][-1]
    assert (last["to_status"], last["data"]["reason"], last["note"]) == (
        "cancelled",
        "out_of_stock",
        "plus de taille M",
    )


async def test_fake_blocks_the_number_and_an_old_client_without_reason_still_cancels(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    fake, plain = await place(shop, 1), await place(shop, 2)
    url = "/v1/orders/{}/transitions"
    resp = await client.post(
        url.format(fake.number),
        json={"to": "cancelled", "reason": "fake"},
        headers=bearer(shop.api_key),
    )
    assert resp.status == 200
    assert (await Customer.get(id=fake.customer_id)).blacklisted
    resp = await client.post(
        url.format(plain.number), json={"to": "cancelled"}, headers=bearer(shop.api_key)
    )
    assert resp.status == 200
    cancellation = (await resp.json())["cancellation"]
    assert (cancellation["reason"], cancellation["by"]) == (None, "API")


@pytest.mark.parametrize(
    "body",
    [
        {"to": "cancelled", "reason": "changed_mind"},
        {"to": "cancelled", "reason": "other"},  # other needs its words
        {"to": "confirmed", "reason": "price"},  # a reason only when cancelling
    ],
)
async def test_a_bad_reason_is_a_422_and_changes_nothing(
    client: TestClient[Any, Any], body: dict[str, Any]
) -> None:
    shop = await make_shop()
    order = await place(shop, 1)
    resp = await client.post(
        f"/v1/orders/{order.number}/transitions", json=body, headers=bearer(shop.api_key)
    )
    assert resp.status == 422
    assert (await Order.get(id=order.id)).status == "pending"


async def test_a_duplicate_of_another_customer_s_order_needs_other_customer(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    kept, twin = await place(shop, 1), await place(shop, 2)  # two phones
    url = f"/v1/orders/{twin.number}/calls"
    body: dict[str, Any] = {"outcome": "duplicate", "duplicate_of": kept.number}
    resp = await client.post(url, json=body, headers=bearer(shop.api_key))
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "other_customer"
    assert (await Order.get(id=twin.id)).status == "pending"
    resp = await client.post(
        url, json={**body, "other_customer": True}, headers=bearer(shop.api_key)
    )
    assert resp.status == 201, await resp.text()
    order = (await resp.json())["order"]
    assert (order["status"], order["cancellation"]["reason"]) == ("cancelled", "duplicate")
