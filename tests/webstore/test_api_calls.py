"""POST /v1/orders/{number}/calls and GET /v1/orders/{number}/calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from models.calls.outcomes import OUTCOMES
from models.calls.tables import CallAttempt
from models.catalog.tables import Variant
from models.customers.tables import Customer
from models.orders.tables import Order
from models.stores.tables import Store
from tests.factories import make_shop
from tests.webstore.api_support import bearer, place, serve
from webstore.call_schemas import CallRequest


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient[Any, Any]]:
    async with serve() as client:
        yield client


def in_hours(hours: float, offset: str = "+01:00") -> str:
    moment = datetime.now(UTC) + timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + offset


async def test_the_api_takes_exactly_the_domains_outcomes() -> None:
    schema = CallRequest.model_json_schema()
    assert tuple(schema["properties"]["outcome"]["enum"]) == OUTCOMES


async def test_a_no_answer_is_logged_and_the_order_stays_pending(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    order = await place(shop)
    auth = bearer(shop.api_key)
    resp = await client.post(
        f"/v1/orders/{order.number}/calls",
        json={"outcome": "no_answer", "note": "rang 8 times"},
        headers=auth,
    )
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    call = body["call"]
    assert (call["outcome"], call["note"]) == ("no_answer", "rang 8 times")
    # The store's call-back plan schedules the next call (+1 h after a first no-answer).
    next_call = datetime.fromisoformat(call["callback_at"])
    assert timedelta(minutes=59) < next_call - datetime.now(UTC) <= timedelta(hours=1)
    assert call["actor"] == {"kind": "api", "id": shop.api_key.split("_")[1], "name": "API"}
    assert body["order"]["status"] == "pending" and body["order"]["version"] == 2
    assert body["order"]["calls"] == {
        "attempts": 1,
        "no_answers": 1,
        "last_outcome": "no_answer",
        "last_call_at": body["order"]["calls"]["last_call_at"],
        "callback_at": call["callback_at"],
        "duplicate_of": None,
    }
    assert body["order"]["timeline"][-1]["type"] == "call_logged"
    shown = await (await client.get(f"/v1/orders/{order.number}", headers=auth)).json()
    assert shown["calls"]["attempts"] == 1
    listed = await (await client.get(f"/v1/orders/{order.number}/calls", headers=auth)).json()
    assert listed == {"data": [call], "next_cursor": None}


async def test_confirmed_takes_the_stock_and_a_later_call_is_a_409(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop(stock=5)
    order = await place(shop, quantity=2)
    url, auth = f"/v1/orders/{order.number}/calls", bearer(shop.api_key)
    resp = await client.post(url, json={"outcome": "confirmed"}, headers=auth)
    assert resp.status == 201
    assert (await resp.json())["order"]["status"] == "confirmed"
    assert (await Variant.get(id=shop.variants[0].id)).stock == 3
    resp = await client.post(url, json={"outcome": "busy"}, headers=auth)
    assert resp.status == 409
    error = (await resp.json())["error"]
    assert error["code"] == "illegal_transition" and error["details"]["status"] == "confirmed"
    assert await CallAttempt.filter(order_id=order.id).count() == 1


async def test_confirmed_with_short_stock_is_a_422_and_records_nothing(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop(stock=1)
    order = await place(shop, quantity=3)
    auth = bearer(shop.api_key)
    resp = await client.post(
        f"/v1/orders/{order.number}/calls", json={"outcome": "confirmed"}, headers=auth
    )
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert error["code"] == "insufficient_stock"
    assert error["details"]["shortages"][0]["available"] == 1
    fresh = await Order.get(id=order.id)
    assert (fresh.status, fresh.version, fresh.call_attempts) == ("pending", 1, 0)
    assert await CallAttempt.filter(order_id=order.id).count() == 0


async def test_postponed_needs_a_future_time_with_an_offset(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    order = await place(shop)
    url, auth = f"/v1/orders/{order.number}/calls", bearer(shop.api_key)
    refused = [
        ({"outcome": "postponed"}, "required"),
        ({"outcome": "postponed", "callback_at": in_hours(2, "")}, "invalid"),
        ({"outcome": "postponed", "callback_at": "tomorrow at ten"}, "invalid"),
        ({"outcome": "postponed", "callback_at": in_hours(-2)}, "invalid"),
        ({"outcome": "postponed", "callback_at": in_hours(24 * 400)}, "invalid"),
        ({"outcome": "postponed", "callback_at": "9999-12-31T23:59:59-05:00"}, "invalid"),
        ({"outcome": "busy", "callback_at": in_hours(2)}, "invalid"),
    ]
    for body, reason in refused:
        resp = await client.post(url, json=body, headers=auth)
        assert resp.status == 422, body
        error = (await resp.json())["error"]
        assert error["code"] == "invalid_request" and error["fields"] == {"callback_at": reason}
    assert await CallAttempt.filter(order_id=order.id).count() == 0
    when = in_hours(3)
    resp = await client.post(url, json={"outcome": "postponed", "callback_at": when}, headers=auth)
    assert resp.status == 201
    body = await resp.json()
    expected = datetime.fromisoformat(when)
    assert datetime.fromisoformat(body["call"]["callback_at"]) == expected
    assert datetime.fromisoformat(body["order"]["calls"]["callback_at"]) == expected
    assert body["order"]["status"] == "pending"


async def test_duplicate_names_the_kept_order_and_cancels(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    kept, copy = await place(shop, 1), await place(shop, 2)
    url, auth = f"/v1/orders/{copy.number}/calls", bearer(shop.api_key)
    for body, reason in (
        ({"outcome": "duplicate"}, "required"),
        ({"outcome": "duplicate", "duplicate_of": 4242}, "not_found"),
        ({"outcome": "duplicate", "duplicate_of": copy.number}, "invalid"),
        ({"outcome": "no_answer", "duplicate_of": kept.number}, "invalid"),
    ):
        resp = await client.post(url, json=body, headers=auth)
        assert resp.status == 422, body
        assert (await resp.json())["error"]["fields"] == {"duplicate_of": reason}
    # Two phones: another customer's order is linked only on purpose.
    body = {"outcome": "duplicate", "duplicate_of": kept.number, "other_customer": True}
    resp = await client.post(url, json=body, headers=auth)
    assert resp.status == 201
    order = (await resp.json())["order"]
    assert order["status"] == "cancelled" and order["calls"]["duplicate_of"] == kept.number


async def test_fake_cancels_and_blacklists_the_phone(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    order = await place(shop)
    resp = await client.post(
        f"/v1/orders/{order.number}/calls",
        json={"outcome": "fake", "note": "never ordered"},
        headers=bearer(shop.api_key),
    )
    assert resp.status == 201
    assert (await resp.json())["order"]["status"] == "cancelled"
    assert (await Customer.get(id=order.customer_id)).blacklisted


async def test_the_stores_no_answer_limit_cancels(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    await Store.filter(id=shop.store.id).update(no_answer_limit=2, no_answer_min_hours=0)
    order = await place(shop)
    url, auth = f"/v1/orders/{order.number}/calls", bearer(shop.api_key)
    statuses = []
    for _ in range(2):
        resp = await client.post(url, json={"outcome": "no_answer"}, headers=auth)
        statuses.append((await resp.json())["order"]["status"])
    assert statuses == ["pending", "cancelled"]


async def test_a_stale_expected_version_is_a_conflict(client: TestClient[Any, Any]) -> None:
    shop = await make_shop()
    order = await place(shop)
    url, auth = f"/v1/orders/{order.number}/calls", bearer(shop.api_key)
    first = await client.post(url, json={"outcome": "busy", "expected_version": 1}, headers=auth)
    assert first.status == 201
    resp = await client.post(url, json={"outcome": "busy", "expected_version": 1}, headers=auth)
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "conflict"
    assert await CallAttempt.filter(order_id=order.id).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "hung_up"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "busy", "note": "x" * 501}, "note"),
        ({"outcome": "busy", "note": 3}, "note"),
        ({"outcome": "busy", "by": "me"}, "by"),
        ({"outcome": "busy", "expected_version": 0}, "expected_version"),
    ],
)
async def test_a_bad_body_is_a_422_naming_the_field(
    client: TestClient[Any, Any], body: dict[str, Any], field: str
) -> None:
    shop = await make_shop()
    order = await place(shop)
    resp = await client.post(
        f"/v1/orders/{order.number}/calls", json=body, headers=bearer(shop.api_key)
    )
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert error["code"] == "invalid_request" and field in error["fields"]


async def test_unknown_and_other_stores_orders_are_not_found(
    client: TestClient[Any, Any],
) -> None:
    mine, theirs = await make_shop("mine"), await make_shop("theirs")
    await place(mine, 1)
    their_order = (await place(theirs, 2), await place(theirs, 3))[1]
    auth = bearer(mine.api_key)
    for number in (their_order.number, 4242):
        url = f"/v1/orders/{number}/calls"
        resp = await client.post(url, json={"outcome": "confirmed"}, headers=auth)
        assert resp.status == 404 and (await resp.json())["error"]["code"] == "not_found"
        assert (await client.get(url, headers=auth)).status == 404
    fresh = await Order.get(id=their_order.id)
    assert (fresh.status, fresh.call_attempts) == ("pending", 0)


async def test_calls_page_newest_first_and_filter_by_outcome(
    client: TestClient[Any, Any],
) -> None:
    shop = await make_shop()
    order, _ = await place(shop, 1), await place(shop, 2)
    url, auth = f"/v1/orders/{order.number}/calls", bearer(shop.api_key)
    for outcome in ("no_answer", "busy", "no_answer", "unreachable"):
        assert (await client.post(url, json={"outcome": outcome}, headers=auth)).status == 201
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(2):
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = await (await client.get(url, params=params, headers=auth)).json()
        seen += [c["outcome"] for c in page["data"]]
        cursor = page["next_cursor"]
    assert seen == ["unreachable", "no_answer", "busy", "no_answer"] and cursor is None
    page = await (await client.get(url, params={"outcome": "no_answer"}, headers=auth)).json()
    assert [c["outcome"] for c in page["data"]] == ["no_answer", "no_answer"]
    orders_cursor = (
        await (await client.get("/v1/orders", params={"limit": "1"}, headers=auth)).json()
    )["next_cursor"]
    assert orders_cursor is not None
    for bad in ("x", orders_cursor):
        resp = await client.get(url, params={"cursor": bad}, headers=auth)
        assert resp.status == 400 and (await resp.json())["error"]["code"] == "invalid_cursor"
