"""GET /v1/orders, GET /v1/orders/{number}, POST /v1/orders/{number}/transitions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.catalog.tables import Variant
from models.orders.lifecycle import OrderStatus, allowed_targets
from models.orders.tables import Order, OrderEvent
from tests.factories import make_shop
from tests.webstore.api_support import bearer, place, serve
from webstore.api_paging import encode_cursor


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


async def test_list_is_newest_first_and_the_cursor_walks_every_order_once(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    placed = [(await place(shop, i)).number for i in range(5)]
    seen: list[int] = []
    cursor: str | None = None
    for _ in range(3):
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        resp = await client.get("/v1/orders", params=params, headers=bearer(shop.api_key))
        assert resp.status == 200
        page = await resp.json()
        seen += [o["number"] for o in page["data"]]
        cursor = page["next_cursor"]
    assert seen == placed[::-1]
    assert cursor is None
    first = page["data"][0]
    assert first["lines"][0]["sku"] == shop.variants[0].sku
    assert first["amounts"] == {
        "subtotal": 4500,
        "delivery_fee": 400,
        "discount": 0,
        "total": 4900,
        "currency": "DZD",
    }


async def test_filters_by_status_phone_in_any_typed_form_and_since(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    first, second = await place(shop, 1), await place(shop, 2)
    await client.post(
        f"/v1/orders/{second.number}/transitions",
        json={"to": "confirmed"},
        headers=bearer(shop.api_key),
    )

    async def numbers(**params: str) -> list[int]:
        resp = await client.get("/v1/orders", params=params, headers=bearer(shop.api_key))
        assert resp.status == 200, await resp.text()
        return [o["number"] for o in (await resp.json())["data"]]

    assert await numbers(status="confirmed") == [second.number]
    assert await numbers(status="pending") == [first.number]
    for typed in ("0661 00 00 01", "+213661000001", "00213 661 000 001", "٠٦٦١٠٠٠٠٠١"):
        assert await numbers(phone=typed) == [first.number]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    earlier = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    assert await numbers(since=later) == []
    assert await numbers(since=earlier) == [second.number, first.number]
    # A `+01:00` offset typed unencoded in a URL arrives as a space.
    raw = f"/v1/orders?since={(datetime.now(UTC) + timedelta(hours=3)):%Y-%m-%dT%H:%M:%S}+01:00"
    resp = await client.get(raw, headers=bearer(shop.api_key))
    assert (await resp.json())["data"] == []


@pytest.mark.parametrize(
    ("params", "code", "mentions"),
    [
        ({"status": "lost"}, "invalid_parameter", "status"),
        ({"status": "pending,,lost"}, "invalid_parameter", "status"),
        ({"limit": "0"}, "invalid_parameter", "limit"),
        ({"limit": "lots"}, "invalid_parameter", "limit"),
        ({"limit": "101"}, "invalid_parameter", "limit"),
        ({"since": "yesterday"}, "invalid_parameter", "ISO 8601"),
        ({"until": "0001-01-01T00:00:00+01:00"}, "invalid_parameter", "ISO 8601"),
        ({"wilaya": "70"}, "invalid_parameter", "wilaya"),
        ({"courier": "ya lidine"}, "invalid_parameter", "courier"),
        ({"cursor": "abc"}, "invalid_cursor", "cursor"),
        ({"cursor": "1001"}, "invalid_cursor", "cursor"),
        ({"cursor": encode_cursor("orders", 99999999999)}, "invalid_cursor", "cursor"),
        ({"cursor": encode_cursor("products", 5)}, "invalid_cursor", "cursor"),
        ({"cursor": "é"}, "invalid_cursor", "cursor"),
        ({"phone": "12345"}, "invalid_parameter", "phone"),
        ({"stauts": "pending"}, "invalid_parameter", "stauts"),
    ],
)
async def test_bad_query_parameters_are_a_400_that_names_them(
    client: TestClient[Any, Any], params: dict[str, str], code: str, mentions: str
) -> None:
    shop = await make_shop()
    resp = await client.get("/v1/orders", params=params, headers=bearer(shop.api_key))
    assert resp.status == 400
    error = (await resp.json())["error"]
    assert error["code"] == code and mentions in error["message"]
    assert mentions in error["fields"] or mentions == "ISO 8601"


async def test_several_statuses_wilaya_courier_and_a_creation_window(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    pending, confirmed, cancelled = [await place(shop, i) for i in range(3)]
    auth = bearer(shop.api_key)
    placed = datetime.now(UTC)
    for order, to in ((confirmed, "confirmed"), (cancelled, "cancelled")):
        url = f"/v1/orders/{order.number}/transitions"
        assert (await client.post(url, json={"to": to}, headers=auth)).status == 200
    oran = await place(shop, 9)
    await Order.filter(id=oran.id).update(wilaya_code=31, courier="yalidine")

    async def numbers(**params: str) -> list[int]:
        resp = await client.get("/v1/orders", params=params, headers=auth)
        assert resp.status == 200, await resp.text()
        return [o["number"] for o in (await resp.json())["data"]]

    assert await numbers(status="confirmed,cancelled") == [cancelled.number, confirmed.number]
    assert await numbers(status="pending", wilaya="16") == [pending.number]
    assert await numbers(wilaya="31") == await numbers(courier="Yalidine") == [oran.number]
    now = datetime.now(UTC)
    assert await numbers(until=(now - timedelta(hours=1)).isoformat()) == []
    assert len(await numbers(until=(now + timedelta(hours=1)).isoformat())) == 4
    changed = await numbers(updated_since=placed.isoformat())
    assert changed == [oran.number, cancelled.number, confirmed.number]
    assert await numbers(updated_since=(now + timedelta(minutes=5)).isoformat()) == []


async def test_one_order_has_lines_customer_shipping_and_a_contract_timeline(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    order = await place(shop, 7, variant=1, quantity=2)
    await client.post(
        f"/v1/orders/{order.number}/transitions",
        json={"to": "confirmed", "note": "called, OK"},
        headers=bearer(shop.api_key),
    )
    resp = await client.get(f"/v1/orders/{order.number}", headers=bearer(shop.api_key))
    assert resp.status == 200
    body = await resp.json()
    assert (body["number"], body["status"], body["version"]) == (order.number, "confirmed", 2)
    assert body["customer"] | {"history": None} == {
        "name": "Amina Benali",
        "phone": "+213661000007",
        "phone_national": "0661 00 00 07",
        "phone2": "",
        "risk": "new",
        "blacklisted": False,
        "history": None,  # the customer's other orders: tests/webstore/test_api_customers.py
    }
    assert (
        body["shipping"]["wilaya"]["code"] == 16 and body["shipping"]["commune"]["code"] == "1601"
    )
    assert body["shipping"]["delivery_type"] == "home"
    assert body["lines"] == [
        {
            "variant_id": shop.variants[1].id,
            "sku": shop.variants[1].sku,
            "product_name": "Robe kabyle",
            "variant_label": "Taille: L",
            "unit_price": 4800,
            "quantity": 2,
            "line_total": 9600,
        }
    ]
    created, confirmed = body["timeline"]
    assert set(created) == {"at", "type", "from_status", "to_status", "actor", "note", "data"}
    assert (created["type"], created["to_status"], created["actor"]["kind"]) == (
        "created",
        "pending",
        "customer",
    )
    assert (confirmed["from_status"], confirmed["to_status"], confirmed["note"]) == (
        "pending",
        "confirmed",
        "called, OK",
    )
    assert confirmed["actor"]["kind"] == "api" and confirmed["actor"]["name"] == "API"
    assert datetime.fromisoformat(created["at"]) <= datetime.fromisoformat(confirmed["at"])


async def test_confirm_commits_stock_and_cancel_gives_it_back(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop(stock=5)
    order = await place(shop, quantity=3)
    url, auth = f"/v1/orders/{order.number}/transitions", bearer(shop.api_key)
    resp = await client.post(url, json={"to": "confirmed"}, headers=auth)
    assert resp.status == 200 and (await resp.json())["status"] == "confirmed"
    assert (await Variant.get(id=shop.variants[0].id)).stock == 2
    resp = await client.post(url, json={"to": "cancelled", "note": "changed mind"}, headers=auth)
    assert resp.status == 200 and (await resp.json())["version"] == 3
    assert (await Variant.get(id=shop.variants[0].id)).stock == 5


async def test_an_illegal_transition_is_a_409_that_says_what_is_allowed(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    order = await place(shop)
    resp = await client.post(
        f"/v1/orders/{order.number}/transitions",
        json={"to": "delivered"},
        headers=bearer(shop.api_key),
    )
    assert resp.status == 409
    error = (await resp.json())["error"]
    assert error["code"] == "illegal_transition"
    assert error["details"] == {"status": "pending", "allowed": ["confirmed", "cancelled"]}
    assert (await Order.get(id=order.id)).status == "pending"


async def test_short_stock_is_a_422_naming_the_variant_and_changes_nothing(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop(stock=1)
    order = await place(shop, variant=1, quantity=3)
    resp = await client.post(
        f"/v1/orders/{order.number}/transitions",
        json={"to": "confirmed"},
        headers=bearer(shop.api_key),
    )
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert error["code"] == "insufficient_stock"
    assert error["details"]["shortages"] == [
        {
            "variant_id": shop.variants[1].id,
            "sku": shop.variants[1].sku,
            "label": "Robe kabyle (Taille: L)",
            "wanted": 3,
            "available": 1,
        }
    ]
    fresh = await Order.get(id=order.id)
    assert (fresh.status, fresh.version) == ("pending", 1)
    assert (await Variant.get(id=shop.variants[1].id)).stock == 1
    assert await OrderEvent.filter(order_id=order.id).count() == 1


async def test_a_stale_expected_version_is_a_conflict(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    order = await place(shop)
    url, auth = f"/v1/orders/{order.number}/transitions", bearer(shop.api_key)
    assert (
        await client.post(url, json={"to": "confirmed", "expected_version": 1}, headers=auth)
    ).status == 200
    resp = await client.post(url, json={"to": "cancelled", "expected_version": 1}, headers=auth)
    assert resp.status == 409
    error = (await resp.json())["error"]
    assert error["code"] == "conflict" and error["details"]["status"] == "confirmed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "teleported"}, "to"),
        ({}, "to"),
        ({"to": "confirmed", "note": 5}, "note"),
        ({"to": "confirmed", "by": "me"}, "by"),
        ({"to": "confirmed", "note": "x" * 1001}, "note"),
        ({"to": "confirmed", "note": "nul\x00"}, "note"),
    ],
)
async def test_a_bad_transition_body_is_a_422_naming_the_field(
    client: TestClient[Any, Any], body: dict[str, Any], field: str
) -> None:
    shop = await make_shop()
    order = await place(shop)
    resp = await client.post(
        f"/v1/orders/{order.number}/transitions", json=body, headers=bearer(shop.api_key)
    )
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert error["code"] == "invalid_request" and field in error["fields"]
    assert (await Order.get(id=order.id)).status == "pending"


async def test_another_stores_order_is_not_found_like_a_missing_one(
    client: TestClient[Any, Any],
) -> None:
    mine, theirs = await make_shop("mine"), await make_shop("theirs")
    their_order = await place(theirs)
    auth = bearer(mine.api_key)
    resp = await client.get(f"/v1/orders/{their_order.number}", headers=auth)
    missing = await client.get("/v1/orders/4242", headers=auth)
    assert resp.status == missing.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"
    resp = await client.post(
        f"/v1/orders/{their_order.number}/transitions", json={"to": "cancelled"}, headers=auth
    )
    assert resp.status == 404
    assert (await Order.get(id=their_order.id)).status == "pending"
    listed = await client.get("/v1/orders", headers=auth)
    assert (await listed.json())["data"] == []


async def test_the_reference_lists_the_moves_of_the_lifecycle_table(
    client: TestClient[Any, Any],
) -> None:
    document = await (await client.get("/v1/openapi.json")).json()
    described = document["paths"]["/v1/orders/{number}/transitions"]["post"]["description"]
    for status in OrderStatus:
        targets = allowed_targets(status)
        move = f"`{status}` → " + ", ".join(f"`{to}`" for to in targets)
        assert (move in described) is bool(targets)
    assert "`shipped` → `delivered`, `cancelled`, `returned`" in described
