"""GET /v1/customers, GET /v1/customers/{phone}, PUT|DELETE /v1/customers/{phone}/blacklist,
and the customer's history in GET /v1/orders/{number}; one store's key never sees another's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from models.customers.tables import Customer
from models.orders.tables import Order
from tests.factories import Shop, make_shop
from tests.models.test_customers import order_for
from tests.webstore.api_support import bearer, intake_body, serve

PHONE = "+213550123456"


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


async def fetch(
    client: TestClient[Any, Any],
    shop: Shop,
    path: str,
    status: int = 200,
    params: dict[str, str] | None = None,
) -> Any:
    resp = await client.get(path, params=params, headers=bearer(shop.api_key))
    assert resp.status == status, await resp.text()
    return await resp.json()


def schema_check(document: dict[str, Any], name: str, instance: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(instance))
    assert not errors, [e.message for e in errors]


async def test_one_customer_by_phone_in_any_form_with_history_and_mark(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop(stock=20)
    first = await order_for(shop, "delivered", days_ago=9)
    await order_for(shop, "returned", days_ago=5)
    await order_for(shop, "pending")
    forms = ["%2B213550123456", "+213550123456", "0550123456", "0550%2012%2034%2056"]
    bodies = [await fetch(client, shop, f"/v1/customers/{form}") for form in forms]
    assert all(body == bodies[0] for body in bodies)
    body = bodies[0]
    assert (body["phone"], body["phone_national"], body["name"]) == (
        PHONE,
        "0550 12 34 56",
        "Amina Benali",
    )
    history = body["history"]
    assert (history["orders"], history["delivered"], history["returned"], history["open"]) == (
        3,
        1,
        1,
        1,
    )
    assert history["delivered_amount"] == first.total
    assert body["risk"] == "risky"  # one return for one delivery
    assert body["blacklist"] == {"blacklisted": False, "reason": "", "at": None, "by": ""}
    document = await fetch(client, shop, "/v1/openapi.json")
    schema_check(document, "CustomerOut", body)


async def test_an_unknown_phone_is_404_and_a_bad_one_is_422(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    missing = await fetch(client, shop, "/v1/customers/0661223344", status=404)
    assert missing["error"]["code"] == "not_found"
    bad = await fetch(client, shop, "/v1/customers/hello", status=422)
    assert bad["error"]["code"] == "invalid_input"
    assert "not an Algerian phone number" in bad["error"]["message"]


async def test_blacklisting_from_the_api_refuses_the_phone_at_checkout(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    auth = bearer(shop.api_key)
    resp = await client.put(
        "/v1/customers/0770112233/blacklist", json={"reason": "refused 2 parcels"}, headers=auth
    )
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["risk"] == "blacklisted" and body["history"]["orders"] == 0
    blacklist = body["blacklist"]
    assert (blacklist["blacklisted"], blacklist["reason"], blacklist["by"]) == (
        True,
        "refused 2 parcels",
        "API",
    )
    assert datetime.now(UTC) - datetime.fromisoformat(blacklist["at"]) < timedelta(minutes=1)
    placed = await client.post(
        f"/v1/stores/{shop.store.slug}/orders",
        json=intake_body(shop.variants[0].id),  # its customer's phone is 0770 11 22 33
        headers={"Idempotency-Key": "bl-1"},
    )
    assert placed.status == 403
    assert (await placed.json())["error"]["code"] == "blacklisted"
    assert await Order.all().count() == 0


async def test_lifting_the_blacklist_is_204_and_forgets_a_phone_that_never_ordered(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    auth = bearer(shop.api_key)
    await client.put("/v1/customers/0770112233/blacklist", json={}, headers=auth)
    resp = await client.delete("/v1/customers/%2B213770112233/blacklist", headers=auth)
    assert resp.status == 204 and await resp.read() == b""
    await fetch(client, shop, "/v1/customers/0770112233", status=404)
    again = await client.delete("/v1/customers/0770112233/blacklist", headers=auth)
    assert again.status == 404
    await order_for(shop, "fake")
    assert (await client.delete(f"/v1/customers/{PHONE}/blacklist", headers=auth)).status == 204
    assert (await client.delete(f"/v1/customers/{PHONE}/blacklist", headers=auth)).status == 204
    kept = await fetch(client, shop, f"/v1/customers/{PHONE}")
    assert kept["blacklist"]["blacklisted"] is False and kept["history"]["fake"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "x" * 201}, "reason"),
        ({"reason": 5}, "reason"),
        ({"reason": "ok", "until": "never"}, "until"),
        ({"reason": "nul \x00"}, "reason"),
    ],
)
async def test_a_bad_blacklist_body_is_422_and_changes_nothing(
    client: TestClient[Any, Any], body: dict[str, Any], field: str
) -> None:
    shop = await make_shop()
    resp = await client.put(
        "/v1/customers/0770112233/blacklist", json=body, headers=bearer(shop.api_key)
    )
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert error["code"] == "invalid_request" and field in error["fields"]
    assert await Customer.all().count() == 0


async def test_the_list_pages_by_cursor_and_filters(client: TestClient[Any, Any]) -> None:
    shop = await make_shop(stock=50)
    await order_for(shop, "delivered", phone="0661000001", days_ago=30)
    await order_for(shop, "delivered", phone="0661000001", days_ago=20)
    await order_for(shop, "returned", phone="0661000002", days_ago=10)
    await order_for(shop, "pending", phone="0661000003")
    auth = bearer(shop.api_key)
    await client.put("/v1/customers/0661000004/blacklist", json={"reason": "x"}, headers=auth)
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        extra: dict[str, str] = {"cursor": cursor} if cursor else {}
        page = await fetch(client, shop, "/v1/customers", params={"limit": "3", **extra})
        seen += [c["phone"][-1] for c in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["4", "3", "2", "1"]

    async def phones(**params: str) -> list[str]:
        page = await fetch(client, shop, "/v1/customers", params=params)
        return [c["phone"][-1] for c in page["data"]]

    assert await phones(blacklisted="true") == ["4"]
    assert await phones(blacklisted="false") == ["3", "2", "1"]
    assert await phones(risk="trusted") == ["1"]
    assert await phones(risk="risky") == ["2"]
    assert await phones(risk="new") == ["3"]
    assert await phones(phone="0661 00 00 02") == ["2"]
    assert await phones(since=(datetime.now(UTC) - timedelta(days=15)).isoformat()) == ["3", "2"]
    document = await fetch(client, shop, "/v1/openapi.json")
    schema_check(document, "CustomerPage", await fetch(client, shop, "/v1/customers"))


@pytest.mark.parametrize(
    "params",
    [
        {"risk": "dangerous"},
        {"blacklisted": "maybe"},
        {"phone": "12"},
        {"since": "yesterday"},
        {"cursor": "bm90LWEtY3Vyc29y"},
        {"limit": "0"},
    ],
)
async def test_a_bad_list_parameter_is_400(
    client: TestClient[Any, Any], params: dict[str, str]
) -> None:
    shop = await make_shop()
    body = await fetch(client, shop, "/v1/customers", status=400, params=params)
    assert body["error"]["code"] in ("invalid_parameter", "invalid_cursor")


async def test_the_order_detail_carries_the_customer_other_orders(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop(stock=20)
    await order_for(shop, "delivered", days_ago=9)
    await order_for(shop, "delivered", days_ago=5)
    order = await order_for(shop, "pending")
    body = await fetch(client, shop, f"/v1/orders/{order.number}")
    customer = body["customer"]
    assert (customer["risk"], customer["blacklisted"]) == ("trusted", False)
    assert (customer["history"]["orders"], customer["history"]["delivered"]) == (2, 2)
    document = await fetch(client, shop, "/v1/openapi.json")
    schema_check(document, "OrderOut", body)


async def test_another_store_key_never_sees_nor_changes_a_customer(
    client: TestClient[Any, Any],
) -> None:
    a, b = await make_shop("shop-a"), await make_shop("shop-b")
    await order_for(a, "delivered")
    await client.put("/v1/customers/0661223344/blacklist", json={}, headers=bearer(a.api_key))
    await fetch(client, b, f"/v1/customers/{PHONE}", status=404)
    await fetch(client, b, "/v1/customers/0661223344", status=404)
    assert (await fetch(client, b, "/v1/customers"))["data"] == []
    refused = await client.delete("/v1/customers/0661223344/blacklist", headers=bearer(b.api_key))
    assert refused.status == 404
    still = await fetch(client, a, "/v1/customers/0661223344")
    assert still["blacklist"]["blacklisted"] is True
    put = await client.put(
        f"/v1/customers/{PHONE}/blacklist", json={"reason": "b"}, headers=bearer(b.api_key)
    )
    assert put.status == 200 and (await put.json())["history"]["orders"] == 0
    mine = await fetch(client, a, f"/v1/customers/{PHONE}")
    assert mine["blacklist"]["blacklisted"] is False and mine["risk"] == "known"


async def test_without_a_key_nothing_is_shown(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    await order_for(shop, "pending")
    for method, path in [
        ("GET", "/v1/customers"),
        ("GET", f"/v1/customers/{PHONE}"),
        ("PUT", f"/v1/customers/{PHONE}/blacklist"),
        ("DELETE", f"/v1/customers/{PHONE}/blacklist"),
    ]:
        resp = await client.request(method, path, json={})
        assert resp.status == 401, (method, path)
    assert not (await Customer.get(phone=PHONE)).blacklisted
