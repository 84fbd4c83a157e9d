"""POST /v1/orders/{number}/dispatch over HTTP, against the fake Yalidine: 202 then shipped
once the courier channel ran, 200 for the manual courier, and every refusal with its status
and nothing changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order
from models.orders.transitions import get_order
from models.shipping.tables import Shipment
from shipping.pool import CourierPool
from shipping.service import CourierDispatch
from tests.couriers.fake_yalidine import FakeYalidine
from tests.factories import Shop, make_shop
from tests.shipping.support import (
    YALIDINE_CREDENTIALS,
    FakeBuilder,
    account,
    confirmed_order,
    courier_relay,
    sealer,
)
from tests.webstore.api_support import bearer, place, serve
from webstore.config import WebConfig


@pytest.fixture
async def yalidine() -> AsyncIterator[FakeYalidine]:
    fake = FakeYalidine()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def client(db: str, yalidine: FakeYalidine) -> AsyncIterator[TestClient[Any, Any]]:
    dispatcher = CourierDispatch(sealer(), FakeBuilder(yalidine))
    async with serve(WebConfig(secret_key="test", dispatcher=dispatcher)) as client:
        yield client


async def post(
    client: TestClient[Any, Any], shop: Shop, number: int, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    resp = await client.post(
        f"/v1/orders/{number}/dispatch", json=body, headers=bearer(shop.api_key)
    )
    return resp.status, dict(await resp.json())


async def test_a_courier_account_answers_202_then_the_order_ships_once(
    client: TestClient[Any, Any], yalidine: FakeYalidine
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)

    status, body = await post(client, shop, order.number, {"courier": acc.id})
    assert status == 202
    assert body["status"] == "processing"
    assert body["shipment"] == {
        "courier": "yalidine",
        "account_id": acc.id,
        "state": "requested",
        "tracking": None,
        "stopdesk_id": None,
        "fee": None,
        "has_label": False,
    }
    assert "dispatch_requested" in [e["type"] for e in body["timeline"]]

    pool = CourierPool(sealer(), FakeBuilder(yalidine))
    assert await courier_relay(pool).run_once() == 1
    await pool.aclose()
    [parcel] = yalidine.parcels.values()
    resp = await client.get(f"/v1/orders/{order.number}", headers=bearer(shop.api_key))
    shipped = await resp.json()
    assert shipped["status"] == "shipped"
    assert parcel["tracking"] in [e["note"] for e in shipped["timeline"]]

    status, again = await post(client, shop, order.number, {"courier": "yalidine"})
    assert (status, again["error"]["code"]) == (409, "illegal_transition")
    assert len(yalidine.parcels) == 1


async def test_a_courier_named_by_its_name_and_a_desk_order_needs_its_desk(
    client: TestClient[Any, Any], yalidine: FakeYalidine
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop, delivery_type="desk")
    await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)

    status, body = await post(client, shop, order.number, {"courier": "yalidine"})
    assert status == 422
    assert body["error"]["fields"] == {"stopdesk_id": "required"}
    assert (await get_order(shop.store, order.number)).status is OrderStatus.CONFIRMED

    status, body = await post(
        client, shop, order.number, {"courier": "yalidine", "stopdesk_id": 163001}
    )
    assert status == 202 and body["shipment"]["stopdesk_id"] == "163001"


async def test_the_manual_courier_ships_at_once_with_a_valid_tracking_number(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)

    status, body = await post(client, shop, order.number, {"courier": "manual"})
    assert (status, body["error"]["fields"]) == (422, {"tracking": "required"})
    status, body = await post(
        client, shop, order.number, {"courier": "manual", "tracking": "no spaces!"}
    )
    assert (status, body["error"]["fields"]) == (422, {"tracking": "invalid"})
    assert (await get_order(shop.store, order.number)).status is OrderStatus.CONFIRMED

    status, body = await post(
        client, shop, order.number, {"courier": "manual", "tracking": "ZR-778899"}
    )
    assert status == 200 and body["status"] == "shipped"
    assert body["shipment"]["tracking"] == "ZR-778899" and body["shipment"]["state"] == "created"


async def test_refusals_change_nothing(
    client: TestClient[Any, Any], yalidine: FakeYalidine
) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)
    pending = await place(shop, 7)
    acc = await account(shop.store, "yalidine", yalidine.base_url, YALIDINE_CREDENTIALS)
    cases = [
        (order.number, {"courier": acc.id + 100}, 404, "not_found"),
        (order.number, {"courier": "maystro"}, 404, "not_found"),
        (999999, {"courier": acc.id}, 404, "not_found"),
        (pending.number, {"courier": acc.id}, 409, "illegal_transition"),
        (order.number, {"courier": acc.id, "expected_version": 1}, 409, "conflict"),
        (order.number, {"courier": acc.id, "tracking": "ZR-1234"}, 422, "invalid_input"),
        (order.number, {"courier": ""}, 422, "invalid_request"),
        (order.number, {"courier": acc.id, "desk": "1"}, 422, "invalid_request"),
    ]
    for number, body, status, code in cases:
        got, answer = await post(client, shop, number, body)
        assert (got, answer["error"]["code"]) == (status, code), body
    assert not await Shipment.exists()
    assert (await Order.get(id=order.id)).status == "confirmed"


async def test_without_a_dispatcher_accounts_are_unavailable_but_manual_works(db: str) -> None:
    shop = await make_shop()
    order = await confirmed_order(shop)
    async with serve() as client:
        status, body = await post(client, shop, order.number, {"courier": "yalidine"})
        assert (status, body["error"]["code"]) == (503, "unavailable")
        status, _ = await post(
            client, shop, order.number, {"courier": "manual", "tracking": "A1B2C3"}
        )
        assert status == 200


async def test_the_operation_is_in_the_openapi_document(client: TestClient[Any, Any]) -> None:
    resp = await client.get("/v1/openapi.json")
    operation = (await resp.json())["paths"]["/v1/orders/{number}/dispatch"]["post"]
    assert operation["operationId"] == "dispatchOrder"
    assert {"200", "202", "404", "409", "422"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/DispatchRequest")
