"""PATCH /v1/orders/{number}: the edit on the call over the API, with its version."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.catalog.tables import Variant
from models.orders import transitions
from models.orders.lifecycle import OrderStatus
from models.orders.tables import Order, OrderEvent
from models.orders.timeline import Actor
from tests.factories import make_shop
from tests.webstore.api_support import bearer, place, serve

OWNER = Actor("owner", "1", "Nadia")


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


async def _patch(
    client: TestClient[Any, Any], key: str, number: int, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    resp = await client.patch(f"/v1/orders/{number}", json=body, headers=bearer(key))
    return resp.status, await resp.json()


async def test_patch_changes_the_variant_and_the_delivery_type_of_a_confirmed_order(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop(stock=5)
    order = await transitions.transition_order(
        shop.store, (await place(shop, 1)).number, OrderStatus.CONFIRMED, OWNER
    )
    body = {
        "version": order.version,
        "lines": [{"variant_id": shop.variants[1].id, "quantity": 1}],
        "delivery_type": "desk",
        "phone2": "0661 22 33 44",
        "call_note": "Livrer au bureau de Hussein Dey",
    }
    status, answer = await _patch(client, shop.api_key, order.number, body)
    assert status == 200, answer
    edited = answer["order"]
    assert edited["version"] == order.version + 1
    assert edited["amounts"] | {"currency": None} == {
        "subtotal": 4800,
        "delivery_fee": 250,
        "discount": 0,
        "total": 5050,
        "currency": None,
    }
    assert edited["customer"]["phone2"] == "+213661223344"
    assert edited["call_note"] == "Livrer au bureau de Hussein Dey"
    assert answer["changes"]["delivery_type"] == {"before": "home", "after": "desk"}
    assert answer["warning"] is None
    assert edited["timeline"][-1]["type"] == "edited"
    assert edited["timeline"][-1]["actor"]["kind"] == "api"
    stock = [(await Variant.get(id=v.id)).stock for v in shop.variants]
    assert stock == [5, 4]


async def test_patch_refusals(client: TestClient[Any, Any]) -> None:
    shop = await make_shop(stock=2)
    order = await transitions.transition_order(
        shop.store, (await place(shop, 1)).number, OrderStatus.CONFIRMED, OWNER
    )
    key, number, version = shop.api_key, order.number, order.version

    status, answer = await _patch(client, key, number, {"version": version - 1, "name": "Amina"})
    assert (status, answer["error"]["code"]) == (409, "conflict")
    assert answer["error"]["details"]["changed_by"] == "Nadia"

    lines = [{"variant_id": shop.variants[1].id, "quantity": 3}]
    status, answer = await _patch(client, key, number, {"version": version, "lines": lines})
    assert (status, answer["error"]["code"]) == (422, "insufficient_stock")
    [short] = answer["error"]["details"]["shortages"]
    assert (short["label"], short["wanted"], short["available"]) == (
        "Robe kabyle (Taille: L)",
        3,
        2,
    )

    for bad, field in (
        ({"wilaya": "31", "commune": "3101", "delivery_type": "desk"}, "delivery_type"),
        ({"commune": "3101"}, "commune"),
        ({"phone2": "123"}, "phone2"),
        ({"discount": 100}, "price_reason"),
        ({"lines": []}, "lines"),
    ):
        status, answer = await _patch(client, key, number, {"version": version, **bad})
        assert (status, answer["error"]["code"]) == (422, "invalid_request"), bad
        assert field in answer["error"]["fields"], answer

    # Unknown keys and a missing version are refused by the body's schema.
    status, answer = await _patch(client, key, number, {"version": version, "colour": "red"})
    assert status == 422 and "colour" in answer["error"]["fields"]
    status, answer = await _patch(client, key, number, {"name": "Amina"})
    assert status == 422 and "version" in answer["error"]["fields"]

    fresh = await Order.get(id=order.id)
    assert fresh.version == version and not await OrderEvent.filter(type="edited").exists()

    shipped = version
    for target in (OrderStatus.PROCESSING, OrderStatus.SHIPPED):
        shipped = (await transitions.transition_order(shop.store, number, target, OWNER)).version
    status, answer = await _patch(client, key, number, {"version": shipped, "name": "Amina B"})
    assert (status, answer["error"]["code"]) == (409, "illegal_transition")

    status, answer = await _patch(client, key, 99999, {"version": 1, "name": "Amina B"})
    assert status == 404


async def test_a_processing_order_is_edited_with_a_warning_and_the_owner_sets_prices(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    order = await transitions.transition_order(
        shop.store, (await place(shop, 1)).number, OrderStatus.CONFIRMED, OWNER
    )
    order = await transitions.transition_order(
        shop.store, order.number, OrderStatus.PROCESSING, OWNER
    )
    body = {"version": order.version, "discount": 400, "price_reason": "geste commercial"}
    status, answer = await _patch(client, shop.api_key, order.number, body)
    assert status == 200 and answer["warning"] == "processing"
    assert answer["order"]["amounts"]["total"] == 4500 + 400 - 400
    assert answer["order"]["timeline"][-1]["note"] == "geste commercial"


async def test_two_concurrent_patches_of_one_version_one_wins(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop(stock=10)
    order = await transitions.transition_order(
        shop.store, (await place(shop, 1)).number, OrderStatus.CONFIRMED, OWNER
    )

    async def patch(qty: int) -> int:
        lines = [{"variant_id": shop.variants[1].id, "quantity": qty}]
        body = {"version": order.version, "lines": lines}
        return (await _patch(client, shop.api_key, order.number, body))[0]

    statuses = await asyncio.gather(*(patch(q) for q in range(1, 7)))
    assert sorted(statuses) == [200, 409, 409, 409, 409, 409]
    fresh = await Order.get(id=order.id)
    taken = 10 - (await Variant.get(id=shop.variants[1].id)).stock
    assert (
        fresh.subtotal == 4800 * taken and (await Variant.get(id=shop.variants[0].id)).stock == 10
    )


async def test_the_document_describes_the_edit(client: TestClient[Any, Any]) -> None:
    doc = await (await client.get("/v1/openapi.json")).json()
    operation = doc["paths"]["/v1/orders/{number}"]["patch"]
    assert operation["operationId"] == "editOrder"
    assert {"200", "404", "409", "422"} <= set(operation["responses"])
    schema = doc["components"]["schemas"]["OrderEditRequest"]
    assert "version" in schema["required"] and "lines" in schema["properties"]
    events = doc["components"]["schemas"]
    assert any("order.updated" in str(s) for s in events.values())
