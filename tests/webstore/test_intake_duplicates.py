"""The public intake and someone else's order: a duplicate under a new Idempotency-Key
learns only that the order exists (no number, status or total), binds nothing, and takes
no order number; concurrent replays and duplicates leave the numbers without a gap."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.orders.tables import IdempotencyKey, Order, OrderEvent
from models.outbox.tables import OutboxMessage
from models.stores.tables import Store
from tests.factories import make_shop
from tests.webstore.api_support import intake_body, phone, serve
from webstore.config import WebConfig

URL = "/v1/stores/shop/orders"


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve(WebConfig(secret_key="test", checkout_ip_limit=10_000)) as client:
        yield client


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_duplicate_under_a_new_key_tells_nothing_of_the_order(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    shop = await make_shop()
    body = intake_body(shop.variants[1].id, 2)
    first = await client.post(URL, json=body, headers={"Idempotency-Key": "customer-1"})
    assert first.status == 201
    written = (await OrderEvent.all().count(), await OutboxMessage.all().count())

    other = await client.post(URL, json=body, headers={"Idempotency-Key": "someone-else"})
    assert other.status == 409
    answer = await other.json()
    assert set(answer) == {"error"} and set(answer["error"]) == {"code", "message"}
    assert answer["error"]["code"] == "duplicate_order"
    text = await other.text()
    assert "1001" not in text and "10000" not in text and "pending" not in text
    assert "Idempotent-Replayed" not in other.headers

    # The key was not bound to the order: replaying it says the same, and tells no more.
    again = await client.post(URL, json=body, headers={"Idempotency-Key": "someone-else"})
    assert again.status == 409 and (await again.json())["error"]["code"] == "duplicate_order"
    assert await IdempotencyKey.filter(key="someone-else").count() == 0
    assert await Order.all().count() == 1
    assert (await OrderEvent.all().count(), await OutboxMessage.all().count()) == written
    assert (await Store.get(id=shop.store.id)).last_order_number == 1001

    # The customer's own key still replays their order.
    mine = await client.post(URL, json=body, headers={"Idempotency-Key": "customer-1"})
    assert mine.status == 200 and (await mine.json())["number"] == 1001
    no_traceback(caplog)


async def test_concurrent_replays_and_duplicates_take_no_order_number(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    shop = await make_shop(stock=100)

    async def send(i: int) -> int:
        body = intake_body(shop.variants[0].id)
        body["customer"]["phone"] = phone(i % 5)  # five customers
        key = f"k-{i % 10}"  # each key replayed; two keys per customer (one a duplicate)
        resp = await client.post(URL, json=body, headers={"Idempotency-Key": key})
        return resp.status

    statuses = Counter(await asyncio.gather(*(send(i) for i in range(60))))
    assert statuses[201] == 5 and set(statuses) <= {200, 201, 409}
    numbers = sorted(await Order.filter(store_id=shop.store.id).values_list("number", flat=True))
    assert numbers == [1001, 1002, 1003, 1004, 1005]
    assert (await Store.get(id=shop.store.id)).last_order_number == 1005
    # one key per created order; the duplicates' keys are bound to nothing
    assert await IdempotencyKey.all().count() == 5

    newcomer = intake_body(shop.variants[0].id)
    newcomer["customer"]["phone"] = phone(9)
    after = await client.post(URL, json=newcomer, headers={"Idempotency-Key": "next"})
    assert after.status == 201 and (await after.json())["number"] == 1006
    no_traceback(caplog)
