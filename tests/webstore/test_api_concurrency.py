"""Real concurrent HTTP requests: one winner per order, stock moved once and never below
zero, and distinct numbers for concurrent intakes."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from models.catalog.tables import Variant
from models.orders.tables import Order, OrderEvent
from tests.factories import make_shop
from tests.webstore.api_support import bearer, intake_body, phone, place, serve
from webstore.config import WebConfig


async def test_fifty_concurrent_confirmations_of_one_order_have_one_winner(db: str) -> None:
    shop = await make_shop(stock=10)
    order = await place(shop, quantity=2)
    async with serve() as client:

        async def confirm() -> tuple[int, str]:
            resp = await client.post(
                f"/v1/orders/{order.number}/transitions",
                json={"to": "confirmed"},
                headers=bearer(shop.api_key),
            )
            body = await resp.json()
            return resp.status, body.get("error", {}).get("code", "")

        results = await asyncio.gather(*(confirm() for _ in range(50)))
    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 1, 409: 49}
    assert {code for status, code in results if status == 409} <= {"conflict", "illegal_transition"}
    assert (await Variant.get(id=shop.variants[0].id)).stock == 8
    changes = await OrderEvent.filter(order_id=order.id, type="status_changed").count()
    assert changes == 1
    assert (await Order.get(id=order.id)).version == 2


async def test_concurrent_confirmations_competing_for_the_last_units(db: str) -> None:
    initial = 5
    shop = await make_shop(stock=initial)
    orders = [await place(shop, i, quantity=2) for i in range(8)]
    async with serve() as client:

        async def confirm(number: int) -> tuple[int, Any]:
            resp = await client.post(
                f"/v1/orders/{number}/transitions",
                json={"to": "confirmed"},
                headers=bearer(shop.api_key),
            )
            return resp.status, await resp.json()

        results = await asyncio.gather(*(confirm(o.number) for o in orders))
    winners = [body for status, body in results if status == 200]
    losers = [body["error"] for status, body in results if status != 200]
    assert len(winners) == initial // 2
    assert {e["code"] for e in losers} == {"insufficient_stock"}
    stock = (await Variant.get(id=shop.variants[0].id)).stock
    assert stock == initial - 2 * len(winners) >= 0
    confirmed = await Order.filter(store_id=shop.store.id, status="confirmed").count()
    assert confirmed == len(winners)


async def test_a_hundred_concurrent_intakes_get_a_hundred_distinct_numbers(db: str) -> None:
    shop = await make_shop()
    config = WebConfig(secret_key="test", checkout_ip_limit=1000)
    async with serve(config) as client:

        async def order(i: int) -> tuple[int, Any]:
            body = intake_body(shop.variants[0].id)
            body["customer"]["phone"] = phone(i)
            resp = await client.post(
                "/v1/stores/shop/orders", json=body, headers={"Idempotency-Key": f"landing-{i}"}
            )
            return resp.status, await resp.json()

        results = await asyncio.gather(*(order(i) for i in range(100)))
    assert Counter(status for status, _ in results) == {201: 100}
    numbers = {body["number"] for _, body in results}
    assert len(numbers) == 100
    stored = await Order.filter(store_id=shop.store.id).values_list("number", flat=True)
    assert set(stored) == numbers


async def test_concurrent_replays_of_one_key_make_one_order(db: str) -> None:
    shop = await make_shop()
    async with serve() as client:

        async def order() -> tuple[int, Any]:
            resp = await client.post(
                "/v1/stores/shop/orders",
                json=intake_body(shop.variants[0].id),
                headers={"Idempotency-Key": "one-key"},
            )
            return resp.status, await resp.json()

        results = await asyncio.gather(*(order() for _ in range(10)))
    assert Counter(status for status, _ in results) == {201: 1, 200: 9}
    assert len({body["number"] for _, body in results}) == 1
    assert await Order.filter(store_id=shop.store.id).count() == 1
