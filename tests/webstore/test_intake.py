"""Public order intake: POST /v1/stores/{slug}/orders from landing pages on other sites."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.customers.tables import Customer
from models.orders.tables import IdempotencyKey, Order, OrderEvent
from tests.factories import make_shop
from tests.webstore.api_support import intake_body, serve
from webstore.config import WebConfig

URL = "/v1/stores/shop/orders"


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


def key(value: str = "9b2c7f0e-order-1") -> dict[str, str]:
    return {"Idempotency-Key": value}


async def test_an_order_is_placed_and_answers_201_with_number_and_amounts(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    resp = await client.post(URL, json=intake_body(shop.variants[1].id, 2), headers=key())
    assert resp.status == 201
    assert await resp.json() == {
        "number": 1001,
        "status": "pending",
        "total": 10000,
        "delivery_fee": 400,
    }
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    order = await Order.get(store_id=shop.store.id, number=1001)
    assert (order.source, order.phone, order.commune_code) == ("intake", "+213770112233", "1601")
    event = await OrderEvent.get(order_id=order.id)
    assert (event.type, event.actor_kind, event.actor_name) == (
        "created",
        "customer",
        "Yacine Haddad",
    )


async def test_items_may_name_variants_by_sku_and_codes_may_be_strings(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    body = intake_body(0, wilaya="31", commune=3101)
    body["items"] = [{"sku": shop.variants[0].sku, "quantity": 1}]
    body["customer"]["phone"] = "+213 770 11 22 33"
    resp = await client.post(URL, json=body, headers=key())
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["delivery_fee"] == 600


async def test_replaying_the_same_key_returns_the_same_order_once(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    body = intake_body(shop.variants[0].id)
    first = await client.post(URL, json=body, headers=key())
    # The same JSON written differently (key order, spacing, a code as a string) is the
    # same request.
    same = json.dumps(
        {**body, "shipping": {**body["shipping"], "wilaya": "16"}}, indent=2, sort_keys=True
    )
    again = await client.post(URL, data=same, headers={**key(), "Content-Type": "application/json"})
    assert (first.status, again.status) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await again.json() == await first.json()
    assert await Order.filter(store_id=shop.store.id).count() == 1


async def test_the_same_key_with_another_body_is_a_409_and_creates_nothing(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    await client.post(URL, json=intake_body(shop.variants[0].id), headers=key())
    resp = await client.post(URL, json=intake_body(shop.variants[0].id, 2), headers=key())
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "idempotency_conflict"
    assert await Order.filter(store_id=shop.store.id).count() == 1


async def test_the_same_order_under_a_new_key_is_a_duplicate_not_a_second_order(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    first = await client.post(URL, json=intake_body(shop.variants[0].id), headers=key("a-1"))
    again = await client.post(URL, json=intake_body(shop.variants[0].id), headers=key("a-2"))
    assert (first.status, again.status) == (201, 409)
    assert (await again.json())["error"]["code"] == "duplicate_order"
    assert await Order.filter(store_id=shop.store.id).count() == 1


@pytest.mark.parametrize(
    "headers",
    [{}, key(""), key("k" * 129), key("caf\u00e9"), key("tab\there")],
    ids=["missing", "empty", "129 chars", "non-ascii", "control"],
)
async def test_a_missing_or_bad_idempotency_key_is_a_400(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    shop = await make_shop()
    resp = await client.post(URL, json=intake_body(shop.variants[0].id), headers=headers)
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "invalid_idempotency_key"
    assert await Order.all().count() == 0


def _with(path: str, value: Any) -> Any:
    def change(body: dict[str, Any], variant_id: int) -> None:
        *parents, leaf = path.split(".")
        target: Any = body
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(leaf) if leaf.isdigit() else leaf] = value

    return change


BAD_INPUT = [
    ("empty name", _with("customer.name", ""), 422, "customer.name", "required"),
    ("300-char name", _with("customer.name", "N" * 300), 422, "customer.name", "too_long"),
    ("invalid phone", _with("customer.phone", "0550 12"), 422, "customer.phone", "invalid"),
    ("landline", _with("customer.phone", "021 23 45 67"), 422, "customer.phone", "invalid"),
    ("unknown wilaya", _with("shipping.wilaya", 99), 422, "shipping.wilaya", "unknown"),
    ("unknown commune", _with("shipping.commune", "9999"), 422, "shipping.commune", "unknown"),
    (
        "commune of another wilaya",
        _with("shipping.commune", "3101"),
        422,
        "shipping.commune",
        "other_wilaya",
    ),
    ("quantity 0", _with("items.0.quantity", 0), 422, "items.quantity", "out_of_range"),
    ("quantity 10^9", _with("items.0.quantity", 10**9), 422, "items.quantity", "out_of_range"),
    ("quantity as text", _with("items.0.quantity", "2"), 422, "items.quantity", "invalid"),
    (
        "100 KB address",
        _with("shipping.address", "a" * 100_000),
        422,
        "shipping.address",
        "too_long",
    ),
    ("unknown variant", _with("items.0.variant_id", 987654), 422, "items", "unknown_variant"),
    ("huge variant id", _with("items.0.variant_id", 10**20), 422, "items.variant_id", "invalid"),
    ("no items", _with("items", []), 422, "items", "empty"),
    (
        "home or desk",
        _with("shipping.delivery_type", "drone"),
        422,
        "shipping.delivery_type",
        "invalid",
    ),
    (
        "desk not offered",
        lambda b, v: b["shipping"].update(wilaya=31, commune="3101", delivery_type="desk"),
        422,
        "shipping.delivery_type",
        "not_offered",
    ),
    (
        "wilaya not served",
        lambda b, v: b["shipping"].update(wilaya=5, commune="0501"),
        422,
        "shipping.wilaya",
        "not_served",
    ),
    ("name is a number", _with("customer.name", 42), 422, "customer.name", "invalid"),
    ("no customer", lambda b, v: b.pop("customer"), 422, "customer", "required"),
    ("sku and id", _with("items.0.sku", "X"), 422, "items", "invalid"),
    (
        "NUL in sku",
        lambda b, v: b["items"].__setitem__(0, {"sku": "a\x00b"}),
        422,
        "items.sku",
        "invalid",
    ),
]


@pytest.mark.parametrize(
    ("change", "status", "field", "reason"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
async def test_bad_input_gets_a_clear_4xx_and_creates_nothing(
    client: TestClient[Any, Any], change: Any, status: int, field: str, reason: str
) -> None:
    shop = await make_shop()
    body = intake_body(shop.variants[0].id)
    change(body, shop.variants[0].id)
    resp = await client.post(URL, json=body, headers=key())
    assert resp.status == status, await resp.text()
    error = (await resp.json())["error"]
    assert error["code"] == "invalid_order"
    assert error["fields"].get(field) == reason, error
    assert field in error["message"]
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert await Order.all().count() == 0
    assert await Customer.all().count() == 0
    assert await IdempotencyKey.all().count() == 0


async def test_a_blacklisted_phone_is_a_403_and_creates_nothing(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    await Customer.create(
        store=shop.store,
        phone="+213770112233",
        name="Fake",
        blacklisted=True,
        blacklist_reason="fake",
    )
    resp = await client.post(URL, json=intake_body(shop.variants[0].id), headers=key())
    assert resp.status == 403
    assert (await resp.json())["error"]["code"] == "blacklisted"
    assert await Order.all().count() == 0


async def test_unknown_stores_malformed_json_and_wrong_types_are_refused(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    body = intake_body(shop.variants[0].id)
    for slug in ("nope", "UPPER", "a%00b", "x" * 60):
        resp = await client.post(f"/v1/stores/{slug}/orders", json=body, headers=key())
        assert resp.status == 404, slug
        assert (await resp.json())["error"]["code"] == "not_found"
    resp = await client.post(
        URL, data=b'{"customer": ', headers={**key(), "Content-Type": "application/json"}
    )
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "invalid_json"
    resp = await client.post(
        URL,
        data=b"name=Ali",
        headers={**key(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status == 415
    assert await Order.all().count() == 0


async def test_browsers_on_other_origins_get_a_preflight_answer(
    client: TestClient[Any, Any],
) -> None:
    resp = await client.options(
        URL,
        headers={
            "Origin": "https://promo.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, idempotency-key",
        },
    )
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    allowed = resp.headers["Access-Control-Allow-Headers"].lower()
    assert "idempotency-key" in allowed and "content-type" in allowed
    # The authenticated API is not for browsers on other origins.
    resp = await client.options("/v1/orders")
    assert resp.status == 405 and "Access-Control-Allow-Origin" not in resp.headers


async def test_one_address_is_limited_to_the_configured_number_of_orders(db: str) -> None:
    shop = await make_shop()
    async with serve(WebConfig(secret_key="test", checkout_ip_limit=2)) as client:
        statuses = []
        for i in range(3):
            body = intake_body(shop.variants[0].id)
            body["customer"]["phone"] = f"0770 00 00 0{i}"
            resp = await client.post(URL, json=body, headers=key(f"k-{i}"))
            statuses.append(resp.status)
        assert statuses == [201, 201, 429]
        assert (await resp.json())["error"]["code"] == "rate_limited"
        assert int(resp.headers["Retry-After"]) > 0
    assert await Order.all().count() == 2
